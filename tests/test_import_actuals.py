"""import-actuals: portal exports (cumulative) and plain tables into tblActuals, earlier
years into tblHistory; every skipped line counted with its reason."""

from __future__ import annotations

import posixpath
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures_xlsx import SOFFICE, needs_soffice
from hypothesis import given, settings
from hypothesis import strategies as st
from portal_export import COLUMNS, GROUPS, export_rows, export_text, kop

from koshtorys.cli import main
from koshtorys.convert import Unreadable
from koshtorys.core import schema
from koshtorys.core.errors import KoshtorysError
from koshtorys.readers.report import (
    Skip,
    match_program,
    merge_actuals,
    parse_csv,
    read_report,
    rows_from_table,
)
from koshtorys.xlsx import FileBook

PORTAL_HEADER = ("REP_PERIOD;FUND_TYP;COD_BUDGET;COD_CONS_MB_PK;COD_CONS_MB_PK_NAME;"
                 "COD_CONS_MB_FK;COD_CONS_EK;COD_CONS_EK_NAME;ZAT_AMT;PLANS_AMT;FAKT_AMT;"
                 "DONE_CORR_YEAR_PCT")
PROGRAMS = {"0813121", "0813104", "0813105"}  # the kreminna sample's


def portal(path: Path, lines: list[tuple[str, str, str, str, str]]) -> Path:
    """(period, fund, program, kekv, cumulative amount) lines as a portal export."""
    body = [PORTAL_HEADER] + [
        f"{per};{fund};25501000000;{prog};Програма;1090;{kekv};Назва;1000000,00;900000,00;"
        f"{amt};10" for per, fund, prog, kekv, amt in lines
    ]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def sample(tmp_path: Path, lang: str = "uk", history: bool = True) -> Path:
    book = tmp_path / f"b_{lang}.xlsx"
    if history:
        assert main(["new", str(book), "--lang", lang, "--sample"]) == 0
    else:  # the sample without its cash history of earlier years: tblHistory empty
        from koshtorys.samples import sample_frames
        from koshtorys.xlsx.template import build_workbook

        frames = sample_frames("kreminna")
        frames.pop("tblHistory")
        build_workbook(book, lang, frames)  # type: ignore[arg-type]
    return book


def table(path: Path, name: str) -> list[dict[str, object]]:
    """A table's data rows by column key, read with openpyxl (not the product's reader)."""
    t = schema.table(name)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if name in ws.tables:
            cells = ws[ws.tables[name].ref]
            head = [c.value for c in cells[0]]
            keys = {h: k for k in t.column_keys for h in head
                    if h in (t.column(k).header("uk"), t.column(k).header("en"))}
            return [{keys[h]: c.value for h, c in zip(head, row, strict=True) if h in keys}
                    for row in cells[1:]]
    raise KeyError(name)


def actuals(path: Path) -> dict[tuple[str, str, str], list[object]]:
    fund = {"загальний": "general", "спеціальний": "special"}
    return {(str(r["kpkvk"]), str(r["kekv"]), fund.get(r["fund"], r["fund"])):
            [r[m] for m in schema.MONTHS] for r in table(path, "tblActuals") if r["kpkvk"]}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()  # what came before is not this command's
    code = main(["import-actuals", *args])
    got = capsys.readouterr()
    return code, got.out, got.err


# ------------------------------------------------------------------------- reading


def test_portal_cumulative_amounts_become_monthly(tmp_path: Path) -> None:
    rep = portal(tmp_path / "rep.csv", [
        ("2025-01", "C", "813104", "2111", "100,50"),
        ("2025-02", "C", "813104", "2111", "250,50"),
        ("2025-03", "C", "813104", "2111", "400"),
        ("2025-03", "T", "813104", "2111", "99999"),     # total of funds: not counted
        ("2025-02", "S", "813104", "2240", "30"),
        ("2024-12", "C", "813104", "2111", "5"),         # another year: its own rows
    ])
    got = read_report(rep, 2025)
    rows = {(r.year, r.kekv, r.fund, r.month): r.amount for r in got.rows.itertuples()}
    assert rows == {(2025, "2111", "general", 1): 100.5, (2025, "2111", "general", 2): 250.5,
                    (2025, "2111", "general", 3): 400.0, (2025, "2240", "special", 2): 30.0,
                    (2024, "2111", "general", 12): 5.0}
    assert got.skipped == [Skip(5, "total_fund")]
    assert (got.lines, got.taken) == (6, 5)


