"""The budget request (бюджетний запит, individual form) for one КПКВК.

:func:`build_requests` is pure: it turns the engine's output frames and a few input
frames into :class:`RequestDoc` values (numbers already rounded so that every row
ties to its total). :func:`write_request` lays one out as a print-ready workbook.

Layout. Minfin order No. 604 of 25.11.2024 (in force since 01.01.2025; it repealed
order No. 648) keeps three forms; this is the individual one (Форма 20__-2). Its
appendix could not be read here, so the sections follow the published Форма 2025-2
opening (1. головний розпорядник, 2. відповідальний виконавець, 3. бюджетна
програма with КПКВКМБ / ТПКВКМБ) and, beyond it, the numbering of the 648 edition
(6. видатки за КЕКВ, 8. результативні показники, 10. місцеві програми — here the
funding of the program's activities by source). Sections 4, 5, 7, 9, 11–13 need
facts the workbook does not hold and are left for the institution to add by hand;
the sheet says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from koshtorys.core import classifiers, schema
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.money import from_units, round_parts, to_units, to_units_array
from koshtorys.core.settings import Settings

__all__ = [
    "FUNDS",
    "RequestInputs",
    "AmountColumn",
    "KekvRow",
    "Indicator",
    "RequestSummary",
    "RequestDoc",
    "REQUEST_COLUMNS",
    "build_requests",
    "request_file_name",
]

FUNDS: tuple[str, ...] = ("general", "special")
REQUEST_COLUMNS: tuple[str, ...] = ("kpkvk", "kekv", "fund", "year", "amount")
"""Columns of the machine-readable table ``tblRequest``."""
_FUNDING_COLS = ("need", *schema.SOURCES, "gap")


@dataclass
class RequestInputs:
    """Everything a request is made of. Frames have the schema's column keys; any
    frame may be ``None`` (treated as empty)."""

    settings: Settings
    cost_by_kekv: pd.DataFrame | None = None
    """``tblCostByKekv``: the plan year's amounts."""
    unit_costs: pd.DataFrame | None = None
    """``tblUnitCosts``: efficiency indicators."""
    services: pd.DataFrame | None = None
    """Input ``tblServices``: which services belong to which КПКВК."""
    staff: pd.DataFrame | None = None
    """Input ``tblStaff``: number of posts per КПКВК."""
    plan: pd.DataFrame | None = None
    """Input ``tblPlan``: the execution year's approved plan (m01..m12)."""
    variance: pd.DataFrame | None = None
    """``tblVariance``: the latest quarter's ``forecast`` is the expected execution."""
    funding_split: pd.DataFrame | None = None
    """``tblFundingSplit``: funding of activities by source and year."""
    needs: pd.DataFrame | None = None
    """Input ``tblNeeds``: maps activities to a КПКВК."""


@dataclass(frozen=True)
class AmountColumn:
    """One year block of the expenditure table (general / special / total)."""

    key: str
    """``approved``, ``expected``, ``plan``, ``forecast1`` or ``forecast2``."""
    year: int
    label: str
    """Ukrainian caption, e.g. ``2026 рік (проєкт)``."""


@dataclass(frozen=True)
class KekvRow:
    """One КЕКВ line (``kekv`` is ``None`` on the totals line)."""

    kekv: str | None
    name: str | None
    amounts: dict[tuple[str, str], float]
    """(column key, fund) → amount; fund is ``general``, ``special`` or ``total``."""

    def amount(self, column: str, fund: str) -> float:
        return self.amounts.get((column, fund), 0.0)


@dataclass(frozen=True)
class Indicator:
    """One performance indicator (результативний показник)."""

    group: str
    """``затрат``, ``продукту``, ``ефективності`` or ``якості``."""
    number: str
    """``1.1``, ``2.3`` …: group number, then position in the group."""
    name: str
    unit: str
    source: str
    value: float | None
    fmt: str = "#,##0"


@dataclass(frozen=True)
class RequestSummary:
    """What the covering email says about one request."""

    plan_year: int
    kpkvk: str
    kpkvk_name: str | None
    institution: str
    rounding: int
    totals: dict[str, float]
    """Plan-year totals by fund: ``general``, ``special``, ``total``."""


