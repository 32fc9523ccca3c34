"""Fitting a request to its ceiling (граничний обсяг): which КЕКВ lines stay in the
individual request (Форма 20__-2) and which go to the additional one (Форма 20__-3).

No binding fill order is published (order 604's appendix could not be read; the 648-era
instructions only say that protected expenditures are financed in full first). The rule
here follows the Budget Code's protected items (art. 55) as hromada budget decisions
repeat them, mapped to КЕКВ:

1. protected: pay 2111/2112, charges on pay 2120, medicines 2220, food 2230, utilities
   and energy 2271–2275, energy service 2276, debt service 2410/2420, current transfers
   to other budgets 2620 and to the population 2710/2720/2730;
2. other current expenditure (2xxx and the rest);
3. capital expenditure (3xxx).

Lines are filled tier by tier and, within a tier, in ascending КЕКВ; the line that
crosses the ceiling is split (its first part fills the ceiling exactly), every later
line goes to the additional request whole. Amounts are integers (kopiykas or hryvnias),
so the two parts always add up to the line.

>>> within, excess = split_to_ceiling({"2111": 700, "2240": 200, "3110": 300}, 800)
>>> within, excess
({'2111': 700, '2240': 100, '3110': 0}, {'2111': 0, '2240': 100, '3110': 300})
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["PROTECTED", "tier", "fill_order", "split_to_ceiling"]

PROTECTED: frozenset[str] = frozenset({
    "2111", "2112", "2120", "2220", "2230", "2271", "2272", "2273", "2274", "2275", "2276",
    "2410", "2420", "2620", "2710", "2720", "2730",
})
"""КЕКВ of the protected items: kept within the ceiling first."""


def tier(kekv: str) -> int:
    """1 protected, 2 other current, 3 capital.

    >>> tier("2111"), tier("2240"), tier("3110")
    (1, 2, 3)
    """
    if kekv in PROTECTED:
        return 1
    return 3 if kekv.startswith("3") else 2


def fill_order(codes: list[str] | tuple[str, ...]) -> list[str]:
    """``codes`` in the order they are kept within a ceiling."""
    return sorted(codes, key=lambda c: (tier(c), c))


def split_to_ceiling(lines: Mapping[str, int], ceiling: int
                     ) -> tuple[dict[str, int], dict[str, int]]:
    """Split ``lines`` (КЕКВ → amount, integers) into the part within ``ceiling`` and
    the excess, by :func:`fill_order`. When the lines fit, the excess is all zeros.

    The parts of every line add up to it, and the parts within add up to
    ``min(ceiling, Σ lines)`` exactly.
    """
    # a negative line (a refund) stays where it is and makes room for the others
    room = int(ceiling) - sum(min(int(v), 0) for v in lines.values())
    within = {k: 0 for k in lines}
    excess = {k: 0 for k in lines}
    for code in fill_order(list(lines)):
        amount = int(lines[code])
        if amount <= 0:
            within[code] = amount  # a refund or a zero line: never moved
            continue
        keep = min(amount, max(room, 0))
        within[code], excess[code] = keep, amount - keep
        room -= keep
    return within, excess
