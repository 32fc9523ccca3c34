"""The report on the execution of the budget program passport (звіт про виконання
паспорта бюджетної програми місцевого бюджету, order No. 836), as data.

Planned figures are the execution year's passport (:func:`.passport.build_passport` of
the request's ``approved`` column, i.e. the annual tblPlan); actual figures are the cash
expenditure of tblActuals and the services' ``actual_units`` / ``actual_recipients``.
Deviation = actual − planned, in UAH and in % of the planned figure (blank when nothing
was planned).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from koshtorys.core import classifiers, schema
from koshtorys.core.checks import Check
from koshtorys.core.money import from_units, round_parts, to_units

from .formsheet import blank
from .passport import ALL_FUNDS, PassportDoc
from .request import FUNDS
from .request_content import attribute
from .tariff import TABLE_COLUMNS

__all__ = ["ReportLine", "ReportIndicator", "ReportDoc", "build_report",
           "report_file_name", "actual_sums", "last_month", "MONTH_NAMES"]

MONTH_NAMES = ("січень", "лютий", "березень", "квітень", "травень", "червень", "липень",
               "серпень", "вересень", "жовтень", "листопад", "грудень")


def report_file_name(execution_year: int, kpkvk: str) -> str:
    """``passport_report_2025_0813104.xlsx``."""
    return f"passport_report_{execution_year}_{kpkvk}.xlsx"


def _half_up(x: Decimal, places: int) -> float:
    return float(x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _pct(dev: float | None, planned: float | None) -> float | None:
    """``dev`` in % of ``planned``, one decimal, half away from zero."""
    if dev is None or not planned:
        return None
    return _half_up(Decimal(repr(dev)) * 100 / Decimal(repr(planned)), 1)


@dataclass(frozen=True)
class ReportLine:
    """Planned against actual, by fund (general, special, total)."""

    key: str
    name: str
    planned: dict[str, float]
    actual: dict[str, float]
    digits: int = 0

    def deviation(self, fund: str) -> float:
        return from_units(to_units(self.actual[fund], self.digits)
                          - to_units(self.planned[fund], self.digits), self.digits)

    def pct(self, fund: str) -> float | None:
        return _pct(self.deviation(fund), self.planned[fund])


@dataclass(frozen=True)
class ReportIndicator:
    """One result indicator, planned against actual."""

    group: str
    number: str
    key: str
    name: str
    unit: str
    source: str
    planned: float | None
    actual: float | None
    places: int = 0

    @property
    def deviation(self) -> float | None:
        if self.planned is None or self.actual is None:
            return None
        return round(self.actual - self.planned, self.places)

    @property
    def pct(self) -> float | None:
        return _pct(self.deviation, self.planned)


@dataclass
class ReportDoc:
    """The content of one execution report."""

    passport: PassportDoc
    """The execution year's passport: the planned figures."""
    total: ReportLine
    directions: list[ReportLine]
    kekv: list[ReportLine]
    indicators: list[ReportIndicator]
    as_of_month: int
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def settings(self):  # noqa: ANN201 - Settings
        return self.passport.settings

    @property
    def kpkvk(self) -> str:
        return self.passport.kpkvk

    @property
    def year(self) -> int:
        return self.passport.year

    @property
    def file_name(self) -> str:
        return report_file_name(self.year, self.kpkvk)


def actual_sums(actuals: pd.DataFrame, kpkvk: str, single: bool
                ) -> dict[tuple[str, str], float]:
    """(kekv, fund) → Σ of the twelve months of the program's tblActuals rows (rows with a
    blank КПКВК count when the institution has one program)."""
    if actuals is None or actuals.empty:
        return {}
    codes = actuals["kpkvk"].astype(object)
    mine = (codes.astype(str) == kpkvk) | (codes.map(blank).astype(bool) if single else False)
    rows = actuals[mine.to_numpy(dtype=bool)]
    months = [m for m in schema.MONTHS if m in rows.columns]
    total = rows[months].apply(pd.to_numeric, errors="coerce").fillna(0).sum(axis=1)
    out: dict[tuple[str, str], float] = {}
    for kekv, fund, v in zip(rows["kekv"], rows["fund"], total, strict=True):
        if blank(kekv):
            continue
        key = (str(kekv), fund if fund in FUNDS else "general")
        out[key] = out.get(key, 0.0) + float(v)
    return out


