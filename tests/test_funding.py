"""Multi-year funding: hand-computed needs, source rules, rounding, NPV and invariants."""

from __future__ import annotations

import pathlib
import time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.core import schema
from koshtorys.core.settings import Settings
from koshtorys.engine import funding
from koshtorys.engine.funding import compute_funding

NAN = float("nan")
NEED_COLS = ["activity_id", "name", "kpkvk", "base_year", "base_amount", "index_rate",
             "first_year", "last_year"]
SRC_COLS = ["activity_id", "source", "rule", "value", "currency", "first_year", "last_year"]
PARTS = ["local", "state", "oblast", "donor", "other", "gap"]
SHOWN = ["local", "state", "oblast", "donor", "gap"]  # the hand tests' columns (no "other")


def needs(*rows: tuple, start: int = 5) -> pd.DataFrame:
    """Rows of (activity_id, base_year, base_amount, index_rate, first_year, last_year)."""
    data = [[a, f"Захід {a}", "0813104", by, amt, rate, fy, ly]
            for a, by, amt, rate, fy, ly in rows]
    return pd.DataFrame(data, columns=NEED_COLS, index=range(start, start + len(data)))


def sources(*rows: tuple, start: int = 5) -> pd.DataFrame:
    """Rows of (activity_id, source, rule, value, currency, first_year, last_year)."""
    return pd.DataFrame(list(rows), columns=SRC_COLS,
                        index=range(start, start + len(rows)))


NO_SOURCES = sources()
A = ("A1", 2025, 100_000.0, 0.05, 2026, 2027)  # needs 105 000 and 110 250


def row(result: funding.FundingResult, activity: str, year: int) -> dict[str, float]:
    s = result.split
    hit = s[(s["activity_id"] == activity) & (s["year"] == year)]
    assert len(hit) == 1
    return hit.iloc[0].to_dict()


def parts(result: funding.FundingResult, activity: str, year: int) -> list[float]:
    r = row(result, activity, year)
    assert r["other"] == 0 or "other" in activity  # only the "other" test has that source
    return [r["need"], *(r[p] for p in SHOWN)]


def codes(result: funding.FundingResult) -> list[tuple]:
    return [(c.severity, c.table, c.row, c.code) for c in result.checks]


def test_indexed_need_and_local_by_default() -> None:
    r = compute_funding(needs(A), NO_SOURCES, Settings())
    assert list(r.split.columns) == schema.table("tblFundingSplit").column_keys
    # 100 000 × 1.05 = 105 000; × 1.05² = 110 250; local takes all when no source is named.
    assert parts(r, "A1", 2026) == [105_000, 105_000, 0, 0, 0, 0]
    assert parts(r, "A1", 2027) == [110_250, 110_250, 0, 0, 0, 0]
    assert r.checks == []


def test_blank_index_rate_uses_the_setting() -> None:
    r = compute_funding(needs(("A1", 2025, 100_000.0, NAN, 2027, 2027)), NO_SOURCES,
                        Settings(index_rate=0.1))
    assert row(r, "A1", 2027)["need"] == 121_000  # 100 000 × 1.1²


def test_fixed_eur_share_and_named_remainder() -> None:
    src = sources(
        ("A1", "donor", "fixed", 1_000.0, "EUR", 2026, 2027),
        ("A1", "state", "share", 0.3, "UAH", 2026, 2027),
        ("A1", "oblast", "remainder", NAN, "UAH", 2026, 2027),
    )
    r = compute_funding(needs(A), src, Settings(fx_EUR=45.0))
    # 2027: donor 1 000 × 45 = 45 000; state 0.3 × 110 250 = 33 075;
    # oblast = 110 250 − 78 075 = 32 175; local is not the remainder (oblast is named).
    assert parts(r, "A1", 2027) == [110_250, 0, 33_075, 32_175, 45_000, 0]
    # 2026: state 31 500, oblast 105 000 − 76 500 = 28 500.
    assert parts(r, "A1", 2026) == [105_000, 0, 31_500, 28_500, 45_000, 0]
    assert r.checks == []


def test_local_default_remainder_only_when_local_has_no_row() -> None:
    src = sources(
        ("A1", "state", "share", 0.3, "UAH", 2026, 2027),
        ("A1", "local", "fixed", 10_000.0, "UAH", 2027, 2027),
    )
    r = compute_funding(needs(A), src, Settings())
    # 2026: local takes 70 % (no local row that year).
    assert parts(r, "A1", 2026) == [105_000, 73_500, 31_500, 0, 0, 0]
    # 2027: local has its own row, so nobody takes the rest; gap 110 250 − 43 075.
    assert parts(r, "A1", 2027) == [110_250, 10_000, 33_075, 0, 0, 67_175]


