"""A month's cash may be negative: expenditure restored (money of earlier months
returned), as treasury reports show it. import-actuals wrote such a month (this month's
running total minus last month's) and the workbook's own check then refused it as
«менше допустимого (0)», leaving the whole line's cash out of the analysis. Now it is
counted as typed, with the warning ``cash_restored`` at its cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_import_actuals import PORTAL_HEADER, actuals, sample
from test_validation import tables

from koshtorys import parts
from koshtorys.cli import main

HEAD = ["kpkvk", "kekv", "fund", *[f"m{m:02d}" for m in range(1, 13)]]


def test_a_negative_month_is_counted_and_said() -> None:
    plan = [HEAD, ["0813104", "2210", "general", *[1000] * 12]]
    cash = [HEAD, ["0813104", "2210", "general", 1000, 1500, -100, *[None] * 9],
            ["0813104", "2240", "general", 300, 300, 300, *[None] * 9]]
    r = parts.compute(tables(tblPlan=plan, tblActuals=cash), only="execution")
    assert [(c.severity, c.code, c.row, c.column) for c in r.checks] == [
        ("warning", "cash_restored", 4, "m03")]  # the first data row: sheet row 4
    assert "-100,00 грн" in r.checks[0].message("uk") and "3-го" in r.checks[0].message("uk")
    q1 = r.outputs["tblVariance"].set_index(["kekv", "quarter"])
    assert q1.loc[("2210", 1), "actual"] == 2400.0  # 1 000 + 1 500 − 100, by hand
    assert q1.loc[("2240", 1), "actual"] == 900.0


@pytest.mark.parametrize("cell", [-0.01, -5000])
def test_any_negative_cash_is_a_warning_never_an_error(cell: float) -> None:
    cash = [HEAD, ["0813104", "2210", "general", *[None] * 11, cell]]
    r = parts.compute(tables(tblPlan=[HEAD], tblActuals=cash), only="execution")
    assert [(c.severity, c.code, c.column) for c in r.checks if c.table == "tblActuals"] == [
        ("warning", "cash_restored", "m12")]


def test_a_restoration_in_the_portal_export_imports_and_checks_clean(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """February's running total 2 500, March's 2 400: March is −100, imported and kept."""
    book = sample(tmp_path)
    rep = tmp_path / "r.csv"
    rep.write_text("\n".join([PORTAL_HEADER] + [
        f"{per};C;25501000000;3104;Програма;1020;2210;Предмети;1000000,00;900000,00;{amt};10"
        for per, amt in [("01.2025", "1000,00"), ("02.2025", "2500,00"),
                         ("03.2025", "2400,00")]]) + "\n", encoding="utf-8")
    assert main(["import-actuals", str(book), str(rep)]) == 0
    assert actuals(book)[("0813104", "2210", "general")][:3] == [1000, 1500, -100]
    capsys.readouterr()
    main(["check", str(book)])
    out = capsys.readouterr().out
    assert "від'ємні (-100,00 грн)" in out and "менше допустимого" not in out
