"""Cash typed as totals from January (as the treasury's reports give them) is said, not
silently analysed as overspending two to six times over: the warning
``actuals_look_cumulative``, pointing at the row's last month with cash."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from fixtures_xlsx import sample_book
from hypothesis import given
from hypothesis import strategies as st
from test_execution import A1, A2, B1, frame

from koshtorys.cli import main
from koshtorys.engine.execution import compute_variance
from koshtorys.samples import sample_frames
from koshtorys.xlsx.template import build_workbook

PLANS = st.lists(st.floats(1000, 2000, allow_nan=False), min_size=12, max_size=12)


def cumulative(plan: list[float], factors: list[float]) -> dict[int, float]:
    """Month → the cash from January to it, each month's own cash plan × factor."""
    out, running = {}, 0.0
    for m, (p, f) in enumerate(zip(plan, factors, strict=False), start=1):
        running += round(p * f, 2)
        out[m] = round(running, 2)
    return out


def flagged(plan: list[float], actual: dict[int, float]) -> list[tuple[int | None, str | None]]:
    r = compute_variance(frame([(*A1, dict(enumerate(plan, start=1)))]),
                         frame([(*A1, actual)], start=9))
    return [(c.row, c.column) for c in r.checks if c.code == "actuals_look_cumulative"]


@given(plan=PLANS, months=st.integers(3, 12),
       factors=st.lists(st.floats(0.9, 1.1), min_size=12, max_size=12))
def test_totals_from_january_are_warned_about(plan: list[float], months: int,
                                              factors: list[float]) -> None:
    """From March on, cash near the plan typed cumulatively: the warning at the row's
    last month (worksheet row 9 of tblActuals)."""
    actual = cumulative(plan[:months], factors)
    assert flagged(plan, actual) == [(9, f"m{months:02d}")]


@given(plan=PLANS, months=st.integers(1, 12),
       factors=st.lists(st.floats(0, 1.45), min_size=12, max_size=12))
def test_monthly_cash_under_one_and_a_half_times_the_plan_is_never_warned(
        plan: list[float], months: int, factors: list[float]) -> None:
    """Any monthly entry whose cash stays below 1.5× the plan to its last month — whatever
    its shape, rising or not — is taken as typed."""
    actual = {m: round(plan[m - 1] * factors[m - 1], 2) for m in range(1, months + 1)}
    assert flagged(plan, actual) == []


def test_two_months_are_too_few_to_tell() -> None:
    plan = [1000.0] * 12
    assert flagged(plan, {1: 1000.0, 2: 2000.0}) == []
    assert flagged(plan, {1: 1000.0, 2: 2000.0, 3: 3000.0}) == [(9, "m03")]


def test_a_month_without_cash_or_a_falling_month_is_no_running_total() -> None:
    plan = [1000.0] * 12
    assert flagged(plan, {1: 1000.0, 2: 2000.0, 4: 4000.0}) == []   # March blank
    assert flagged(plan, {1: 1000.0, 2: 2500.0, 3: 2400.0, 4: 4000.0}) == []  # March falls


def test_each_key_is_told_in_the_sheet_order() -> None:
    plan = frame([(*A1, {m: 100.0 for m in range(1, 13)}),
                  (*A2, {m: 50.0 for m in range(1, 13)}),
                  (*B1, {m: 10.0 for m in range(1, 13)})])
    actual = frame([(*B1, {1: 10.0, 2: 20.0, 3: 30.0, 4: 40.0}),      # row 5: running
                    (*A1, {1: 100.0, 2: 100.0, 3: 100.0, 4: 100.0}),  # row 6: monthly
                    (*A2, {1: 50.0, 2: 100.0, 3: 150.0})])            # row 7: running
    r = compute_variance(plan, actual)
    got = [(c.row, c.column, c.params["actual"], c.params["plan"])
           for c in r.checks if c.code == "actuals_look_cumulative"]
    assert got == [(5, "m04", 40.0, 40.0), (7, "m03", 150.0, 150.0)]


def test_refresh_of_a_workbook_typed_from_a_treasury_report(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture
                                                            ) -> None:
    path = tmp_path / "k.xlsx"
    build_workbook(path, "uk", sample_frames("pervomaiskyi"))
    assert main(["refresh", str(path)]) == 0
    assert "наростаючим" not in capsys.readouterr().out  # the sample's monthly cash: silent
    wb = openpyxl.load_workbook(path)
    ws = wb["Факт"]
    assert [c.value for c in ws[3][:4]] == ["КПКВК", "КЕКВ", "Фонд", "m01 січ"]
    row = next(r for r in range(4, ws.max_row + 1)
               if sum(isinstance(ws.cell(r, c).value, float | int) for c in range(4, 16)) >= 3)
    running, last = 0.0, None
    for c in range(4, 16):
        v = ws.cell(r := row, c).value
        if isinstance(v, float | int):
            running += v
            ws.cell(r, c).value = round(running, 2)
            last = ws.cell(r, c).coordinate
    wb.save(path)
    main(["refresh", str(path)])
    out = capsys.readouterr().out
    assert f"Факт!{last}: касові видатки не меншають" in out


# ---------------------------------------------------------------- a plan from January

def plan_flagged(plan: dict[int, float], actual: dict[int, float]) -> list[tuple]:
    r = compute_variance(frame([(*A1, plan)], start=4), frame([(*A1, actual)], start=9))
    return [(c.table, c.row, c.column) for c in r.checks if c.code == "plan_looks_cumulative"]


@given(plan=PLANS, months=st.integers(3, 12))
def test_a_plan_typed_from_january_is_warned_about(plan: list[float], months: int) -> None:
    """Monthly plans within a factor of two of each other, typed as totals from January,
    with each month's cash equal to its own plan: warned at the plan row's last month
    with cash. (The plan of those months is then at least 1.5× the cash: by hand,
    C₀ + C₁ ≥ C₂/2 whenever the third month is at most three times the first.)"""
    typed = cumulative(plan, [1.0] * 12)
    actual = {m: plan[m - 1] for m in range(1, months + 1)}
    assert plan_flagged(typed, actual) == [("tblPlan", 4, f"m{months:02d}")]


@given(level=st.floats(1000, 2000), months=st.integers(1, 12),
       factors=st.lists(st.floats(0.5, 1.5), min_size=12, max_size=12))
def test_a_flat_monthly_plan_is_never_taken_for_totals(level: float, months: int,
                                                        factors: list[float]) -> None:
    """The common plan, the same sum each month, against any monthly cash of half to one
    and a half times it: never warned (from March, the month is at most two thirds of
    the cash to date)."""
    actual = {m: round(level * factors[m - 1], 2) for m in range(1, months + 1)}
    assert plan_flagged(dict.fromkeys(range(1, 13), level), actual) == []


def test_a_plan_from_january_in_the_sample_is_said_at_its_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path, wb = sample_book(tmp_path)
    ws = wb["План"]
    assert (ws["A4"].value, ws["B4"].value, ws["D3"].value) == ("0813104", "2111", "m01 січ")
    running = 0.0
    for col in range(4, 16):  # D..O: January..December
        running += ws.cell(4, col).value
        ws.cell(4, col).value = round(running, 2)
    wb.save(path)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "План!L4: план не меншає від місяця до місяця, а план 9-го місяця" in out
    assert out.count("наростаючим підсумком") == 1