@dataclass
class RequestDoc:
    """The content of one request, numbers rounded, ready to lay out."""

    settings: Settings
    kpkvk: str
    kpkvk_name: str | None
    columns: tuple[AmountColumn, ...]
    rows: list[KekvRow]
    totals: KekvRow
    indicators: list[Indicator]
    funding: pd.DataFrame
    """year, need, local, state, oblast, donor, gap (one row per year, no total)."""
    table: pd.DataFrame
    """``tblRequest``: kpkvk, kekv, fund, year, amount (plan year and forecasts)."""
    expected_known: bool = False
    """Expected execution comes from tblVariance (else it repeats the approved plan)."""

    @property
    def plan_year(self) -> int:
        return self.settings.plan_year

    @property
    def file_name(self) -> str:
        return request_file_name(self.plan_year, self.kpkvk)

    def summary(self) -> RequestSummary:
        return RequestSummary(
            self.plan_year, self.kpkvk, self.kpkvk_name, self.settings.institution,
            self.settings.rounding,
            {f: self.totals.amount("plan", f) for f in (*FUNDS, "total")},
        )


def request_file_name(plan_year: int, kpkvk: str) -> str:
    """``request_2026_0813104.xlsx``."""
    return f"request_{plan_year}_{kpkvk}.xlsx"


# --------------------------------------------------------------------------- content


def _frame(df: pd.DataFrame | None, table: str) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame(columns=schema.table(table).column_keys)
    return df


def _blank(v: object) -> bool:
    """None, NaN, NA or an empty string."""
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(pd.isna(v))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _of_program(df: pd.DataFrame, kpkvk: str, single: bool) -> pd.DataFrame:
    """Rows of ``kpkvk``; rows with a blank КПКВК too when the institution has one program."""
    if df.empty or "kpkvk" not in df.columns:
        return df
    col = df["kpkvk"].astype(object)
    mask = col == kpkvk
    if single:
        mask = mask | col.map(_blank).astype(bool)
    return df[mask.to_numpy(dtype=bool)]


def _splitter(df: pd.DataFrame, single: bool) -> Callable[[str], pd.DataFrame]:
    """:func:`_of_program` of ``df`` for any code, the frame grouped once (not once per
    program: a city has dozens)."""
    if single or df.empty or "kpkvk" not in df.columns:
        return lambda code: _of_program(df, code, single)
    pos = df.groupby(df["kpkvk"].astype(object), sort=False, dropna=True).indices
    empty = df.iloc[:0]
    return lambda code: df.iloc[pos[code]] if code in pos else empty


def _sum_by(df: pd.DataFrame, value: pd.Series) -> dict[tuple[str, str], float]:
    """(kekv, fund) → Σ value."""
    out: dict[tuple[str, str], float] = {}
    for kekv, fund, v in zip(df["kekv"], df["fund"], value, strict=True):
        if _blank(kekv):
            continue
        f = fund if fund in FUNDS else "general"
        out[(str(kekv), f)] = out.get((str(kekv), f), 0.0) + (0.0 if _blank(v) else float(v))
    return out


def _expected(variance: pd.DataFrame, approved: dict[tuple[str, str], float]
              ) -> tuple[dict[tuple[str, str], float], bool]:
    """The latest quarter's forecast per (kekv, fund); the approved plan where unknown."""
    v = variance[variance["kekv"].map(lambda k: not _blank(k))] if not variance.empty else variance
    if v.empty:
        return dict(approved), False
    latest = v.sort_values("quarter", kind="stable").groupby(
        ["kekv", "fund"], sort=False, dropna=False).tail(1)
    out = dict(approved)
    out.update(_sum_by(latest, latest["forecast"]))
    return out, True


def _round_column(exact: dict[str, float], digits: int) -> dict[str, float]:
    """Round the parts against their rounded total (largest remainder)."""
    keys = list(exact)
    if not keys:
        return {}
    parts = round_parts([exact[k] for k in keys], sum(exact.values()), digits)
    return dict(zip(keys, parts, strict=True))


def _amount_rows(
    columns: Sequence[AmountColumn], exact: dict[str, dict[tuple[str, str], float]],
    digits: int, index_rate: float, kekv_name: Callable[[str], str | None],
) -> tuple[list[KekvRow], KekvRow]:
    codes = sorted({k for per in exact.values() for (k, _f) in per})
    rounded: dict[tuple[str, str, str], float] = {}
    for col in columns:
        for fund in FUNDS:
            if col.key.startswith("forecast"):
                # from the printed plan-year figure, so the reader can redo the sum
                k = int(col.key[-1])
                base = {c: rounded[("plan", fund, c)] * (1 + index_rate) ** k for c in codes}
            else:
                base = {c: exact[col.key].get((c, fund), 0.0) for c in codes}
            for c, v in _round_column(base, digits).items():
                rounded[(col.key, fund, c)] = v
    rows: list[KekvRow] = []
    totals: dict[tuple[str, str], float] = {}
    for c in codes:
        amounts: dict[tuple[str, str], float] = {}
        for col in columns:
            g, s = rounded[(col.key, "general", c)], rounded[(col.key, "special", c)]
            amounts[(col.key, "general")] = g
            amounts[(col.key, "special")] = s
            amounts[(col.key, "total")] = from_units(to_units(g + s, digits), digits)
        if any(amounts.values()):
            rows.append(KekvRow(c, kekv_name(c), amounts))
            for key, v in amounts.items():
                totals[key] = totals.get(key, 0) + to_units(v, digits)
    total_row = KekvRow(None, "Усього", {k: from_units(u, digits) for k, u in totals.items()})
    return rows, total_row