def last_month(actuals: pd.DataFrame, kpkvk: str, single: bool) -> int:
    """The last month with a non-zero actual of the program (0 when none)."""
    if actuals is None or actuals.empty:
        return 0
    codes = actuals["kpkvk"].astype(object)
    mine = (codes.astype(str) == kpkvk) | (codes.map(blank).astype(bool) if single else False)
    rows = actuals[mine.to_numpy(dtype=bool)]
    found = 0
    for i, m in enumerate(schema.MONTHS, start=1):
        if m in rows.columns and (pd.to_numeric(rows[m], errors="coerce").fillna(0) != 0).any():
            found = i
    return found


def _rounded(exact: dict[tuple[str, str], float], digits: int) -> dict[tuple[str, str], float]:
    """Each fund's column rounded against its own rounded total (largest remainder)."""
    out: dict[tuple[str, str], float] = {}
    for f in FUNDS:
        keys = [k for k in exact if k[1] == f]
        if keys:
            parts = round_parts([exact[k] for k in keys], sum(exact[k] for k in keys), digits)
            out.update(zip(keys, parts, strict=True))
    return out


def build_report(passport: PassportDoc, actual_exact: dict[tuple[str, str], float],
                 as_of_month: int, services: pd.DataFrame, unit_costs: pd.DataFrame
                 ) -> tuple[ReportDoc, list[Check]]:
    """The report of ``passport`` (the execution year's: the request's ``approved``
    column) against the cash expenditure ``actual_exact`` and the services' actual
    indicators; warnings for blank actuals and a year not yet over."""
    s = passport.settings
    digits = s.rounding
    request, column = passport.request, passport.column
    planned_by_kekv = {(r.kekv, f): r.amount(column, f) for r in request.rows if r.kekv
                       for f in FUNDS}
    actual = _rounded(actual_exact, digits)
    codes = sorted({k for k, _f in planned_by_kekv} | {k for k, _f in actual})
    kekv_lines = []
    for c in codes:
        p = {f: planned_by_kekv.get((c, f), 0.0) for f in FUNDS}
        a = {f: actual.get((c, f), 0.0) for f in FUNDS}
        line = ReportLine(c, classifiers.kekv_name(c) or "", _with_total(p, digits),
                          _with_total(a, digits), digits)
        if any(line.planned.values()) or any(line.actual.values()):
            kekv_lines.append(line)
    actual_total = _with_total({f: from_units(sum(to_units(x.actual[f], digits)
                                                  for x in kekv_lines), digits)
                                for f in FUNDS}, digits)
    total = ReportLine("total", "Усього", dict(passport.allocation), actual_total, digits)
    cost = {str(k): float(v) for k, v in zip(unit_costs.get("service_id", []),
                                             unit_costs.get("total_cost", []), strict=True)
            if not blank(v)}
    weights = [cost.get(d.key, 0.0) for d in passport.directions]
    split = {f: attribute(to_units(actual_total[f], digits), weights) for f in FUNDS}
    directions = []
    for i, d in enumerate(passport.directions):
        a = {f: from_units(split[f][i], digits) for f in FUNDS}
        directions.append(ReportLine(d.key, d.name, d.amounts, _with_total(a, digits),
                                     digits))
    indicators, checks = _indicators(total, directions, services)
    doc = ReportDoc(passport, total, directions, kekv_lines, indicators, as_of_month)
    doc.table = _table(doc)
    if 0 < as_of_month < 12:
        checks.append(Check("warning", "tblActuals", None, None, "report_partial_year",
                            {"kpkvk": passport.kpkvk, "year": passport.year,
                             "month": as_of_month}))
    return doc, checks


def _with_total(by_fund: dict[str, float], digits: int) -> dict[str, float]:
    return by_fund | {"total": from_units(sum(to_units(by_fund[f], digits) for f in FUNDS),
                                          digits)}


def _num(v: object) -> float | None:
    return None if blank(v) else float(v)  # type: ignore[arg-type]


def _ratio(money: float, count: float | None) -> float | None:
    """Money per unit to the kopiyka, half away from zero."""
    return _half_up(Decimal(repr(money)) / Decimal(repr(count)), 2) if count else None


