"""import-actuals: portal exports (cumulative) and plain tables into tblActuals."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from koshtorys.cli import main
from koshtorys.core.errors import KoshtorysError
from koshtorys.readers.report import read_report

PORTAL_HEADER = ("REP_PERIOD;FUND_TYP;COD_BUDGET;COD_CONS_MB_PK;COD_CONS_MB_PK_NAME;"
                 "COD_CONS_MB_FK;COD_CONS_EK;COD_CONS_EK_NAME;ZAT_AMT;PLANS_AMT;FAKT_AMT;"
                 "DONE_CORR_YEAR_PCT")


def portal(path: Path, lines: list[tuple[str, str, str, str, str]]) -> Path:
    """(period, fund, program, kekv, cumulative amount) lines as a portal export."""
    body = [PORTAL_HEADER] + [
        f"{per};{fund};25501000000;{prog};Програма;1090;{kekv};Назва;1000000,00;900000,00;"
        f"{amt};10" for per, fund, prog, kekv, amt in lines
    ]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def actuals(path: Path) -> dict[tuple[str, str, str], list[object]]:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if "tblActuals" in ws.tables:
            cells = ws[ws.tables["tblActuals"].ref]
            head = [c.value for c in cells[0]]
            out = {}
            for row in cells[1:]:
                v = dict(zip(head, [c.value for c in row], strict=True))
                if v.get("kpkvk") is None:
                    continue
                out[(str(v["kpkvk"]), str(v["kekv"]), v["fund"])] = [
                    v[f"m{m:02d}"] for m in range(1, 13)]
            return out
    raise KeyError("tblActuals")


def test_portal_cumulative_amounts_become_monthly(tmp_path: Path) -> None:
    rep = portal(tmp_path / "rep.csv", [
        ("2025-01", "C", "813104", "2111", "100,50"),
        ("2025-02", "C", "813104", "2111", "250,50"),
        ("2025-03", "C", "813104", "2111", "400"),
        ("2025-03", "T", "813104", "2111", "99999"),     # total of funds: not counted
        ("2025-02", "S", "813104", "2240", "30"),
        ("2024-12", "C", "813104", "2111", "5"),         # another year: skipped
    ])
    rows = read_report(rep, year=2025).rows
    got = {(r.kekv, r.fund, r.month): r.amount for r in rows.itertuples()}
    assert got == {("2111", "general", 1): 100.5, ("2111", "general", 2): 250.5,
                   ("2111", "general", 3): 400.0, ("2240", "special", 2): 30.0}


def test_import_replaces_only_the_months_it_brings(tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    assert main(["new", str(book), "--lang", "en", "--sample"]) == 0
    before = actuals(book)
    key = next(k for k in before if k[2] == "general" and before[k][0])
    kp, ke, fund = key
    # cumulative: Jan 1000, Feb 2500 → monthly 1000 and 1500
    rep = portal(tmp_path / "rep.csv", [("2025-01", "C", kp, ke, "1000"),
                                        ("2025-02", "C", kp, ke, "2500"),
                                        ("2025-02", "C", "0813104", "2282", "77")])
    assert main(["import-actuals", str(book), str(rep)]) == 0
    after = actuals(book)
    assert after[key][:2] == [1000, 1500]
    assert after[key][2:] == before[key][2:]
    for k in before:
        if k != key:
            assert after[k] == before[k]
    assert after[("0813104", "2282", "general")][1] == 77
    assert main(["refresh", str(book)]) in (0, 1)


def test_plain_table_with_year_month(tmp_path: Path) -> None:
    rep = tmp_path / "plain.csv"
    rep.write_text("kpkvk,kekv,fund,month,amount\n0813104,2273,general,2025-04,1234.5\n"
                   "813104,2273,special,5,10\n", encoding="utf-8")
    rows = read_report(rep, year=2025).rows
    assert sorted(zip(rows.kpkvk, rows.kekv, rows.fund, rows.month, rows.amount,
                      strict=True)) == [
        ("0813104", "2273", "general", 4, 1234.5), ("0813104", "2273", "special", 5, 10.0)]


def test_unreadable_report_is_exit_two(tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    assert main(["new", str(book)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("foo;bar\n1;2\n", encoding="utf-8")
    before = book.read_bytes()
    assert main(["import-actuals", str(book), str(bad)]) == 2
    assert book.read_bytes() == before


@pytest.mark.parametrize("period", ["3", "2025-03-31", "31.03.2025", "03.2025"])
def test_period_spellings(tmp_path: Path, period: str) -> None:
    rep = portal(tmp_path / "r.csv", [(period, "C", "0813104", "2111", "1")])
    assert list(read_report(rep, year=2025).rows.month) == [3]


def test_portal_export_saved_as_xlsx(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["REP_PERIOD", "FUND_TYP", "COD_CONS_MB_PK", "COD_CONS_EK", "FAKT_AMT"])
    ws.append(["2025-01", "C", 813104, 2111, 1000.5])
    ws.append(["2025-02", "C", 813104, 2111, 2500])
    wb.save(tmp_path / "rep.xlsx")
    rows = read_report(tmp_path / "rep.xlsx", year=2025).rows
    assert list(zip(rows.kpkvk, rows.month, rows.amount, strict=True)) == [
        ("0813104", 1, 1000.5), ("0813104", 2, 2500.0)]
    assert rows.cumulative.all()


def test_xlsx_plain_table_blank_rows_and_blank_fund(tmp_path: Path) -> None:
    """A blank line between blocks is not a skipped line; a blank fund cell means general
    (calamine gives NaN for it, which must not read as the fund 'nan')."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kpkvk", "kekv", "fund", "month", "amount"])
    ws.append(["0813104", "2111", None, 4, 100])
    ws.append([None] * 5)
    ws.append(["0813104", "2120", "special", 4, 22])
    wb.save(tmp_path / "rep.xlsx")
    rep = read_report(tmp_path / "rep.xlsx", year=2025)
    assert rep.skipped == []
    got = {(r.kekv, r.fund, r.month): r.amount for r in rep.rows.itertuples()}
    assert got == {("2111", "general", 4): 100.0, ("2120", "special", 4): 22.0}


def test_csv_line_of_empty_fields_is_not_skipped_as_an_error(tmp_path: Path) -> None:
    rep = tmp_path / "rep.csv"
    rep.write_text("kpkvk;kekv;fund;month;amount\n0813104;2111;general;4;100\n;;;;\n",
                   encoding="utf-8")
    got = read_report(rep, year=2025)
    assert got.skipped == []
    assert list(got.rows["amount"]) == [100.0]


def test_blank_amount_is_skipped_not_read_as_zero(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kpkvk", "kekv", "fund", "month", "amount"])
    ws.append(["0813104", "2111", "general", 4, 100])
    ws.append(["0813104", "2210", "general", 4, None])
    wb.save(tmp_path / "rep.xlsx")
    rep = read_report(tmp_path / "rep.xlsx", year=2025)
    assert list(rep.rows["kekv"]) == ["2111"]
    assert len(rep.skipped) == 1 and rep.skipped[0].startswith("line 3")


def test_portal_export_without_rep_period_is_a_clear_error(tmp_path: Path) -> None:
    rep = tmp_path / "rep.csv"
    rep.write_text("FUND_TYP;COD_CONS_MB_PK;COD_CONS_EK;FAKT_AMT\nC;0813104;2111;100\n",
                   encoding="utf-8")
    with pytest.raises(KoshtorysError, match="REP_PERIOD"):
        read_report(rep, year=2025)
