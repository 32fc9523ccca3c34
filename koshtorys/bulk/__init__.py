"""Adapters for many files at once: consolidation's fast table reader (:mod:`.read`),
its SpreadsheetML writer (:mod:`.tablebook`) and its Parquet writer (:mod:`.parquet`).

The engine never sees them: the command reads with :class:`.read.TableFile`, converts
through :mod:`koshtorys.convert`, computes in :mod:`koshtorys.engine.consolidate` and
writes the frames it gets back with one of the writers.
"""
