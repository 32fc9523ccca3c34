"""Planned units typed per month or per head make the cost of a unit, and the tariff the
procurement multiplies, many times too high, silently. An hourly service whose staff
give it 9–30 times its planned hours is ``units_look_monthly``; a service counted in
recipient-months whose units equal its recipients is ``units_are_recipients``."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_validation import SERVICES, tables

from koshtorys import parts

# S1 (година): post P1, 2 FTE × share 0,6 × 2 000 h (hours_per_fte) = 2 400 h, by hand
S1_HOURS = 2 * Fraction(6, 10) * 2000


def services(units: float, unit: str = "година", recipients: float = 10) -> list[list]:
    head, s1, s2 = SERVICES
    return [head, ["S1", s1[1], unit, units, recipients, s1[5]], s2]


def found(units: float, **kw: object) -> list[tuple[str, int | None, dict]]:
    r = parts.compute(tables(tblServices=services(units, **kw)), only="costing")  # type: ignore[arg-type]
    return [(c.code, c.row, c.params) for c in r.checks
            if c.code in ("units_look_monthly", "units_are_recipients")]


def test_a_month_s_hours_typed_for_the_year_are_asked_about() -> None:
    got = found(200)  # 2 400 h of staff time on it, 200 h planned
    assert [(code, row) for code, row, _ in got] == [("units_look_monthly", 4)]
    params = got[0][2]
    assert params["hours"] == Decimal(2400) and params["units"] == Decimal(200)
    assert params["share"] == Decimal("8.3")  # 200 / 2 400 = 8,33 %


@given(ratio=st.fractions(Fraction(1, 3), Fraction(85, 10)))
def test_planned_hours_near_the_staff_s_are_never_asked_about(ratio: Fraction) -> None:
    assert found(float(S1_HOURS / ratio)) == []


@given(ratio=st.fractions(Fraction(10), Fraction(28)))
def test_a_twelfth_or_so_of_the_staff_s_hours_is_asked_about(ratio: Fraction) -> None:
    assert [code for code, _, _ in found(float(S1_HOURS / ratio))] == ["units_look_monthly"]


@pytest.mark.parametrize("unit", ["відвідування", "консультація", "ліжко-день"])
def test_only_hourly_services_are_compared_with_hours(unit: str) -> None:
    assert found(200, unit=unit) == []


def test_recipients_typed_for_recipient_months_are_asked_about() -> None:
    got = found(40, unit="отримувач-місяць", recipients=40)
    assert [(code, row, p["units"]) for code, row, p in got] == [
        ("units_are_recipients", 4, Decimal(40))]
    assert found(480, unit="отримувач-місяць", recipients=40) == []
    assert found(1, unit="отримувач-місяць", recipients=1) == []  # one person, one month


@pytest.mark.parametrize("command", [["tariff", "--service", "U01"],
                                     ["procurement", "--service", "U01"]])
def test_tariff_and_procurement_repeat_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          command: list[str]) -> None:
    """The Pervomaiskyi home care (U01, 64 500 hours) typed as a month's: 5 375."""
    from koshtorys.cli import main
    from koshtorys.samples import sample_frames
    from koshtorys.xlsx.template import build_workbook

    frames = sample_frames("pervomaiskyi")
    svc = frames["tblServices"].copy()
    svc.loc[svc["service_id"] == "U01", "planned_units"] = 64_500 / 12
    frames["tblServices"] = svc
    book = tmp_path / "k.xlsx"
    build_workbook(book, "uk", frames)
    capsys.readouterr()
    assert main([command[0], str(book), *command[1:], "--outdir", str(tmp_path / "o")]) == 0
    assert capsys.readouterr().out.count("чи не введено кількість за місяць") == 1
