"""The command line end to end on real files: exit codes, messages, results."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from koshtorys.cli import main


def table_rows(path: Path, name: str, data_only: bool = True) -> list[dict[str, object]]:
    """The rows of Excel table ``name`` as dicts keyed by header (openpyxl, read back)."""
    wb = openpyxl.load_workbook(path, data_only=data_only)
    for ws in wb.worksheets:
        if name in ws.tables:
            cells = ws[ws.tables[name].ref]
            head = [c.value for c in cells[0]]
            return [dict(zip(head, [c.value for c in row], strict=True)) for row in cells[1:]
                    if any(c.value is not None for c in row)]
    raise KeyError(name)


def set_cell(path: Path, table: str, row: int, header: str, value: object) -> str:
    """Put ``value`` in data row ``row`` (0-based) of ``table``'s column ``header``;
    return the cell's address."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if table in ws.tables:
            cells = ws[ws.tables[table].ref]
            j = [c.value for c in cells[0]].index(header)
            cell = cells[1 + row][j]
            cell.value = value
            wb.save(path)
            return f"{ws.title}!{cell.coordinate}"
    raise KeyError(table)


@pytest.fixture
def sample_en(tmp_path: Path) -> Path:
    p = tmp_path / "sample.xlsx"
    assert main(["new", str(p), "--lang", "en", "--sample"]) == 0
    return p


def _only_the_samples_own_mismatch(book: Path) -> None:
    """The Kreminna sample's one deliberate problem: its passport's totals by source
    differ from its activity table as printed (seed 003), two error checks."""
    errors = [c for c in table_rows(book, "tblChecks") if c["severity"] == "error"]
    assert [c["code"] for c in errors] == ["program_total_mismatch"] * 2
    assert "10599527.00" in errors[0]["message"] and "10699527.00" in errors[0]["message"]


def test_new_refresh_check_the_sample(sample_en: Path, capsys: pytest.CaptureFixture) -> None:
    # exit 1: done, with the sample's own error checks (program_total_mismatch)
    assert main(["refresh", str(sample_en)]) == 1
    _only_the_samples_own_mismatch(sample_en)
    units = table_rows(sample_en, "tblUnitCosts")
    assert units and all(r["total_cost"] > 0 for r in units)
    # the services' totals tie to all labor + all costs, recomputed here from the inputs
    staff = table_rows(sample_en, "tblStaff")
    costs = table_rows(sample_en, "tblCosts")
    settings = {r["key"]: r["value"] for r in table_rows(sample_en, "tblSettings")}
    labor = 0
    for s in staff:
        pay = max(s["monthly_pay"], settings["min_wage"])
        payroll = round(s["fte"] * pay * (s["months"] or 12) * 100)
        labor += payroll + round(payroll * settings["esv_rate"])
    total_kop = labor + sum(round(c["amount"] * 100) for c in costs)
    assert round(sum(r["total_cost"] for r in units) * 100) == total_kop
    assert main(["check", str(sample_en)]) == 1
    _only_the_samples_own_mismatch(sample_en)


def test_error_checks_give_exit_one_and_point_at_the_cell(sample_en: Path) -> None:
    where = set_cell(sample_en, "tblStaff", 0, "monthly_pay", "багато")
    assert main(["refresh", str(sample_en)]) == 1
    checks = table_rows(sample_en, "tblChecks")
    hit = [c for c in checks if c["table"] == "tblStaff" and c["column"] == "monthly_pay"]
    assert hit and hit[0]["severity"] == "error"
    assert hit[0]["row"] == int(where.split("!")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert where in hit[0]["message"] and "багато" in hit[0]["message"]
    # the other outputs were still written
    assert table_rows(sample_en, "tblUnitCosts")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "koshtorys.cli", *args], capture_output=True,
                          text=True, check=False)


def test_new_refuses_other_extensions_and_existing_files(tmp_path: Path) -> None:
    assert main(["new", str(tmp_path / "b.xlsm")]) == 2
    assert not (tmp_path / "b.xlsm").exists()
    p = tmp_path / "b.xlsx"
    assert main(["new", str(p)]) == 0
    before = p.read_bytes()
    assert main(["new", str(p), "--sample"]) == 2
    assert p.read_bytes() == before


@pytest.mark.parametrize("kind", ["missing", "text", "no_settings", "locked"])
def test_nothing_done_is_exit_two_with_one_line(tmp_path: Path, kind: str) -> None:
    p = tmp_path / "book.xlsx"
    if kind == "text":
        p.write_text("not a workbook")
    elif kind == "no_settings":
        wb = openpyxl.Workbook()
        wb.active.append(["a", "b"])
        wb.active.append([1, 2])
        wb.active.add_table(Table(displayName="tblOther", ref="A1:B2"))
        wb.save(p)
    elif kind == "locked":
        assert main(["new", str(p), "--sample"]) == 0
        (tmp_path / "~$book.xlsx").write_bytes(b"owner")
    before = p.read_bytes() if p.exists() else None
    r = run_cli("refresh", str(p))
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert (p.read_bytes() if p.exists() else None) == before


