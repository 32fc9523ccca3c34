"""The budget program passport (паспорт бюджетної програми місцевого бюджету, Minfin
order No. 836 of 26.08.2014 in the edition of order No. 1209 of 29.12.2018), as data.

The passport is not computed on its own: it is read off the budget request of the same
КПКВК (:func:`koshtorys.documents.request.build_requests`), so its allocation, its
directions and its indicators are the request's plan-year figures and cannot drift from
them. A passport of another year of the request (the execution year's, ``approved``) is
what the execution report compares with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from koshtorys.core import schema
from koshtorys.core.money import allocate, from_units, to_units
from koshtorys.core.settings import Settings

from .formsheet import blank
from .request import FUNDS, Indicator, RequestDoc
from .tariff import TABLE_COLUMNS

__all__ = ["Direction", "LocalProgram", "ProgramTexts", "PassportDoc", "build_passport",
           "split_directions", "passport_file_name", "indicator_key", "ALL_FUNDS",
           "program_texts", "local_programs"]

ALL_FUNDS: tuple[str, ...] = (*FUNDS, "total")
SOURCES: tuple[str, ...] = tuple(schema.SOURCES)


def passport_file_name(plan_year: int, kpkvk: str) -> str:
    """``passport_2026_0813104.xlsx``."""
    return f"passport_{plan_year}_{kpkvk}.xlsx"


@dataclass(frozen=True)
class Direction:
    """One direction of use of the program's money (напрям використання бюджетних коштів):
    a service of the program with its share of the expenditure."""

    key: str
    """The service_id, or ``program`` when the program has no services."""
    name: str
    amounts: dict[str, float]
    """general, special, total."""


@dataclass(frozen=True)
class LocalProgram:
    """An activity of a local program carried out within the budget program, funded in
    the year by source (tblFundingSplit)."""

    activity_id: str
    name: str
    sources: dict[str, float]
    """local, state, oblast, donor, other, total."""


@dataclass(frozen=True)
class ProgramTexts:
    """tblPrograms' texts of one program (blank when it has no row)."""

    goal: str = ""
    tasks: tuple[str, ...] = ()
    legal_basis: str = ""
    directions: str = ""


def split_directions(totals: dict[str, float], services: Sequence[tuple[str, str, float]],
                     digits: int) -> list[Direction]:
    """``totals`` (by fund) spread over ``services`` (id, name, weight = total_cost) by the
    largest remainder, each fund on its own; the parts add up to the totals exactly.

    >>> [d.amounts["total"] for d in split_directions(
    ...     {"general": 100.0, "special": 0.0}, [("S1", "a", 1.0), ("S2", "b", 2.0)], 0)]
    [33.0, 67.0]
    """
    weighted = [(k, n, w) for k, n, w in services if w > 0] or \
        [(k, n, 1.0) for k, n, _w in services]
    if not weighted:
        return [Direction("program", "Видатки бюджетної програми",
                          {f: totals.get(f, 0.0) for f in FUNDS}
                          | {"total": sum(totals.get(f, 0.0) for f in FUNDS)})]
    split = {f: allocate(to_units(totals.get(f, 0.0), digits), [w for *_x, w in weighted])
             for f in FUNDS}
    out = []
    for i, (key, name, _w) in enumerate(weighted):
        units = {f: split[f][i] for f in FUNDS}
        out.append(Direction(key, name, {f: from_units(u, digits) for f, u in units.items()}
                             | {"total": from_units(sum(units.values()), digits)}))
    return out


def indicator_key(ind: Indicator, services: Sequence[tuple[str, str]]) -> str:
    """A stable key for a request indicator (``units:S1``, ``expenditure`` …), for the
    machine-readable tables."""
    fixed = {"Кількість штатних одиниць": "posts", "Кількість соціальних послуг": "services"}
    if ind.name in fixed:
        return fixed[ind.name]
    if ind.name.startswith("Обсяг видатків"):
        return "expenditure"
    if ind.name.startswith("Зміна обсягу видатків"):
        return "change_pct"
    if ind.name.startswith("Очікуване виконання"):
        return "expected_pct"
    suffixes = {": кількість отримувачів": "recipients", ": обсяг надання": "units",
                ": вартість одиниці послуги": "unit_cost",
                ": середні витрати на одного отримувача": "cost_per_recipient"}
    for sid, name in services:
        for suffix, kind in suffixes.items():
            if ind.name == f"{name}{suffix}":
                return f"{kind}:{sid}"
    return f"indicator:{ind.number}"


