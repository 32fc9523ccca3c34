"""One table's raw cells from many files, typed through the conversion stage in batches.

Thousands of files repeat the same codes, funds and names: the conversion stage reads
each distinct tuple of a batch's text, code and enumeration cells once (one small raw
table), and its number columns in full (there the conversion is column-wise already).
Each cell is still read by :func:`koshtorys.convert.convert_table` exactly as refresh
reads it; only repetition is skipped. A row with a bad cell is left out and its check is
kept with the file it came from. Raw cells never outgrow one batch: memory follows the
typed result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from koshtorys.convert import Locator, convert_table
from koshtorys.convert.cells import NUMBER_KINDS
from koshtorys.core import schema
from koshtorys.core.book import RawTable
from koshtorys.core.checks import Check

from .read import columns_of

__all__ = ["Stack", "BATCH_ROWS"]

BATCH_ROWS = 50_000
"""Stacked rows converted at a time."""


def _part(t: schema.Table, keys: list[str]) -> schema.Table:
    return schema.Table(t.name, t.sheet_uk, t.sheet_en, tuple(t.column(k) for k in keys),
                        t.role)


def _key(v: object) -> object:
    """A cell as a dictionary key that keeps True apart from 1.0 (they hash alike)."""
    return ("\0bool", v) if type(v) is bool else v


def _distinct(columns: list[list[object]], n: int) -> tuple[np.ndarray, list[int]]:
    """For each row, the number of its distinct tuple of ``columns``' cells (numbered in
    order of appearance), and the first row of each tuple."""
    combined = np.zeros(n, dtype=np.int64)
    for col in columns:
        if bool in set(map(type, col)):
            col = list(map(_key, col))
        arr = np.empty(n, dtype=object)
        arr[:] = col
        codes, uniques = pd.factorize(arr, use_na_sentinel=False)
        combined = pd.factorize(combined * (len(uniques) + 1) + codes)[0].astype(np.int64)
    first = np.unique(combined, return_index=True)[1] if n else np.array([], dtype=np.int64)
    return combined, first.tolist()


@dataclass
class Stack:
    """Rows of ``source`` from many files; :meth:`frame` gives them typed."""

    source: schema.Table
    columns: dict[str, list[object]] = field(default_factory=dict)
    origin: list[tuple[int, str, list[int] | range]] = field(default_factory=list)
    """(file number, sheet, worksheet rows) of each file's rows in the batch, in order."""
    rows: int = 0
    """Rows in the batch."""
    typed: list[pd.DataFrame] = field(default_factory=list)
    file_of: list[np.ndarray] = field(default_factory=list)
    """File number of each typed row, batch by batch."""
    checks: list[tuple[int, Check]] = field(default_factory=list)
    """(file number, check) of every bad cell, errors and warnings."""

    def __post_init__(self) -> None:
        self.columns = {k: [] for k in self.source.column_keys}
        self.numeric = [c.key for c in self.source.columns if c.kind in NUMBER_KINDS]
        self.other = [c.key for c in self.source.columns if c.kind not in NUMBER_KINDS]
        if not self.numeric or not self.other:
            raise ValueError(f"{self.source.name}: a stack needs number and other columns")

    def add(self, raw: RawTable, file_no: int, keep: list[int] | None = None) -> bool:
        """Stack ``raw``'s rows (those of ``keep`` only, when given); False when it has
        none of the table's columns."""
        cols = columns_of(self.source, tuple(raw.headers))
        if not cols:
            return False
        rows = raw.rows if keep is None else [raw.rows[i] for i in keep]
        by_col = list(zip(*rows, strict=False)) if rows else []
        n = len(rows)
        for key in self.source.column_keys:
            j = cols.get(key)
            self.columns[key].extend(by_col[j] if j is not None and j < len(by_col)
                                     else [None] * n)
        first = raw.header_row + 1
        if keep is None and raw.row_numbers is None:
            sheet_rows: list[int] | range = range(first, first + n)
        else:
            sheet_rows = [raw.sheet_row(i) for i in (range(n) if keep is None else keep)]
        self.origin.append((file_no, raw.sheet, sheet_rows))
        self.rows += n
        if self.rows >= BATCH_ROWS:
            self.flush()
        return True

    @property
    def count(self) -> int:
        """Rows stacked so far (before any is left out for a bad cell)."""
        return self.rows + sum(len(f) for f in self.file_of)

    def _convert(self, keys: list[str], rows: list[list[object]]
                 ) -> tuple[pd.DataFrame, list[Check], np.ndarray]:
        """Typed frame (one row per input row, blanks as missing), its checks, and the
        rows with an error."""
        raw = RawTable(self.source.name, self.source.sheet_uk, keys, rows,
                       row_numbers=list(range(len(rows))))
        df, checks = convert_table(raw, _part(self.source, keys), Locator())
        bad = np.zeros(len(rows), dtype=bool)
        for c in checks:
            if c.severity == "error" and c.row is not None:
                bad[c.row] = True
        return df.reindex(range(len(rows))), checks, bad

    def flush(self) -> None:
        """Type the batch (valid rows only) and keep a check per bad cell."""
        n = self.rows
        if n == 0 and self.typed:
            return
        codes, first = _distinct([self.columns[k] for k in self.other], n)
        distinct = [[self.columns[k][i] for k in self.other] for i in first]
        keys_df, key_checks, key_bad = self._convert(self.other, distinct)
        num_rows = list(zip(*(self.columns[k] for k in self.numeric), strict=True))
        num_df, num_checks, num_bad = self._convert(self.numeric, num_rows)  # type: ignore[arg-type]
        key_blank = keys_df.isna().all(axis=1).to_numpy() if self.other else \
            np.ones(len(distinct), bool)
        num_blank = num_df.isna().all(axis=1).to_numpy() if self.numeric else np.ones(n, bool)
        good = ~key_bad[codes] & ~num_bad & ~(key_blank[codes] & num_blank)
        files = np.repeat(np.array([o[0] for o in self.origin], dtype=np.int32),
                          [len(o[2]) for o in self.origin])
        starts = np.cumsum([0] + [len(o[2]) for o in self.origin])
        # a half that is blank as a whole was a "blank row" to the conversion stage, but
        # the row is not: a required cell in it is blank
        for half, blank in ((self.other, key_blank[codes] & ~num_blank),
                            (self.numeric, num_blank & ~key_blank[codes])):
            required = [c for c in self.source.columns if c.key in half and c.required]
            if not required:
                continue
            for i in np.flatnonzero(blank & good):
                good[i] = False
                c = required[0]
                self._keep_check(Check("error", self.source.name, int(i), c.key,
                                       "blank_required", {"header": c.header("uk")}),
                                 int(i), starts)
        for c in key_checks:  # a bad value read once: a check for every row holding it
            if c.row is not None:
                for i in np.flatnonzero(codes == c.row):
                    self._keep_check(c, int(i), starts)
        for c in num_checks:
            if c.row is not None:
                self._keep_check(c, c.row, starts)
        take = np.flatnonzero(good)
        out = pd.DataFrame(index=range(len(take)))
        key_rows = codes[take]
        for c in self.source.columns:
            if c.key in self.other:
                col = keys_df[c.key].to_numpy(dtype=object)[key_rows]
                col[pd.isna(col)] = None
                out[c.key] = pd.Series(col, dtype=object)
            elif c.kind in ("int", "year"):
                col = num_df[c.key].to_numpy(dtype=object)[take]
                out[c.key] = pd.Series([None if v is None or v != v else int(v) for v in col],
                                       dtype=object)
            else:
                out[c.key] = num_df[c.key].to_numpy(dtype=float)[take]
        self.file_of.append(files[take])
        self.typed.append(out)
        self.columns = {k: [] for k in self.source.column_keys}
        self.origin = []
        self.rows = 0

    def _keep_check(self, c: Check, i: int, starts: np.ndarray) -> None:
        part = int(np.searchsorted(starts, i, side="right")) - 1
        file_no, sheet, rows = self.origin[part]
        row = rows[i - int(starts[part])]
        params = dict(c.params)
        params["where"] = f"{sheet}!{row}:{row}"
        self.checks.append((file_no, Check(c.severity, self.source.name, row, c.column,
                                           c.code, params)))

    def frame(self, table: schema.Table, ids: dict[str, np.ndarray]) -> pd.DataFrame:
        """Every typed row with its file's ``ids`` in front (columns as ``table``)."""
        self.flush()
        df = pd.concat(self.typed, ignore_index=True) if len(self.typed) > 1 else self.typed[0]
        files = np.concatenate(self.file_of)
        self.typed, self.file_of = [], []  # the batches are in ``df`` now
        for key, values in ids.items():
            # object columns as they are: pandas would turn texts into Arrow strings
            df[key] = pd.Series(values[files] if len(values) else [], index=df.index,
                                dtype=object)
        return df[table.column_keys]
