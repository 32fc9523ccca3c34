"""Quarterly execution: hand-computed example, flags, as_of, summary and invariants."""

from __future__ import annotations

import doctest
import math
import pathlib

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


def test_large_institution_in_one_pass() -> None:
    rng = np.random.default_rng(1)
    rows = [
        [f"08{p:05d}", f"2{k:03d}", f, *rng.integers(0, 10**7, 12) / 100]
        for p in range(60) for k in range(25) for f in ("general", "special")
    ]
    plan = pd.DataFrame(rows, columns=COLS)
    actual = plan.copy()
    actual[M[7:]] = NAN
    r = compute_variance(plan, actual)
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
    cash = np.nan_to_num(actual.reindex(columns=M).to_numpy(dtype=float))
    as_of_month = max(j + 1 for j in range(12) if (np.rint(cash[:, j] * 100) != 0).any())
    assert r.summary["as_of_month"].tolist() == [as_of_month] * len(r.summary)
    assert r.as_of == (as_of_month - 1) // 3 + 1
    for q in range(1, r.as_of + 1):
        months = M[3 * q - 3: 3 * q]
        counted = [m for m in months if int(m[1:]) <= as_of_month]  # SPEC: to as_of_month
        total = (np.nansum(actual.reindex(columns=months).to_numpy())
                 - np.nansum(plan.reindex(columns=counted).to_numpy()))
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


# --- the period counted in months (SPEC "Quarterly execution": as_of_month) ----------

K1 = ("0813121", "2111", "general")
K2 = ("0813121", "2210", "general")
K3 = ("0813124", "2240", "special")


def check_rows(got: pd.DataFrame, expected: dict, key_cols: tuple[str, ...]) -> None:
    assert len(got) == len(expected)
    for _, row in got.iterrows():
        want = expected[tuple(row[c] for c in key_cols)]
        for col, w in zip(MEASURES, want, strict=True):
            assert same(row[col], w), (tuple(row[c] for c in key_cols), col, row[col], w)


def test_mid_quarter_compares_april_with_april() -> None:
    """Actuals to April: Q2's plan is April's alone, plan_ytd is January–April."""
    plan = frame([
        (*K1, every(100.0)),                           # 1 200 a year
        (*K2, every(60.0, range(4, 7))),               # April–June only: 180
        (*K3, {5: 50.0, 6: 50.0}),                     # May and June: 100
    ])
    actual = frame([
        (*K1, {1: 100.0, 2: 100.0, 3: 100.0, 4: 95.0}),
        (*K2, {4: 30.0}),
        (*K3, {4: 10.0}),
    ])
    r = compute_variance(plan, actual)
    assert (r.as_of, r.as_of_month) == (2, 4)
    # Worked by hand. K1 Q2: 95 of April's 100; to date 395 of 400 = 98.75 %: ok (the
    # old reading, 395 of 600 = 65.8 %, said "under"); forecast 1 200 × 395 / 400.
    # K2 Q2: 30 of 60, forecast 180 × 30 / 60 = 90, under. K3: May's plan does not count
    # yet, so April's 10 is unplanned; forecast 10 + the 100 still ahead.
    expected = {
        (*K1, 1): (300, 300, 0, 1.0, 300, 300, 1.0, 1200, 0.25, 1200, "ok"),
        (*K1, 2): (100, 95, -5, 0.95, 400, 395, 395 / 400, 1200, 395 / 1200, 1185, "ok"),
        (*K2, 1): (0, 0, 0, NAN, 0, 0, NAN, 180, 0.0, 180, "ok"),
        (*K2, 2): (60, 30, -30, 0.5, 60, 30, 0.5, 180, 30 / 180, 90, "under"),
        (*K3, 1): (0, 0, 0, NAN, 0, 0, NAN, 100, 0.0, 100, "ok"),
        (*K3, 2): (0, 10, 10, NAN, 0, 10, NAN, 100, 0.1, 110, "unplanned"),
    }
    check_rows(r.variance, expected, ("kpkvk", "kekv", "fund", "quarter"))
    # per program at Q2: 0813121 plan 100 + 60, cash 95 + 30; to date 460 / 425;
    # forecast 1 380 × 425 / 460 = 1 275. Total: 1 480 × 435 / 460 = 1 399.565… → 1 399.57.
    summary = {
        ("0813121",): (160, 125, -35, 125 / 160, 460, 425, 425 / 460, 1380, 425 / 1380,
                       1275, "ok"),
        ("0813124",): (0, 10, 10, NAN, 0, 10, NAN, 100, 0.1, 110, "unplanned"),
        ("Total",): (160, 135, -25, 135 / 160, 460, 435, 435 / 460, 1480, 435 / 1480,
                     1399.57, "ok"),
    }
    check_rows(r.summary, summary, ("kpkvk",))
    assert r.summary["as_of_month"].tolist() == [4, 4, 4]
    assert r.summary["quarter"].tolist() == [2, 2, 2]
    # the chart's table: Q2's plan is the plan to April, as in tblVariance
    assert r.quarters.to_dict("list") == {"quarter": [1, 2], "plan": [300.0, 160.0],
                                          "actual": [300.0, 135.0]}