def test_rows_of_one_source_add_up() -> None:
    src = sources(
        ("A1", "state", "fixed", 1_000.0, "UAH", 2026, 2026),
        ("A1", "state", "fixed", 2_000.0, "UAH", 2026, 2027),
        ("A1", "donor", "fixed", 100.0, "USD", 2026, 2026),
    )
    r = compute_funding(needs(A), src, Settings(fx_USD=41.5))
    assert parts(r, "A1", 2026) == [105_000, 105_000 - 3_000 - 4_150, 3_000, 0, 4_150, 0]


def test_two_remainders_is_an_error_and_neither_applies() -> None:
    src = sources(
        ("A1", "state", "share", 0.5, "UAH", 2026, 2027),
        ("A1", "local", "remainder", NAN, "UAH", 2026, 2027),
        ("A1", "oblast", "remainder", NAN, "UAH", 2027, 2027),
    )
    r = compute_funding(needs(A), src, Settings())
    assert parts(r, "A1", 2026) == [105_000, 52_500, 52_500, 0, 0, 0]
    assert parts(r, "A1", 2027) == [110_250, 0, 55_125, 0, 0, 55_125]
    assert codes(r) == [("error", "tblSources", 7, "two_remainders")]
    assert r.checks[0].params["value"] == "A1" and "2027" in str(r.checks[0].params["year"])


def test_over_promised_negative_gap_and_error() -> None:
    src = sources(
        ("A1", "oblast", "share", 0.1, "UAH", 2027, 2027),
        ("A1", "state", "fixed", 120_000.0, "UAH", 2027, 2027),
    )
    r = compute_funding(needs(A), src, Settings())
    # 11 025 + 120 000 = 131 025 promised; remainder never below 0; gap −20 775.
    assert parts(r, "A1", 2027) == [110_250, 0, 120_000, 11_025, 0, -20_775]
    assert codes(r) == [("error", "tblSources", 5, "over_promised")]
    p = r.checks[0].params
    assert (p["value"], p["year"]) == ("A1", 2027)
    assert (p["promised"], p["need"], p["excess"]) == (131_025, 110_250, 20_775)


def test_fx_missing_ignores_the_row() -> None:
    src = sources(("A1", "donor", "fixed", 1_000.0, "EUR", 2026, 2026))
    r = compute_funding(needs(A), src, Settings())
    assert parts(r, "A1", 2026) == [105_000, 105_000, 0, 0, 0, 0]
    assert [(c.code, c.row, c.column) for c in r.checks] == [("fx_missing", 5, "currency")]


def test_rounding_to_hryvnias_by_largest_remainder() -> None:
    # need 100: state 33.5, oblast 33.5, donor 33, local remainder 0. Rounding each half
    # up would give 101; the largest remainder gives the one hryvnia to the first tie.
    src = sources(
        ("A1", "state", "share", 0.335, "UAH", 2026, 2026),
        ("A1", "oblast", "share", 0.335, "UAH", 2026, 2026),
        ("A1", "donor", "share", 0.33, "UAH", 2026, 2026),
    )
    r = compute_funding(needs(("A1", 2026, 100.0, 0.0, 2026, 2026)), src, Settings())
    assert parts(r, "A1", 2026) == [100, 0, 34, 33, 33, 0]


def test_rounding_to_hryvnias_rounds_the_need_first() -> None:
    # need 1 000.60 → 1 001; state 0.25 × 1 000.6 = 250.15; donor 100.70; local 649.75.
    # Floors 649 + 250 + 100 = 999, two hryvnias to the largest remainders: local, donor.
    src = sources(
        ("A1", "state", "share", 0.25, "UAH", 2026, 2026),
        ("A1", "donor", "fixed", 100.7, "UAH", 2026, 2026),
    )
    r = compute_funding(needs(("A1", 2026, 1000.6, 0.0, 2026, 2026)), src, Settings())
    assert parts(r, "A1", 2026) == [1_001, 650, 250, 0, 101, 0]


def test_rounding_to_kopiykas() -> None:
    # need 33.333 → 33.33; state 0.4 × 33.333 = 13.3332; local 19.9998.
    # Kopiyka floors 19.99 + 13.33 = 33.32; the missing kopiyka goes to local (.98).
    src = sources(("A1", "state", "share", 0.4, "UAH", 2026, 2026))
    r = compute_funding(needs(("A1", 2026, 33.333, 0.0, 2026, 2026)), src,
                        Settings(rounding=2))
    assert parts(r, "A1", 2026) == [33.33, 20.00, 13.33, 0, 0, 0]