def test_only_part_leaves_other_outputs(sample_en: Path) -> None:
    assert main(["refresh", str(sample_en), "--only", "costing"]) == 0
    assert table_rows(sample_en, "tblUnitCosts")
    assert table_rows(sample_en, "tblVariance") == []
    assert main(["refresh", str(sample_en), "--only", "execution"]) == 0
    assert table_rows(sample_en, "tblVariance")


def test_users_own_workbook_with_only_inputs(tmp_path: Path) -> None:
    """Tables found by name anywhere, columns in any order; outputs are created."""
    p = tmp_path / "own.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Мої дані"
    ws["A1"] = "value"
    ws["B1"] = "key"
    for i, (k, v) in enumerate([("plan_year", 2026), ("min_wage", 8647), ("esv_rate", 0.22),
                                 ("hours_per_fte", 2000)], start=2):
        ws.cell(i, 1, v)
        ws.cell(i, 2, k)
    ws.add_table(Table(displayName="tblSettings", ref="A1:B5"))
    ws2 = wb.create_sheet("Інше")
    ws2.append(["note"] + ["Планова кількість одиниць", "Код послуги", "Назва послуги",
                           "Одиниця"])
    ws2.append(["мій коментар", 100, "S1", "Догляд", "година"])
    ws2.add_table(Table(displayName="tblServices", ref="A1:E2"))
    ws3 = wb.create_sheet("Staff")
    ws3.append(["position_id", "title", "category", "fte", "monthly_pay"])
    ws3.append(["P1", "Соцробітник", "direct", 1, 10000])
    ws3.append(["P2", "Бухгалтер", "indirect", 0.5, 9000])
    ws3.add_table(Table(displayName="tblStaff", ref="A1:E3"))
    ws4 = wb.create_sheet("Time")
    ws4.append(["position_id", "service_id", "share"])
    ws4.append(["P1", "S1", 0.75])
    ws4.add_table(Table(displayName="tblTime", ref="A1:C2"))
    ws5 = wb.create_sheet("Costs")
    ws5.append(["kekv", "amount", "description"])  # an institution with no other costs
    ws5.append([None, None, None])
    ws5.add_table(Table(displayName="tblCosts", ref="A1:C2"))
    wb.save(p)
    # costing has every table it needs; execution and funding have none: an error each
    assert main(["refresh", str(p)]) == 1
    checks = table_rows(p, "tblChecks")
    assert {c["table"] for c in checks if c["code"] == "missing_table"} == {
        "tblPlan", "tblActuals", "tblNeeds", "tblSources"}
    (u,) = table_rows(p, "tblUnitCosts")
    # by hand: P1 payroll 10000×12 = 120000, ЄСВ 26400, labor 146400; 75 % direct = 109800
    # rest 36600 + P2 0.5×9000×12 = 54000 + 11880 = 65880 → pool 102480, all to S1
    assert u["direct_labor"] == pytest.approx(109800)
    assert u["indirect"] == pytest.approx(102480)
    assert u["total_cost"] == pytest.approx(212280)
    assert u["unit_cost"] == pytest.approx(2122.80)
    assert u["hours"] == pytest.approx(1500)
    assert u["cost_per_hour"] == pytest.approx(212280 / 1500)
    # the user's column beside the table is kept
    wb = openpyxl.load_workbook(p)
    assert wb["Інше"]["A2"].value == "мій коментар"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_refreshed_workbook_opens_and_recalculates_in_libreoffice(sample_en: Path,
                                                                  tmp_path: Path) -> None:
    assert main(["refresh", str(sample_en)]) == 1  # the sample's own program_total_mismatch
    out = tmp_path / "lo"
    r = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/prof",
                        "--convert-to", "xlsx", "--outdir", str(out), str(sample_en)],
                       capture_output=True, text=True, timeout=180, check=False)
    converted = out / sample_en.name
    assert converted.exists(), r.stderr
    mine = table_rows(sample_en, "tblUnitCosts")
    theirs = table_rows(converted, "tblUnitCosts")
    assert [round(x["total_cost"], 2) for x in theirs] == [round(x["total_cost"], 2)
                                                          for x in mine]


def test_check_writes_only_the_checks(sample_en: Path) -> None:
    set_cell(sample_en, "tblServices", 0, "planned_units", 0)
    assert main(["check", str(sample_en)]) == 1
    assert table_rows(sample_en, "tblUnitCosts") == []
    checks = table_rows(sample_en, "tblChecks")
    assert any(c["table"] == "tblServices" and c["column"] == "planned_units" for c in checks)


@pytest.mark.parametrize("system, lang", [(("Ukrainian_Ukraine", "1251"), "uk"),
                                          (("uk_UA", "UTF-8"), "uk"),
                                          (("English_United States", "1252"), "en"),
                                          ((None, None), "en")])
def test_with_no_lang_variable_the_system_locale_speaks(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture,
        system: tuple[str | None, str | None], lang: str) -> None:
    """Windows sets no LANG: a Ukrainian system's refusal before any workbook is read is
    Ukrainian (the locale as Python reports it there: ``Ukrainian_Ukraine``)."""
    import locale

    for name in ("KOSHTORYS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(locale, "getlocale", lambda *a: system)
    assert main(["check", str(tmp_path / "absent.xlsx")]) == 2
    err = capsys.readouterr().err
    assert ("такого файлу немає" in err) == (lang == "uk"), err
