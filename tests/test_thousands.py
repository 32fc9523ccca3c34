"""A plan or a cash column typed in thousands of hryvnias while the other is in hryvnias
is said, not analysed in silence as overspending or underspending a thousand times over:
``plan_in_thousands`` / ``actuals_in_thousands``, once for the institution, with both
figures to date."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_execution import A1, A2, B1, frame

from koshtorys.cli import main
from koshtorys.engine.execution import compute_variance
from koshtorys.samples import sample_frames
from koshtorys.xlsx.template import build_workbook

AMOUNTS = st.lists(st.integers(100_000, 900_000), min_size=12, max_size=12)  # kopiykas


def warned(plan: dict[tuple[str, str, str], list[int]],
           cash: dict[tuple[str, str, str], list[int]], months: int) -> list[tuple[str, dict]]:
    """The thousands warnings for plan and cash given in kopiykas per month (cash for the
    first ``months`` months)."""
    p = frame([(*k, {m + 1: v / 100 for m, v in enumerate(vs)}) for k, vs in plan.items()])
    a = frame([(*k, {m + 1: v / 100 for m, v in enumerate(vs[:months])})
               for k, vs in cash.items()], start=9)
    return [(c.code, c.params) for c in compute_variance(p, a).checks
            if c.code in ("plan_in_thousands", "actuals_in_thousands")]


@given(a1=AMOUNTS, b1=AMOUNTS, months=st.integers(1, 12),
       factor=st.fractions(Fraction(1, 3), Fraction(3)))
def test_cash_in_the_plan_s_own_units_is_never_warned(a1: list[int], b1: list[int],
                                                     months: int, factor: Fraction) -> None:
    """Spending a third of the plan or three times it is a budget's trouble, not units."""
    cash = {A1: [int(v * factor) for v in a1], B1: [int(v * factor) for v in b1]}
    assert warned({A1: a1, B1: b1}, cash, months) == []


@given(a1=AMOUNTS, b1=AMOUNTS, months=st.integers(1, 12),
       factor=st.fractions(Fraction(7, 10), Fraction(13, 10)))
def test_cash_typed_in_thousands_is_warned_once_with_its_share(
        a1: list[int], b1: list[int], months: int, factor: Fraction) -> None:
    cash = {A1: [int(v * factor / 1000) for v in a1], B1: [int(v * factor / 1000) for v in b1]}
    got = warned({A1: a1, B1: b1}, cash, months)
    plan_kop = sum(a1[:months]) + sum(b1[:months])  # the plan of the months with cash
    cash_kop = sum(cash[A1][:months]) + sum(cash[B1][:months])
    assert [code for code, _ in got] == ["actuals_in_thousands"]
    params = got[0][1]
    assert Fraction(params["plan"]).limit_denominator(100) == Fraction(plan_kop, 100)
    assert Fraction(params["actual"]).limit_denominator(100) == Fraction(cash_kop, 100)
    assert params["months"] == months
    share = Fraction(100 * cash_kop, plan_kop)
    assert abs(Fraction(params["share"]) - share) <= Fraction(1, 2000)


@given(a1=AMOUNTS, months=st.integers(1, 12),
       factor=st.fractions(Fraction(7, 10), Fraction(13, 10)))
def test_a_plan_typed_in_thousands_is_warned_once_with_the_times(
        a1: list[int], months: int, factor: Fraction) -> None:
    plan = [max(1, int(v / 1000)) for v in a1]
    cash = [int(v * factor) for v in a1]
    got = warned({A2: plan}, {A2: cash}, months)
    assert [code for code, _ in got] == ["plan_in_thousands"]
    times = Fraction(sum(cash[:months]), sum(plan[:months]))
    assert abs(got[0][1]["times"] - times) <= Fraction(1, 2)


def test_the_message_gives_both_figures_and_the_share() -> None:
    """100 000 UAH planned a month, 95 000 spent typed as 95 (thousands), to September."""
    r = compute_variance(frame([(*A1, {m: 100_000.0 for m in range(1, 13)})]),
                         frame([(*A1, {m: 95.0 for m in range(1, 10)})], start=9))
    (c,) = [c for c in r.checks if c.code == "actuals_in_thousands"]
    assert c.table == "tblActuals" and c.severity == "warning"
    assert c.params["share"] == Decimal("0.095")
    text = c.message("uk")
    assert "за 9 міс." in text and "855,00 грн" in text and "900\u00a0000,00 грн" in text
    assert "0,095 %" in text


def _sample_scaled(tmp_path: Path, table: str) -> Path:
    """The Pervomaiskyi sample with ``table``'s months divided by 1 000 (typed in тис. грн)."""
    frames = sample_frames("pervomaiskyi")
    df = frames[table].copy()
    for m in (f"m{i:02d}" for i in range(1, 13)):
        df[m] = (df[m].astype(float) / 1000).round(3)
    frames[table] = df
    path = tmp_path / "k.xlsx"
    build_workbook(path, "uk", frames)
    return path


def test_the_passport_report_repeats_cash_in_thousands(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The report's actual column is tblActuals as typed: whoever runs only the report is
    told, as refresh tells."""
    book = _sample_scaled(tmp_path, "tblActuals")
    capsys.readouterr()
    assert main(["passport", str(book), "--report", "--outdir", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert out.count("у тисячах гривень") == 1 and "0,09" in out


def test_the_request_repeats_a_plan_in_thousands(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The request's затверджено column is the annual plan."""
    book = _sample_scaled(tmp_path, "tblPlan")
    capsys.readouterr()
    assert main(["request", str(book), "--outdir", str(tmp_path / "o")]) in (0, 1)
    out = capsys.readouterr().out
    assert out.count("чи не введено план у тисячах гривень") == 1


HISTORY_HEAD = ["kpkvk", "kekv", "fund", "year", "amount"]
PLAN_HEAD = ["kpkvk", "kekv", "fund", *[f"m{m:02d}" for m in range(1, 13)]]


def _history_warnings(history_amount: float, monthly_plan: float) -> list:
    from test_validation import tables

    from koshtorys import parts

    plan = [PLAN_HEAD, ["0813104", "2210", "general", *[monthly_plan] * 12]]
    history = [HISTORY_HEAD, ["0813104", "2210", "general", 2024, history_amount]]
    r = parts.compute(tables(tblPlan=plan, tblHistory=history))  # plan_year 2026
    return [c for c in r.checks if c.code == "history_in_thousands"]


def test_a_year_s_report_in_thousands_is_said_once() -> None:
    """2024's cash typed as 1 150 (thousands) beside a 2025 plan of 12 × 100 000."""
    (c,) = _history_warnings(1150.0, 100_000.0)
    assert (c.severity, c.table, c.row) == ("warning", "tblHistory", None)
    assert c.params["share"] == Decimal("0.096")  # 1 150 / 1 200 000, by hand: 0,0958 %
    assert "2024 року" in c.message("uk") and "1\u00a0200\u00a0000,00 грн" in c.message("uk")


@given(ratio=st.fractions(Fraction(1, 5), Fraction(5)))
def test_a_report_in_hryvnias_is_never_said(ratio: Fraction) -> None:
    assert _history_warnings(float(1_200_000 * ratio), 100_000.0) == []