def test_summary_and_npv_by_hand() -> None:
    nd = needs(
        ("B", 2026, 50_000.0, NAN, 2028, 2028),  # 50 000 × 1.02² = 52 020 (setting rate)
        ("A1", 2025, 100_000.0, 0.05, 2026, 2026),  # 105 000
    )
    src = sources(("A1", "state", "share", 0.4, "UAH", 2026, 2026))
    r = compute_funding(nd, src, Settings(index_rate=0.02, discount_rate=0.1))
    # Activities in first-appearance order of tblNeeds.
    assert list(r.split["activity_id"]) == ["B", "A1"]
    s = r.summary
    assert list(s.columns) == schema.table("tblFundingSummary").column_keys
    assert list(s["year"]) == [2026, 2028, "NPV"]
    assert r.chart_rows == 2
    assert s.iloc[0][["need", "local", "state", "gap"]].tolist() == [105_000, 63_000, 42_000, 0]
    assert s.iloc[1][["need", "local", "state"]].tolist() == [52_020, 52_020, 0]
    # NPV: 2026 is year 0, 2027 (no need) counts as 0, 2028 is year 2.
    npv = s.iloc[2]
    assert npv["need"] == round(105_000 + 0 / 1.1 + 52_020 / 1.1**2)  # 147 991.74 → 147 992
    assert npv["local"] == round(63_000 + 52_020 / 1.21)  # 105 991.74 → 105 992
    assert npv["state"] == 42_000 and npv["gap"] == 0


def test_overlapping_need_rows() -> None:
    nd = needs(
        ("A1", 2025, 100_000.0, 0.0, 2026, 2027),
        ("A1", 2025, 999.0, 0.0, 2027, 2028),  # overlaps 2027: skipped
        ("A1", 2025, 200_000.0, 0.0, 2029, 2030),  # disjoint: kept
    )
    r = compute_funding(nd, NO_SOURCES, Settings())
    assert list(r.split["year"]) == [2026, 2027, 2029, 2030]
    assert list(r.split["need"]) == [100_000, 100_000, 200_000, 200_000]
    assert codes(r) == [("error", "tblNeeds", 6, "years_overlap")]
    assert r.checks[0].params == {"value": "A1", "first": 5}


def test_sources_outside_need_years_and_unknown_activities() -> None:
    src = sources(
        ("A1", "state", "fixed", 1_000.0, "UAH", 2026, 2029),
        ("ZZ", "state", "fixed", 1_000.0, "UAH", 2026, 2026),  # unknown: validator's job
    )
    r = compute_funding(needs(A), src, Settings())
    assert row(r, "A1", 2027)["state"] == 1_000
    assert codes(r) == [("warning", "tblSources", 5, "no_need_years")]
    assert r.checks[0].params == {"value": "A1", "years": "2028, 2029"}
    assert set(r.split["activity_id"]) == {"A1"}


def test_empty_inputs() -> None:
    r = compute_funding(needs(), NO_SOURCES, Settings())
    assert r.split.empty and r.summary.empty and r.chart_rows == 0 and r.checks == []


def test_inputs_are_not_mutated_and_engine_is_pure() -> None:
    nd = needs(A)
    src = sources(("A1", "state", "share", 0.3, "UAH", 2026, 2027))
    before = (nd.copy(), src.copy())
    compute_funding(nd, src, Settings())
    pd.testing.assert_frame_equal(nd, before[0])
    pd.testing.assert_frame_equal(src, before[1])
    text = pathlib.Path(funding.__file__).read_text(encoding="utf-8")
    assert "openpyxl" not in text and "xlwings" not in text



def test_300_activities_by_7_years_is_fast() -> None:
    n = 300
    nd = needs(*[(f"A{i}", 2025, 1_000.0 * (i + 1) + 0.37, NAN, 2025, 2031) for i in range(n)])
    src = sources(*[r for i in range(n) for r in (
        (f"A{i}", "state", "share", 0.3, "UAH", 2025, 2031),
        (f"A{i}", "donor", "fixed", 10.0, "EUR", 2026, 2028),
        (f"A{i}", "oblast", "fixed", 50.0, "UAH", 2025, 2031),
    )])
    compute_funding(nd, src, Settings(fx_EUR=45.0, index_rate=0.05))  # warm up
    t = time.perf_counter()
    r = compute_funding(nd, src, Settings(fx_EUR=45.0, index_rate=0.05))
    assert time.perf_counter() - t < 1.0
    assert len(r.split) == n * 7


