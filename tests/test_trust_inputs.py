"""Nothing silently misread (SPEC "Nothing is silently misread", issue 9 items 1, 2, 10):
dates in amounts, missing tables, shares over one, settings that cannot be trusted."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from fixtures_xlsx import sample_book
from test_validation import COSTS, SERVICES, STAFF, TIME, errors, raw, tables

from koshtorys import parts
from koshtorys.cli import main
from koshtorys.core.book import RawTable
from koshtorys.core.limits import MAX_CELL_TEXT as MAX_TEXT
from koshtorys.samples import sample_frames
from koshtorys.xlsx.template import build_workbook


def codes(result: parts.JobResult) -> list[tuple[str, str, str, int | None, str | None]]:
    return [(c.severity, c.code, c.table, c.row, c.column) for c in result.checks]


# ------------------------------------------------------------------ dates in amounts

@pytest.mark.parametrize("value,serial", [
    (dt.datetime(2025, 5, 1), "45778"),          # «01.05.2025» typed into an amount
    (dt.date(2025, 2, 14), "45702"),
    (dt.time(12, 30), "0.520833"),              # 12:30 = 0.520833… of a day
])
def test_a_date_or_time_in_an_amount_is_an_error_not_money(value: object, serial: str) -> None:
    costs = [COSTS[0], ["2240", "Оренда", value, None, "0813104", "general"], COSTS[2]]
    r = parts.compute(tables(tblCosts=costs), only="costing")
    (c,) = errors(r, "tblCosts")
    assert (c.code, c.row, c.column) == ("date_in_amount", 4, "amount")
    assert "Costs!C4" in c.message("uk") and serial in c.message("en")
    # the date is not money: only the electricity row (6 000) is in the institution's costs
    assert r.outputs["tblCostByKekv"].query("kekv == '2240'").empty


def test_dates_in_a_count_a_share_and_a_rate_are_errors_too() -> None:
    services = [SERVICES[0], ["S1", "Догляд", "година", dt.date(2026, 1, 5), 10, "0813104"],
                SERVICES[2]]
    time = [TIME[0], ["P1", "S1", dt.time(6, 0)], TIME[2]]
    settings = [["key", "value"], ["plan_year", 2026], ["esv_rate", dt.date(2026, 1, 22)]]
    r = parts.compute(tables(tblServices=services, tblTime=time, tblSettings=settings),
                      only="costing")
    found = {(c.table, c.column) for c in r.checks if c.code == "date_in_amount"}
    assert found == {("tblServices", "planned_units"), ("tblTime", "share"),
                     ("tblSettings", "value")}


# ------------------------------------------------------------------ missing tables

def test_a_missing_table_is_an_error_and_its_part_is_not_computed() -> None:
    t = tables()
    del t["tblCosts"]  # "Convert to Range" or deleted
    r = parts.compute(t)
    miss = [c for c in r.checks if c.code == "missing_table"]
    assert {c.table for c in miss} >= {"tblCosts"} and all(c.severity == "error" for c in miss)
    assert "tblUnitCosts" not in r.outputs and "tblCostByKekv" not in r.outputs
    assert r.exit_code == 1
    assert r.checks[0].code == "missing_table"  # the root cause comes first


def test_cli_prints_the_missing_table_before_what_it_causes(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture
                                                            ) -> None:
    path = tmp_path / "k.xlsx"
    build_workbook(path, "uk", sample_frames("kreminna"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Штат"]
    del ws.tables["tblStaff"]  # the sheet keeps its cells as a plain range
    wb.save(path)
    before = openpyxl.load_workbook(path)["Вартість послуг"]["A4"].value
    assert main(["refresh", str(path)]) == 1
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.strip().startswith(("error", "помилка"))]
    assert "tblStaff" in lines[0]  # first, before any consequence
    assert "«Штат»" in lines[0] and "Ctrl+T" in lines[0]  # the header is still a plain range
    # no unit costs from partial inputs: the output table is left as it was
    assert openpyxl.load_workbook(path)["Вартість послуг"]["A4"].value == before


def test_a_table_part_that_cannot_be_read_is_named_with_its_reason(tmp_path: Path) -> None:
    import re

    from koshtorys.xlsx import FileBook

    path = tmp_path / "k.xlsx"
    build_workbook(path, "uk", sample_frames("kreminna"))
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename.startswith("xl/tables/") and b'displayName="tblCosts"' in data:
                data = re.sub(rb' ref="[^"]*"', b' ref="A3:"', data, count=1)  # unreadable
            z.writestr(info, data)
    result = parts.evaluate(FileBook.open(path))
    (c,) = [c for c in result.checks if c.table == "tblCosts"]
    assert (c.code, c.severity) == ("broken_table", "error")
    assert "A3:" in c.message("en") and "Видатки" in c.message("uk")
    assert "tblUnitCosts" not in result.outputs  # no unit costs without the costs


def test_request_without_a_costing_table_is_refused(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "k.xlsx"
    build_workbook(path, "uk", sample_frames("kreminna"))
    wb = openpyxl.load_workbook(path)
    del wb["Штат"].tables["tblStaff"]
    wb.save(path)
    assert main(["request", str(path), "--outdir", str(tmp_path / "req")]) in (1, 2)
    made = list((tmp_path / "req").glob("*.xlsx")) if (tmp_path / "req").exists() else []
    assert made == []  # never a request with zeros for the plan year


# ------------------------------------------------------------------ shares over one

def test_shares_over_one_are_counted_with_rows_that_name_unknown_services() -> None:
    # P1: 0.6 on S1, 0.5 on a service that does not exist, 0.4 on S2 → 1.5 in all
    time = [TIME[0], ["P1", "S1", 0.6], ["P1", "S9", 0.5], ["P1", "S2", 0.4]]
    r = parts.compute(tables(tblTime=time), only="costing")
    got = {c.code for c in errors(r, "tblTime")}
    assert got == {"shares_over_one", "unknown_id"}
    (over,) = [c for c in r.checks if c.code == "shares_over_one"]
    assert over.params["total"] == Decimal("1.5")
    assert "у сумі 1,5 — більше 1" in over.message("uk")  # the decimal comma
    assert "add up to 1.5," in over.message("en")


def test_shares_over_one_are_counted_with_rows_that_name_broken_services() -> None:
    services = [SERVICES[0], SERVICES[1], ["S2", "Консультування", "відвідування", -5, 50,
                                           "0813104"]]  # S2's row has an error
    time = [TIME[0], ["P1", "S1", 0.7], ["P1", "S2", 0.7]]
    r = parts.compute(tables(tblServices=services, tblTime=time), only="costing")
    assert "shares_over_one" in {c.code for c in errors(r, "tblTime")}


# ------------------------------------------------------------------ texts and settings

def test_a_text_longer_than_a_cell_holds_is_a_check() -> None:
    services = [SERVICES[0], ["S1", "х" * (MAX_TEXT + 1), "година", 1000, 10, "0813104"],
                SERVICES[2]]
    r = parts.compute(tables(tblServices=services), only="costing")
    (c,) = errors(r, "tblServices")
    assert (c.code, c.column) == ("text_too_long", "name")


@pytest.mark.parametrize("edrpou", ["00000000", "123", "32855962", "11111111", "abc"])
def test_an_edrpou_must_have_its_control_digit(edrpou: str) -> None:
    settings = [["key", "value"], ["plan_year", 2026], ["edrpou", edrpou]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    assert ("error", "invalid_edrpou", "tblSettings", 5, "value") in codes(r)
    assert r.settings.edrpou == ""  # never carried on to a form


def test_a_valid_edrpou_passes() -> None:
    # 3285596·1: Σ digit × weight (1..7) = 3+4+24+20+30+54+42 = 177; 177 mod 11 = 1
    settings = [["key", "value"], ["plan_year", 2026], ["edrpou", "32855961"],
                ["grk_edrpou", 32855961]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    assert not [c for c in r.checks if c.table == "tblSettings"]
    assert r.settings.edrpou == r.settings.grk_edrpou == "32855961"


def test_execution_year_must_be_before_the_plan_year() -> None:
    settings = [["key", "value"], ["plan_year", 2026], ["execution_year", 2027]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    assert ("error", "execution_not_before_plan", "tblSettings", 5, "value") in codes(r)
    assert r.settings.exec_year == 2025


def test_a_plan_year_far_away_is_a_warning() -> None:
    far = dt.date.today().year + 9
    settings = [["key", "value"], ["plan_year", far], ["min_wage", 9000]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    assert ("warning", "plan_year_far", "tblSettings", 4, "value") in codes(r)


def test_year_defaults_come_from_shipped_data() -> None:
    r = parts.compute(tables(tblSettings=[["key", "value"], ["plan_year", 2026]]),
                      only="costing")
    # 2026: State Budget law 8 647 UAH; 261 weekdays, no public holidays off (martial law)
    assert (r.settings.min_wage, r.settings.hours_per_fte) == (8647.0, 261 * 8)


def test_a_plan_year_without_a_known_minimum_wage_asks_for_it() -> None:
    r = parts.compute(tables(tblSettings=[["key", "value"], ["plan_year", 2031]]),
                      only="costing")
    (c,) = [c for c in r.checks if c.code == "min_wage_unknown"]
    assert c.severity == "error" and "2031" in c.message("en")


def test_budget_and_departmental_codes() -> None:
    settings = [["key", "value"], ["plan_year", 2026], ["budget_code", "1356300000"],
                ["grk_code", 8]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    assert (r.settings.budget_code, r.settings.grk_code) == ("1356300000", "08")
    bad = [["key", "value"], ["plan_year", 2026], ["budget_code", "13563"],
           ["grk_code", "0812"]]
    r = parts.compute(tables(tblSettings=bad), only="costing")
    assert {c.code for c in r.checks} >= {"invalid_budget_code", "invalid_grk_code"}


# ------------------------------------------------------------------ text stays text

def test_a_new_workbook_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    frames = sample_frames("kreminna")
    s = frames["tblSettings"]
    s.loc[s["key"] == "institution", "value"] = '=HYPERLINK("http://127.0.0.1/x","click")'
    frames["tblServices"].loc[0, "name"] = "=1+2"
    path = tmp_path / "k.xlsx"
    build_workbook(path, "uk", frames)
    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml  # no cell of any sheet holds a formula
    wb = openpyxl.load_workbook(path)
    assert wb["Послуги"]["B4"].value == "=1+2" and wb["Послуги"]["B4"].data_type == "s"
    cell = wb["Налаштування"]["B4"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    shutil.rmtree(tmp_path)


def test_raw_table_values_are_the_only_input() -> None:
    # the conversion stage reads what the adapter gives; nothing else
    r = parts.compute({"tblSettings": raw("tblSettings", [["key", "value"],
                                                          ["plan_year", 2026]]),
                       "tblServices": RawTable("tblServices", "S", [], [])}, only="costing")
    assert {c.code for c in r.checks} >= {"missing_column", "missing_table"}
    assert STAFF and r.exit_code == 1


# ------------------------------------------------------------------ what killed runs leave

def test_temporary_files_of_killed_runs_are_swept(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from koshtorys.core.fileio import TEMP_PREFIX, atomic_path

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    left = tmp_path / f"{TEMP_PREFIX}{dead}-abc.xlsx"      # its process has ended
    live = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def.xlsx"  # a run still going
    other = tmp_path / ".~lock.k.xlsx#"                    # not ours
    for p in (left, live, other):
        p.write_bytes(b"x")
    with atomic_path(tmp_path / "k.xlsx") as tmp:
        tmp.write_bytes(b"new")
    assert not left.exists() and live.exists() and other.exists()
    assert (tmp_path / "k.xlsx").read_bytes() == b"new"


# ------------------------------------------------------------------ a table renamed

def _rename_table(path: Path, old: str, new: str) -> None:
    """What Excel's Table Design → Table Name does: the table part's name changes."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/tables/") and f'displayName="{old}"'.encode() in data:
                data = data.replace(f'"{old}"'.encode(), f'"{new}"'.encode())
            zout.writestr(item, data)
    tmp.replace(path)