def test_partial_first_quarter() -> None:
    """Actuals to February: Q1's plan is January and February (200), not 300."""
    plan = frame([(*K1, every(100.0))])
    actual = frame([(*K1, {1: 100.0, 2: 50.0})])
    r = compute_variance(plan, actual)
    assert (r.as_of, r.as_of_month) == (1, 2)
    # 150 / 200 = 75 % < 90 %: under; forecast 1 200 × 150 / 200 = 900
    check_rows(r.variance, {(*K1, 1): (200, 150, -50, 0.75, 200, 150, 0.75, 1200, 0.125, 900,
                                       "under")}, ("kpkvk", "kekv", "fund", "quarter"))
    assert r.summary["as_of_month"].tolist() == [2, 2]
    assert r.quarters.to_dict("list") == {"quarter": [1], "plan": [200.0], "actual": [150.0]}


def test_a_month_without_cash_inside_the_period_still_counts() -> None:
    """February's 0 and April's blank are months of the period: their plan counts."""
    plan = frame([(*K1, every(100.0))])
    actual = frame([(*K1, {1: 100.0, 2: 0.0, 3: 100.0, 5: 100.0})])
    r = compute_variance(plan, actual)
    assert (r.as_of, r.as_of_month) == (2, 5)
    # Q1: 200 of 300; Q2 = April + May: 100 of 200; to date 300 of 500 = 60 %,
    # forecast 1 200 × 300 / 500 = 720.
    check_rows(r.variance, {
        (*K1, 1): (300, 200, -100, 200 / 300, 300, 200, 200 / 300, 1200, 200 / 1200, 800,
                   "under"),
        (*K1, 2): (200, 100, -100, 0.5, 500, 300, 0.6, 1200, 0.25, 720, "under"),
    }, ("kpkvk", "kekv", "fund", "quarter"))


def test_the_last_month_of_a_quarter_gives_the_whole_quarter() -> None:
    plan = frame([(*K1, every(100.0))])
    r = compute_variance(plan, frame([(*K1, every(100.0, range(1, 7)))]))
    assert (r.as_of, r.as_of_month) == (2, 6)
    assert r.quarters["plan"].tolist() == [300.0, 300.0]


@settings(max_examples=60, deadline=None)
@given(ROWS, ROWS, st.integers(0, 11), st.integers(1, 10**6))
def test_plan_after_as_of_month_moves_only_the_annual_plan(
        plan_rows: list, actual_rows: list, month: int, extra: int) -> None:
    """A plan amount added to a month after as_of_month changes annual_plan (and so the
    forecast and exec_pct_annual) but no quarter's plan or plan_ytd."""
    plan, actual = build(plan_rows), build(actual_rows)
    r = compute_variance(plan, actual)
    if r.as_of is None or month < r.as_of_month:
        return
    more = pd.concat([plan, build([(A1, [NAN] * month + [extra / 100] + [NAN] * (11 - month))])],
                     ignore_index=True)
    r2 = compute_variance(more, actual)
    assert r2.as_of_month == r.as_of_month
    v1 = r.variance.set_index(["kpkvk", "kekv", "fund", "quarter"])
    v2 = r2.variance.set_index(["kpkvk", "kekv", "fund", "quarter"])
    common = v1.index.intersection(v2.index)
    for col in ("plan", "plan_ytd", "actual", "actual_ytd"):
        assert v1.loc[common, col].tolist() == v2.loc[common, col].tolist()
    assert r2.quarters["plan"].tolist() == r.quarters["plan"].tolist()
    assert r2.summary.iloc[-1]["annual_plan"] == pytest.approx(
        r.summary.iloc[-1]["annual_plan"] + extra / 100, abs=0.005)


