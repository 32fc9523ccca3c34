"""Constants that change with the year, from data shipped with the product.

* the monthly minimum wage that each year's State Budget law fixed
  (``koshtorys/data/min_wage.csv``; a year the law has not fixed has none: the user
  must set ``min_wage``, a forecast is never used as a value);
* the annual working time of one full-time post: the year's working days × 8 hours,
  less one hour on the eve of each public holiday. The public holidays come from the
  ``holidays`` package, which follows Law No. 2136-IX: while martial law is in force
  no public holiday is a day off, so 2026 has 261 working days, 2 088 hours.

>>> min_wage(2026), min_wage(1999)
(8647.0, None)
>>> working_hours(2026)
2088.0
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
from importlib import resources

__all__ = ["min_wage", "working_hours", "known_min_wage_years"]

HOURS_PER_DAY = 8
"""A 40-hour, five-day week (Labor Code, art. 50)."""


@functools.cache
def _min_wages() -> dict[int, float]:
    text = resources.files("koshtorys").joinpath("data", "min_wage.csv").read_text("utf-8")
    return {int(r["year"]): float(r["monthly"]) for r in csv.DictReader(text.splitlines())}


def min_wage(year: int) -> float | None:
    """The monthly minimum wage the State Budget law fixed for ``year`` (``None``: no law
    known to this release)."""
    return _min_wages().get(int(year))


def known_min_wage_years() -> list[int]:
    return sorted(_min_wages())


@functools.cache
def _shipped_hours() -> dict[int, float]:
    text = resources.files("koshtorys").joinpath("data", "working_hours.csv").read_text(
        "utf-8")
    return {int(r["year"]): float(r["hours"]) for r in csv.DictReader(text.splitlines())}


@functools.cache
def working_hours(year: int) -> float:
    """Working hours of one full-time post in ``year`` (five-day week, 8-hour days, one
    hour less before each public holiday that is a day off; Saturdays once worked in
    exchange for a bridge day off are not counted).

    Read from ``koshtorys/data/working_hours.csv`` (what :func:`hours_from_holidays` gives
    for 2000–2040, kept equal to it by a test): importing ``holidays`` and building a
    year's calendar costs ~0.17 s, more than the rest of ``koshtorys check`` of a small
    workbook. Other years are computed."""
    return _shipped_hours().get(int(year)) or hours_from_holidays(year)


def hours_from_holidays(year: int) -> float:
    """:func:`working_hours` computed from the ``holidays`` package's Ukrainian calendar."""
    import holidays

    days_off = set(holidays.Ukraine(years=year, categories=("public",)))
    day = _dt.date(year, 1, 1)
    hours = 0
    while day.year == year:
        if day.weekday() < 5 and day not in days_off:
            eve = day + _dt.timedelta(days=1) in days_off
            hours += HOURS_PER_DAY - (1 if eve else 0)
        day += _dt.timedelta(days=1)
    return float(hours)
