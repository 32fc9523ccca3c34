"""The budget request's content as data: the classes a request is made of.

:mod:`koshtorys.documents.request` is the public face (it re-exports these and
:func:`~koshtorys.documents.request.build_requests`); :mod:`.request_content` computes them,
:mod:`.request_sheet` lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from koshtorys.core.checks import Check
from koshtorys.core.money import from_units
from koshtorys.core.settings import Settings

from .codes import ProgramCodes

__all__ = [
    "FUNDS",
    "YEAR_KEYS",
    "REQUEST_COLUMNS",
    "RequestInputs",
    "AmountColumn",
    "KekvRow",
    "Direction",
    "Indicator",
    "ExcessLine",
    "AdditionalRequest",
    "RequestSummary",
    "RequestDoc",
    "ProgramTexts",
    "request_file_name",
    "request3_file_name",
]

FUNDS: tuple[str, ...] = ("general", "special")
YEAR_KEYS: tuple[str, ...] = ("report", "approved", "plan", "forecast1", "forecast2")
"""The year columns of the form: звіт (plan − 2), затверджено (execution year), проєкт
(plan year), two прогноз years."""
REQUEST_COLUMNS: tuple[str, ...] = ("kpkvk", "kekv", "fund", "year", "amount", "form")
"""Columns of the machine-readable table ``tblRequest`` (codes, not labels)."""


@dataclass
class RequestInputs:
    """Everything a request is made of. Frames have the schema's column keys; any may be
    ``None`` (treated as empty)."""

    settings: Settings
    cost_by_kekv: pd.DataFrame | None = None
    """``tblCostByKekv``: the plan year's amounts."""
    unit_costs: pd.DataFrame | None = None
    """``tblUnitCosts``: each service's total_cost, the weight of its share."""
    services: pd.DataFrame | None = None
    staff: pd.DataFrame | None = None
    plan: pd.DataFrame | None = None
    """``tblPlan``: the execution year's approved plan (m01..m12)."""
    variance: pd.DataFrame | None = None
    """Unused since the form has no expected-execution column; kept for callers."""
    funding_split: pd.DataFrame | None = None
    needs: pd.DataFrame | None = None
    programs: pd.DataFrame | None = None
    """``tblPrograms``: goal, tasks, legal basis, directions."""
    history: pd.DataFrame | None = None
    """``tblHistory``: cash expenditure of earlier years (the звіт column)."""
    ceilings: pd.DataFrame | None = None
    """``tblCeilings``: граничні обсяги."""


@dataclass(frozen=True)
class AmountColumn:
    """One year block of the form (загальний / спеціальний / разом)."""

    key: str
    """One of :data:`YEAR_KEYS`."""
    year: int
    label: str
    """e.g. ``2026 рік (проєкт)``."""


def _amount(amounts: dict[tuple[str, str], int], digits: int, column: str, fund: str
            ) -> float:
    if fund == "total":
        return from_units(sum(amounts.get((column, f), 0) for f in FUNDS), digits)
    return from_units(amounts.get((column, fund), 0), digits)


@dataclass(frozen=True)
class KekvRow:
    """One КЕКВ line of section 6 (``kekv`` is ``None`` on the totals line)."""

    kekv: str | None
    name: str | None
    units: dict[tuple[str, str], int]
    """(column key, fund) → amount in units of 10**-digits."""
    digits: int = 0

    def amount(self, column: str, fund: str) -> float:
        """The printed amount; ``fund`` is ``general``, ``special`` or ``total``."""
        return _amount(self.units, self.digits, column, fund)


@dataclass(frozen=True)
class Direction:
    """One line of section 7: a service of the program and its share."""

    number: int
    service_id: str | None
    name: str
    units: dict[tuple[str, str], int]
    digits: int = 0
    share: float | None = None
    """Part of the plan-year total (0–1)."""

    def amount(self, column: str, fund: str) -> float:
        return _amount(self.units, self.digits, column, fund)


@dataclass(frozen=True)
class Indicator:
    """One performance indicator (результативний показник) over the five year columns."""

    group: str
    """``затрат``, ``продукту``, ``ефективності`` or ``якості``."""
    number: str
    name: str
    unit: str
    source: str
    values: dict[str, Decimal | None]
    """Column key → value as printed (``None``: not known, the cell is left blank)."""
    decimals: dict[str, int]
    """Column key → decimals printed."""
    measure: str = ""
    """What it is, for tests and scripts: ``expenditure``, ``posts``, ``services``,
    ``recipients``, ``units``, ``per_unit``, ``per_recipient``, ``units_change``,
    ``recipients_change``."""
    service_id: str | None = None

    def value(self, column: str) -> float | None:
        v = self.values.get(column)
        return None if v is None else float(v)


