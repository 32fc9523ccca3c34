"""Unit costs of social services: labor and other costs, direct and indirect.

The SPEC's "Unit costs (per service)" as one pure function, :func:`compute_costs`.
All money is carried in integer kopiykas and every split goes through a
largest-remainder allocation, so the services' total costs add up to the
institution's total (all labor + all costs) to the kopiyka whenever the
indirect pool can be allocated.

Choices the SPEC leaves open (also in the docstring of :func:`compute_costs`):

* Payroll and ЄСВ are rounded to the kopiyka per post; ЄСВ is charged on the
  rounded payroll.
* A post's time shares that add up to more than 1 (an error validation reports)
  are scaled down to add up to 1, so none of its labor is counted twice.
* tblTime rows for unknown posts or services, or for indirect posts, are ignored
  here (validation reports the unknown ones); an indirect post stays wholly in
  the indirect pool whatever its tblTime rows say.
* A tblCosts row whose service_id is not a known service is treated as shared
  (goes to the pool), so no money drops out of the totals.
* Ties in a largest-remainder split go to the service with the smaller
  service_id (then to the pool), so the order of rows never changes a result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from koshtorys.core import money, schema
from koshtorys.core.checks import Check, rounded
from koshtorys.core.settings import Settings

from .keys import key_groups

__all__ = ["CostingResult", "compute_costs", "allocate_groups", "labor_parts", "PAYROLL_KEKV",
           "ESV_KEKV"]

PAYROLL_KEKV = "2111"
"""Economic code of wages (Заробітна плата)."""
ESV_KEKV = "2120"
"""Economic code of payroll charges, ЄСВ (Нарахування на оплату праці)."""
PAY_LOOKS_ANNUAL = 10
"""A monthly pay per post of this many minimum wages or more is warned about: the bundled
samples pay their directors about three (27 000 UAH); a year's pay typed into the month is
12× the month's (the estimate's annual fund, not the staff list's monthly salary)."""

_BASES = ("direct_labor", "direct_cost", "hours")
_MONEY_COLS = ("direct_labor", "direct_other", "indirect", "total_cost")


@dataclass(frozen=True)
class CostingResult:
    """What :func:`compute_costs` returns."""

    unit_costs: pd.DataFrame
    """The ``tblUnitCosts`` output, one row per service in input order."""
    cost_by_kekv: pd.DataFrame
    """The ``tblCostByKekv`` output, sorted by kpkvk, kekv, fund."""
    checks: list[Check] = field(default_factory=list)
    """Warnings (pay below the minimum wage) and errors (pool not allocated)."""
    total_kop: int = 0
    """The institution's total in kopiykas: all labor (payroll + ЄСВ) + all costs."""

    @property
    def total(self) -> float:
        """:attr:`total_kop` in hryvnias."""
        return money.from_units(self.total_kop)