def test_import_replaces_only_the_months_it_brings(tmp_path: Path) -> None:
    book = sample(tmp_path, "en")
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
    rows = read_report(rep, 2025).rows
    assert sorted(zip(rows.kpkvk, rows.kekv, rows.fund, rows.month, rows.amount,
                      strict=True)) == [
        ("0813104", "2273", "general", 4, 1234.5), ("0813104", "2273", "special", 5, 10.0)]
    assert not rows.cumulative.any()


def test_unreadable_report_is_exit_two(tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    assert main(["new", str(book)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("foo;bar\n1;2\n", encoding="utf-8")
    before = book.read_bytes()
    assert main(["import-actuals", str(book), str(bad)]) == 2
    assert book.read_bytes() == before


@pytest.mark.parametrize("period", ["3", "2025-03", "2025-03-31", "31.03.2025", "03.2025"])
def test_period_spellings(tmp_path: Path, period: str) -> None:
    rep = portal(tmp_path / "r.csv", [(period, "C", "0813104", "2111", "1")])
    assert list(read_report(rep, 2025).rows.month) == [3]


def test_portal_export_saved_as_xlsx(tmp_path: Path) -> None:
    """Excel turns codes into numbers: 813104 is the КПКВК 0813104, 3121 the ТПКВКМБ."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["REP_PERIOD", "FUND_TYP", "COD_CONS_MB_PK", "COD_CONS_EK", "FAKT_AMT"])
    ws.append(["01.2025", "C", 813104, 2111, 1000.5])
    ws.append(["02.2025", "C", 813104, 2111, 2500])
    ws.append(["02.2025", "C", 3121, 2111, 7])
    wb.save(tmp_path / "rep.xlsx")
    rows = read_report(tmp_path / "rep.xlsx", 2025, programs=PROGRAMS).rows
    assert list(zip(rows.kpkvk, rows.month, rows.amount, strict=True)) == [
        ("0813104", 1, 1000.5), ("0813104", 2, 2500.0), ("0813121", 2, 7.0)]
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
    rep = read_report(tmp_path / "rep.xlsx", 2025)
    assert rep.skipped == [] and rep.lines == 2
    got = {(r.kekv, r.fund, r.month): r.amount for r in rep.rows.itertuples()}
    assert got == {("2111", "general", 4): 100.0, ("2120", "special", 4): 22.0}


def test_csv_line_of_empty_fields_is_not_skipped_as_an_error(tmp_path: Path) -> None:
    rep = tmp_path / "rep.csv"
    rep.write_text("kpkvk;kekv;fund;month;amount\n0813104;2111;general;4;100\n;;;;\n\n",
                   encoding="utf-8")
    got = read_report(rep, 2025)
    assert got.skipped == [] and got.lines == 1
    assert list(got.rows["amount"]) == [100.0]


def test_blank_amount_is_skipped_not_read_as_zero(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kpkvk", "kekv", "fund", "month", "amount"])
    ws.append(["0813104", "2111", "general", 4, 100])
    ws.append(["0813104", "2210", "general", 4, None])
    wb.save(tmp_path / "rep.xlsx")
    rep = read_report(tmp_path / "rep.xlsx", 2025)
    assert list(rep.rows["kekv"]) == ["2111"]
    assert rep.skipped == [Skip(3, "bad_amount")] and rep.problems


def test_an_amount_of_three_decimals_as_text_is_skipped_and_said(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'820,000' is 820 or 820 000: not imported as either, the line named, exit 1."""
    (tmp_path / "rep.csv").write_text(
        "kpkvk;kekv;fund;month;amount\n0813104;2111;general;4;100,50\n"
        "0813104;2210;general;4;820,000\n", encoding="utf-8")
    rep = read_report(tmp_path / "rep.csv", 2025)
    assert list(rep.rows["amount"]) == [100.5]
    assert rep.skipped == [Skip(3, "ambiguous_amount")] and rep.problems
    book = sample(tmp_path)
    assert main(["import-actuals", str(book), str(tmp_path / "rep.csv")]) == 1
    assert "неоднозначна сума" in capsys.readouterr().out


def test_portal_export_without_rep_period_is_a_clear_error(tmp_path: Path) -> None:
    rep = tmp_path / "rep.csv"
    rep.write_text("FUND_TYP;COD_CONS_MB_PK;COD_CONS_EK;FAKT_AMT\nC;0813104;2111;100\n",
                   encoding="utf-8")
    with pytest.raises(KoshtorysError, match="REP_PERIOD"):
        read_report(rep, 2025)


# ------------------------------------------------------------------------- issue 9, item 6


def test_non_finite_amounts_are_skipped_counted_and_change_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"nan" was read as 0, "inf" and a 50 MB digit string as blank, with exit 0."""
    book = sample(tmp_path)
    before = actuals(book)
    bad = ["nan", "NaN", "inf", "-inf", "9" * 50_000_000, "1e400", "12 EUR", "01.05.2025"]
    lines = ["kpkvk;kekv;fund;month;amount", "0813121;2111;general;10;500,25"]
    lines += [f"0813121;{k};general;10;{v}" for k, v in zip(
        ["2120", "2210", "2240", "2250", "2271", "2272", "2273", "2274"], bad, strict=True)]
    rep = tmp_path / "bad.csv"
    rep.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, str(book), str(rep))
    assert code == 1 and err == ""
    assert "рядків у звіті: 9; взято: 1; пропущено: 8" in out
    assert "нечислова сума: 8" in out and "нечислова сума: рядки 3, 4, 5, 6, 7, 8, 9, 10" in out
    after = actuals(book)
    assert after[("0813121", "2111", "general")][9] == 500.25
    for k in before:  # nothing else moved: no 0, no blank written for the bad lines
        want = list(before[k])
        if k == ("0813121", "2111", "general"):
            want[9] = 500.25
        assert after[k] == want
    assert set(after) == set(before)


@pytest.mark.parametrize("body", [b"", b"\n\n  \n", b"\xef\xbb\xbf", b"kpkvk;kekv;fund;month;"
                                  b"amount\n", b"kpkvk;kekv;fund;month;amount\n;;;;\n"
])
def test_empty_report_is_one_line_and_exit_two(tmp_path: Path, body: bytes,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    book = sample(tmp_path)
    before = book.read_bytes()
    rep = tmp_path / "empty.csv"
    rep.write_bytes(body)
    code, out, err = run(capsys, str(book), str(rep))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "empty.csv" in err and "внутрішня" not in err
    assert book.read_bytes() == before


def test_ragged_csv_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = sample(tmp_path)
    before = book.read_bytes()
    rep = tmp_path / "r.csv"
    rep.write_text("kpkvk;kekv;fund;month;amount\n0813121;2111;general;4;1\n"
                   "0813121;2111;general;5;1;9;9\n", encoding="utf-8")
    code, _, err = run(capsys, str(book), str(rep))
    assert code == 2 and "рядок 3" in err and err.count("\n") == 1
    assert book.read_bytes() == before


# ------------------------------------------------------------------------- portal export rules


def monthly_input() -> dict[tuple[str, str, str], dict[int, int]]:
    """Monthly cash in kopiykas, January–April 2025: the workbook's program 3121 in both
    funds, and programs of other spending units of the hromada (0160, 1010, 3242)."""
    return {
        ("3121", "2111", "C"): {1: kop("210 000,00"), 2: kop("212 500,50"), 3: kop("215 000"),
                                4: kop("219 999,99")},
        ("3121", "2120", "C"): {1: kop("46 200"), 2: kop("46 750,11"), 3: kop("47 300"),
                                4: kop("48 399,99")},
        ("3121", "2273", "C"): {1: kop("9 000,40"), 2: kop("8 100"), 4: kop("5 000")},
        ("3121", "2274", "C"): {1: kop("20 000"), 2: kop("18 000"), 3: kop("0"),
                                4: kop("4 000,01")},
        ("3121", "2282", "S"): {2: kop("1 500"), 3: kop("2 500")},
        ("3121", "2730", "S"): {4: kop("777,77")},
        ("0160", "2111", "C"): {m: kop("500 000") for m in range(1, 5)},
        ("1010", "2230", "C"): {m: kop("80 000") for m in range(1, 5)},
        ("3242", "2730", "C"): {m: kop("10 000") for m in range(1, 5)},
    }


def test_export_groups_totals_and_other_programs(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    book = sample(tmp_path)
    before = actuals(book)
    monthly = monthly_input()
    rows = export_rows(monthly, 2025, "25501000000", months=range(1, 5))
    rep = tmp_path / "export.csv"
    rep.write_text(export_text(rows), encoding="utf-8")
    code, out, err = run(capsys, str(book), str(rep))
    assert (code, err) == (0, "")
    after = actuals(book)
    fund = {"C": "general", "S": "special"}
    for (prog, kekv, f), amounts in monthly.items():
        key = ("081" + prog, kekv, fund[f])
        if prog != "3121":
            assert key not in after  # other spending units' programs are not taken
            continue
        for m in range(1, 5):  # monthly = this month's cumulative − last month's
            assert round(after[key][m - 1] * 100) == amounts.get(m, 0), (key, m)
        if key in before:
            assert after[key][4:] == before[key][4:]
    assert not any(k[0].startswith("000") for k in after)  # never 3121 → 0003121
    # the rows the export holds, counted from the builder's own rows
    n_total = sum(r[1] == "T" for r in rows)
    n_other = sum(r[1] != "T" and r[3] != "3121" for r in rows)
    n_prog = sum(r[1] != "T" and r[3] == "3121" and r[7] == "0" for r in rows)
    n_group = sum(r[1] != "T" and r[3] == "3121" and r[7] in GROUPS for r in rows)
    n_items = sum(r[1] != "T" and r[3] == "3121" and r[7] not in GROUPS and r[7] != "0"
                  for r in rows)
    assert n_group > 0 and n_prog == 8  # 4 months × 2 funds
    assert f"рядків у звіті: {len(rows)}; взято: {n_items};" in out
    assert (f"пропущено — підсумки обох фондів (T): {n_total}; програми інших розпорядників: "
            f"{n_other}; без економічного коду (підсумки програм): {n_prog}; групові КЕКВ "
            f"(є деталізація): {n_group}") in out
    # a new key gets its fund in the workbook's language
    funds = {(r["kekv"], r["fund"]) for r in table(book, "tblActuals") if r["kpkvk"]}
    assert ("2730", "спеціальний") in funds


def test_group_row_without_details(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """2270 with an amount and no 227x line is not imported, and said (exit 1); 2280 with
    0 and no detail is a group row like any other (nothing lost)."""
    book = sample(tmp_path)
    before = actuals(book)
    rep = portal(tmp_path / "g.csv", [("10.2025", "C", "3121", "2270", "500"),
                                      ("10.2025", "C", "3121", "2280", "0"),
                                      ("10.2025", "C", "3121", "2800", "12")])
    code, out, _ = run(capsys, str(book), str(rep))
    assert code == 1
    assert ("групові КЕКВ (є деталізація): 1; групові КЕКВ без деталізації (суму не "
            "імпортовано): 1") in out
    assert "групові КЕКВ без деталізації (суму не імпортовано): рядки 2" in out
    after = actuals(book)
    assert not any(k[1] in ("2270", "2280") for k in after)
    cum_before = sum(v or 0 for v in before.get(("0813121", "2800", "general"), [])[:9])
    assert after[("0813121", "2800", "general")][9] == pytest.approx(12 - cum_before)


def test_program_totals_and_lines_without_economic_code(tmp_path: Path) -> None:
    rep = portal(tmp_path / "t.csv", [("04.2025", "C", "3121", "0", "9"),
                                      ("04.2025", "C", "3121", "", "9"),
                                      ("04.2025", "S", "3121", "2210", "3")])
    got = read_report(rep, 2025, programs=PROGRAMS)
    assert got.skipped == [Skip(2, "no_kekv"), Skip(3, "no_kekv")] and not got.problems
    assert list(got.rows.kpkvk) == ["0813121"]


def test_tpkvk_matched_by_its_last_four_digits() -> None:
    by = {"3121": ["0813121"], "0160": ["0110160"]}
    assert match_program("3121", by) == "0813121"
    assert match_program(3121.0, by) == "0813121"
    assert match_program("0160", by) == "0110160"
    assert match_program(160, by) == "0110160"  # a client typed it UINT16
    assert match_program("0813121", by) == "0813121"
    assert match_program("813121", by) == "0813121"  # a КПКВК whose zero Excel dropped
    for value, code in (("3104", "other_program"), ("", "bad_program"), ("31a1", "bad_program"),
                        ("12345678", "bad_program")):
        with pytest.raises(Unreadable) as exc:
            match_program(value, by)
        assert exc.value.code == code
    with pytest.raises(KoshtorysError) as err:
        match_program("3121", {"3121": ["0813121", "0913121"]})
    assert "0813121" in str(err.value) and "0913121" in str(err.value)


def test_a_code_of_two_programs_is_an_error_naming_both(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = sample(tmp_path)
    wb = FileBook.open(book)
    wb.update_table("tblPrograms", {}, [{"kpkvk": "0913121", "name": "Інша програма"}])
    wb.save()
    before = book.read_bytes()
    rep = portal(tmp_path / "a.csv", [("04.2025", "C", "3121", "2111", "1")])
    code, out, err = run(capsys, str(book), str(rep))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "3121" in err and "0813121, 0913121" in err
    assert book.read_bytes() == before


def test_a_year_after_execution_year_is_skipped(tmp_path: Path) -> None:
    rep = tmp_path / "p.csv"
    rep.write_text("kpkvk;kekv;fund;month;amount\n0813121;2111;general;2026-01;5\n"
                   "0813121;2111;general;2025-12;6\n", encoding="utf-8")
    got = read_report(rep, 2025, exec_year=2025)
    assert got.skipped == [Skip(2, "later_year")] and got.problems
    assert list(got.rows.month) == [12]


def test_english_workbook_speaks_english(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    book = sample(tmp_path, "en")
    rep = portal(tmp_path / "e.csv", [("04.2025", "T", "3121", "2111", "1"),
                                      ("04.2025", "C", "3121", "2111", "x")])
    code, out, _ = run(capsys, str(book), str(rep))
    assert code == 1
    assert "report lines: 2; taken: 0; skipped: 2" in out
    assert "skipped — totals of both funds (T): 1; amount not a finite number: 1" in out


def test_file_or_portal_and_year_only_with_portal(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    book = sample(tmp_path)
    before = book.read_bytes()
    rep = portal(tmp_path / "x.csv", [("04.2025", "C", "3121", "2111", "1")])
    for args in ([str(book)], [str(book), str(rep), "--portal", "1234567890"],
                 [str(book), str(rep), "--year", "2024"]):
        code, out, err = run(capsys, *args)
        assert code == 2 and out == "" and err.count("\n") == 1, args
    assert book.read_bytes() == before


# ------------------------------------------------------------------------- earlier years


def test_an_earlier_year_fills_tbl_history_and_nothing_else(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = sample(tmp_path, history=False)
    wb = FileBook.open(book)  # a total already there is replaced; other years stay
    wb.update_table("tblHistory", {}, [
        {"kpkvk": "0813121", "kekv": "2111", "fund": "загальний", "year": 2024, "amount": 1.0},
        {"kpkvk": "0813121", "kekv": "2111", "fund": "загальний", "year": 2023,
         "amount": 2_500_000.0}])
    wb.save()
    before = parts(book)
    monthly = {k: v for k, v in monthly_input().items() if k[0] == "3121"}
    rows = export_rows(monthly, 2024, "2550100000", months=range(1, 11))  # to October
    rep = tmp_path / "y2024.csv"
    rep.write_text(export_text(rows), encoding="utf-8")
    code, out, err = run(capsys, str(book), str(rep))
    assert (code, err) == (0, "")
    assert "tblHistory, 2024 рік: сум за рік 6; змінено клітинок 1, додано рядків 5" in out
    assert "звіт за 2024 рік має місяці лише до 10-го" in out
    hist = [r for r in table(book, "tblHistory") if r["kpkvk"]]
    fund = {"C": "загальний", "S": "спеціальний"}
    want = {("0813121", "2111", "загальний", 2023): 2_500_000.0}
    for (_, kekv, f), amounts in monthly.items():
        want[("0813121", kekv, fund[f], 2024)] = sum(amounts.values()) / 100
    got = {(r["kpkvk"], r["kekv"], r["fund"], r["year"]): r["amount"] for r in hist}
    assert got == pytest.approx(want)
    # the replaced total keeps its row; new ones are appended (the template's empty first
    # row stays: a live workbook's cell edits take numbers only, codes go in new rows)
    assert [(r["year"], r["kekv"]) for r in table(book, "tblHistory")] == [
        (None, None), (2024, "2111"), (2023, "2111"), (2024, "2120"), (2024, "2273"),
        (2024, "2274"), (2024, "2282"), (2024, "2730")]
    # only tblHistory's sheet and table changed (and the workbook's recalculate-on-open)
    after = parts(book)
    sheet, tbl = _table_parts(book, "tblHistory")
    changed = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    assert changed <= {sheet, tbl, "xl/workbook.xml"}, changed
    assert sheet in changed


def _table_parts(book: Path, name: str) -> tuple[str, str]:
    """(sheet part, table part) of table ``name``, from the package's relationships."""
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
        [table_part] = [n for n in names if n.startswith("xl/tables/")
                        and f'displayName="{name}"'.encode() in z.read(n)]
        for n in names:
            if not n.startswith("xl/worksheets/_rels/"):
                continue
            for target in re.findall(r'Target="([^"]+)"', z.read(n).decode()):
                full = target.lstrip("/") if target.startswith("/") else \
                    posixpath.normpath(posixpath.join("xl/worksheets", target))
                if full == table_part:
                    return "xl/worksheets/" + Path(n).name[:-len(".rels")], table_part
    raise KeyError(name)


# ------------------------------------------------------------------------- money invariants


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-10**6, 10**11), min_size=1, max_size=12),
       st.booleans())
