"""The cost and tariff calculation of one social service, as data.

Structure of Minsocpolicy order No. 1186 of 07.12.2015 and Cabinet resolution No. 428 of
01.06.2020 as hromadas publish it: **ВП = ПВ + ЧАВ + ПДВ** (the service's cost = its
direct costs + its share of the administrative costs + VAT) with **ПВ = ЗПЄВ + ПТРП +
ІПВ** (wages and ЄСВ of the staff working on it + purchases of goods, works and services
+ other direct costs).

Every figure comes from the engine's own computation: the posts' wages and ЄСВ from
:func:`koshtorys.engine.costing.labor_parts` (the allocation ``compute_costs`` makes), the
totals and per-unit figures from ``tblUnitCosts``, so the document and the table agree to
the kopiyka. Money is carried in integer kopiykas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from koshtorys.core import classifiers
from koshtorys.core.money import from_units, to_units
from koshtorys.core.settings import Settings
from koshtorys.engine.costing import labor_parts

from .formsheet import blank

__all__ = ["TariffInputs", "PostLine", "CostLine", "PoolLine", "TariffDoc", "build_tariff",
           "tariff_file_name", "TABLE_COLUMNS", "BASE_NAMES", "cost_group"]

TABLE_COLUMNS: tuple[str, ...] = ("section", "item", "year", "amount")
"""Columns of every machine-readable table of the cycle's documents."""

BASE_NAMES: dict[str, str] = {
    "direct_labor": "прямі витрати на оплату праці з ЄСВ (ЗПЄВ), грн",
    "direct_cost": "прямі витрати (ПВ), грн",
    "hours": "робочий час працівників на послузі, годин",
}
"""How the allocation base (``indirect_base``) is named on the form."""


def cost_group(kekv: str) -> str:
    """``ptrp`` for the КЕКВ of goods and services (group 2200: purchases of goods, works
    and services), ``ipv`` for every other direct cost.

    >>> cost_group("2240"), cost_group("2800")
    ('ptrp', 'ipv')
    """
    return "ptrp" if str(kekv).startswith("22") else "ipv"


def tariff_file_name(plan_year: int, service_id: str) -> str:
    """``tariff_2026_S01.xlsx``."""
    from koshtorys.core.fileio import name_part

    return f"tariff_{plan_year}_{name_part(service_id)}.xlsx"


@dataclass
class TariffInputs:
    """The engine's ``tblUnitCosts`` and the costing's input frames (valid rows)."""

    settings: Settings
    unit_costs: pd.DataFrame
    services: pd.DataFrame
    staff: pd.DataFrame
    time: pd.DataFrame | None
    costs: pd.DataFrame | None


@dataclass(frozen=True)
class PostLine:
    """One post working on the service (ЗПЄВ)."""

    position_id: str
    title: str
    fte: float
    pay: float
    """Monthly pay of one full post as costed (topped up to the minimum wage)."""
    topped_up: bool
    months: float
    post_payroll: int
    """The whole post's payroll, kopiykas."""
    share: float
    hours: float
    wages: int
    esv: int

    @property
    def zpev(self) -> int:
        return self.wages + self.esv


@dataclass(frozen=True)
class CostLine:
    """Other direct costs of the service under one КЕКВ."""

    kekv: str
    name: str
    description: str
    amount: int
    group: str
    """``ptrp`` or ``ipv``."""


@dataclass(frozen=True)
class PoolLine:
    """One item of the institution's administrative costs (the pool)."""

    kind: str
    """``labor`` (a post's labor outside services) or ``cost`` (shared costs by КЕКВ)."""
    key: str
    name: str
    amount: int


