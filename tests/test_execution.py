"""Quarterly execution: hand-computed example, flags, as_of, summary and invariants."""

from __future__ import annotations

import doctest
import math
import pathlib
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.core import schema
from koshtorys.engine import execution
from koshtorys.engine.execution import compute_variance

M = [f"m{i:02d}" for i in range(1, 13)]
COLS = ["kpkvk", "kekv", "fund", *M]
NAN = float("nan")


def frame(rows: list[tuple[str, str, str, dict[int, float]]], start: int = 5) -> pd.DataFrame:
    """Rows of (kpkvk, kekv, fund, {month: amount}); months not given are blank."""
    data = [[k, e, f, *[months.get(m, NAN) for m in range(1, 13)]] for k, e, f, months in rows]
    return pd.DataFrame(data, columns=COLS, index=range(start, start + len(data)))


def every(amount: float, months: range = range(1, 13)) -> dict[int, float]:
    return {m: amount for m in months}


A1 = ("0813104", "2111", "general")
A2 = ("0813104", "2120", "general")
B1 = ("0813105", "2210", "special")
B2 = ("0813105", "2240", "general")

# Plan: A1 100/month; A2 50/month from July; B1 10/month given as two rows (6 + 4).
PLAN = frame([
    (*A1, every(100.0)),
    (*A2, every(50.0, range(7, 13))),
    (*B1, every(6.0)),
    (*B1, every(4.0)),
])
# Actuals: nothing anywhere in Q2 except B2's May; nothing at all in Q4.
ACTUAL = frame([
    (*A1, {1: 100.0, 2: 100.0, 3: 100.0, 7: 100.0, 8: 100.0, 9: 100.0}),
    (*A2, {1: 20.0, 8: 200.0}),
    (*B1, {1: 10.0, 2: 10.0, 3: 10.0, 9: 55.0}),
    (*B2, {5: 40.0}),
])

# (key, quarter): plan, actual, variance, exec_pct, plan_ytd, actual_ytd, exec_pct_ytd,
# annual_plan, exec_pct_annual, forecast, flag — all worked out by hand from the SPEC.
EXPECTED = {
    (A1, 1): (300, 300, 0, 1.0, 300, 300, 1.0, 1200, 0.25, 1200, "ok"),
    (A1, 2): (300, 0, -300, 0.0, 600, 300, 0.5, 1200, 0.25, 600, "under"),
    (A1, 3): (300, 300, 0, 1.0, 900, 600, 600 / 900, 1200, 0.5, 800, "under"),
    # No plan yet: forecast = actual_ytd + the plan still ahead (300).
    (A2, 1): (0, 20, 20, NAN, 0, 20, NAN, 300, 20 / 300, 320, "unplanned"),
    (A2, 2): (0, 0, 0, NAN, 0, 20, NAN, 300, 20 / 300, 320, "unplanned"),
    (A2, 3): (150, 200, 50, 200 / 150, 150, 220, 220 / 150, 300, 220 / 300, 440, "over"),
    (B1, 1): (30, 30, 0, 1.0, 30, 30, 1.0, 120, 0.25, 120, "ok"),
    (B1, 2): (30, 0, -30, 0.0, 60, 30, 0.5, 120, 0.25, 60, "under"),
    # 85 / 90 = 94.4 % is not under the 90 % threshold; 120 × 85 / 90 = 113.333…
    (B1, 3): (30, 55, 25, 55 / 30, 90, 85, 85 / 90, 120, 85 / 120, 113.33, "ok"),
    (B2, 1): (0, 0, 0, NAN, 0, 0, NAN, 0, NAN, 0, "ok"),
    (B2, 2): (0, 40, 40, NAN, 0, 40, NAN, 0, NAN, 40, "unplanned"),
    (B2, 3): (0, 0, 0, NAN, 0, 40, NAN, 0, NAN, 40, "unplanned"),
}
MEASURES = schema.table("tblVariance").column_keys[4:]


def same(a: object, b: object) -> bool:
    if isinstance(b, str):
        return a == b
    if math.isnan(b):
        return a is None or math.isnan(a)
    return a == pytest.approx(b, abs=1e-9)


def test_hand_example_every_row() -> None:
    r = compute_variance(PLAN, ACTUAL)
    assert r.as_of == 3
    assert r.checks == []
    v = r.variance
    assert list(v.columns) == schema.table("tblVariance").column_keys
    # Union of keys, quarters 1..as_of, sorted by kpkvk, kekv, fund, quarter.
    assert [(*k, q) for k, q in EXPECTED] == list(
        v[["kpkvk", "kekv", "fund", "quarter"]].itertuples(index=False, name=None)
    )
    for (key, q), want in EXPECTED.items():
        row = v[(v["kekv"] == key[1]) & (v["quarter"] == q)].iloc[0]
        for col, w in zip(MEASURES, want, strict=True):
            assert same(row[col], w), (key, q, col, row[col], w)


def test_as_of_skips_empty_fourth_quarter_and_keeps_empty_second() -> None:
    r = compute_variance(PLAN, ACTUAL)
    assert sorted(set(r.variance["quarter"])) == [1, 2, 3]
    assert list(r.quarters["quarter"]) == [1, 2, 3]
    # Q1: 300 + 0 + 30 plan, 300 + 20 + 30 actual; Q2: 330 / 40; Q3: 300 + 150 + 30 / 555.
    assert list(r.quarters["plan"]) == [330.0, 330.0, 480.0]
    assert list(r.quarters["actual"]) == [350.0, 40.0, 555.0]


