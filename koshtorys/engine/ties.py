"""Checks across parts: figures that two tables must agree on, or the documents made
from them contradict themselves.

Pure engine code (DataFrames in, checks out). Two ties of the SPEC:

* ``need_differs_from_costs`` (warning): for each КПКВК with needs in the plan year,
  the funding need of its activities against the program's expenditure by КЕКВ
  (tblCostByKekv) — a request must not ask for one sum in section 6 and show another
  in section 10;
* ``program_total_mismatch`` (error): the totals the approved local program declares
  (tblProgramTotals) against the funding split — each declared source against the
  sum of that source over the activities of the year, and the declared total of all
  sources against the need.

Amounts are compared in whole units of ``rounding`` (hryvnias for 0), the precision the
funding split and the requests are made in.
"""

from __future__ import annotations

import pandas as pd

from koshtorys.core import schema
from koshtorys.core.checks import Check
from koshtorys.core.money import from_units, to_units

__all__ = ["need_differs_from_costs", "program_total_mismatch"]


def _units(x: object, digits: int) -> int:
    return to_units(float(x), digits) if x is not None and x == x else 0  # type: ignore[arg-type]


def _program_of(needs: pd.DataFrame, programs: set[str]) -> dict[str, tuple[str, int]]:
    """activity_id → (КПКВК, worksheet row of its first needs row). An activity with a
    blank КПКВК belongs to the institution's only program, when it has one."""
    only = next(iter(programs)) if len(programs) == 1 else None
    out: dict[str, tuple[str, int]] = {}
    for row, aid, code in zip(needs.index, needs["activity_id"], needs["kpkvk"], strict=True):
        code = code if isinstance(code, str) and code.strip() else only
        if code is not None and str(aid) not in out:
            out[str(aid)] = (code, int(row))
    return out


def need_differs_from_costs(split: pd.DataFrame, needs: pd.DataFrame,
                            cost_by_kekv: pd.DataFrame, plan_year: int,
                            digits: int = 0) -> list[Check]:
    """A warning per КПКВК whose plan-year need differs from its tblCostByKekv total.

    >>> split = pd.DataFrame({"activity_id": ["A"], "year": [2026], "need": [120.0]})
    >>> needs = pd.DataFrame({"activity_id": ["A"], "kpkvk": ["0813104"]}, index=[4])
    >>> cost = pd.DataFrame({"kpkvk": ["0813104"], "kekv": ["2111"], "fund": ["general"],
    ...                      "amount": [100.0]})
    >>> [(c.code, c.row, c.params["difference"]) for c in
    ...  need_differs_from_costs(split, needs, cost, 2026)]
    [('need_differs_from_costs', 4, 20.0)]
    """
    if split is None or split.empty or needs is None or needs.empty:
        return []
    cost_by_kekv = cost_by_kekv if cost_by_kekv is not None else pd.DataFrame(
        columns=["kpkvk", "amount"])
    costs: dict[str, int] = {}
    for code, amount in zip(cost_by_kekv["kpkvk"], cost_by_kekv["amount"], strict=True):
        if isinstance(code, str) and code:
            costs[code] = costs.get(code, 0) + to_units(float(amount), 2)
    programs = set(costs) | {c for c in needs["kpkvk"] if isinstance(c, str) and c.strip()}
    owner = _program_of(needs, programs)
    need: dict[str, int] = {}
    row_of: dict[str, int] = {}
    year = split["year"].astype(int) == int(plan_year)
    for aid, amount in zip(split["activity_id"][year], split["need"][year], strict=True):
        found = owner.get(str(aid))
        if found is None:
            continue
        code, row = found
        need[code] = need.get(code, 0) + _units(amount, digits)
        row_of[code] = min(row_of.get(code, row), row)
    out: list[Check] = []
    for code in sorted(need):
        spent = to_units(from_units(costs.get(code, 0), 2), digits)
        if need[code] != spent:
            out.append(Check("warning", "tblNeeds", row_of[code], "base_amount",
                             "need_differs_from_costs",
                             {"kpkvk": code, "year": int(plan_year),
                              "need": from_units(need[code], digits),
                              "costs": from_units(spent, digits),
                              "difference": from_units(need[code] - spent, digits)}))
    return out


def program_total_mismatch(split: pd.DataFrame, totals: pd.DataFrame,
                           digits: int = 0) -> list[Check]:
    """An error per declared (year, source) the activities do not add up to, and per year
    whose declared total differs from the need.

    >>> split = pd.DataFrame({"activity_id": ["A", "B"], "year": [2026, 2026],
    ...                       "need": [90.0, 10.0], "local": [90.0, 10.0], "other": [0.0, 0.0]})
    >>> totals = pd.DataFrame({"year": [2026, 2026], "source": ["local", "other"],
    ...                        "amount": [90.0, 10.0]}, index=[4, 5])
    >>> [(c.row, c.params["source"], c.params["difference"]) for c in
    ...  program_total_mismatch(split, totals)]
    [(4, 'local', 10.0), (5, 'other', -10.0)]
    """
    if totals is None or totals.empty:
        return []
    split = split if split is not None else pd.DataFrame(columns=["year", "need"])
    years = split["year"].astype(int) if len(split) else pd.Series(dtype=int)
    out: list[Check] = []
    declared_total: dict[int, int] = {}
    first_row: dict[int, int] = {}
    for row, year, source, amount in zip(totals.index, totals["year"], totals["source"],
                                         totals["amount"], strict=True):
        year = int(year)
        declared = _units(amount, digits)
        declared_total[year] = declared_total.get(year, 0) + declared
        first_row.setdefault(year, int(row))
        of_year = split[(years == year).to_numpy()] if len(split) else split
        computed = sum(_units(v, digits) for v in of_year[source]) \
            if source in of_year.columns else 0
        if declared != computed:
            out.append(_mismatch(int(row), year, str(source), declared, computed, digits))
    for year, declared in declared_total.items():
        of_year = split[(years == year).to_numpy()] if len(split) else split
        need = sum(_units(v, digits) for v in of_year["need"]) if len(of_year) else 0
        if declared != need:
            out.append(_mismatch(first_row[year], year, "total", declared, need, digits))
    return out


def _mismatch(row: int, year: int, source: str, declared: int, computed: int,
              digits: int) -> Check:
    return Check("error", "tblProgramTotals", row, "amount", "program_total_mismatch",
                 {"year": year, "source": source, "declared": from_units(declared, digits),
                  "computed": from_units(computed, digits),
                  "difference": from_units(computed - declared, digits)})


assert set(schema.SOURCES) <= set(schema.table("tblFundingSplit").column_keys)