@dataclass
class TariffDoc:
    """The content of one tariff calculation; money in kopiykas."""

    settings: Settings
    service_id: str
    name: str
    unit: str
    kpkvk: str
    units: float
    recipients: float
    hours: float
    posts: list[PostLine]
    other: list[CostLine]
    pool: list[PoolLine]
    base: str
    base_service: float
    base_total: float
    indirect: int
    total_cost: int
    unit_cost: int
    unit_tariff: int
    cost_per_recipient: int | None
    cost_per_hour: int | None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def plan_year(self) -> int:
        return self.settings.plan_year

    @property
    def file_name(self) -> str:
        return tariff_file_name(self.plan_year, self.service_id)

    @property
    def zpev(self) -> int:
        return sum(p.zpev for p in self.posts)

    def group_total(self, group: str) -> int:
        return sum(c.amount for c in self.other if c.group == group)

    @property
    def direct(self) -> int:
        return self.zpev + self.group_total("ptrp") + self.group_total("ipv")

    @property
    def pool_total(self) -> int:
        return sum(p.amount for p in self.pool)

    @property
    def share(self) -> float:
        return self.base_service / self.base_total if self.base_total else 0.0

    @property
    def vat(self) -> int:
        return to_units(from_units(self.total_cost) * float(self.settings.vat_rate))

    @property
    def vat_unit(self) -> int:
        return self.unit_tariff - self.unit_cost


def _kop(v: object) -> int | None:
    return None if blank(v) else to_units(float(v))  # type: ignore[arg-type]


def _text(v: object) -> str:
    return "" if blank(v) else str(v).strip()


def _num(v: object, default: float = 0.0) -> float:
    return default if blank(v) else float(v)  # type: ignore[arg-type]


def build_tariff(inputs: TariffInputs, service_id: str) -> TariffDoc:
    """The calculation for ``service_id`` (a row of ``tblUnitCosts``; ``KeyError`` when it
    has none).

    >>> from koshtorys.engine.costing import compute_costs
    >>> s = Settings(plan_year=2026)
    >>> svc = pd.DataFrame({"service_id": ["S1"], "name": ["Догляд"], "unit": ["година"],
    ...     "planned_units": [100.0], "planned_recipients": [4.0], "kpkvk": ["0813104"]})
    >>> staff = pd.DataFrame({"position_id": ["P1"], "title": ["Робітник"],
    ...     "category": ["direct"], "fte": [1.0], "monthly_pay": [10000.0], "months": [12]})
    >>> time = pd.DataFrame({"position_id": ["P1"], "service_id": ["S1"], "share": [0.5]})
    >>> uc = compute_costs(svc, staff, time, None, s).unit_costs
    >>> d = build_tariff(TariffInputs(s, uc, svc, staff, time, None), "S1")
    >>> d.zpev, d.pool_total, d.indirect, d.total_cost, d.unit_cost
    (7320000, 7320000, 7320000, 14640000, 146400)
    """
    s = inputs.settings
    uc_rows = inputs.unit_costs[inputs.unit_costs["service_id"].astype(str) == service_id]
    if uc_rows.empty:
        raise KeyError(service_id)
    uc = uc_rows.iloc[0].to_dict()
    svc = inputs.services[inputs.services["service_id"].astype(str) == service_id]
    kpkvk = _text(svc["kpkvk"].iloc[0]) if len(svc) and "kpkvk" in svc.columns else ""
    parts = labor_parts(inputs.services, inputs.staff, inputs.time, s)
    staff = inputs.staff
    pay_of = {_text(r["position_id"]): r for r in staff.to_dict("records")}
    payroll_of: dict[str, int] = {}
    for pid, pay in zip(parts["position_id"], parts["payroll"], strict=True):
        payroll_of[pid] = payroll_of.get(pid, 0) + to_units(float(pay))
    min_wage = float(s.min_wage or 0.0)
    posts: list[PostLine] = []
    pool: list[PoolLine] = []
    for row in parts.to_dict("records"):
        pid = str(row["position_id"])
        st = pay_of.get(pid, {})
        wages, labor = to_units(float(row["payroll"])), to_units(float(row["labor"]))
        if row["service_id"] == service_id:
            pay = _num(st.get("monthly_pay"))
            fte = _num(st.get("fte"))
            low = fte > 0 and pay < min_wage
            posts.append(PostLine(pid, _text(st.get("title")), fte, min_wage if low else pay,
                                  low, _num(st.get("months"), 12.0), payroll_of[pid],
                                  float(row["share"]), float(row["hours"]), wages,
                                  labor - wages))
        elif row["service_id"] is None and labor:
            title = _text(st.get("title"))
            if _text(st.get("category")) == "direct":
                title += " (час поза послугами)"
            pool.append(PoolLine("labor", pid, title, labor))
    known = set(inputs.unit_costs["service_id"].astype(str))
    other: dict[str, list[tuple[str, int]]] = {}
    shared: dict[str, int] = {}
    costs = inputs.costs if inputs.costs is not None else pd.DataFrame()
    for r in costs.to_dict("records"):
        kekv, amount = _text(r.get("kekv")), to_units(_num(r.get("amount")))
        sid = _text(r.get("service_id"))
        if sid == service_id:
            other.setdefault(kekv, []).append((_text(r.get("description")), amount))
        elif sid not in known:
            shared[kekv] = shared.get(kekv, 0) + amount
    lines = [CostLine(k, classifiers.kekv_name(k) or "", "; ".join(d for d, _ in v if d),
                      sum(a for _, a in v), cost_group(k)) for k, v in sorted(other.items())]
    pool += [PoolLine("cost", k, classifiers.kekv_name(k) or k, a)
             for k, a in sorted(shared.items()) if a]
    base = s.indirect_base if s.indirect_base in BASE_NAMES else "direct_labor"
    base_col = _base_column(inputs.unit_costs, base)
    doc = TariffDoc(
        s, service_id, _text(uc.get("name")), _text(uc.get("unit")), kpkvk,
        _num(uc.get("planned_units")), _num(uc.get("planned_recipients")),
        _num(uc.get("hours")), posts, lines, pool, base,
        float(base_col[uc_rows.index[0]]), float(base_col.sum()),
        _kop(uc.get("indirect")) or 0, _kop(uc.get("total_cost")) or 0,
        _kop(uc.get("unit_cost")) or 0, _kop(uc.get("unit_tariff")) or 0,
        _kop(uc.get("cost_per_recipient")), _kop(uc.get("cost_per_hour")),
    )
    doc.table = _table(doc)
    return doc