def test_a_renamed_table_is_named_and_its_references_are_not_blamed(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """tblStaff renamed «Таблиця1» (or the sheet made a table anew with Ctrl+T): it used
    to be "headers as a plain range, after Convert to Range" — wrong — followed by one
    "T04 is not in tblStaff" per row of tblTime."""
    path, _wb = sample_book(tmp_path)
    _rename_table(path, "tblStaff", "Таблиця1")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "помилок 1, попереджень 0" in out
    assert ("Таблиці tblStaff немає в книзі, але на аркуші «Штат» є таблиця «Таблиця1» з її "
            "заголовками: перейменуйте її на tblStaff") in out
    checks = openpyxl.load_workbook(path)["Перевірка"]
    codes = [r[1] for r in checks.iter_rows(min_row=4, values_only=True) if r[1]]
    assert codes == ["missing_table_renamed"]


def test_references_into_a_missing_table_are_not_checked() -> None:
    r = parts.compute({k: v for k, v in tables().items() if k != "tblStaff"}, only="costing")
    assert [(c.code, c.table) for c in errors(r)] == [("missing_table", "tblStaff")]
    r = parts.compute({k: v for k, v in tables().items() if k != "tblServices"},
                      only="costing")
    assert [(c.code, c.table) for c in errors(r)] == [("missing_table", "tblServices")]


# ------------------------------------------------------------------ history years

HISTORY_HEAD = ["kpkvk", "kekv", "fund", "year", "amount"]


@pytest.mark.parametrize("years,unused,no_report", [
    ([2024, 2024], [], False), ([2024, 2023], [], False),  # older years: kept, harmless
    ([2024, 2025], [5], False),  # the execution year's cash belongs in tblActuals
    ([2024, 2026], [5], False),  # the plan year: typed for 2024
    ([2023, 2022], [], True),  # a workbook carried over without this year's report
])
def test_history_years_the_request_cannot_use_are_said(years: list[int], unused: list[int],
                                                       no_report: bool) -> None:
    history = [HISTORY_HEAD] + [["0813104", "2111", "general", y, 1000] for y in years]
    r = parts.compute(tables(tblHistory=history))
    found = [(c.code, c.row) for c in r.checks if c.code.startswith("history_")]
    want = [("history_year_unused", row) for row in unused]
    if no_report:
        want.append(("history_no_report_year", None))
    assert found == want
    for c in r.checks:
        if c.code == "history_year_unused":
            assert "звіт за 2024 рік" in c.message("uk") and "tblActuals" in c.message("en")
        if c.code == "history_no_report_year":
            assert "за 2024 рік" in c.message("uk") and "request for 2026" in c.message("en")
