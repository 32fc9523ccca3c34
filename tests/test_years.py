"""The shipped working-hours table is what the holidays calendar gives."""

from __future__ import annotations

from koshtorys.core import years


def test_shipped_working_hours_match_the_holidays_calendar() -> None:
    shipped = years._shipped_hours()
    assert set(shipped) == set(range(2000, 2041))
    for year, hours in shipped.items():
        assert hours == years.hours_from_holidays(year), year


def test_a_year_outside_the_table_is_computed() -> None:
    assert years.working_hours(2099) == years.hours_from_holidays(2099)