def _indicators(
    s: Settings, staff: pd.DataFrame, services: pd.DataFrame,
    costs: dict[str, dict[str, object]], totals: KekvRow, expected_known: bool,
    plan_known: bool = True,
) -> list[Indicator]:
    """``staff`` and ``services`` of the program; ``costs``: tblUnitCosts rows by service.
    ``plan_known``: the program has plan-year amounts (else no change is computed)."""
    out: list[Indicator] = []

    def add(group: str, n: int, name: str, unit: str, source: str, value: object,
            fmt: str = "#,##0") -> None:
        num = None if _blank(value) else float(value)  # type: ignore[arg-type]
        count = sum(1 for i in out if i.group == group)
        out.append(Indicator(group, f"{n}.{count + 1}", name, unit, source, num, fmt))

    money_fmt = "#,##0" if s.rounding == 0 else "#,##0.00"
    add("затрат", 1, f"Обсяг видатків на {s.plan_year} рік", "грн", "розрахунок (розділ 6)",
        totals.amount("plan", "total"), money_fmt)
    fte = pd.to_numeric(staff["fte"], errors="coerce").fillna(0).sum() if len(staff) else 0.0
    add("затрат", 1, "Кількість штатних одиниць", "од.", "штатний розпис",
        round(float(fte), 2), "#,##0.00")
    add("затрат", 1, "Кількість соціальних послуг", "од.", "перелік послуг установи",
        len(services))
    services_rows = services.to_dict("records")
    for sv in services_rows:
        add("продукту", 2, f"{sv['name']}: кількість отримувачів", "осіб",
            "план надання послуг", sv.get("planned_recipients"))
        add("продукту", 2, f"{sv['name']}: обсяг надання", str(sv["unit"]),
            "план надання послуг", sv.get("planned_units"), "#,##0.##")
    for sv in services_rows:
        uc = costs.get(str(sv["service_id"]))
        if uc is None:
            continue
        add("ефективності", 3, f"{sv['name']}: вартість одиниці послуги",
            f"грн за {sv['unit']}", "розрахунок вартості послуги",
            _round2(uc.get("unit_cost")), "#,##0.00")
        if not _blank(uc.get("cost_per_recipient")):
            add("ефективності", 3, f"{sv['name']}: середні витрати на одного отримувача",
                "грн", "розрахунок вартості послуги", _round2(uc["cost_per_recipient"]),
                "#,##0.00")
    approved = totals.amount("approved", "total")
    if approved > 0 and plan_known:
        change = (totals.amount("plan", "total") / approved - 1) * 100
        add("якості", 4, f"Зміна обсягу видатків порівняно із затвердженим на {s.exec_year} рік",
            "%", "розрахунок", round(change, 1), "0.0")
    if approved > 0 and expected_known:
        done = totals.amount("expected", "total") / approved * 100
        add("якості", 4, f"Очікуване виконання плану {s.exec_year} року", "%",
            "аналіз виконання бюджету", round(done, 1), "0.0")
    return out


def _round2(v: object) -> float | None:
    return None if _blank(v) else from_units(to_units(float(v)))  # type: ignore[arg-type]


def _funding(needs: pd.DataFrame, split: pd.DataFrame, split_ids: pd.Series,
             digits: int) -> pd.DataFrame:
    """Funding by year of the activities in ``needs`` (the program's); ``split_ids`` is
    ``split["activity_id"]`` as text."""
    ids = set(needs["activity_id"].astype(str)) if len(needs) else set()
    rows = split[split_ids.isin(ids).to_numpy(dtype=bool)] if len(split) else split
    cols = ["year", *_FUNDING_COLS]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    g = rows.assign(year=rows["year"].astype(int)).groupby("year", sort=True)[
        list(_FUNDING_COLS)].sum()
    g = pd.DataFrame(to_units_array(g.to_numpy(), digits) / 10**digits, index=g.index,
                     columns=g.columns)  # sums of rounded amounts, float noise removed
    return g.reset_index()[cols]


