"""The budget program passport (паспорт бюджетної програми місцевого бюджету, Minfin
order No. 836 of 26.08.2014 in the edition of order No. 1209 of 29.12.2018), as data.

The passport is not computed on its own: it is read off the budget request of the same
КПКВК (:func:`koshtorys.documents.request.build_requests`): its codes, texts, allocation,
directions, local programs and indicators are the request's, column ``plan`` (the plan
year), so they cannot drift from it. The passport of the request's ``approved`` column
(the execution year) is what the execution report compares with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from koshtorys.core import schema
from koshtorys.core.money import from_units, to_units

from .codes import ProgramCodes
from .formsheet import blank
from .request import FUNDS, Indicator, RequestDoc
from .tariff import TABLE_COLUMNS

__all__ = ["Line", "LocalProgram", "PassportDoc", "build_passport", "passport_file_name",
           "indicator_key", "ALL_FUNDS", "SOURCES", "task_list"]

ALL_FUNDS: tuple[str, ...] = (*FUNDS, "total")
_NUMBERED = re.compile(r"^\d+[.)]\s*")  # a task the user numbered: the table numbers it
SOURCES: tuple[str, ...] = tuple(schema.SOURCES)


def passport_file_name(plan_year: int, kpkvk: str) -> str:
    """``passport_2026_0813104.xlsx``."""
    return f"passport_{plan_year}_{kpkvk}.xlsx"


@dataclass(frozen=True)
class Line:
    """An amount by fund: a direction of use of the program's money (напрям використання
    бюджетних коштів) — a service of the program with its share — or the total."""

    key: str
    """The service_id; ``program`` when the program has no services; ``total``."""
    name: str
    amounts: dict[str, float]
    """general, special, total."""


@dataclass(frozen=True)
class LocalProgram:
    """An activity of a local program carried out within the budget program, funded in
    the year by source (the request's section 10, activity by activity)."""

    activity_id: str
    name: str
    sources: dict[str, float]
    """local, state, oblast, donor, other, total."""


def task_list(tasks: str) -> tuple[str, ...]:
    """tblPrograms' tasks, one a line or separated by ``;``.

    >>> task_list("Догляд вдома; Соціальна адаптація\\n")
    ('Догляд вдома', 'Соціальна адаптація')
    """
    parts = (_NUMBERED.sub("", t.strip(" ;\t"))
             for t in str(tasks or "").replace(";", "\n").splitlines())
    return tuple(t for t in parts if t)


def indicator_key(ind: Indicator) -> str:
    """The stable key of a request indicator in the machine tables: its measure, with the
    service (``units:S1``, ``per_unit:S1``, ``expenditure``)."""
    measure = ind.measure or f"indicator_{ind.number}"
    return f"{measure}:{ind.service_id}" if ind.service_id else measure


@dataclass
class PassportDoc:
    """The content of one passport (amounts rounded as the request rounds them)."""

    request: RequestDoc
    column: str
    """The request's column: ``plan`` (the plan year) or ``approved`` (execution year)."""
    allocation: dict[str, float]
    directions: list[Line]
    programs: list[LocalProgram]
    indicators: list[tuple[str, Indicator]]
    """(key, indicator) of the plan year (none for another column)."""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def settings(self):  # noqa: ANN201 - Settings
        return self.request.settings

    @property
    def kpkvk(self) -> str:
        return self.request.kpkvk

    @property
    def kpkvk_name(self) -> str | None:
        return self.request.codes.program_name or self.request.kpkvk_name

    @property
    def codes(self) -> ProgramCodes:
        return self.request.codes

    @property
    def year(self) -> int:
        return self.request.column(self.column).year

    @property
    def goal(self) -> str:
        return self.request.texts.goal

    @property
    def tasks(self) -> tuple[str, ...]:
        return task_list(self.request.texts.tasks)

    @property
    def legal_basis(self) -> str:
        return self.request.texts.legal_basis

    @property
    def digits(self) -> int:
        return self.request.digits

    @property
    def file_name(self) -> str:
        return passport_file_name(self.year, self.kpkvk)

    def program_total(self, source: str) -> float:
        return from_units(sum(to_units(p.sources[source], self.digits)
                              for p in self.programs), self.digits)


def _programs(request: RequestDoc, year: int) -> list[LocalProgram]:
    rows = request.funding_rows
    if rows is None or rows.empty:
        return []
    d = request.digits
    out = []
    for r in rows[rows["year"].astype(int) == year].to_dict("records"):
        src = {s: float(r.get(s) or 0.0) for s in SOURCES}
        total = from_units(sum(to_units(v, d) for v in src.values()), d)
        if total:
            name = "" if blank(r.get("name")) else str(r["name"])
            out.append(LocalProgram(str(r["activity_id"]), name, src | {"total": total}))
    return out


def build_passport(request: RequestDoc, column: str = "plan") -> PassportDoc:
    """The passport of ``request``'s program for the year of its ``column``."""
    allocation = {f: request.totals.amount(column, f) for f in ALL_FUNDS}
    directions = [Line(d.service_id or "program", d.name,
                       {f: d.amount(column, f) for f in ALL_FUNDS})
                  for d in request.directions]
    year = request.column(column).year
    indicators = [(indicator_key(i), i) for i in request.indicators] if column == "plan" \
        else []
    doc = PassportDoc(request, column, allocation, directions, _programs(request, year),
                      indicators)
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
    for key, ind in d.indicators:
        rows.append(("indicators", key, y, ind.value(d.column)))
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