def allocate_groups(totals: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder split of many integer totals at once (vectorised
    :func:`koshtorys.core.money.allocate`).

    ``totals[g]`` is split over the parts ``i`` with ``group[i] == g`` in proportion
    to ``weights[i]`` (≥ 0). Parts of one group sum to its total exactly; ties go to
    the earlier part in array order; a group whose weights are all zero gets zeros.

    >>> allocate_groups(np.array([100, 10]), np.array([0, 0, 0, 1, 1]),
    ...                 np.array([1.0, 1.0, 1.0, 0.5, 0.5])).tolist()
    [34, 33, 33, 5, 5]
    """
    t = np.asarray(totals, dtype=np.int64)
    g = np.asarray(group, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    n_groups = len(t)
    wsum = np.bincount(g, weights=w, minlength=n_groups)
    ok = wsum[g] > 0
    exact = np.where(ok, t[g] * w / np.where(ok, wsum[g], 1.0), 0.0)
    floors = np.floor(exact).astype(np.int64)
    left = t - np.rint(np.bincount(g, weights=floors, minlength=n_groups)).astype(np.int64)
    left[wsum <= 0] = 0
    rem = exact - floors
    # Rank the parts of each group: largest remainder first (smallest first when
    # float noise left the floors above the total), ties by position.
    key = np.where(left[g] >= 0, -rem, rem)
    order = np.lexsort((np.arange(n), key, g))
    sorted_g = g[order]
    starts = np.searchsorted(sorted_g, np.arange(n_groups))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts[sorted_g]
    step = (rank < np.abs(left)[g]).astype(np.int64) * np.sign(left)[g]
    return floors + step


def compute_costs(
    services: pd.DataFrame,
    staff: pd.DataFrame,
    time: pd.DataFrame | None,
    costs: pd.DataFrame | None,
    settings: Settings | None = None,
) -> CostingResult:
    """Unit costs of each service and the institution's costs by economic code.

    Inputs are the validated ``tblServices``, ``tblStaff``, ``tblTime`` and
    ``tblCosts`` frames (column keys, index = worksheet row); ``None`` stands for
    an absent table. Nothing is mutated and nothing is raised: problems come back
    in :attr:`CostingResult.checks`.

    * payroll = fte × monthly_pay × months, with pay below ``min_wage`` topped up
      to it (warning ``min_wage``); ЄСВ = payroll × esv_rate; both rounded to
      the kopiyka per post, ЄСВ charged on the rounded payroll.
    * A direct post's labor goes to services by its tblTime shares (shares adding
      up to more than 1 are scaled to 1); its unallocated rest, all labor of
      indirect posts (an indirect post's tblTime rows are ignored: it stays in the
      pool) and tblCosts rows with a blank or unknown service_id form the
      indirect pool, spread over services in proportion to
      ``settings.indirect_base`` (an unknown base counts as ``direct_labor``).
      A pool with an all-zero base gives error ``pool_unallocated`` and no
      indirect costs.
    * unit_cost, cost_per_recipient, cost_per_hour and unit_tariff are left
      unrounded; blank (NaN) when their divisor is 0.
    * cost_by_kekv: payroll under 2111 and ЄСВ under 2120 (fund general), costs
      under their own kekv and fund. A blank kpkvk takes the kpkvk of the row's
      service when it has one, else the only kpkvk the services use, else "".
      Groups summing to 0 are left out.

    >>> import pandas as pd
    >>> services = pd.DataFrame({"service_id": ["S1"], "name": ["Догляд вдома"],
    ...     "unit": ["година"], "planned_units": [1000.0], "planned_recipients": [10],
    ...     "kpkvk": ["0813104"]})
    >>> staff = pd.DataFrame({"position_id": ["P1", "P2"], "title": ["Робітник", "Директор"],
    ...     "category": ["direct", "indirect"], "fte": [1.0, 0.5],
    ...     "monthly_pay": [10000.0, 16000.0], "months": [12, 12], "kpkvk": [None, None]})
    >>> time = pd.DataFrame({"position_id": ["P1"], "service_id": ["S1"], "share": [1.0]})
    >>> costs = pd.DataFrame({"kekv": ["2210"], "description": ["Матеріали"],
    ...     "amount": [5000.0], "service_id": [None], "kpkvk": [None], "fund": ["general"]})
    >>> r = compute_costs(services, staff, time, costs, Settings(plan_year=2026))
    >>> r.unit_costs.loc[0, ["direct_labor", "indirect", "total_cost", "unit_cost"]].tolist()
    [146400.0, 122120.0, 268520.0, 268.52]
    >>> r.cost_by_kekv["amount"].tolist(), r.total_kop
    ([216000.0, 47520.0, 5000.0], 26852000)
    """
    st = settings if settings is not None else Settings()
    services = _frame(services, "tblServices")
    staff = _frame(staff, "tblStaff")
    time = _frame(time, "tblTime")
    costs = _frame(costs, "tblCosts")
    checks: list[Check] = []

    svc, svc_id, code_of = _service_codes(services)
    n_svc = len(code_of)
    lab = _labor_split(staff, time, code_of, st)
    checks += lab.checks
    payroll, esv, labor = lab.payroll, lab.esv, lab.labor
    n_posts = len(staff)
    part_s, parts = lab.part_s, lab.parts
    to_svc = part_s >= 0
    direct_labor = np.bincount(part_s[to_svc], weights=parts[to_svc], minlength=n_svc)
    direct_labor = np.rint(direct_labor).astype(np.int64)
    pool = int(parts[~to_svc].sum())
    hours = np.bincount(part_s[to_svc], weights=lab.hours[to_svc], minlength=n_svc).round(9)

    # --- Other costs: direct to a known service, else shared.
    c_amount = _kop(_num(costs, "amount", 0.0))
    c_svc = _text(costs, "service_id")
    c_code = c_svc.map(code_of).to_numpy()
    c_direct = ~pd.isna(c_code)
    direct_other = np.rint(np.bincount(c_code[c_direct].astype(np.int64),
                                       weights=c_amount[c_direct], minlength=n_svc))
    direct_other = direct_other.astype(np.int64)
    pool += int(c_amount[~c_direct].sum())
    total_kop = int(labor.sum() + c_amount.sum())

    # --- Indirect pool over services.
    base = st.indirect_base if st.indirect_base in _BASES else "direct_labor"
    if base == "hours":
        weights = hours
    elif base == "direct_cost":
        weights = (direct_labor + direct_other).astype(float)
    else:
        weights = direct_labor.astype(float)
    indirect = np.zeros(n_svc, dtype=np.int64)
    spread = True  # the pool went to the services (or there was none)
    if n_svc == 0:
        if total_kop > 0:
            checks.append(Check("error", "tblServices", None, None, "no_services", {}))
    elif pool != 0:
        if weights.sum() > 0:
            indirect = np.asarray(money.allocate(pool, weights.tolist()), dtype=np.int64)
        else:
            spread = False
            checks.append(Check("error", "", None, None, "pool_unallocated",
                                {"amount": money.from_units(pool), "base": base}))

    total_of = direct_labor + direct_other + indirect
    if spread and total_of.any():  # some services cost something, these nothing: a
        # tariff of 0 (an unspread pool is its own error, and the reason they cost nothing)
        codes = svc_id.map(code_of).to_numpy(dtype=np.int64)
        for row, sid in zip(svc.index[total_of[codes] == 0], svc_id[total_of[codes] == 0],
                            strict=True):
            checks.append(Check("warning", "tblServices", _row(row), "service_id",
                                "service_no_cost", {"value": str(sid), "base": base}))
    unit_costs = _unit_costs(svc, svc_id, code_of, hours, direct_labor, direct_other,
                             indirect, float(st.vat_rate))
    checks += _unit_checks(svc.index, unit_costs)

    # --- Costs by economic code.
    svc_kpkvk = _text(svc, "kpkvk")
    used = sorted(set(svc_kpkvk[svc_kpkvk != ""]))
    fallback = used[0] if len(used) == 1 else ""
    kpkvk_of = pd.Series(svc_kpkvk.to_numpy(), index=pd.Index(svc_id.to_numpy(), dtype=object))
    kpkvk_of = kpkvk_of[kpkvk_of != ""]
    s_kpkvk = _text(staff, "kpkvk").replace("", fallback).to_numpy(dtype=object)
    c_kpkvk = _text(costs, "kpkvk")
    of_service = c_svc.map(kpkvk_of).astype(object)
    of_service = of_service.where(of_service.notna(), fallback)
    c_kpkvk = c_kpkvk.where(c_kpkvk != "", of_service)
    fund = _text(costs, "fund").replace("", "general")
    checks += _no_program(staff.index, s_kpkvk, payroll + esv, costs.index,
                          c_kpkvk.to_numpy(dtype=object), c_amount, used)
    lines = pd.DataFrame({
        "kpkvk": np.concatenate([s_kpkvk, s_kpkvk, c_kpkvk.to_numpy(dtype=object)]),
        "kekv": np.concatenate([np.full(n_posts, PAYROLL_KEKV, dtype=object),
                                np.full(n_posts, ESV_KEKV, dtype=object),
                                _text(costs, "kekv").to_numpy(dtype=object)]),
        "fund": np.concatenate([np.full(2 * n_posts, "general", dtype=object),
                                fund.to_numpy(dtype=object)]),
        "kop": np.concatenate([payroll, esv, c_amount]),
    })
    return CostingResult(unit_costs, _by_kekv(lines), checks, total_kop)


def _no_program(staff_rows: pd.Index, s_kpkvk: np.ndarray, labor: np.ndarray,
                cost_rows: pd.Index, c_kpkvk: np.ndarray, c_amount: np.ndarray,
                used: list[str]) -> list[Check]:
    """A post or cost line left with no КПКВК (blank, and the book's services belong to
    several programs): its money is in tblCostByKekv under no program, so in no budget
    request. Said at its КПКВК cell, with the amount. (With no program at all, nothing
    is requested yet: not said.)"""
    if len(used) < 2:
        return []
    known = ", ".join(used)
    out = []
    for table, rows, codes, kop in (("tblStaff", staff_rows, s_kpkvk, labor),
                                    ("tblCosts", cost_rows, c_kpkvk, c_amount)):
        for i in np.flatnonzero((codes == "") & (np.asarray(kop) != 0)):
            out.append(Check("warning", table, _row(rows[i]), "kpkvk", "no_program",
                             {"amount": money.from_units(int(kop[i])), "known": known}))
    return out


@dataclass(frozen=True)
class _Labor:
    """Each post's payroll, ЄСВ and labor (kopiykas) and its split into parts: one per
    (post, service) it works on, then one for the indirect pool (``part_s`` = -1)."""

    payroll: np.ndarray
    esv: np.ndarray
    labor: np.ndarray
    months: np.ndarray
    part_p: np.ndarray
    part_s: np.ndarray
    part_w: np.ndarray
    parts: np.ndarray
    """Labor of each part, kopiykas (largest remainder within each post)."""
    hours: np.ndarray
    """Working hours of each part."""
    checks: list[Check]


def _service_codes(services: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The usable services (blank and repeated ids dropped) and their codes: position in
    service_id order, the canonical order that breaks ties."""
    svc_id = _text(services, "service_id")
    keep = (svc_id != "") & ~svc_id.duplicated()
    svc = services[keep.to_numpy()]
    svc_id = svc_id[keep]
    canon = np.sort(svc_id.to_numpy(dtype=object).astype(str))
    code_of = pd.Series(np.arange(len(canon)), index=pd.Index(canon, dtype=object))
    return svc, svc_id, code_of


