"""The column-wise conversion's shortcuts give what the cell-wise readers give.

convert_table builds each frame in one step (``typed_frame``), reads a plain text column
row by row without hashing it, and keeps a frame as it is when no row is left out;
these tests hold each shortcut to the slow, obvious way."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.convert import Locator, Unreadable, convert_table, is_blank, read_cell
from koshtorys.convert.tables import empty_frame, typed_frame
from koshtorys.core import schema
from koshtorys.core.book import RawTable
from koshtorys.core.limits import MAX_CELL_TEXT


def _objects(values: list[object]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True,
                                  check_column_type=True)
    assert a.dtypes.tolist() == b.dtypes.tolist()
    for k in a.columns:
        assert [type(v) for v in a[k]] == [type(v) for v in b[k]], k


def test_typed_frame_is_the_frame_a_dict_of_object_series_makes() -> None:
    index = pd.Index([4, 5, 7], dtype="int64")
    arrays = [np.array([1.5, np.nan, 3.0]), np.array([1, 2, 3], dtype="int64"),
              _objects(["a", None, "c"]), _objects([2025, None, 2026])]
    keys = ["x", "n", "t", "y"]
    slow = pd.DataFrame({k: pd.Series(a, index=index, dtype=a.dtype)
                         for k, a in zip(keys, arrays, strict=True)},
                        index=index, columns=keys)
    fast = typed_frame(arrays, keys, index)
    _same(fast, slow)
    assert fast["t"].dtype == object  # not pandas' string dtype


def test_without_the_private_builder_the_frame_is_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    index = pd.Index([2, 3], dtype="int64")
    arrays = [np.array([1.5, np.nan]), _objects(["a", None])]
    made = typed_frame(arrays, ["x", "t"], index)
    monkeypatch.delattr(pd.DataFrame, "_from_arrays")
    _same(typed_frame(arrays, ["x", "t"], index), made)


def test_an_empty_frame_keeps_the_engine_dtypes() -> None:
    df = empty_frame(schema.table("tblStaff"))
    assert list(df.columns) == schema.table("tblStaff").column_keys
    assert df.dtypes.to_dict() == {"position_id": object, "title": object,
                                   "category": object, "fte": np.float64,
                                   "monthly_pay": np.float64, "months": np.int64,
                                   "kpkvk": object}


_TEXT = st.one_of(
    st.none(), st.just(""), st.just(math.nan), st.sampled_from([" ", "\u00a0", "\t\n", "\u2003"]),
    st.text(alphabet=" \u00a0abcАБВ1", max_size=6),
    st.builds(lambda n: "я" * n, st.sampled_from([MAX_CELL_TEXT, MAX_CELL_TEXT + 1])),
    st.sampled_from([5.0, 0.0, True]),  # a number in a text column: the cell-wise reader
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=12))
def test_a_plain_text_column_reads_as_read_cell_reads_each_cell(names: list[object]) -> None:
    t = schema.table("tblServices")
    rows = [[f"S{i}", v, "день", 1.0] for i, v in enumerate(names)]
    raw = RawTable("tblServices", "Services", ["service_id", "name", "unit", "planned_units"],
                   rows, header_row=3)
    df, checks = convert_table(raw, t, Locator())
    col = t.column("name")
    expected_values, expected_checks = {}, []
    for i, v in enumerate(names):
        row = 4 + i
        if is_blank(v):
            expected_checks.append((row, "blank_required"))
            continue
        try:
            expected_values[row] = read_cell(col, v)
        except Unreadable as exc:
            expected_checks.append((row, exc.code))
    assert [(c.row, c.code) for c in checks] == expected_checks
    assert df["name"].to_dict() == expected_values
    assert all(type(v) is str for v in df["name"])
    assert df["name"].dtype == object


_SHARE = st.one_of(st.floats(0, 1), st.sampled_from([1e-9, 1.000000001e-9, 0.1, 0.2, 0.3, 0.7,
                                                     1 / 3, 0.5 + 5e-10, 1.0]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3"]), _SHARE), min_size=1,
                max_size=40))
def test_the_quick_share_sum_never_misses_a_post_over_one(rows: list[tuple[str, float]]
                                                          ) -> None:
    from koshtorys.convert.references import _SHARES_LIMIT, _may_exceed_one

    tm = pd.DataFrame({"position_id": _objects([p for p, _ in rows]),
                       "share": [x for _, x in rows]})
    totals = tm.groupby("position_id", sort=False)["share"].sum()
    if (totals > _SHARES_LIMIT).any():
        assert _may_exceed_one(tm)


def test_shares_just_over_and_just_at_one() -> None:
    from koshtorys.convert.references import _may_exceed_one

    def frame(shares: list[float]) -> pd.DataFrame:
        return pd.DataFrame({"position_id": _objects(["P1"] * len(shares)), "share": shares})

    assert _may_exceed_one(frame([1.0, 1.1e-9]))
    assert _may_exceed_one(frame([0.5, 0.5 + 2e-9]))
    assert not _may_exceed_one(frame([0.3, 0.7]))
    assert not _may_exceed_one(frame([0.1] * 10))  # 0.9999999999999999, not over


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0, 0.3), max_size=12), st.integers(-6, 6))
def test_the_quick_share_sum_at_the_limit_itself(shares: list[float], ulps: int) -> None:
    from koshtorys.convert.references import _SHARES_LIMIT, _may_exceed_one

    last = max(0.0, _SHARES_LIMIT - math.fsum(shares)) + ulps * 2.220446049250313e-16
    tm = pd.DataFrame({"position_id": _objects(["P1"] * (len(shares) + 1)),
                       "share": [*shares, max(last, 0.0)]})
    total = tm.groupby("position_id", sort=False)["share"].sum().iloc[0]
    if total > _SHARES_LIMIT:
        assert _may_exceed_one(tm)


def test_a_column_with_no_value_at_all_reads_as_blanks_and_defaults() -> None:
    """A month not yet reported, a fund left to its default: every cell None or NaN (the
    kind pandas calls "empty") gives blanks, defaults and no check."""
    t = schema.table("tblActuals")
    headers = ["kpkvk", "kekv", "fund"] + [f"m{m:02d}" for m in range(1, 13)]
    rows = [["0113242", "2111", None if i % 2 else math.nan]
            + [100.0 * m for m in range(1, 10)] + [None, math.nan, None] for i in range(4)]
    df, checks = convert_table(RawTable("tblActuals", "Actuals", headers, rows), t, Locator())
    assert checks == []
    assert df.index.tolist() == [2, 3, 4, 5]
    assert df["fund"].tolist() == ["general"] * 4 and df["fund"].dtype == object
    assert df["m09"].tolist() == [900.0] * 4
    for m in ("m10", "m11", "m12"):
        assert df[m].dtype == np.float64 and df[m].isna().all()


def test_a_required_column_with_no_value_names_every_row() -> None:
    t = schema.table("tblStaff")
    headers = ["position_id", "title", "category", "fte", "monthly_pay", "months"]
    rows = [[f"P{i}", "Соціальний робітник", "direct", 1.0, None, None] for i in range(3)]
    df, checks = convert_table(RawTable("tblStaff", "Staff", headers, rows), t, Locator())
    assert [(c.row, c.column, c.code) for c in checks] == [
        (r, "monthly_pay", "blank_required") for r in (2, 3, 4)]
    assert [c.params["where"] for c in checks] == ["Staff!E2", "Staff!E3", "Staff!E4"]
    assert df.empty


def test_a_defaulted_whole_number_column_with_no_value_takes_the_default() -> None:
    t = schema.table("tblStaff")
    headers = ["position_id", "title", "category", "fte", "monthly_pay", "months"]
    rows = [["P1", "Соціальний робітник", "direct", 1.0, 9000.0, None]]
    df, checks = convert_table(RawTable("tblStaff", "Staff", headers, rows), t, Locator())
    assert checks == []
    assert df["months"].tolist() == [12] and df["months"].dtype == np.int64


_NUMBER_CELL = st.one_of(
    st.none(), st.just(math.nan), st.just(pd.NA), st.just(""), st.just(" "),
    st.floats(allow_nan=False, width=64), st.integers(-10**6, 10**6),
    st.sampled_from([0.0, -0.0, 0.5, 12.0, 13.0, 1e15, 1e16, math.inf, -math.inf, 10**400,
                     np.float64(3.5), np.int64(7), True, "1 234,5", "22%", "багато"]),
)


def _slowly(col: schema.Column, v: object) -> object:
    """One cell as the cell-wise readers read it: a value, "blank" or a reason code."""
    if is_blank(v):
        return "blank"
    try:
        return read_cell(col, v)
    except Unreadable as exc:
        return exc.code


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_NUMBER_CELL, _NUMBER_CELL), min_size=1, max_size=10))
def test_a_number_column_reads_as_read_cell_reads_each_cell(
        cells: list[tuple[object, object]]) -> None:
    """monthly_pay (required money, ≥ 0) and months (whole, 1–12, default 12) of tblStaff,
    whatever mixture of numbers, blanks, pd.NA, texts and booleans the cells hold: the
    column-wise readers give each kept row the value, and each bad cell the reason, that
    the cell-wise reader gives it."""
    t = schema.table("tblStaff")
    pay, months = t.column("monthly_pay"), t.column("months")
    rows = [["P1", "Соціальний робітник", "direct", 1.0, p, m] for p, m in cells]
    raw = RawTable("tblStaff", "Staff", ["position_id", "title", "category", "fte",
                                         "monthly_pay", "months"], rows)
    df, checks = convert_table(raw, t, Locator())
    expected_values, expected_checks = {}, []
    for i, (p, m) in enumerate(cells):
        row, got_p, got_m = 2 + i, _slowly(pay, p), _slowly(months, m)
        bad = []
        if got_p == "blank":
            bad.append((row, "monthly_pay", "blank_required"))
        elif isinstance(got_p, str):
            bad.append((row, "monthly_pay", got_p))
        if got_m == "blank":
            got_m = 12
        elif isinstance(got_m, str):
            bad.append((row, "months", got_m))
        expected_checks += bad
        if not bad:
            expected_values[row] = (float(got_p), int(got_m))
    assert [(c.row, c.column, c.code) for c in checks] == expected_checks
    assert {r: (p, m) for r, p, m in zip(df.index, df["monthly_pay"], df["months"],
                                          strict=True)} == expected_values
    assert df["months"].dtype == np.int64 and df["monthly_pay"].dtype == np.float64