def _indicators(total: ReportLine, directions: Sequence[ReportLine], services: pd.DataFrame
                ) -> tuple[list[ReportIndicator], list[Check]]:
    out: list[ReportIndicator] = []
    checks: list[Check] = []
    numbers: dict[str, int] = {}

    def add(group: str, key: str, name: str, unit: str, source: str, planned: float | None,
            actual: float | None, places: int = 0) -> None:
        g = {"затрат": 1, "продукту": 2, "ефективності": 3, "якості": 4}[group]
        numbers[group] = numbers.get(group, 0) + 1
        out.append(ReportIndicator(group, f"{g}.{numbers[group]}", key, name, unit, source,
                                   planned, actual, places))

    money_places = total.digits
    add("затрат", "expenditure", "Обсяг видатків бюджетної програми", "грн",
        "паспорт; звіт про виконання кошторису", total.planned["total"],
        total.actual["total"], money_places)
    direction = {d.key: d for d in directions}
    rows = services.to_dict("records")
    index = list(services.index)
    facts: dict[str, tuple[float | None, float | None, float | None, float | None]] = {}
    for row_no, sv in zip(index, rows, strict=True):
        sid, name = str(sv["service_id"]), str(sv["name"])
        pu, pr = _num(sv.get("planned_units")), _num(sv.get("planned_recipients"))
        au, ar = _num(sv.get("actual_units")), _num(sv.get("actual_recipients"))
        blanks = [k for k, v in (("actual_units", au), ("actual_recipients", ar))
                  if v is None]
        if blanks:  # one check a service, at its first blank cell
            checks.append(Check("warning", "tblServices", _row(row_no), blanks[0],
                                "actual_missing",
                                {"value": sid, "header": " / ".join(
                                    schema.header("tblServices", k, "uk") for k in blanks)}))
        facts[sid] = (pu, pr, au, ar)
        add("продукту", f"recipients:{sid}", f"{name}: кількість отримувачів", "осіб",
            "план надання послуг; облік отримувачів", pr, ar)
        add("продукту", f"units:{sid}", f"{name}: обсяг надання", str(sv.get("unit") or ""),
            "план надання послуг; облік наданих послуг", pu, au, 2 if _fraction(pu, au) else 0)
    for sv in rows:
        sid, name = str(sv["service_id"]), str(sv["name"])
        d = direction.get(sid)
        if d is None:
            continue
        pu, pr, au, ar = facts[sid]
        add("ефективності", f"per_unit:{sid}", f"{name}: витрати на одиницю послуги",
            f"грн за одиницю ({sv.get('unit') or ''})", "розрахунок",
            _ratio(d.planned["total"], pu), _ratio(d.actual["total"], au), 2)
        add("ефективності", f"per_recipient:{sid}",
            f"{name}: середні витрати на одного отримувача", "грн", "розрахунок",
            _ratio(d.planned["total"], pr), _ratio(d.actual["total"], ar), 2)
    add("якості", "execution_pct", "Рівень виконання видатків", "%", "розрахунок", 100.0,
        _half_up(Decimal(repr(total.actual["total"])) * 100
                 / Decimal(repr(total.planned["total"])), 1)
        if total.planned["total"] else None, 1)
    for sv in rows:
        sid, name = str(sv["service_id"]), str(sv["name"])
        pu, _pr, au, _ar = facts[sid]
        add("якості", f"units_pct:{sid}", f"{name}: виконання плану обсягу надання", "%",
            "розрахунок", 100.0,
            _half_up(Decimal(repr(au)) * 100 / Decimal(repr(pu)), 1)
            if au is not None and pu else None, 1)
    return out, checks


def _fraction(*xs: float | None) -> bool:
    return any(x is not None and not float(x).is_integer() for x in xs)


def _row(label: object) -> int | None:
    return int(label) if isinstance(label, int) and not isinstance(label, bool) else None


def _table(d: ReportDoc) -> pd.DataFrame:
    """``tblPassportReport``: section, item, year, amount."""
    y = d.year
    rows: list[tuple[str, str, int, float | None]] = []

    def line(section: str, prefix: str, ln: ReportLine) -> None:
        for f in ALL_FUNDS:
            rows.append((section, f"{prefix}planned:{f}", y, ln.planned[f]))
            rows.append((section, f"{prefix}actual:{f}", y, ln.actual[f]))
            rows.append((section, f"{prefix}deviation:{f}", y, ln.deviation(f)))
            rows.append((section, f"{prefix}deviation_pct:{f}", y, ln.pct(f)))

    line("expenditure", "", d.total)
    for dr in d.directions:
        line("directions", f"{dr.key}:", dr)
    for k in d.kekv:
        line("kekv", f"{k.key}:", k)
    for i in d.indicators:
        rows += [("indicators", f"{i.key}:planned", y, i.planned),
                 ("indicators", f"{i.key}:actual", y, i.actual),
                 ("indicators", f"{i.key}:deviation", y, i.deviation),
                 ("indicators", f"{i.key}:deviation_pct", y, i.pct)]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