def _labor_split(staff: pd.DataFrame, time: pd.DataFrame, code_of: pd.Series,
                 st: Settings) -> _Labor:
    """Payroll, ЄСВ and labor of every post, and labor split over its services and the
    pool: the one allocation both :func:`compute_costs` and :func:`labor_parts` use."""
    checks: list[Check] = []
    n_svc = len(code_of)
    fte = _num(staff, "fte", 0.0)
    pay = _num(staff, "monthly_pay", 0.0)
    months = _num(staff, "months", 12.0)
    min_wage = float(st.min_wage or 0.0)
    low = (fte > 0) & (pay < min_wage)
    for row, value, posts in zip(staff.index[low], pay[low], fte[low], strict=True):
        # 4 500 for half a post paying 9 000: the column wants the whole post's pay
        part = posts < 1 and value / posts >= min_wage
        checks.append(Check("warning", "tblStaff", _row(row), "monthly_pay", "below_min_wage",
                            {"value": float(value), "min_wage": min_wage,
                             "note": "part_post" if part else "",
                             "fte": Decimal(repr(float(posts))).normalize(),
                             "whole": float(value) / float(posts)}))
    high = (fte > 0) & (min_wage > 0) & (pay >= PAY_LOOKS_ANNUAL * min_wage)
    for row, value in zip(staff.index[high], pay[high], strict=True):  # a year's pay?
        checks.append(Check("warning", "tblStaff", _row(row), "monthly_pay", "pay_looks_annual",
                            {"value": float(value), "times": int(value // min_wage),
                             "monthly": float(value) / 12}))
    payroll = _kop(fte * np.where(low, min_wage, pay) * months)
    esv = _round_units(payroll * float(st.esv_rate))
    labor = payroll + esv
    is_direct = (_text(staff, "category") == "direct").to_numpy()
    pos_id = _text(staff, "position_id")

    # --- Time shares of direct posts on known services.
    t_pos = _text(time, "position_id")
    t_svc = _text(time, "service_id")
    t_share = np.clip(_num(time, "share", 0.0), 0.0, None)
    direct_pos = pd.DataFrame({"position_id": pos_id[is_direct].to_numpy(),
                               "p": np.flatnonzero(is_direct)})
    tm = pd.DataFrame({"position_id": t_pos.to_numpy(), "s": t_svc.map(code_of).to_numpy(),
                       "share": t_share})
    tm = tm[tm["s"].notna()].merge(direct_pos, on="position_id", how="inner")
    tm = tm.groupby(["p", "s"], as_index=False, sort=True)["share"].sum()
    p_t = tm["p"].to_numpy(dtype=np.int64)
    s_t = tm["s"].to_numpy(dtype=np.int64)
    n_posts = len(staff)
    # Sums are rounded far below any real share so that float noise from the
    # order of rows cannot tip a largest-remainder tie.
    tm["share"] = tm["share"].round(12)
    share_sum = np.bincount(p_t, weights=tm["share"].to_numpy(), minlength=n_posts).round(12)
    idle = is_direct & (share_sum == 0) & (labor > 0)  # SPEC: all of it to the pool
    for i in np.flatnonzero(idle):  # most likely a post added and its time forgotten
        checks.append(Check("warning", "tblStaff", _row(staff.index[i]), "category",
                            "direct_post_no_time",
                            {"value": str(pos_id.iloc[i]), "amount": float(labor[i]) / 100}))
    scale = np.where(share_sum > 1.0, 1.0 / np.where(share_sum > 0, share_sum, 1.0), 1.0)
    share = tm["share"].to_numpy() * scale[p_t]
    rest = np.clip(1.0 - np.minimum(share_sum, 1.0), 0.0, None)

    # Split each post's labor over [its services (by service_id)…, the pool].
    part_p = np.concatenate([p_t, np.arange(n_posts)])
    part_s = np.concatenate([s_t, np.full(n_posts, -1, dtype=np.int64)])
    part_w = np.concatenate([share, rest])
    order = np.lexsort((np.where(part_s < 0, n_svc, part_s), part_p))
    part_p, part_s, part_w = part_p[order], part_s[order], part_w[order]
    parts = allocate_groups(labor, part_p, part_w)
    hours_part = (fte[part_p] * float(st.hours_per_fte) * months[part_p] / 12.0) * part_w
    return _Labor(payroll, esv, labor, months, part_p, part_s, part_w, parts, hours_part,
                  checks)


def labor_parts(services: pd.DataFrame, staff: pd.DataFrame, time: pd.DataFrame | None,
                settings: Settings | None = None) -> pd.DataFrame:
    """Each post's labor on each service and in the indirect pool, from the very
    allocation :func:`compute_costs` makes: for every service, ``labor`` over its posts
    adds up to that service's ``direct_labor`` to the kopiyka.

    One row per (post, service) with a share, then one per post for its part in the pool
    (``service_id`` ``None``: the rest of a direct post, all of an indirect one), in
    staff order. Columns: position_id, title, category, service_id, share (of the post's
    time, after scaling shares that add up to more than 1), hours, payroll, esv, labor
    (hryvnias, kopiyka-exact). ``payroll`` is the post's payroll split by the same
    weights with the largest remainder and ``esv = labor − payroll``, so each post's
    parts add up to its payroll and ЄСВ exactly.

    >>> import pandas as pd
    >>> services = pd.DataFrame({"service_id": ["S1", "S2"], "planned_units": [1.0, 1.0]})
    >>> staff = pd.DataFrame({"position_id": ["P1"], "title": ["Робітник"],
    ...     "category": ["direct"], "fte": [1.0], "monthly_pay": [1000.01], "months": [1]})
    >>> time = pd.DataFrame({"position_id": ["P1", "P1"], "service_id": ["S1", "S2"],
    ...                      "share": [0.5, 0.3]})
    >>> lp = labor_parts(services, staff, time, Settings(plan_year=2026, min_wage=0))
    >>> lp["service_id"].tolist()
    ['S1', 'S2', None]
    >>> lp[["payroll", "esv", "labor"]].values.tolist()
    [[500.01, 110.0, 610.01], [300.0, 66.0, 366.0], [200.0, 44.0, 244.0]]
    """
    st = settings if settings is not None else Settings()
    services = _frame(services, "tblServices")
    staff = _frame(staff, "tblStaff")
    time = _frame(time, "tblTime")
    _svc, _ids, code_of = _service_codes(services)
    lab = _labor_split(staff, time, code_of, st)
    wages = allocate_groups(lab.payroll, lab.part_p, lab.part_w)
    ids = code_of.index.to_numpy(dtype=object)
    p = lab.part_p
    return pd.DataFrame({
        "position_id": _text(staff, "position_id").to_numpy(dtype=object)[p],
        "title": _opt(staff, "title")[p],
        "category": _text(staff, "category").to_numpy(dtype=object)[p],
        "service_id": pd.Series([ids[s] if s >= 0 else None for s in lab.part_s],
                                dtype=object),
        "share": lab.part_w,
        "hours": lab.hours.round(9),
        "payroll": wages / 100.0,
        "esv": (lab.parts - wages) / 100.0,
        "labor": lab.parts / 100.0,
    })


def _unit_costs(svc: pd.DataFrame, svc_id: pd.Series, code_of: pd.Series, hours: np.ndarray,
                direct_labor: np.ndarray, direct_other: np.ndarray, indirect: np.ndarray,
                vat_rate: float) -> pd.DataFrame:
    """Assemble ``tblUnitCosts`` in the services' input order."""
    cols = schema.table("tblUnitCosts").column_keys
    code = code_of.reindex(svc_id.to_numpy()).to_numpy(dtype=np.int64)
    total = direct_labor + direct_other + indirect
    units = _num(svc, "planned_units", np.nan)
    recipients = _num(svc, "planned_recipients", 0.0)
    h = hours[code]
    tot = total[code] / 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_cost = np.where(units > 0, tot / units, np.nan)
        per_recipient = np.where(recipients > 0, tot / recipients, np.nan)
        per_hour = np.where(h > 0, tot / h, np.nan)
    out = pd.DataFrame({
        "service_id": svc_id.to_numpy(dtype=object),
        "name": _opt(svc, "name"),
        "unit": _opt(svc, "unit"),
        "planned_units": units,
        "planned_recipients": recipients,
        "hours": h,
        "direct_labor": np.round(direct_labor[code] / 100.0, 2),
        "direct_other": np.round(direct_other[code] / 100.0, 2),
        "indirect": np.round(indirect[code] / 100.0, 2),
        "total_cost": np.round(tot, 2),
        "unit_cost": unit_cost,
        "cost_per_recipient": per_recipient,
        "cost_per_hour": per_hour,
        "unit_tariff": unit_cost * (1.0 + vat_rate),
    })
    for c in cols:
        if c not in _MONEY_COLS and c not in ("service_id", "name", "unit"):
            out[c] = out[c].astype(float)
    return out[cols]


def _by_kekv(lines: pd.DataFrame) -> pd.DataFrame:
    """Sum kopiyka lines by (kpkvk, kekv, fund); drop zero groups; hryvnias out."""
    cols = schema.table("tblCostByKekv").column_keys
    keys = [lines[k].to_numpy(dtype=object) for k in ("kpkvk", "kekv", "fund")]
    group, first = key_groups(keys)
    kop = np.zeros(len(first), dtype=np.int64)
    np.add.at(kop, group, lines["kop"].to_numpy(dtype=np.int64))
    kept = kop != 0
    out = pd.DataFrame({
        "kpkvk": keys[0][first][kept],
        "kekv": keys[1][first][kept],
        "fund": keys[2][first][kept],
        "amount": np.round(kop[kept] / 100.0, 2),
    })
    return out[cols]


def _frame(df: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """``df``, or an empty frame with the table's columns for an absent table."""
    if df is None:
        return pd.DataFrame(columns=schema.table(name).column_keys)
    return df


def _text(df: pd.DataFrame, key: str) -> pd.Series:
    """Column ``key`` as stripped str, "" for blanks or a missing column (a new Series)."""
    if key not in df.columns:
        return pd.Series("", index=df.index, dtype=object)
    values = df[key].to_numpy(dtype=object, na_value=None).tolist()
    try:
        texts = list(map(str.strip, values))  # only texts: the common column, one C pass
    except TypeError:  # a blank or a number among them
        texts = [v.strip() if type(v) is str else "" if v is None else str(v).strip()
                 for v in values]
    return pd.Series(texts, index=df.index, dtype=object, name=key)


def _opt(df: pd.DataFrame, key: str) -> np.ndarray:
    """Column ``key`` as objects with blanks as None (pass-through text)."""
    if key not in df.columns:
        return np.full(len(df), None, dtype=object)
    s = df[key].astype(object)
    return s.where(s.notna(), None).to_numpy(dtype=object)


def _num(df: pd.DataFrame, key: str, default: float) -> np.ndarray:
    """Column ``key`` as a float array, blanks (and a missing column) as ``default``."""
    if key not in df.columns:
        return np.full(len(df), default, dtype=float)
    return pd.to_numeric(df[key], errors="coerce").fillna(default).to_numpy(dtype=float)


def _kop(amounts: np.ndarray) -> np.ndarray:
    """Hryvnias to kopiykas, half away from zero."""
    return money.to_units_array(amounts)


def _round_units(units: np.ndarray) -> np.ndarray:
    """Float amounts already in kopiykas to whole kopiykas, half away from zero."""
    return money.to_units_array(units, 0)


_HOUR_UNITS = frozenset({"година", "години", "годин", "год", "год.", "людино-година",
                         "людино-години", "hour", "hours"})
HOURS_MONTHLY = (9.0, 30.0)
"""Staff hours on an hourly service this many times its planned hours read as a month's
hours typed for the year: even with travel and paperwork a post gives a service at most
two or three hours for each hour of it."""


def _unit_checks(rows: pd.Index, uc: pd.DataFrame) -> list[Check]:
    """Planned units that look typed per month or per head: an hourly service whose staff
    give it 9–30 times its planned hours (``units_look_monthly``), a service counted in
    recipient-months whose units equal its recipients (``units_are_recipients``). Each
    makes the cost of a unit, and the tariff, that many times too high."""
    unit = uc["unit"].astype(object).map(
        lambda u: u.strip().casefold() if isinstance(u, str) else "")
    units = uc["planned_units"].to_numpy(dtype=float)
    hours = uc["hours"].to_numpy(dtype=float)
    recipients = uc["planned_recipients"].to_numpy(dtype=float)
    low, high = HOURS_MONTHLY
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = hours / units
    hourly = unit.isin(_HOUR_UNITS).to_numpy() & (units > 0) & (ratio >= low) & (ratio <= high)
    per_head = (unit == "отримувач-місяць").to_numpy() & (recipients > 1) & (units == recipients)
    ids = uc["service_id"].tolist()
    out = [Check("warning", "tblServices", _row(rows[i]), "planned_units", "units_look_monthly",
                 {"value": ids[i], "units": rounded(units[i]), "hours": rounded(hours[i]),
                  "share": rounded(100 * units[i] / hours[i])})
           for i in np.flatnonzero(hourly).tolist()]
    out += [Check("warning", "tblServices", _row(rows[i]), "planned_units",
                  "units_are_recipients", {"value": ids[i], "units": rounded(units[i])})
            for i in np.flatnonzero(per_head).tolist()]
    return sorted(out, key=lambda c: c.row or 0)


def _row(label: object) -> int | None:
    """A frame index label as a worksheet row number, when it is one."""
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        return int(label)
    return None
