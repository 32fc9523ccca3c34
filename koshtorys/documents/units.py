"""How a document says a service's unit: «грн на одну годину», «годин», «осіб».

A service's unit is free text in tblServices (година, консультація, ліжко-день …);
Ukrainian needs its accusative after «на одну/один/одне» and a count form for the unit
column, which no rule of thumb gets right. The shipped table
``koshtorys/data/units.csv`` (unit, per_one, count) knows the usual ones; any other unit
is said neutrally («на одиницю послуги (кейс)»), never misdeclined.

>>> per_one("година"), count_unit("Година"), per_one("кейс")
('на одну годину', 'год', 'на одиницю послуги («кейс»)')
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

__all__ = ["per_one", "count_unit"]


@functools.cache
def _table() -> dict[str, tuple[str, str]]:
    text = resources.files("koshtorys").joinpath("data", "units.csv").read_text(
        encoding="utf-8")
    return {r["unit"].strip().casefold().replace("’", "'"): (r["per_one"].strip(),
                                                              r["count"].strip())
            for r in csv.DictReader(text.splitlines()) if r.get("unit")}


def _key(unit: object) -> str:
    return str(unit or "").strip().casefold().replace("’", "'")


def per_one(unit: object) -> str:
    """«на одну годину» for ``година``: what an efficiency indicator's name ends with."""
    hit = _table().get(_key(unit))
    return hit[0] if hit else f"на одиницю послуги («{str(unit or '').strip()}»)"


def count_unit(unit: object) -> str:
    """The unit column of a volume indicator: «год» for ``година``, the unit itself when
    the table does not know it."""
    hit = _table().get(_key(unit))
    return hit[1] if hit else str(unit or "").strip() or "од."
