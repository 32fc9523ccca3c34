"""Tests of the costing engine against hand-worked examples and money invariants.

Expected numbers come from the SPEC's formulas worked out by hand in the comments,
never from the engine's output.
"""

from __future__ import annotations

import math
import time as _time
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from koshtorys.core import money, schema
from koshtorys.core.messages import render
from koshtorys.core.settings import Settings
from koshtorys.engine import costing
from koshtorys.engine.costing import allocate_groups, compute_costs

# ----------------------------------------------------------------------------- builders


def _frame(name: str, rows: list[dict], first_row: int = 5) -> pd.DataFrame:
    """A validated input frame: schema columns, defaults filled, index = worksheet rows."""
    tbl = schema.table(name)
    data = []
    for r in rows:
        rec = {}
        for c in tbl.columns:
            v = r.get(c.key, c.default)
            rec[c.key] = v
        data.append(rec)
    df = pd.DataFrame(data, columns=tbl.column_keys)
    df.index = pd.Index(range(first_row, first_row + len(rows)))
    for c in tbl.columns:
        if c.kind in ("number", "money", "share"):
            df[c.key] = df[c.key].astype(float)
        elif c.kind in ("int", "year"):
            df[c.key] = df[c.key].astype(int)
        else:
            df[c.key] = df[c.key].astype(object)
    return df


def services(*rows: dict) -> pd.DataFrame:
    defaults = {"name": "Послуга", "unit": "година", "planned_recipients": 0}
    return _frame("tblServices", [defaults | r for r in rows])


def staff(*rows: dict) -> pd.DataFrame:
    return _frame("tblStaff", [{"title": "Посада", "months": 12} | r for r in rows])


