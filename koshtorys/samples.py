"""The bundled samples: institutions built from the program documents in the seeds.

The data are files, not code: ``koshtorys/data/samples/<name>/<table>.csv`` (column keys
as headers, ``tblSettings`` as key/value rows), so a finance officer can read and
correct them. ``koshtorys new --sample NAME`` and ``koshtorys demo`` fill workbooks with
:func:`sample_frames`; ``workbooks/<name>_<year>.xlsx`` are the same files,
prebuilt. Variant ``"kreminna"`` is the Kreminna 2026 social-services
program (its one year, its activities and sources as published); ``"pervomaiskyi"``
is a second institution for consolidation, shaped by the Pervomaiskyi 2021–2027
strategy (its years × sources table has no amounts, so the amounts are ours).

Where the numbers come from:

=============================  ===========================================  ===========
What                           Value                                        Source
=============================  ===========================================  ===========
Kreminna program total         11 699 527 UAH = local 10 599 527 + other    seed 003
                               1 100 000 (passport, item 10)
Kreminna activities (needs)    1.2 coordination centres 9 552 128;          seed 003,
                               1.3 equipment 50 250; 1.4 transport          section 6
                               760 633; 4.1 veterans' specialist 236 516
                               (local); 3.5 trainings 500 000; 3.7 grant
                               programs 500 000; 3.10 warming points
                               100 000 (other sources → ``donor``)
Kreminna institution           КУ «КМЦНСПКР «Добро», 20 workers, the ten    seed 003
                               services it provides
Pervomaiskyi institution       tercentre staff: 9.5 administrative, 10      seed 002,
                               service, 36 social workers, 1 social-work    section 3.2
                               specialist, 1 social worker, 0.5 family
                               doctor, 6 junior medical staff
Pervomaiskyi activities        task names, their years (2026–2027 stage)    seed 002,
                               and the sources each may use (ТГ, state,     section 7.1
                               oblast, МТД / attracted funds)
Social prevention for          249 744 UAH in 2026 (Kropyvnytskyi           seed 000
probation clients              advocacy case), reused as a Pervomaiskyi
                               activity
Minimum wage 2026              8 647 UAH/month                              FACTS.md
Pay, posts' time shares,       illustrative: plausible 2026 levels;         ours
service volumes, other costs   Kreminna's costs are tuned so the
                               institution's total (staff with ЄСВ + other
                               costs) equals its local funding 10 599 527
Execution 2025 (plan, cash)    illustrative: КЕКВ 2111/2120/2210/2240/      ours
                               2273/2800, actuals January–September, with
                               under-execution (2210, 2240), one
                               over-execution (2273) and one unplanned
                               special-fund line
Pervomaiskyi amounts, index    illustrative                                 ours
rates, EUR grant, fx rates
ЄДРПОУ, e-mail addresses       illustrative (a valid control digit;        ours
                               example.org addresses)
=============================  ===========================================  ===========

What the costing gives: the Pervomaiskyi home-care hour costs about 110 UAH in full
(direct labour about 67 UAH), near the published ≈ 70 UAH of 2024 once 2026 wages and
the administrative share are added. Kreminna's full costs are about twice its direct
costs: a relocated institution whose four centres' premises, energy and transport
form a large administrative pool.
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import pandas as pd

from koshtorys.core import schema

__all__ = ["sample_frames", "VARIANTS"]

VARIANTS: tuple[str, ...] = ("kreminna", "pervomaiskyi")

_NUMBER_KINDS = ("number", "money", "share")


def _cell(kind: str, text: str) -> object:
    """A CSV field as the value a user would type: numbers as numbers, codes as text."""
    if text == "":
        return None
    if kind in _NUMBER_KINDS:
        return float(text)
    if kind in ("int", "year"):
        return int(float(text))
    return text


def _read(variant: str, table: str) -> pd.DataFrame | None:
    folder = resources.files("koshtorys").joinpath("data", "samples", variant)
    path = folder.joinpath(f"{table}.csv")
    if not path.is_file():
        return None
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    if table == "tblSettings":
        kinds = {st.key: st.kind for st in schema.SETTINGS}
        values = [_cell(kinds.get(r["key"], "text"), r["value"]) for r in rows]
        return pd.DataFrame({"key": [r["key"] for r in rows],
                             "value": pd.Series(values, dtype=object)})
    t = schema.table(table)
    kinds = {c.key: c.kind for c in t.columns}
    data = {k: pd.Series([_cell(kinds[k], r.get(k) or "") for r in rows], dtype=object)
            for k in t.column_keys}  # every column of the table, blank where the file has none
    return pd.DataFrame(data, columns=t.column_keys)


def sample_frames(variant: str = "kreminna") -> dict[str, pd.DataFrame]:
    """Every input table of the bundled sample ``variant``, as DataFrames with the schema
    keys (``tblSettings`` as key/value rows); ``variant`` is one of :data:`VARIANTS`.

    >>> int(sample_frames()["tblNeeds"]["base_amount"].sum())
    11699527
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown sample {variant!r}; choose one of {', '.join(VARIANTS)}")
    out = {}
    for t in schema.INPUT_TABLES:
        df = _read(variant, t.name)
        if df is not None:
            out[t.name] = df
    return out