@dataclass
class PassportDoc:
    """The content of one passport (amounts rounded as the request rounds them)."""

    settings: Settings
    kpkvk: str
    kpkvk_name: str | None
    year: int
    allocation: dict[str, float]
    texts: ProgramTexts
    directions: list[Direction]
    programs: list[LocalProgram]
    indicators: list[Indicator]
    indicator_keys: list[str]
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def file_name(self) -> str:
        return passport_file_name(self.year, self.kpkvk)

    def program_total(self, source: str) -> float:
        digits = self.settings.rounding
        return from_units(sum(to_units(p.sources[source], digits) for p in self.programs),
                          digits)


def program_texts(programs: pd.DataFrame | None, kpkvk: str) -> ProgramTexts:
    """tblPrograms' row of ``kpkvk``; tasks one per line (or per ``;``)."""
    if programs is None or programs.empty:
        return ProgramTexts()
    rows = programs[programs["kpkvk"].astype(str) == kpkvk]
    if rows.empty:
        return ProgramTexts()
    r = rows.iloc[0]

    def cell(key: str) -> str:
        v = r.get(key)
        return "" if blank(v) else str(v).strip()

    tasks = [t.strip(" ;\t") for t in cell("tasks").replace(";", "\n").splitlines()]
    return ProgramTexts(cell("goal"), tuple(t for t in tasks if t), cell("legal_basis"),
                        cell("directions"))


def local_programs(needs: pd.DataFrame | None, split: pd.DataFrame | None, kpkvk: str,
                   year: int, single: bool, digits: int) -> list[LocalProgram]:
    """The program's activities funded in ``year``, by source."""
    if needs is None or split is None or needs.empty or split.empty:
        return []
    codes = needs["kpkvk"].astype(object)
    mine = codes.astype(str) == kpkvk
    if single:
        mine = mine | codes.map(blank).astype(bool)
    names: dict[str, str] = {}
    for aid, name in zip(needs["activity_id"][mine.to_numpy(dtype=bool)],
                         needs["name"][mine.to_numpy(dtype=bool)], strict=True):
        names.setdefault(str(aid), "" if blank(name) else str(name))
    rows = split[(split["activity_id"].astype(str).isin(names))
                 & (pd.to_numeric(split["year"], errors="coerce") == year)]
    out = []
    for r in rows.to_dict("records"):
        src = {s: from_units(to_units(float(r.get(s) or 0.0), digits), digits)
               for s in SOURCES}
        total = from_units(sum(to_units(v, digits) for v in src.values()), digits)
        if total:
            out.append(LocalProgram(str(r["activity_id"]), names[str(r["activity_id"])],
                                    src | {"total": total}))
    return out


def build_passport(request: RequestDoc, *, column: str = "plan",
                   services: Sequence[tuple[str, str, float]] = (),
                   texts: ProgramTexts | None = None,
                   programs: Sequence[LocalProgram] = ()) -> PassportDoc:
    """The passport of ``request``'s program for the year of its ``column`` (``plan``:
    the plan year; ``approved``: the execution year). ``services``: the program's
    services (id, name, total_cost) over which the allocation is spread by direction."""
    s = request.settings
    col = next(c for c in request.columns if c.key == column)
    allocation = {f: request.totals.amount(column, f) for f in ALL_FUNDS}
    directions = split_directions(allocation, services, s.rounding)
    indicators = list(request.indicators) if column == "plan" else []
    pairs = [(sid, name) for sid, name, _w in services]
    doc = PassportDoc(s, request.kpkvk, request.kpkvk_name, col.year, allocation,
                      texts or ProgramTexts(), directions, list(programs), indicators,
                      [indicator_key(i, pairs) for i in indicators])
    doc.table = _table(doc)
    return doc


def _table(d: PassportDoc) -> pd.DataFrame:
    """``tblPassport``: section, item, year, amount."""
    y = d.year
    rows: list[tuple[str, str, int, float | None]] = []
    rows += [("allocation", f, y, d.allocation[f]) for f in ("total", *FUNDS)]
    for dr in d.directions:
        rows += [("directions", f"{dr.key}:{f}", y, dr.amounts[f]) for f in ALL_FUNDS]
    for p in d.programs:
        rows += [("programs", f"{p.activity_id}:{k}", y, p.sources[k])
                 for k in (*SOURCES, "total")]
    if d.programs:
        rows += [("programs", f"total:{k}", y, d.program_total(k)) for k in (*SOURCES, "total")]
    for key, ind in zip(d.indicator_keys, d.indicators, strict=True):
        rows.append(("indicators", key, y, ind.value))
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
