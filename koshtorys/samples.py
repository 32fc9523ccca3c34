"""The bundled samples: institutions built from the program documents in the seeds.

The data are files, not code: ``koshtorys/data/samples/<name>/<table>.csv`` (column keys
as headers, ``tblSettings`` as key/value rows), so a finance officer can read and
correct them. ``koshtorys new --sample NAME`` and ``koshtorys demo`` fill workbooks with
:func:`sample_frames`; ``workbooks/<name>_<year>.xlsx`` are the same files, prebuilt.

* ``kreminna`` — the Kreminna 2026 social-services program (seed 003), its activities
  and sources as published. The passport (item 10) declares local 10 599 527 and other
  sources 1 100 000; the activity table lists 3.10 (100 000) as "local budget and other
  lawful funds", so coded as printed it gives local 10 699 527 and other 1 000 000:
  ``tblProgramTotals`` keeps the passport's figures and refresh reports the difference
  as two ``program_total_mismatch`` errors — the mismatch is the document's own.
* ``pervomaiskyi`` — a territorial centre shaped by the Pervomaiskyi 2021–2027 strategy
  (seed 002): its adult-services tasks for the 2026–2027 stage with the sources each may
  use; a ceiling below the centre's expenditure, so its requests include a Форма 20__-3.
* ``kropyvnytskyi`` — the city centre of social services of the Kropyvnytskyi advocacy
  case (seed 000): social prevention for probation clients bought through Prozorro,
  249 744 UAH in 2026 = 2 064 person-hours (258 recipients × 8 h) × 121.00 UAH.

Where the numbers come from:

=============================  ===========================================  ===========
What                           Value                                        Source
=============================  ===========================================  ===========
Kreminna program total         11 699 527 UAH = local 10 599 527 + other    seed 003
                               1 100 000 (passport, item 10)
Kreminna activities (needs)    1.2 coordination centres 9 552 128 (split    seed 003,
                               over the three budget programs whose costs   section 6
                               it funds: 0813104 673 024, 0813105 741 616,
                               0813121 8 137 488); 1.3 equipment 50 250;
                               1.4 transport 760 633; 4.1 veterans'
                               specialist 236 516; 3.10 warming points
                               100 000 (local and other → ``local``);
                               3.5 trainings 500 000 and 3.7 grant
                               programs 500 000 (other sources → ``other``,
                               special fund; not МТД)
Kreminna institution           КУ «КМЦНСПКР «Добро», 20 workers, the ten    seed 003
                               services it provides, goal and tasks
Pervomaiskyi institution       tercentre staff: 9.5 administrative, 10      seed 002,
                               service, 36 social workers, 1 social-work    section 3.2
                               specialist, 1 social worker, 0.5 family
                               doctor, 6 junior medical staff
Pervomaiskyi activities        tasks 1.0, 1.1.4, 1.3.1 (adult services of   seed 002,
                               the 2026–2027 stage) and their sources (ТГ,  section 7.1
                               state, oblast, МТД, other); the centre's
                               upkeep as two activities, one per program
Kropyvnytskyi service          social prevention for probation clients,     seed 000,
                               249 744 UAH in 2026, bought via Prozorro     research
                               (КЕКВ 2240); 258 recipients × 8 h × 121.00
Minimum wage 2026              8 647 UAH/month                              FACTS.md
Pay, posts' time shares,       illustrative: plausible 2026 levels; each    ours
service volumes, other costs   program's costs equal the needs of the
                               activities that fund it (sections 6 and 10
                               of its request agree)
Execution 2025 (plan, cash),   illustrative: КЕКВ 2111/2120/2210/2240/      ours
cash of 2024 (tblHistory)      2273/2800, actuals January–September, with
                               under-execution, over-execution and one
                               unplanned special-fund line
Pervomaiskyi amounts, index    illustrative                                 ours
rates, EUR grant, fx rates,
ceilings, 2025 actual volumes
ЄДРПОУ, budget codes, e-mail   illustrative (ЄДРПОУ with a valid control    ours
                               digit; 11-digit budget codes; example.org)
=============================  ===========================================  ===========

What the costing gives: the Pervomaiskyi home-care hour costs about 118 UAH in full
(direct labour about 67 UAH), near the published ≈ 70 UAH of 2024 once 2026 wages and
the administrative share are added. Kreminna's full costs are about twice its direct
costs: a relocated institution whose four centres' premises, energy and transport
form a large administrative pool. Kropyvnytskyi's purchased service carries no
administrative share (the pool is spread by direct labour, and the purchase has none),
so its unit tariff is the contract's 121.00 UAH per person-hour.
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import pandas as pd

from koshtorys.core import schema

__all__ = ["sample_frames", "VARIANTS"]

VARIANTS: tuple[str, ...] = ("kreminna", "pervomaiskyi", "kropyvnytskyi")

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