def _base_column(uc: pd.DataFrame, base: str) -> pd.Series:
    """Each service's allocation base as the engine weighs it (hryvnias or hours)."""
    labor = pd.to_numeric(uc["direct_labor"], errors="coerce").fillna(0)
    if base == "hours":
        return pd.to_numeric(uc["hours"], errors="coerce").fillna(0)
    if base == "direct_cost":
        return (labor + pd.to_numeric(uc["direct_other"], errors="coerce").fillna(0)).round(2)
    return labor


def _table(d: TariffDoc) -> pd.DataFrame:
    """``tblTariff``: section, item, year, amount (hryvnias, counts, a share as a ratio)."""
    y = d.plan_year
    rows: list[tuple[str, str, int, float | None]] = []

    def money(section: str, item: str, kop: int | None) -> None:
        rows.append((section, item, y, None if kop is None else from_units(kop)))

    for p in d.posts:
        money("zpev", f"wages:{p.position_id}", p.wages)
        money("zpev", f"esv:{p.position_id}", p.esv)
        money("zpev", f"zpev:{p.position_id}", p.zpev)
    money("zpev", "zpev", d.zpev)
    for c in d.other:
        money("direct", f"{c.group}:{c.kekv}", c.amount)
    money("direct", "ptrp", d.group_total("ptrp"))
    money("direct", "ipv", d.group_total("ipv"))
    money("direct", "direct", d.direct)
    for p in d.pool:
        money("admin", f"pool_{p.kind}:{p.key}", p.amount)
    money("admin", "pool", d.pool_total)
    rows.append(("admin", "base_service", y, round(d.base_service, 4)))
    rows.append(("admin", "base_total", y, round(d.base_total, 4)))
    rows.append(("admin", "share", y, round(d.share, 8)))
    money("admin", "indirect", d.indirect)
    money("total", "total_cost", d.total_cost)
    money("total", "vat", d.vat)
    money("total", "total_with_vat", d.total_cost + d.vat)
    rows.append(("unit", "units", y, d.units))
    money("unit", "unit_cost", d.unit_cost)
    money("unit", "vat_per_unit", d.vat_unit)
    money("unit", "unit_tariff", d.unit_tariff)
    rows.append(("unit", "recipients", y, d.recipients))
    money("unit", "cost_per_recipient", d.cost_per_recipient)
    rows.append(("unit", "hours", y, round(d.hours, 2)))
    money("unit", "cost_per_hour", d.cost_per_hour)
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