def test_chart_of_a_workbook_with_actuals_to_april(tmp_path: pathlib.Path) -> None:
    """End to end through the file adapter: the sample with its cash cut to April; the
    chart's table holds Q1 and Q2, Q2's plan being April's (from the sample's own CSV)."""
    import csv
    import zipfile
    from decimal import Decimal
    from importlib import resources

    import openpyxl

    from koshtorys.cli import main
    from koshtorys.xlsx import FileBook

    path = tmp_path / "april.xlsx"
    assert main(["new", str(path), "--lang", "en", "--sample"]) == 0
    book = FileBook.open(path)
    n = len(book.read_tables(["tblActuals"])["tblActuals"].rows)
    book.update_table("tblActuals", {(i, m): None for i in range(n) for m in M[4:]}, [])
    book.save()
    assert main(["refresh", str(path)]) in (0, 1)

    folder = resources.files("koshtorys").joinpath("data", "samples", "kreminna")
    plan = list(csv.DictReader(folder.joinpath("tblPlan.csv").read_text("utf-8").splitlines()))
    cash = list(csv.DictReader(folder.joinpath("tblActuals.csv").read_text("utf-8")
                               .splitlines()))

    def total(rows: list[dict[str, str]], months: list[str]) -> float:
        return float(sum(Decimal(r[m] or "0") for r in rows for m in months))

    wb = openpyxl.load_workbook(path)
    ws = next(w for w in wb.worksheets if "tblQuarterTotals" in w.tables)
    ref = ws.tables["tblQuarterTotals"].ref
    got = [[c.value for c in row] for row in ws[ref]][1:]
    assert got == [[1, pytest.approx(total(plan, M[:3])), pytest.approx(total(cash, M[:3]))],
                   [2, pytest.approx(total(plan, M[3:4])), pytest.approx(total(cash, M[3:4]))]]
    summary = ws.tables["tblVarianceSummary"]
    head = [c.value for c in ws[summary.ref][0]]
    last = [c.value for c in ws[summary.ref][-1]]
    assert last[head.index("as_of_month")] == 4 and last[head.index("quarter")] == 2
    assert last[head.index("plan_ytd")] == pytest.approx(total(plan, M[:4]))
    # the chart plots exactly the two rows of the table, and caches their values
    import re

    with zipfile.ZipFile(path) as z:
        charts = [z.read(p).decode() for p in z.namelist() if p.startswith("xl/charts/chart")]
    first, _ = ref.split(":")
    col = first.rstrip("0123456789")
    row = int(first[len(col):])
    letters = [chr(ord(col) + i) for i in range(3)]

    def span(letter: str) -> str:
        return f"${letter}${row + 1}:${letter}${row + 2}"

    [chart] = [c for c in charts if span(letters[0]) in c]
    for letter, series in zip(letters[1:], ("plan", "actual"), strict=True):
        found = re.search(rf"\${letter}\${row + 1}:\${letter}\${row + 2}</f><numCache>(.*?)"
                          rf"</numCache>", chart)
        assert found, series
        cached = [float(v) for v in re.findall(r"<v>([^<]+)</v>", found.group(1))]
        assert cached == pytest.approx([r[1 if series == "plan" else 2] for r in got])


# ---- the keys' sums (_months_by_key), against plain Python -------------------------------

CODE = st.sampled_from(["0813104", "0813105", "0110150", None])
KEKV = st.sampled_from(["2111", "2120", "2210", None])
FUND = st.sampled_from(["general", "special", None])
CENTS = st.integers(-10**9, 10**9)


def _rank(key: tuple) -> tuple:
    """Sorted as the SPEC's tables are: each key part ascending, a blank part last."""
    return tuple((x is None, x or "") for x in key)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(CODE, KEKV, FUND, st.dictionaries(st.integers(1, 12), CENTS)),
                max_size=25),
       st.lists(st.tuples(CODE, KEKV, FUND, st.dictionaries(st.integers(1, 12), CENTS)),
                max_size=25))
def test_months_by_key_adds_up_each_key_in_order(plan_rows: list, actual_rows: list) -> None:
    """One row per key of either input, sorted with blanks last, each month the exact sum
    in kopiykas of that key's rows (a blank month counts 0); a key in one input only has
    zeros in the other."""
    expected: dict[tuple, list[list[int]]] = {}
    for which, rows in enumerate((plan_rows, actual_rows)):
        for k, e, f, months in rows:
            sums = expected.setdefault((k, e, f), [[0] * 12, [0] * 12])
            for m, cents in months.items():
                sums[which][m - 1] += cents

    def as_frame(rows: list) -> pd.DataFrame:
        return frame([(k, e, f, {m: c / 100 for m, c in months.items()})
                      for k, e, f, months in rows])

    keys, plan, actual, first_actual = execution._months_by_key(as_frame(plan_rows),
                                                                as_frame(actual_rows))
    order = sorted(expected, key=_rank)
    first_row = {}  # frame() numbers the rows from 5
    for i, (k, e, f, _months) in enumerate(actual_rows):
        first_row.setdefault((k, e, f), 5 + i)
    assert list(first_actual) == [first_row.get(key, -1) for key in order]
    got = list(zip(*(keys[c] for c in ("kpkvk", "kekv", "fund")), strict=True))
    assert [tuple(None if isinstance(x, float) else x for x in g) for g in got] == order
    for i, key in enumerate(order):
        assert [round(x * 100) for x in plan[i]] == expected[key][0]
        assert [round(x * 100) for x in actual[i]] == expected[key][1]
