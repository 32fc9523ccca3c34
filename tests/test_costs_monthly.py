"""A cost typed for the month where tblCosts takes the year («Сума на рік»): the request's
проєкт column a twelfth of its затверджено, without a word. ``cost_looks_monthly`` asks
when a line's plan-year cost is 1/14–1/9 of the same line's annual plan of the
execution year (tblPlan)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_validation import tables

from koshtorys import parts

MONTHS = [f"m{m:02d}" for m in range(1, 13)]
PLAN_HEAD = ["kpkvk", "kekv", "fund", *MONTHS]
COST_HEAD = ["kekv", "description", "amount", "service_id", "kpkvk", "fund"]


def warned(monthly_plan: int, costs: list[tuple[str, float]], kekv: str = "2273"
           ) -> list[tuple[int | None, dict]]:
    plan = [PLAN_HEAD, ["0813104", kekv, "general", *[monthly_plan] * 12]]
    rows = [COST_HEAD] + [[kekv, what, amount, None, "0813104", "general"]
                          for what, amount in costs]
    r = parts.compute(tables(tblPlan=plan, tblCosts=rows))
    return [(c.row, c.params) for c in r.checks if c.code == "cost_looks_monthly"]


def test_electricity_typed_for_the_month_is_asked_about() -> None:
    """12 000 a month planned last year (144 000); 12 500 typed for the year."""
    got = warned(12_000, [("Електроенергія", 12_500)])
    assert [row for row, _ in got] == [4]  # the cost's sheet row
    params = got[0][1]
    assert (params["cost"], params["plan"]) == (12_500.0, 144_000.0)
    assert Fraction(str(params["share"])) == Fraction(87, 10)  # 12 500 / 144 000 = 8,68 %


@given(monthly=st.integers(1_000, 100_000), change=st.fractions(Fraction(1, 5), Fraction(5)))
def test_a_year_s_amount_is_never_asked_about(monthly: int, change: Fraction) -> None:
    """A line that shrinks to a fifth or grows fivefold is the budget's business."""
    assert warned(monthly, [("Рік", float(round(12 * monthly * change, 2)))]) == []


@given(monthly=st.integers(1_000, 100_000), change=st.fractions(Fraction(9, 10), Fraction(13, 10)))
def test_a_month_s_amount_is_asked_about(monthly: int, change: Fraction) -> None:
    """A month's amount, give or take a year's change of −10 … +30 %."""
    assert len(warned(monthly, [("Місяць", float(round(monthly * change, 2)))])) == 1


@pytest.mark.parametrize("kekv", ["2111", "2120"])
def test_a_pay_supplement_is_not_asked_about(kekv: str) -> None:
    """A month's pay as a yearly bonus is a twelfth of the payroll by design."""
    assert warned(100_000, [("Матеріальна допомога", 100_000)], kekv=kekv) == []


def test_the_request_repeats_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The Pervomaiskyi sample with one cost line typed as a twelfth of its plan line."""
    from koshtorys.cli import main
    from koshtorys.samples import sample_frames
    from koshtorys.xlsx.template import build_workbook

    frames = sample_frames("pervomaiskyi")
    costs, plan = frames["tblCosts"].copy(), frames["tblPlan"]
    annual = {(r.kpkvk, r.kekv, r.fund): sum(float(getattr(r, m) or 0) for m in MONTHS)
              for r in plan.itertuples()}
    i = next(i for i, r in costs.iterrows()
             if (r.kpkvk, r.kekv, r.fund or "general") in annual and r.kekv not in ("2111", "2120")
             and (costs.kekv == r.kekv).sum() == 1)
    r = costs.loc[i]
    costs.loc[i, "amount"] = round(annual[(r.kpkvk, r.kekv, r.fund or "general")] / 12, 2)
    frames["tblCosts"] = costs
    book = tmp_path / "k.xlsx"
    build_workbook(book, "uk", frames)
    capsys.readouterr()
    assert main(["request", str(book), "--outdir", str(tmp_path / "o")]) in (0, 1)
    assert capsys.readouterr().out.count("чи не введено суму за місяць") == 1