def test_summary_per_program_and_total() -> None:
    r = compute_variance(PLAN, ACTUAL, total_label="Усього")
    s = r.summary
    assert list(s.columns) == schema.table("tblVarianceSummary").column_keys
    assert list(s["kpkvk"]) == ["0813104", "0813105", "Усього"]
    assert s["kekv"].isna().all() and s["fund"].isna().all()
    assert list(s["quarter"]) == [3, 3, 3]
    # 0813104 at Q3: plan 300+150, actual 300+200, ytd 900+150 / 600+220, annual 1500.
    # 0813105: plan 30, actual 55, ytd 90 / 85+40, annual 120.
    want = {
        "0813104": (450, 500, 50, 500 / 450, 1050, 820, 820 / 1050, 1500, 820 / 1500,
                    1171.43, "under"),
        "0813105": (30, 55, 25, 55 / 30, 90, 125, 125 / 90, 120, 125 / 120, 166.67, "over"),
        "Усього": (480, 555, 75, 555 / 480, 1140, 945, 945 / 1140, 1620, 945 / 1620,
                   1342.89, "under"),
    }
    for _, row in s.iterrows():
        for col, w in zip(MEASURES, want[row["kpkvk"]], strict=True):
            assert same(row[col], w), (row["kpkvk"], col, row[col], w)


def test_under_threshold_is_an_option() -> None:
    r = compute_variance(PLAN, ACTUAL, under_threshold=0.95)
    row = r.variance[(r.variance["kekv"] == "2210") & (r.variance["quarter"] == 3)].iloc[0]
    assert row["flag"] == "under"  # 85 / 90 = 0.944 < 0.95


def test_float_noise_is_not_over() -> None:
    plan = frame([("0813104", "2111", "general", {1: 0.3})])
    actual = frame([("0813104", "2111", "general", {1: 0.1, 2: 0.2})])  # 0.30000000000000004
    r = compute_variance(plan, actual)
    assert r.variance["flag"].tolist() == ["ok"]
    assert r.variance["variance"].tolist() == [0.0]


def test_no_actuals_gives_a_warning_and_empty_frames() -> None:
    actual = frame([(*A1, {})])
    r = compute_variance(PLAN, actual)
    assert r.as_of is None
    assert r.variance.empty and r.summary.empty and r.quarters.empty
    assert list(r.variance.columns) == schema.table("tblVariance").column_keys
    assert [(c.severity, c.table, c.row, c.code) for c in r.checks] == [
        ("warning", "tblActuals", None, "no_actuals")
    ]
    assert compute_variance(PLAN, ACTUAL.iloc[:0]).as_of is None


def test_inputs_are_not_mutated() -> None:
    plan, actual = PLAN.copy(), ACTUAL.copy()
    compute_variance(plan, actual)
    pd.testing.assert_frame_equal(plan, PLAN)
    pd.testing.assert_frame_equal(actual, ACTUAL)


def test_engine_is_pure() -> None:
    text = pathlib.Path(execution.__file__).read_text(encoding="utf-8")
    assert "openpyxl" not in text and "xlwings" not in text


def test_doctests() -> None:
    assert doctest.testmod(execution).failed == 0


def test_large_institution_is_instant() -> None:
    rng = np.random.default_rng(1)
    rows = [
        [f"08{p:05d}", f"2{k:03d}", f, *rng.integers(0, 10**7, 12) / 100]
        for p in range(60) for k in range(25) for f in ("general", "special")
    ]
    plan = pd.DataFrame(rows, columns=COLS)
    actual = plan.copy()
    actual[M[7:]] = NAN
    t = time.perf_counter()
    r = compute_variance(plan, actual)
    assert time.perf_counter() - t < 1.0
    assert r.as_of == 3 and len(r.variance) == 60 * 25 * 2 * 3 and len(r.summary) == 61


# --- properties --------------------------------------------------------------------

KEYS = st.sampled_from([A1, A2, B1, B2, ("0813106", "2800", "special")])
AMOUNT = st.one_of(st.just(NAN), st.integers(0, 10**8).map(lambda k: k / 100))
ROWS = st.lists(st.tuples(KEYS, st.lists(AMOUNT, min_size=12, max_size=12)), max_size=8)


def build(rows: list) -> pd.DataFrame:
    return pd.DataFrame([[*k, *m] for k, m in rows], columns=COLS)


@settings(max_examples=60, deadline=None)
@given(ROWS, ROWS)
def test_variance_sums_to_total_actual_minus_plan(plan_rows: list, actual_rows: list) -> None:
    plan, actual = build(plan_rows), build(actual_rows)
    r = compute_variance(plan, actual)
    if r.as_of is None:
        assert actual.reindex(columns=M).fillna(0).to_numpy().sum() == 0
        return
    for q in range(1, r.as_of + 1):
        months = M[3 * q - 3: 3 * q]
        total = (np.nansum(actual.reindex(columns=months).to_numpy())
                 - np.nansum(plan.reindex(columns=months).to_numpy()))
        got = r.variance.loc[r.variance["quarter"] == q, "variance"].sum()
        assert got == pytest.approx(total, abs=0.005)
        assert r.summary.iloc[-1]["variance"] == pytest.approx(
            r.variance.loc[r.variance["quarter"] == r.as_of, "variance"].sum(), abs=0.005
        )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(KEYS, st.lists(AMOUNT, min_size=12, max_size=12)), min_size=1,
                max_size=6))
def test_forecast_is_annual_plan_when_actual_equals_plan(rows: list) -> None:
    plan = build(rows)
    r = compute_variance(plan, plan.copy())
    if r.as_of is None:
        return
    for out in (r.variance, r.summary):
        assert out["forecast"].to_numpy() == pytest.approx(out["annual_plan"].to_numpy(),
                                                          abs=0.005)
        assert set(out["flag"]) <= {"ok"}
