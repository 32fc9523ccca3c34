"""round_rows (all rows at once) gives exactly what round_parts gives row by row."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.core.money import from_units, round_parts, round_rows, to_units

amount = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
# money as it is typed: whole kopiykas, or half a kopiyka (the tie cases)
cents = st.integers(min_value=-10**11, max_value=10**11).map(lambda u: u / 100)
halves = st.integers(min_value=-10**9, max_value=10**9).map(lambda u: u / 100 + 0.005)
value = st.one_of(amount, cents, halves)


@st.composite
def tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 7))
    parts = np.array([[draw(value) for _ in range(k)] for _ in range(n)])
    off = draw(st.sampled_from(["exact", "near", "any"]))
    if off == "exact":
        wholes = parts.sum(axis=1)
    elif off == "near":
        wholes = parts.sum(axis=1) + np.array([draw(st.integers(-3, 3)) / 100 for _ in range(n)])
    else:
        wholes = np.array([draw(value) for _ in range(n)])
    return parts, wholes, draw(st.integers(0, 2))


@settings(max_examples=300, deadline=None)
@given(tables())
def test_round_rows_is_round_parts_row_by_row(t: tuple[np.ndarray, np.ndarray, int]) -> None:
    parts, wholes, digits = t
    got = round_rows(parts, wholes, digits)
    for i in range(len(parts)):
        assert got[i].tolist() == round_parts(parts[i].tolist(), float(wholes[i]), digits)


@settings(max_examples=200, deadline=None)
@given(st.lists(value, min_size=1, max_size=20), st.integers(0, 2))
def test_one_part_rows_round_half_away_from_zero(values: list[float], digits: int) -> None:
    x = np.array(values)
    got = round_rows(x[:, None], x, digits)[:, 0]
    assert got.tolist() == [from_units(to_units(v, digits), digits) for v in values]


def test_ties_go_to_the_earlier_part_and_rows_add_up() -> None:
    # 1.00 in three equal parts: the first part takes the extra kopiyka, as in round_parts
    got = round_rows(np.array([[1 / 3, 1 / 3, 1 / 3], [-1 / 3, -1 / 3, -1 / 3]]),
                     np.array([1.0, -1.0]))
    assert got.tolist() == [[0.34, 0.33, 0.33], [-0.33, -0.33, -0.34]]


def test_shapes_are_checked() -> None:
    with pytest.raises(ValueError):
        round_rows(np.array([1.0, 2.0]), np.array([3.0]))


# amounts as typed (whole kopiykas and half kopiykas) up to the largest amount a cell may
# hold: converted to kopiykas they are the typed decimal rounded half away from zero
def _typed(units: int, half: bool) -> float:
    """The float a cell holds when ``units`` kopiykas (plus half a kopiyka) are typed."""
    sign = "-" if units < 0 else ""
    k = abs(units)
    return float(f"{sign}{k // 100}.{k % 100:02d}{'5' if half else ''}")


typed = st.builds(_typed, st.integers(min_value=-10**14, max_value=10**14), st.booleans())


@settings(max_examples=500, deadline=None)
@given(typed)
def test_a_typed_amount_is_its_decimal_rounded_half_away(x: float) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    expected = int((Decimal(repr(x)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert to_units(x) == expected
    assert to_units(np.float64(x)) == expected  # numpy scalars as Python floats
    assert round_rows(np.array([[x, 0.0]]), np.array([x]))[0].tolist() == \
        round_parts([x, 0.0], x) == [from_units(expected), 0.0]


def test_a_half_kopiyka_of_billions_is_not_lost() -> None:
    """The case hypothesis found: np.round(…, 6) of 288 230 376 200,5 gave …200,49994."""
    parts = np.array([[882303762.0, 1e9, 1e9, 0.005]])
    whole = np.array([2882303762.005])
    assert round_rows(parts, whole).tolist() == [[882303762.0, 1e9, 1e9, 0.01]]
    assert round_parts(parts[0].tolist(), 2882303762.005) == [882303762.0, 1e9, 1e9, 0.01]
