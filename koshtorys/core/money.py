"""Exact money splits: amounts in kopiykas, largest-remainder allocation.

Every split in koshtorys goes through :func:`allocate`, so parts always add up
to the whole to the last kopiyka (or hryvnia, with ``digits=0``).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np

__all__ = ["MAX_AMOUNT", "allocate", "round_parts", "round_rows", "to_units", "to_units_array",
           "from_units"]

MAX_AMOUNT = 1e12
"""The largest amount (UAH) one cell or one computed need may hold: ten times the
largest city budget. Kopiyka sums of many such amounts still fit in 64-bit integers;
beyond it a typo would wrap around into nonsense totals."""


SETTLE = 6
"""Decimals (in units) an amount is settled to before it is rounded: the product of
amounts typed with a few decimals lands a hair off its true value in binary floating
point (7,5 × 16 384,37 × 9 = 1 105 944,975 computes as …944,97499999), and rounding that
would drop a half kopiyka the arithmetic of the typed figures gives. Settling to a
millionth of a kopiyka first gives the half back, and moves no true value."""


_DIGITS = 15
"""Significant decimal digits a float holds for sure."""
_POWERS = [10.0**k for k in range(_DIGITS + 2)]
"""1, 10, 100, …: how many of them an amount reaches is its count of whole digits
(exact, unlike a logarithm)."""


def _scale(whole_digits: int) -> float:
    return 10.0 ** min(max(_DIGITS - whole_digits, 1), SETTLE)


def _settled(units: np.ndarray) -> np.ndarray:
    """Float amounts in units settled (see :data:`SETTLE`) to as many decimals as the
    float still holds beside its whole units: six for everyday amounts, fewer from ten
    billion kopiykas up (a float of 3,6·10¹² kopiykas is only good to ~10⁻⁴, so typing
    35 689 012 046,755 UAH gave …675,4995 kopiykas and lost the half kopiyka), at least one
    (up to :data:`MAX_AMOUNT`, 10¹⁴ kopiykas, the product stays below 2**53)."""
    whole_digits = np.searchsorted(_POWERS, np.abs(units), side="right")
    scale = 10.0 ** np.clip(_DIGITS - whole_digits, 1, SETTLE)
    return np.rint(units * scale) / scale


def to_units(amount: float, digits: int = 2) -> int:
    """``amount`` in whole units of 10**-digits (kopiykas for 2), half away from zero.

    The same as :func:`to_units_array` of one amount, in plain Python (it is called per
    row in places).

    >>> to_units(12.345), to_units(-0.005), to_units(7.5 * 16384.37 * 9)
    (1235, -1, 110594498)
    >>> to_units(2882303762.005), to_units(35689012046.755)
    (288230376201, 3568901204676)
    """
    u = float(amount) * 10**digits
    scale = _scale(bisect.bisect_right(_POWERS, abs(u)))
    settled = round(u * scale) / scale  # round() of a float: half to even, as np.rint
    units = math.floor(abs(settled) + 0.5)
    return -units if settled < 0 else units


def to_units_array(amounts: object, digits: int = 2) -> np.ndarray:
    """:func:`to_units` of every element at once (int64), half away from zero.

    >>> to_units_array([12.345, -0.005, 0.0, 7.5 * 16384.37 * 9]).tolist()
    [1235, -1, 0, 110594498]
    """
    a = _settled(np.asarray(amounts, dtype=float) * 10**digits)
    return (np.sign(a) * np.floor(np.abs(a) + 0.5)).astype(np.int64)


def from_units(units: int, digits: int = 2) -> float:
    """Inverse of :func:`to_units`."""
    return round(units / 10**digits, digits)


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split integer ``total`` in proportion to ``weights`` by the largest remainder.

    The parts are integers that sum to ``total`` exactly. Ties go to the earlier
    part, so the result is deterministic. All-zero weights give all zeros
    (the caller decides what an unallocatable total means).

    >>> allocate(100, [1, 1, 1])
    [34, 33, 33]
    >>> allocate(10, [0.5, 0.25, 0.25])
    [5, 3, 2]
    """
    w = np.asarray(weights, dtype=float)
    if len(w) == 0:
        return []
    s = w.sum()
    if s <= 0:
        return [0] * len(w)
    exact = total * w / s
    floors = np.floor(exact).astype(np.int64)
    left = int(total - floors.sum())
    if left:
        order = np.argsort(-(exact - floors), kind="stable")
        floors[order[:left]] += 1
    return [int(x) for x in floors]


def round_parts(parts: Sequence[float], whole: float, digits: int = 2) -> list[float]:
    """Round ``parts`` to ``digits`` so they add up to ``whole`` rounded to ``digits``.

    Parts may be negative. Each part moves to its floor or ceiling; the units
    still missing go to the parts with the largest fractional remainder.

    >>> round_parts([0.333, 0.333, 0.334], 1.0, 2)
    [0.33, 0.33, 0.34]
    """
    scale = 10**digits
    target = to_units(whole, digits)
    exact = _settled(np.asarray(parts, dtype=float) * scale)
    floors = np.floor(exact).astype(np.int64)
    left = int(target - floors.sum())
    if left > 0:
        order = np.argsort(-(exact - floors), kind="stable")
        floors[order[:left]] += 1
    elif left < 0:
        order = np.argsort(exact - floors, kind="stable")
        floors[order[: -left]] -= 1
    return [from_units(int(u), digits) for u in floors]


def round_rows(parts: np.ndarray, wholes: np.ndarray, digits: int = 2) -> np.ndarray:
    """:func:`round_parts` of each row of ``parts`` against its ``wholes`` entry, all
    rows at once (a plan has thousands of rows; a Python loop over them is the slow part).

    The result equals calling :func:`round_parts` row by row, ties included. A row of
    one part gives its whole rounded half away from zero.

    >>> round_rows(np.array([[0.333, 0.333, 0.334], [1.005, 2.0, 0.0]]), np.array([1.0, 3.01]))
    array([[0.33, 0.33, 0.34],
           [1.01, 2.  , 0.  ]])
    """
    exact = _settled(np.asarray(parts, dtype=float) * 10**digits)
    whole = np.asarray(wholes, dtype=float)
    if exact.ndim != 2 or whole.shape != exact.shape[:1]:
        raise ValueError("parts must be rows × parts and wholes one per row")
    target = to_units_array(whole, digits)
    floors = np.floor(exact).astype(np.int64)
    left = (target - floors.sum(axis=1))[:, None]
    rest = exact - floors
    positions = np.broadcast_to(np.arange(exact.shape[1]), exact.shape)
    for sign, key in ((1, -rest), (-1, rest)):
        order = np.argsort(key, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, positions, axis=1)
        floors += sign * ((sign * left > 0) & (rank < sign * left))
    return floors / 10**digits