def _programs(inputs: RequestInputs) -> list[str]:
    codes: set[str] = set()
    for df, name in ((inputs.cost_by_kekv, "tblCostByKekv"), (inputs.plan, "tblPlan"),
                     (inputs.variance, "tblVariance")):
        f = _frame(df, name)
        if len(f):
            rows = f[f["kekv"].map(lambda k: not _blank(k))]
            codes |= {str(k) for k in rows["kpkvk"] if not _blank(k)}
    return sorted(codes)


def build_requests(inputs: RequestInputs, *, kpkvk: str | None = None) -> list[RequestDoc]:
    """One :class:`RequestDoc` per КПКВК (or only ``kpkvk``), amounts rounded to
    ``settings.rounding`` digits so that rows tie to the totals.

    The programs are the КПКВК that have amounts in tblCostByKekv, tblPlan or
    tblVariance. Rows with a blank КПКВК count for the program only when there is
    exactly one.

    >>> s = Settings(plan_year=2026, index_rate=0.1)
    >>> cost = pd.DataFrame({"kpkvk": ["0813104"], "kekv": ["2111"], "fund": ["general"],
    ...                      "amount": [1000.0]})
    >>> [d] = build_requests(RequestInputs(s, cost_by_kekv=cost))
    >>> d.file_name, d.totals.amount("forecast2", "total")
    ('request_2026_0813104.xlsx', 1210.0)
    """
    s = inputs.settings
    programs = _programs(inputs)
    single = len(programs) == 1
    if kpkvk is not None:
        kpkvk = classifiers.code("kpkvk", kpkvk) or kpkvk  # 813104 typed for 0813104
        if kpkvk not in programs:
            raise KoshtorysError(f"КПКВК {kpkvk} has no amounts in the workbook "
                                 f"(known: {', '.join(programs) or 'none'})")
        programs = [kpkvk]
    py = s.plan_year
    columns = (
        AmountColumn("approved", s.exec_year, f"{s.exec_year} рік (затверджено)"),
        AmountColumn("expected", s.exec_year, f"{s.exec_year} рік (очікуване виконання)"),
        AmountColumn("plan", py, f"{py} рік (проєкт)"),
        AmountColumn("forecast1", py + 1, f"{py + 1} рік (прогноз)"),
        AmountColumn("forecast2", py + 2, f"{py + 2} рік (прогноз)"),
    )
    kekv_name, kpkvk_name = classifiers.kekv_name, classifiers.kpkvk_name
    plan_all = _frame(inputs.plan, "tblPlan")
    months = [m for m in schema.MONTHS if m in plan_all.columns]
    annual_all = (plan_all[months].apply(pd.to_numeric, errors="coerce").fillna(0)
                  .sum(axis=1) if len(plan_all) else pd.Series(dtype=float))
    plan_of = _splitter(plan_all.assign(_annual=annual_all) if len(plan_all) else plan_all,
                        single)
    variance_of = _splitter(_frame(inputs.variance, "tblVariance"), single)
    cost_of = _splitter(_frame(inputs.cost_by_kekv, "tblCostByKekv"), single)
    staff_of = _splitter(_frame(inputs.staff, "tblStaff"), single)
    services_of = _splitter(_frame(inputs.services, "tblServices"), single)
    needs_of = _splitter(_frame(inputs.needs, "tblNeeds"), single)
    costs = {str(r["service_id"]): r
             for r in _frame(inputs.unit_costs, "tblUnitCosts").to_dict("records")}
    split = _frame(inputs.funding_split, "tblFundingSplit")
    split_ids = split["activity_id"].astype(str)
    docs = []
    for code in programs:
        plan = plan_of(code)
        approved = _sum_by(plan, plan["_annual"]) if len(plan) else {}
        expected, known = _expected(variance_of(code), approved)
        cost = cost_of(code)
        planned = _sum_by(cost, cost["amount"]) if len(cost) else {}
        exact = {"approved": approved, "expected": expected, "plan": planned}
        rows, totals = _amount_rows(columns, exact, s.rounding, s.index_rate, kekv_name)
        table = pd.DataFrame(
            [(code, r.kekv, f, col.year, r.amount(col.key, f))
             for col in columns[2:] for r in rows for f in FUNDS if r.amount(col.key, f)],
            columns=list(REQUEST_COLUMNS),
        )
        docs.append(RequestDoc(
            s, code, kpkvk_name(code), columns, rows, totals,
            _indicators(s, staff_of(code), services_of(code), costs, totals, known,
                        bool(planned)),
            _funding(needs_of(code), split, split_ids, s.rounding), table, known,
        ))
    return docs