def test_cumulative_to_monthly_is_exact(monthly: list[int], comma: bool) -> None:
    """Σ of the monthly amounts is each month's cumulative amount, to the kopiyka."""
    amounts = {m + 1: k for m, k in enumerate(monthly)}
    rows = export_rows({("3121", "2240", "C"): amounts}, 2025, "25501000000",
                       months=range(1, len(monthly) + 1), comma=comma)
    df = parse_csv(export_text(rows, COLUMNS), "p.csv", sep=";")
    rep = rows_from_table(df, "p.csv", year=2025, programs={"0813121"})
    empty = pd.DataFrame(columns=["kpkvk", "kekv", "fund", *schema.MONTHS])
    merged = merge_actuals(empty, rep.rows[rep.rows["year"] == 2025])
    assert len(merged) == 1
    got = [round(merged.at[0, m] * 100) for m in schema.MONTHS[:len(monthly)]]
    assert got == monthly
    assert sum(got) == sum(monthly)


def test_a_date_in_an_amount_cell_is_not_money(tmp_path: Path) -> None:
    """Excel stores 01.05.2025 as 45 778: a date where an amount belongs is skipped."""
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kpkvk", "kekv", "fund", "month", "amount"])
    ws.append(["0813121", "2111", "general", 4, dt.datetime(2025, 5, 1)])
    ws.append(["0813121", "2120", "general", 4, dt.time(12, 30)])
    ws.append(["0813121", "2210", "general", 4, 5])
    wb.save(tmp_path / "d.xlsx")
    got = read_report(tmp_path / "d.xlsx", 2025)
    assert got.skipped == [Skip(2, "bad_amount"), Skip(3, "bad_amount")]
    assert list(got.rows.amount) == [5.0]