def time(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return _frame("tblTime", [{"position_id": p, "service_id": s, "share": x}
                              for p, s, x in rows])


def costs(*rows: dict) -> pd.DataFrame:
    return _frame("tblCosts", [{"fund": "general"} | r for r in rows])


K = "0813104"
SETTINGS = Settings(plan_year=2026, esv_rate=0.22, min_wage=8000.0, hours_per_fte=2000.0)


def example() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three services, two direct posts and one indirect post, direct and shared costs."""
    svc = services(
        {"service_id": "S1", "planned_units": 1000, "planned_recipients": 50, "kpkvk": K},
        {"service_id": "S2", "planned_units": 500, "planned_recipients": 0, "kpkvk": K},
        {"service_id": "S3", "planned_units": 100, "planned_recipients": 10, "kpkvk": K},
    )
    stf = staff(
        # payroll 2 × 10000 × 12 = 240000; ЄСВ 52800; labor 292800
        {"position_id": "P1", "category": "direct", "fte": 2, "monthly_pay": 10000,
         "kpkvk": K},
        # payroll 1 × 12000 × 6 = 72000; ЄСВ 15840; labor 87840 (blank kpkvk)
        {"position_id": "P2", "category": "direct", "fte": 1, "monthly_pay": 12000,
         "months": 6},
        # payroll 1 × 15000 × 12 = 180000; ЄСВ 39600; labor 219600 — all to the pool
        {"position_id": "P3", "category": "indirect", "fte": 1, "monthly_pay": 15000,
         "kpkvk": K},
    )
    tm = time(("P1", "S1", 0.5), ("P1", "S2", 0.3), ("P2", "S2", 1.0))
    cst = costs(
        {"kekv": "2210", "amount": 10000, "service_id": "S1", "kpkvk": K},
        {"kekv": "2240", "amount": 5000, "service_id": "S3", "kpkvk": K},
        {"kekv": "2273", "amount": 30000, "kpkvk": K},
        {"kekv": "2240", "amount": 3000, "fund": "special"},
    )
    return svc, stf, tm, cst


# Hand computation shared by every base:
#   P1 292800 split 0.5 / 0.3 / rest 0.2 → S1 146400, S2 87840, pool 58560
#   P2 87840 → S2; P3 219600 → pool
#   direct_labor: S1 146400, S2 175680, S3 0; direct_other: S1 10000, S2 0, S3 5000
#   pool = 58560 + 219600 + 30000 + 3000 = 311160.00 = 31 116 000 kop
#   hours: P1 2 × 2000 × 12/12 = 4000 → S1 2000, S2 1200; P2 1 × 2000 × 6/12 = 1000 → S2
#   institution total = 292800 + 87840 + 219600 + 48000 = 648240.00
DIRECT_LABOR = {"S1": 146400.0, "S2": 175680.0, "S3": 0.0}
DIRECT_OTHER = {"S1": 10000.0, "S2": 0.0, "S3": 5000.0}
HOURS = {"S1": 2000.0, "S2": 2200.0, "S3": 0.0}
INDIRECT = {
    # weights 146400 : 175680 : 0 = 5/11 : 6/11 : 0
    # S1 31116000 × 5/11 = 14143636.36 → 14143636; S2 × 6/11 = 16972363.64 → 16972363
    # one kopiyka left → the larger remainder (.64) → S2 16972364
    "direct_labor": {"S1": 141436.36, "S2": 169723.64, "S3": 0.0},
    # weights 156400 : 175680 : 5000 (sum 337080)
    # S1 31116000 × 156400/337080 = 14437351.37; S2 × 175680/337080 = 16217096.48;
    # S3 × 5000/337080 = 461552.15; floors sum 31115999 → the extra kopiyka to S2 (.48)
    "direct_cost": {"S1": 144373.51, "S2": 162170.97, "S3": 4615.52},
    # weights 2000 : 2200 : 0 = 10/21 : 11/21
    # S1 31116000 × 10/21 = 14817142.86; S2 × 11/21 = 16298857.14 → extra kopiyka to S1
    "hours": {"S1": 148171.43, "S2": 162988.57, "S3": 0.0},
}
UNITS = {"S1": 1000.0, "S2": 500.0, "S3": 100.0}
RECIPIENTS = {"S1": 50.0, "S2": 0.0, "S3": 10.0}


def _kop(x: float) -> int:
    return money.to_units(x)


def _uc(result: costing.CostingResult) -> pd.DataFrame:
    return result.unit_costs.set_index("service_id")


# ----------------------------------------------------------------------------- examples


@pytest.mark.parametrize("base", ["direct_labor", "direct_cost", "hours"])
def test_hand_example(base: str) -> None:
    s = Settings(**{**SETTINGS.__dict__, "indirect_base": base})
    r = compute_costs(*example(), s)
    assert r.checks == []
    assert list(r.unit_costs.columns) == schema.table("tblUnitCosts").column_keys
    assert r.unit_costs["service_id"].tolist() == ["S1", "S2", "S3"]
    uc = _uc(r)
    for sid in ("S1", "S2", "S3"):
        row = uc.loc[sid]
        total = DIRECT_LABOR[sid] + DIRECT_OTHER[sid] + INDIRECT[base][sid]
        assert row["direct_labor"] == DIRECT_LABOR[sid]
        assert row["direct_other"] == DIRECT_OTHER[sid]
        assert row["indirect"] == INDIRECT[base][sid]
        assert row["total_cost"] == pytest.approx(total, abs=1e-9)
        assert row["hours"] == pytest.approx(HOURS[sid])
        assert row["planned_units"] == UNITS[sid]
        assert row["unit_cost"] == pytest.approx(total / UNITS[sid], rel=1e-12)
        assert row["unit_tariff"] == pytest.approx(total / UNITS[sid], rel=1e-12)  # VAT 0
        if RECIPIENTS[sid]:
            assert row["cost_per_recipient"] == pytest.approx(total / RECIPIENTS[sid])
        else:
            assert math.isnan(row["cost_per_recipient"])
        if HOURS[sid]:
            assert row["cost_per_hour"] == pytest.approx(total / HOURS[sid])
        else:
            assert math.isnan(row["cost_per_hour"])
    # Σ total_cost ties to the institution's total to the kopiyka.
    assert sum(_kop(v) for v in r.unit_costs["total_cost"]) == 64824000
    assert r.total_kop == 64824000
    assert r.total == 648240.0


def test_hand_example_exact_values_direct_labor() -> None:
    # S1 = 146400 + 10000 + 141436.36; S2 = 175680 + 169723.64; S3 = 5000
    uc = _uc(compute_costs(*example(), SETTINGS))
    assert uc["total_cost"].tolist() == [297836.36, 345403.64, 5000.0]
    assert uc.loc["S1", "unit_cost"] == pytest.approx(297.83636, rel=1e-12)
    assert uc.loc["S1", "cost_per_recipient"] == pytest.approx(5956.7272, rel=1e-12)
    assert uc.loc["S1", "cost_per_hour"] == pytest.approx(148.91818, rel=1e-12)
    assert uc.loc["S3", "unit_cost"] == 50.0
    assert uc.loc["S3", "cost_per_recipient"] == 500.0


def test_unit_cost_is_not_rounded() -> None:
    # 297836.36 / 1000 = 297.83636: more than two decimals survive.
    uc = _uc(compute_costs(*example(), SETTINGS))
    assert uc.loc["S1", "unit_cost"] != round(uc.loc["S1", "unit_cost"], 2)


def test_cost_by_kekv_example() -> None:
    r = compute_costs(*example(), SETTINGS)
    kb = r.cost_by_kekv
    assert list(kb.columns) == schema.table("tblCostByKekv").column_keys
    # 2111 = 240000 + 72000 + 180000; 2120 = 52800 + 15840 + 39600; P2 and the special
    # cost row have a blank kpkvk and take the services' only kpkvk.
    expected = [
        (K, "2111", "general", 492000.0),
        (K, "2120", "general", 108240.0),
        (K, "2210", "general", 10000.0),
        (K, "2240", "general", 5000.0),
        (K, "2240", "special", 3000.0),
        (K, "2273", "general", 30000.0),
    ]
    assert [tuple(x) for x in kb.itertuples(index=False)] == expected
    assert sum(_kop(v) for v in kb["amount"]) == r.total_kop


def test_kpkvk_fallbacks_with_two_programs() -> None:
    svc = services(
        {"service_id": "A", "planned_units": 1, "kpkvk": "0813104"},
        {"service_id": "B", "planned_units": 1, "kpkvk": "0813105"},
        {"service_id": "C", "planned_units": 1},
    )
    stf = staff({"position_id": "P", "category": "indirect", "fte": 1, "monthly_pay": 10000})
    cst = costs(
        {"kekv": "2210", "amount": 100, "service_id": "B"},  # → B's kpkvk
        {"kekv": "2210", "amount": 200, "service_id": "C"},  # C has none, two in use → ""
        {"kekv": "2210", "amount": 400},  # shared, two in use → ""
        {"kekv": "2210", "amount": 800, "service_id": "A", "kpkvk": "0813199"},  # own
    )
    kb = compute_costs(svc, stf, None, cst, SETTINGS).cost_by_kekv
    # staff P: 120000 payroll, 26400 ЄСВ, blank kpkvk → ""
    assert [tuple(x) for x in kb.itertuples(index=False)] == [
        ("", "2111", "general", 120000.0),
        ("", "2120", "general", 26400.0),
        ("", "2210", "general", 600.0),
        ("0813105", "2210", "general", 100.0),
        ("0813199", "2210", "general", 800.0),
    ]


def test_min_wage_top_up_warns_and_costs_at_minimum() -> None:
    svc = services({"service_id": "S1", "planned_units": 10})
    stf = staff(
        {"position_id": "P1", "category": "direct", "fte": 0.5, "monthly_pay": 7000},
        {"position_id": "P0", "category": "direct", "fte": 0, "monthly_pay": 100},
    )
    r = compute_costs(svc, stf, time(("P1", "S1", 1.0)), None, SETTINGS)
    # 0.5 × 8000 × 12 = 48000; ЄСВ 10560; labor 58560, all direct to S1
    assert _uc(r).loc["S1", "direct_labor"] == 58560.0
    assert r.total_kop == 5856000
    (chk,) = r.checks  # the fte-0 post costs nothing and is not warned about
    assert (chk.severity, chk.table, chk.row, chk.column, chk.code) == (
        "warning", "tblStaff", 5, "monthly_pay", "below_min_wage")
    assert (chk.params["value"], chk.params["min_wage"]) == (7000.0, 8000.0)
    assert "7000" in render("below_min_wage", "en", chk.params | {"where": "Staff!E5"})


@pytest.mark.parametrize("fte,pay,whole", [(0.5, 7000, "14 000"), (0.5, 4000, "8 000"),
                                           (0.5, 3999, None), (1, 7000, None),
                                           (0.25, 2500, "10 000"), (2, 7000, None)])
def test_a_part_posts_pay_below_the_minimum_is_asked_whether_it_is_the_whole_posts(
        fte: float, pay: float, whole: str | None) -> None:
    """4 000 for half a post: below the minimum wage of 8 000 for a post, but the whole
    post pays 8 000. The column takes the whole post's pay (it is multiplied by the
    posts), so the warning says which figure to type; the cost is the same either way."""
    svc = services({"service_id": "S1", "planned_units": 10})
    stf = staff({"position_id": "P1", "category": "direct", "fte": fte, "monthly_pay": pay})
    r = compute_costs(svc, stf, time(("P1", "S1", 1.0)), None, SETTINGS)
    (chk,) = r.checks
    assert chk.code == "below_min_wage"
    uk, en = chk.message("uk"), chk.message("en")
    assert ("цілої ставки" in uk) is (whole is not None)
    assert ("whole post" in en) is (whole is not None)
    if whole is not None:
        assert f"оплату цілої ставки — {whole.replace(' ', chr(0xA0))},00 грн" in uk
        assert f"type the whole post's pay, {whole.replace(' ', '')}.00 UAH" in en
        assert f"Якщо це оплата {str(fte).replace('.', ',')} ставки" in uk
    assert _uc(r).loc["S1", "direct_labor"] == pytest.approx(
        float(Fraction(str(fte)) * 8000 * 12 * Fraction(122, 100)))  # costed at the minimum


def test_a_monthly_pay_of_ten_minimum_wages_is_asked_about_and_costed_as_typed() -> None:
    """324 000 typed for a 27 000 director (the year's pay): a warning, not a silent 12×."""
    svc = services({"service_id": "S1", "planned_units": 10})
    stf = staff(
        {"position_id": "P1", "category": "direct", "fte": 1, "monthly_pay": 79_999.99},
        {"position_id": "P2", "category": "direct", "fte": 0.5, "monthly_pay": 96_000},
        {"position_id": "P0", "category": "direct", "fte": 0, "monthly_pay": 500_000},
    )
    r = compute_costs(svc, stf, time(("P1", "S1", 1.0), ("P2", "S1", 1.0)), None, SETTINGS)
    (chk,) = r.checks  # min wage 8000: 79 999.99 is under ten of them; an fte-0 post costs 0
    assert (chk.severity, chk.table, chk.row, chk.column, chk.code) == (
        "warning", "tblStaff", 6, "monthly_pay", "pay_looks_annual")
    assert chk.params == {"value": 96000.0, "times": 12, "monthly": 8000.0}
    assert "12 мінімальних" in render("pay_looks_annual", "uk", chk.params | {"where": "E5"})
    # computed as typed, each post's payroll and its ЄСВ (22 %) in kopiykas
    p1, p2 = 7_999_999 * 12, 9_600_000 * 12 // 2
    esv = (Fraction(p1) * Fraction(22, 100), Fraction(p2) * Fraction(22, 100))
    assert r.total_kop == p1 + p2 + sum(int(e + Fraction(1, 2)) for e in esv)


def test_a_direct_post_with_no_time_is_said_and_its_labor_is_indirect() -> None:
    """SPEC: a direct post's unallocated labor is in the pool; all of it, with no tblTime
    row at all, is most likely a forgotten post: a warning naming it and the amount."""
    svc = services({"service_id": "S1", "planned_units": 10},
                   {"service_id": "S2", "planned_units": 10})
    stf = staff(
        {"position_id": "P1", "category": "direct", "fte": 1, "monthly_pay": 10000},
        {"position_id": "P2", "category": "direct", "fte": 0.5, "monthly_pay": 9000},
        {"position_id": "P3", "category": "direct", "fte": 1, "monthly_pay": 9000,
         "months": 6},  # half its time on S2: partly allocated, not warned about
    )
    r = compute_costs(svc, stf, time(("P1", "S1", 1.0), ("P3", "S2", 0.5)), None, SETTINGS)
    (chk,) = r.checks
    assert (chk.severity, chk.table, chk.row, chk.column, chk.code) == (
        "warning", "tblStaff", 6, "category", "direct_post_no_time")
    assert chk.params == {"value": "P2", "amount": 65880.0}  # 0.5 × 9000 × 12 × 1.22
    uc = _uc(r)
    # S1: P1 only (146 400); P2's 65 880 and half of P3's 65 880 are the pool
    assert uc.loc["S1", "direct_labor"] == 146400.0
    assert uc.loc["S2", "direct_labor"] == 32940.0
    assert uc["indirect"].sum() == 65880.0 + 32940.0
    assert r.total_kop == (146400 + 65880 + 65880) * 100


def test_vat_on_tariff() -> None:
    s = Settings(**{**SETTINGS.__dict__, "vat_rate": 0.2})
    uc = _uc(compute_costs(*example(), s))
    # S3: 5000 / 100 = 50 per unit; × 1.2 = 60
    assert uc.loc["S3", "unit_cost"] == 50.0
    assert uc.loc["S3", "unit_tariff"] == pytest.approx(60.0)
    assert uc.loc["S1", "unit_tariff"] == pytest.approx(297.83636 * 1.2, rel=1e-12)


def test_blank_recipients_and_hours() -> None:
    svc = services({"service_id": "S", "planned_units": 4, "planned_recipients": 0})
    cst = costs({"kekv": "2210", "amount": 100, "service_id": "S"})
    row = _uc(compute_costs(svc, staff(), None, cst, SETTINGS)).loc["S"]
    assert row["total_cost"] == 100.0 and row["unit_cost"] == 25.0
    assert math.isnan(row["cost_per_recipient"])
    assert row["hours"] == 0.0 and math.isnan(row["cost_per_hour"])


def test_pool_unallocated() -> None:
    svc = services({"service_id": "S1", "planned_units": 1},
                   {"service_id": "S2", "planned_units": 1})
    stf = staff({"position_id": "D", "category": "indirect", "fte": 1, "monthly_pay": 10000})
    cst = costs({"kekv": "2210", "amount": 50, "service_id": "S1"},
                {"kekv": "2273", "amount": 1000})
    r = compute_costs(svc, stf, None, cst, SETTINGS)  # base direct_labor: all zero
    (chk,) = r.checks
    # pool = 120000 + 26400 + 1000 = 147400
    assert (chk.severity, chk.table, chk.row, chk.code) == ("error", "", None,
                                                           "pool_unallocated")
    assert chk.params == {"amount": 147400.0, "base": "direct_labor"}
    uc = _uc(r)
    assert uc["indirect"].tolist() == [0.0, 0.0]
    assert uc["total_cost"].tolist() == [50.0, 0.0]
    assert r.total_kop == 14745000
    # direct_cost has a non-zero base (S1's 50) and takes the whole pool
    r2 = compute_costs(svc, stf, None, cst,
                       Settings(**{**SETTINGS.__dict__, "indirect_base": "direct_cost"}))
    assert _uc(r2)["indirect"].tolist() == [147400.0, 0.0]
    # … and S2, with nothing of its own, costs nothing: said (not while the pool was
    # unspread above: that error is the reason)
    assert [(c.severity, c.row, c.code, c.params) for c in r2.checks] == [
        ("warning", 6, "service_no_cost", {"value": "S2", "base": "direct_cost"})]


def test_no_services() -> None:
    stf = staff({"position_id": "P", "category": "indirect", "fte": 1, "monthly_pay": 10000})
    r = compute_costs(services(), stf, None, None, SETTINGS)
    assert r.unit_costs.empty
    assert list(r.unit_costs.columns) == schema.table("tblUnitCosts").column_keys
    assert [c.code for c in r.checks] == ["no_services"]
    assert r.checks[0].severity == "error"
    assert r.cost_by_kekv["amount"].sum() == pytest.approx(146400.0)
    # nothing to cost, nothing to say
    assert compute_costs(services(), staff(), None, None, SETTINGS).checks == []


def test_time_rows_ignored_and_oversized_shares_scaled() -> None:
    svc = services({"service_id": "S1", "planned_units": 1},
                   {"service_id": "S2", "planned_units": 1})
    stf = staff(
        # labor 1 × 10000 × 12 × 1.22 = 146400; shares 0.9 + 0.6 = 1.5 → 0.6 / 0.4
        {"position_id": "D", "category": "direct", "fte": 1, "monthly_pay": 10000},
        # indirect: its time row is ignored; labor 1 × 9000 × 12 × 1.22 = 131760 → pool
        {"position_id": "I", "category": "indirect", "fte": 1, "monthly_pay": 9000},
    )
    tm = time(("D", "S1", 0.9), ("D", "S2", 0.6), ("I", "S1", 1.0),
              ("X", "S1", 1.0), ("D", "NOPE", 0.1))
    r = compute_costs(svc, stf, tm, None, SETTINGS)
    uc = _uc(r)
    # direct_labor S1 146400 × 0.6 = 87840, S2 58560; pool 131760 split 0.6 / 0.4
    assert uc["direct_labor"].tolist() == [87840.0, 58560.0]
    assert uc["indirect"].tolist() == [79056.0, 52704.0]
    # hours use the same scaled shares: 2000 × 0.6 and 2000 × 0.4
    assert uc["hours"].tolist() == pytest.approx([1200.0, 800.0])


def test_cost_for_unknown_service_goes_to_pool() -> None:
    svc = services({"service_id": "S1", "planned_units": 1},
                   {"service_id": "S2", "planned_units": 1})
    cst = costs({"kekv": "2210", "amount": 30, "service_id": "S1"},
                {"kekv": "2210", "amount": 10, "service_id": "S2"},
                {"kekv": "2210", "amount": 8, "service_id": "GONE"})
    s = Settings(**{**SETTINGS.__dict__, "indirect_base": "direct_cost"})
    uc = _uc(compute_costs(svc, staff(), None, cst, s))
    # pool 8 split 30 : 10 → 6 and 2
    assert uc["indirect"].tolist() == [6.0, 2.0]
    assert uc["total_cost"].sum() == 48.0


def test_inputs_not_mutated() -> None:
    frames = example()
    before = [f.copy(deep=True) for f in frames]
    compute_costs(*frames, SETTINGS)
    for a, b in zip(frames, before, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_scaling_example_by_three() -> None:
    # every amount × 3: all roundings in the example are exact, so the total is exactly × 3
    svc, stf, tm, cst = example()
    stf = stf.assign(monthly_pay=stf["monthly_pay"] * 3)
    cst = cst.assign(amount=cst["amount"] * 3)
    s = Settings(**{**SETTINGS.__dict__, "min_wage": 24000.0})
    r = compute_costs(svc, stf, tm, cst, s)
    assert r.total_kop == 3 * 64824000
    assert r.checks == []
    # S1 3 × 31116000 × 5/11 = 42430909.09 → 42430909; S2 50917090.91 → 50917091
    assert _uc(r)["indirect"].tolist() == [424309.09, 509170.91, 0.0]



# ----------------------------------------------------------------------------- properties


@given(st.lists(st.tuples(st.integers(-10**9, 10**9),
                          st.lists(st.integers(0, 50), min_size=1, max_size=6)),
                min_size=1, max_size=8))
def test_allocate_groups_matches_money_allocate(groups: list[tuple[int, list[int]]]) -> None:
    totals = np.array([t for t, _ in groups])
    gid = np.concatenate([np.full(len(w), i) for i, (_, w) in enumerate(groups)])
    weights = np.concatenate([np.array(w, dtype=float) for _, w in groups])
    got = allocate_groups(totals, gid, weights).tolist()
    want = [x for t, w in groups for x in money.allocate(t, w)]
    assert got == want


IDS = ["S1", "S2", "S3", "S4", "S5"]
KEKVS = ["2210", "2240", "2273", "2282"]
KPKVKS = [None, "0813104", "0813105"]


@st.composite
def inputs(draw: st.DrawFn, exact: bool = False) -> dict:
    """Random valid inputs. ``exact``: pay in hundreds of hryvnias, fte in halves, ЄСВ 0 or
    22 % and shares adding up to ≤ 1, so every payroll, ЄСВ and labor split is a whole
    number of kopiykas and only the pool's split rounds."""
    n_s = draw(st.integers(1, 5))
    ids = IDS[:n_s]
    svc = [{"service_id": i, "planned_units": draw(st.integers(1, 1000)),
            "planned_recipients": draw(st.integers(0, 50)),
            "kpkvk": draw(st.sampled_from(KPKVKS))} for i in ids]
    n_p = draw(st.integers(0, 6))
    if exact:
        ftes, pay = [0, 0.5, 1, 2, 3], st.integers(0, 300).map(lambda x: 100.0 * x)
    else:
        ftes, pay = [0, 0.25, 0.5, 1, 1.5, 2, 3.75], st.integers(0, 3_000_000).map(
            lambda x: x / 100)
    stf = [{"position_id": f"P{j}", "category": draw(st.sampled_from(["direct", "indirect"])),
            "fte": draw(st.sampled_from(ftes)), "monthly_pay": draw(pay),
            "months": draw(st.integers(1, 12)),
            "kpkvk": draw(st.sampled_from(KPKVKS))} for j in range(n_p)]
    tm = []
    for j in range(n_p):
        budget = 100
        for i in draw(st.lists(st.sampled_from([*ids, "SX"]), unique=True, max_size=4)):
            pct = draw(st.integers(0, budget if exact else 100))
            budget -= pct
            tm.append((f"P{j}", i, pct / 100))
    cst = [{"kekv": draw(st.sampled_from(KEKVS)),
            "amount": draw(st.integers(0, 5_000_000)) / 100,
            "service_id": draw(st.sampled_from([*ids, None, None, "SX"])),
            "kpkvk": draw(st.sampled_from(KPKVKS)),
            "fund": draw(st.sampled_from(["general", "special"]))}
           for _ in range(draw(st.integers(0, 6)))]
    rates = [0.0, 0.22] if exact else [0.0, 0.22, 0.0841]
    s = Settings(plan_year=2026,
                 esv_rate=draw(st.sampled_from(rates)),
                 min_wage=draw(st.sampled_from([0.0, 8000.0])),
                 hours_per_fte=1992.0,
                 indirect_base=draw(st.sampled_from(["direct_labor", "direct_cost", "hours"])),
                 vat_rate=draw(st.sampled_from([0.0, 0.2])))
    return {"services": svc, "staff": stf, "time": tm, "costs": cst, "settings": s}


def _scaled(d: dict, k: int) -> dict:
    """``d`` with every amount (pay, costs, the minimum wage) multiplied by ``k``."""
    s = d["settings"]
    return {
        **d,
        "staff": [p | {"monthly_pay": p["monthly_pay"] * k} for p in d["staff"]],
        "costs": [c | {"amount": c["amount"] * k} for c in d["costs"]],
        "settings": Settings(**{**s.__dict__, "min_wage": s.min_wage * k}),
    }


def _build(d: dict) -> tuple:
    return (services(*d["services"]), staff(*d["staff"]), time(*d["time"]),
            costs(*d["costs"]), d["settings"])


def _expected_total(d: dict) -> int:
    """The institution's total by the SPEC, in plain Python, post by post."""
    s = d["settings"]
    total = 0
    for p in d["staff"]:
        pay = p["monthly_pay"]
        if p["fte"] > 0 and pay < s.min_wage:
            pay = s.min_wage
        payroll = money.to_units(p["fte"] * pay * p["months"])
        total += payroll + money.to_units(payroll * s.esv_rate, 0)
    return total + sum(money.to_units(c["amount"]) for c in d["costs"])


PROPS = hsettings(max_examples=100, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(inputs())
def test_totals_tie_to_the_kopiyka(d: dict) -> None:
    r = compute_costs(*_build(d))
    expected = _expected_total(d)
    assert r.total_kop == expected
    uc = r.unit_costs
    kop = {c: [_kop(v) for v in uc[c]] for c in ("direct_labor", "direct_other", "indirect",
                                                  "total_cost")}
    for dl, do, ind, tot in zip(*kop.values(), strict=True):
        assert dl + do + ind == tot
    unallocated = [c for c in r.checks if c.code == "pool_unallocated"]
    missing = _kop(unallocated[0].params["amount"]) if unallocated else 0
    assert sum(kop["total_cost"]) + missing == expected
    assert sum(_kop(v) for v in r.cost_by_kekv["amount"]) == expected
    assert (r.cost_by_kekv["amount"] != 0).all()
    keys = list(r.cost_by_kekv[["kpkvk", "kekv", "fund"]].itertuples(index=False))
    assert keys == sorted(keys)


@PROPS
@given(inputs(exact=True), st.integers(2, 7))
def test_scaling_amounts_scales_totals(d: dict, k: int) -> None:
    base = compute_costs(*_build(d))
    big = compute_costs(*_build(_scaled(d, k)))
    assert big.total_kop == k * base.total_kop
    assert [c.code for c in big.checks] == [c.code for c in base.checks]
    a, b = base.unit_costs, big.unit_costs
    for c in ("direct_labor", "direct_other"):
        assert [_kop(x) for x in b[c]] == [k * _kop(x) for x in a[c]]
    # only the pool's split rounds: within 1 kopiyka of exact at each scale
    for c in ("indirect", "total_cost"):
        for x, y in zip(a[c], b[c], strict=True):
            assert abs(_kop(y) - k * _kop(x)) <= k + 1
    assert b["unit_cost"].tolist() == pytest.approx((k * a["unit_cost"]).tolist(),
                                                   rel=1e-9, abs=(k + 1) / 100, nan_ok=True)


@PROPS
@given(inputs(), st.integers(2, 7))
def test_scaling_institution_total_within_kopiykas(d: dict, k: int) -> None:
    base = compute_costs(*_build(d))
    big = compute_costs(*_build(_scaled(d, k)))
    # payroll and ЄСВ per post and each cost row are rounded once: each < k kop apart
    n_round = 2 * len(d["staff"]) + len(d["costs"])
    assert abs(big.total_kop - k * base.total_kop) <= k * max(n_round, 1)


@PROPS
@given(inputs(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(d: dict, rnd) -> None:
    frames = _build(d)
    shuffled = []
    for f in frames[:4]:
        order = list(range(len(f)))
        rnd.shuffle(order)
        shuffled.append(f.iloc[order])  # the index (worksheet row) travels with the row
    a = compute_costs(*frames)
    b = compute_costs(*shuffled, d["settings"])
    ua = a.unit_costs.sort_values("service_id").reset_index(drop=True)
    ub = b.unit_costs.sort_values("service_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(ua, ub, check_exact=False, rtol=1e-12)
    for c in ("direct_labor", "direct_other", "indirect", "total_cost"):
        assert ua[c].tolist() == ub[c].tolist()
    pd.testing.assert_frame_equal(a.cost_by_kekv, b.cost_by_kekv)
    assert a.total_kop == b.total_kop

    def key(c):
        return (c.severity, c.table, c.row or 0, c.column or "", c.code)

    assert sorted(map(key, a.checks)) == sorted(map(key, b.checks))


# ----------------------------------------------------------------------------- size


def test_large_input_is_fast_and_ties() -> None:
    rng = np.random.default_rng(7)
    n_s, n_p, n_c = 120, 600, 3000
    ids = [f"S{i:03d}" for i in range(n_s)]
    svc = pd.DataFrame({"service_id": ids, "name": "x", "unit": "година",
                        "planned_units": rng.integers(1, 5000, n_s).astype(float),
                        "planned_recipients": rng.integers(0, 100, n_s).astype(float),
                        "kpkvk": rng.choice(["0813104", "0813105"], n_s).astype(object)})
    stf = pd.DataFrame({"position_id": [f"P{j}" for j in range(n_p)], "title": "x",
                        "category": rng.choice(["direct", "indirect"], n_p).astype(object),
                        "fte": rng.integers(0, 8, n_p) / 4,
                        "monthly_pay": rng.integers(500_000, 3_000_000, n_p) / 100,
                        "months": rng.integers(1, 13, n_p), "kpkvk": None})
    tp = rng.integers(0, n_p, 2000)
    tm = pd.DataFrame({"position_id": [f"P{j}" for j in tp],
                       "service_id": rng.choice(ids, 2000).astype(object),
                       "share": rng.integers(0, 40, 2000) / 100})
    cst = pd.DataFrame({"kekv": rng.choice(KEKVS, n_c).astype(object), "description": "",
                        "amount": rng.integers(0, 10_000_000, n_c) / 100,
                        "service_id": rng.choice([*ids, None], n_c).astype(object),
                        "kpkvk": None, "fund": "general"})
    for f, first in ((svc, 5), (stf, 5), (tm, 5), (cst, 5)):
        f.index = pd.RangeIndex(first, first + len(f))
    t0 = _time.perf_counter()
    r = compute_costs(svc, stf, tm, cst, SETTINGS)
    elapsed = _time.perf_counter() - t0
    assert elapsed < 5.0
    assert sum(_kop(v) for v in r.unit_costs["total_cost"]) == r.total_kop
    assert sum(_kop(v) for v in r.cost_by_kekv["amount"]) == r.total_kop


def test_a_payroll_on_an_exact_half_kopiyka_rounds_up() -> None:
    # 7,5 posts × 16 384,37 × 9 months = 1 105 944,975 exactly: 1 105 944,98 (half up);
    # in binary floating point the product is …944,97499999, a hair under the half
    svc = services({"service_id": "S1", "planned_units": 100.0})
    stf = staff({"position_id": "P1", "category": "direct", "fte": 7.5,
                 "monthly_pay": 16384.37, "months": 9})
    r = compute_costs(svc, stf, time(("P1", "S1", 1.0)), costs(), SETTINGS)
    by = r.cost_by_kekv.set_index("kekv")["amount"]
    assert by["2111"] == 1105944.98
    assert by["2120"] == 243307.90  # 22 % of 1 105 944,98 = 243 307,8956 → ,90


@hsettings(max_examples=200, deadline=None)
@given(st.integers(1, 400), st.integers(800_000, 5_000_000), st.integers(1, 12))
def test_payroll_is_the_typed_figures_rounded_half_up(quarters: int, pay_kop: int,
                                                      months: int) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    fte, pay = quarters / 4, pay_kop / 100  # fte in quarters, pay in kopiykas, as typed
    svc = services({"service_id": "S1", "planned_units": 100.0})
    stf = staff({"position_id": "P1", "category": "direct", "fte": fte, "monthly_pay": pay,
                 "months": months})
    r = compute_costs(svc, stf, time(("P1", "S1", 1.0)), costs(), SETTINGS)
    wage = max(Decimal(pay_kop) / 100, Decimal(8000))
    exact = Decimal(quarters) / 4 * wage * months
    want = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(str(r.cost_by_kekv.set_index("kekv")["amount"]["2111"])) == want


def test_a_line_with_no_program_in_a_book_of_two_is_said_with_its_amount() -> None:
    """36 social workers with the КПКВК cell left blank, in a book of two programs: their
    4.7 million went into tblCostByKekv under no program, so into no request; the only
    sign was the need_differs_from_costs of another table."""
    svc = services({"service_id": "A", "planned_units": 10, "kpkvk": "0813104"},
                   {"service_id": "B", "planned_units": 10, "kpkvk": "0813102"})
    stf = staff({"position_id": "P1", "category": "indirect", "fte": 1, "monthly_pay": 10000},
                {"position_id": "P2", "category": "indirect", "fte": 1, "monthly_pay": 10000,
                 "kpkvk": "0813104"})
    cst = costs({"kekv": "2210", "amount": 300.0},  # shared, no program: said
                {"kekv": "2210", "amount": 200.0, "service_id": "B"},  # B's program
                {"kekv": "2240", "amount": 0.0})  # nothing to lose: not said
    r = compute_costs(svc, stf, None, cst, SETTINGS)
    found = [c for c in r.checks if c.code == "no_program"]
    assert [(c.table, c.row, c.column, c.params["amount"]) for c in found] == [
        ("tblStaff", 5, "kpkvk", 146_400.0),  # 10 000 × 12 × 1.22
        ("tblCosts", 5, "kpkvk", 300.0)]
    assert "0813102, 0813104" in found[0].message("uk")
    # one program in the book: the blank is that program's, nothing said
    one = services({"service_id": "A", "planned_units": 10, "kpkvk": "0813104"})
    r = compute_costs(one, stf, None, cst.iloc[[0, 2]], SETTINGS)
    assert not [c for c in r.checks if c.code == "no_program"]