@dataclass(frozen=True)
class ExcessLine:
    """One КЕКВ line of the additional request."""

    kekv: str
    name: str | None
    fund: str
    column: str
    year: int
    need: int
    """The line's expenditure (units of 10**-digits)."""
    within: int
    """The part kept in Форма 20__-2."""
    excess: int
    """The part asked for in Форма 20__-3."""


@dataclass
class AdditionalRequest:
    """Форма 20__-3: the part of the expenditure above the ceilings."""

    lines: list[ExcessLine]
    ceilings: dict[tuple[str, str], int]
    """(fund, column key) → ceiling, for the cells that have one."""
    indicators: list[tuple[str, str, str, Decimal | None, Decimal | None, int]]
    """(name, unit, source, within the ceiling, with the additional money, decimals)."""
    table: pd.DataFrame
    """``tblRequest`` with ``form`` = 3."""


@dataclass(frozen=True)
class ProgramTexts:
    """tblPrograms' row of the program (blank strings when it has none)."""

    name: str = ""
    goal: str = ""
    tasks: str = ""
    legal_basis: str = ""
    directions: str = ""


@dataclass(frozen=True)
class RequestSummary:
    """What ``send`` and the covering email need from one request file.

    ``totals`` are the plan-year totals of this file's form by fund (``general``,
    ``special``, ``total``); ``lines`` its plan-year amounts by (КЕКВ, fund).
    """

    plan_year: int
    kpkvk: str
    kpkvk_name: str | None
    institution: str
    rounding: int
    totals: dict[str, float]
    form: int = 2
    lines: dict[tuple[str, str], float] = field(default_factory=dict)
    edrpou: str = ""


@dataclass
class RequestDoc:
    """The content of one request (Форма 20__-2, and its -3 when there is one)."""

    settings: Settings
    kpkvk: str
    kpkvk_name: str | None
    codes: ProgramCodes
    texts: ProgramTexts
    columns: tuple[AmountColumn, ...]
    rows: list[KekvRow]
    """Section 6 (and 5, 9): Форма 20__-2's amounts, within any ceiling."""
    totals: KekvRow
    directions: list[Direction]
    indicators: list[Indicator]
    posts: dict[str, float | None]
    """Section 9: Σ fte per column key (``None`` where unknown)."""
    funding: pd.DataFrame
    """Section 10 by year: year, need, local, state, oblast, donor, other, gap."""
    funding_rows: pd.DataFrame
    """Section 10 by activity: activity_id, name, year and the same amounts."""
    table: pd.DataFrame
    """``tblRequest`` of Форма 20__-2 (``form`` = 2)."""
    expenditure: dict[tuple[str, str], int] = field(default_factory=dict)
    """(column key, fund) → the full expenditure, before any ceiling."""
    ceilings: dict[tuple[str, str], int] = field(default_factory=dict)
    """(fund, column key) → ceiling, for the cells that have one."""
    additional: AdditionalRequest | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def plan_year(self) -> int:
        return self.settings.plan_year

    @property
    def digits(self) -> int:
        return int(self.settings.rounding)

    @property
    def file_name(self) -> str:
        return request_file_name(self.plan_year, self.kpkvk)

    @property
    def file_name3(self) -> str:
        return request3_file_name(self.plan_year, self.kpkvk)

    def column(self, key: str) -> AmountColumn:
        return next(c for c in self.columns if c.key == key)

    def summary(self, form: int = 2) -> RequestSummary:
        """What :func:`~koshtorys.documents.request_sheet.read_summary` reads back from the
        file of ``form``."""
        table = self.table if form == 2 or self.additional is None else \
            self.additional.table
        py = table[table["year"] == self.plan_year] if len(table) else table
        digits = self.digits
        lines: dict[tuple[str, str], float] = {}
        units = {f: 0 for f in FUNDS}
        for kekv, fund, amount in zip(py.get("kekv", []), py.get("fund", []),
                                      py.get("amount", []), strict=True):
            lines[(str(kekv), str(fund))] = float(amount)
            units[str(fund)] += round(float(amount) * 10**digits)
        totals = {f: from_units(u, digits) for f, u in units.items()}
        totals["total"] = from_units(sum(units.values()), digits)
        return RequestSummary(self.plan_year, self.kpkvk, self.kpkvk_name,
                              self.settings.institution, digits, totals, form, lines,
                              self.settings.edrpou)


def request_file_name(plan_year: int, kpkvk: str) -> str:
    """``request_2026_0813104.xlsx``."""
    return f"request_{plan_year}_{kpkvk}.xlsx"


def request3_file_name(plan_year: int, kpkvk: str) -> str:
    """``request3_2026_0813104.xlsx``: the additional request (Форма 20__-3)."""
    return f"request3_{plan_year}_{kpkvk}.xlsx"