# ------------------------------------------------------------------------- what the file is

_PDF = (b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
        b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n")
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                     "0000000d4944415478da63f8cfc0f01f0005000200e7a7b3b30000000049454e44ae426082")


def _docx(path: Path) -> None:
    """A Word document as Word writes its package (the parts that name it one)."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://'
                   'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
                   '<w:t>Звіт про виконання</w:t></w:r></w:p></w:body></w:document>')


def _zip_of_csv(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("report.csv", "kpkvk;kekv;fund;month;amount\n0813104;2111;general;3;1\n")


@pytest.mark.parametrize(("name", "make", "says"), [
    ("звіт.pdf", lambda p: p.write_bytes(_PDF), "PDF"),
    ("звіт.csv", lambda p: p.write_bytes(_PDF), "PDF"),  # by its bytes, not its name
    ("звіт.docx", _docx, "Word"),
    ("скан.png", lambda p: p.write_bytes(_PNG), "не текстовий CSV"),
    ("звіт.zip", _zip_of_csv, "не текстовий CSV"),
])
def test_a_file_that_is_no_table_is_named_for_what_it_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
        make: object, says: str) -> None:
    """A PDF of the treasury report (it is often sent so), a Word file, a scan: one line
    naming the file and what it is, exit 2, the workbook untouched."""
    book = sample(tmp_path)
    before = book.read_bytes()
    rep = tmp_path / name
    make(rep)  # type: ignore[operator]
    code, out, err = run(capsys, str(book), str(rep))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and name in err and says in err, err
    assert "кодуванні" not in err and "внутрішня" not in err
    assert book.read_bytes() == before


def test_a_workbook_saved_under_a_csv_name_is_read_as_a_workbook(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kpkvk", "kekv", "fund", "month", "amount"])
    ws.append(["0813104", "2111", "general", "2025-03", 1234.5])
    rep = tmp_path / "export.csv"
    wb.save(rep)
    rows = read_report(rep, 2025).rows
    assert list(zip(rows.kpkvk, rows.kekv, rows.month, rows.amount, strict=True)) == [
        ("0813104", "2111", 3, 1234.5)]


def test_an_undecodable_text_names_its_file(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Bytes that are neither UTF-8 nor windows-1251 (0x98 is unassigned there)."""
    book = sample(tmp_path)
    rep = tmp_path / "r.csv"
    rep.write_bytes(b"kpkvk;kekv;fund;month;amount\n\x98\xff;2111;general;3;1\n")
    code, _, err = run(capsys, str(book), str(rep))
    assert code == 2 and err.count("\n") == 1 and "r.csv" in err and "windows-1251" in err


@needs_soffice
def test_an_opendocument_spreadsheet_is_read(tmp_path: Path) -> None:
    """A report saved by LibreOffice Calc as .ods (the real program writes it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kpkvk", "kekv", "fund", "month", "amount"])
    ws.append(["0813104", "2111", "general", "2025-03", 1234.5])
    ws.append(["0813104", "2120", "special", "2025-04", 271.59])
    src = tmp_path / "report.xlsx"
    wb.save(src)
    subprocess.run([SOFFICE, "--headless",
                    f"-env:UserInstallation={(tmp_path / 'lo').resolve().as_uri()}",
                    "--convert-to", "ods", "--outdir", str(tmp_path / "ods"), str(src)],
                   capture_output=True, timeout=120, check=False)
    ods = tmp_path / "ods" / "report.ods"
    assert ods.exists() and ods.read_bytes()[:2] == b"PK"
    rows = read_report(ods, 2025).rows
    assert sorted(zip(rows.kpkvk, rows.kekv, rows.fund, rows.month, rows.amount,
                      strict=True)) == [("0813104", "2111", "general", 3, 1234.5),
                                        ("0813104", "2120", "special", 4, 271.59)]