# --- properties --------------------------------------------------------------------

def units(x: float, digits: int) -> int:
    return round(x * 10**digits)


NEED_ROW = st.tuples(
    st.integers(0, 10**8).map(lambda k: k / 100),  # base_amount
    st.one_of(st.just(NAN), st.floats(-0.2, 0.3)),  # index_rate
    st.integers(2024, 2027),  # first_year
    st.integers(0, 3),  # years after first
)
SOURCE_ROW = st.tuples(
    st.integers(0, 2),  # activity
    st.sampled_from(schema.SOURCES),
    st.sampled_from(["fixed", "share", "remainder"]),
    st.floats(0, 1),  # share or fixed amount (scaled below)
    st.sampled_from(["UAH", "EUR"]),
    st.integers(2023, 2030),
    st.integers(0, 3),
)


def build(need_rows: list, src_rows: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    nd = needs(*[(f"A{i}", 2024, amt, rate, fy, fy + k)
                 for i, (amt, rate, fy, k) in enumerate(need_rows)])
    src = sources(*[(f"A{a}", s, rule, v * 50_000 if rule == "fixed" else v, cur, fy, fy + k)
                    for a, s, rule, v, cur, fy, k in src_rows])
    return nd, src


@settings(max_examples=80, deadline=None)
@given(st.lists(NEED_ROW, min_size=1, max_size=3), st.lists(SOURCE_ROW, max_size=8),
       st.sampled_from([0, 2]))
def test_parts_add_up_to_rounded_need_and_summary_ties(
    need_rows: list, src_rows: list, digits: int
) -> None:
    nd, src = build(need_rows, src_rows)
    r = compute_funding(nd, src, Settings(rounding=digits, fx_EUR=45.3, discount_rate=0.07))
    s = r.split
    for _, x in s.iterrows():
        assert x["need"] == round(x["need"], digits)
        assert sum(units(x[p], digits) for p in PARTS) == units(x["need"], digits)
        for p in PARTS[:-1]:
            assert x[p] >= 0
    years = s.groupby("year")
    summary = r.summary.iloc[: r.chart_rows]
    assert list(summary["year"]) == sorted(years.groups)
    for _, y in summary.iterrows():
        for col in ["need", *PARTS]:
            assert units(y[col], digits) == sum(units(v, digits) for v in
                                                 years.get_group(y["year"])[col])
    if len(s):
        assert r.summary.iloc[-1]["year"] == "NPV"
    negative = {(a, y) for a, y, g in zip(s["activity_id"], s["year"], s["gap"], strict=True)
                if g < 0}
    over = {(c.params["value"], c.params["year"]) for c in r.checks if c.code == "over_promised"}
    assert negative == over


@settings(max_examples=60, deadline=None)
@given(st.lists(NEED_ROW, min_size=1, max_size=3),
       st.lists(st.tuples(st.integers(0, 2), st.sampled_from(schema.SOURCES),
                          st.floats(0, 0.25)), max_size=6),
       st.sampled_from([0, 2]))
def test_share_sources_scale_with_the_need(need_rows: list, shares: list, digits: int) -> None:
    src_rows = [(a, s, "share", v, "UAH", 2024, 6) for a, s, v in shares]
    nd1, src = build(need_rows, src_rows)
    nd2 = nd1.assign(base_amount=nd1["base_amount"] * 2)
    r1 = compute_funding(nd1, src, Settings(rounding=digits))
    r2 = compute_funding(nd2, src, Settings(rounding=digits))
    tol = 3 * 10**-digits  # each side rounds once and may get one unit from the remainder
    for col in ["need", *PARTS]:
        assert r2.split[col].to_numpy() == pytest.approx(2 * r1.split[col].to_numpy(), abs=tol)


def test_other_sources_are_their_own_column_never_donor() -> None:
    # 105 000 need: 20 000 of charity ("other"), 30 % МТД (31 500), local the rest 53 500
    r = compute_funding(needs(("A-other", 2025, 100_000.0, 0.05, 2026, 2026)), sources(
        ("A-other", "other", "fixed", 20_000.0, "UAH", 2026, 2026),
        ("A-other", "donor", "share", 0.3, "UAH", 2026, 2026)), Settings())
    x = row(r, "A-other", 2026)
    assert (x["need"], x["other"], x["donor"], x["local"], x["gap"]) == (
        105_000, 20_000, 31_500, 53_500, 0)
