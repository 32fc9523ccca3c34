"""``koshtorys new``: the template workbook and the bundled sample."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart
from openpyxl.utils.cell import range_boundaries

from koshtorys.convert import convert_inputs
from koshtorys.core import schema
from koshtorys.core.book import RawTable
from koshtorys.core.errors import WorkbookError
from koshtorys.parts import compute
from koshtorys.samples import VARIANTS, sample_frames
from koshtorys.xlsx.template import build_workbook

SEEDS = Path("/work/shared/seeds")

# Kreminna 2026 program (seed 003): activity amounts of section 6 and the passport.
SEED_LOCAL = {"1.2": 9_552_128, "1.3": 50_250, "1.4": 760_633, "4.1": 236_516}
SEED_OTHER = {"3.5": 500_000, "3.7": 500_000, "3.10": 100_000}
SEED_TOTAL, SEED_LOCAL_TOTAL, SEED_OTHER_TOTAL = 11_699_527, 10_599_527, 1_100_000


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("books")
    paths = {}
    for lang in ("uk", "en"):
        for with_sample in (False, True):
            p = d / f"{lang}{'_sample' if with_sample else ''}.xlsx"
            build_workbook(p, lang=lang, sample=sample_frames() if with_sample else None)
            paths[f"{lang}{'_sample' if with_sample else ''}"] = p
    p = d / "pervomaiskyi.xlsx"
    build_workbook(p, sample=sample_frames("pervomaiskyi"))
    paths["pervomaiskyi"] = p
    return paths


def _tables(wb: openpyxl.Workbook) -> dict[str, tuple[openpyxl.worksheet.worksheet.Worksheet,
                                                     object]]:
    return {t.name: (ws, t) for ws in wb.worksheets for t in ws.tables.values()}


def _raw(wb: openpyxl.Workbook, name: str) -> RawTable:
    ws, t = _tables(wb)[name]
    c0, r0, c1, r1 = range_boundaries(t.ref)
    rows = [[c.value for c in row]
            for row in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1)]
    return RawTable(name, ws.title, [str(h) for h in rows[0]], rows[1:], header_row=r0,
                    first_col=c0)


def _records(wb: openpyxl.Workbook, name: str) -> list[dict[str, object]]:
    """Rows of table ``name`` keyed by schema key (headers in either language)."""
    raw = _raw(wb, name)
    t = schema.table(name)
    key_of = {c.header(lang): c.key for c in t.columns for lang in ("uk", "en")}
    return [{key_of[h]: v for h, v in zip(raw.headers, row, strict=True)}
            for row in raw.rows if any(v is not None for v in row)]


@pytest.mark.parametrize("variant", ["uk", "en", "uk_sample", "en_sample"])
def test_every_table_with_exact_name_headers_and_sheet(books: dict[str, Path],
                                                       variant: str) -> None:
    lang = variant[:2]
    wb = openpyxl.load_workbook(books[variant])
    found = _tables(wb)
    assert set(found) == {t.name for t in schema.TABLES}
    for t in schema.TABLES:
        ws, xt = found[t.name]
        assert ws.title == t.sheet(lang)
        assert xt.displayName == t.name
        c0, r0, c1, _ = range_boundaries(xt.ref)
        assert r0 == 3
        headers = [ws.cell(3, c).value for c in range(c0, c1 + 1)]
        assert headers == t.headers(lang)
        assert [c.name for c in xt.tableColumns] == t.headers(lang)
        if lang == "en":
            assert headers == t.column_keys
        if t.name != "tblQuarterTotals":
            assert c0 == 1
            assert ws.cell(1, 1).value == t.title(lang) and ws.cell(1, 1).font.b
    # one table per sheet, except the quarter totals beside the variance summary
    per_sheet = {}
    for name, (ws, _) in found.items():
        per_sheet.setdefault(ws.title, []).append(name)
    shared = {s: n for s, n in per_sheet.items() if len(n) > 1}
    assert list(shared.values()) == [["tblVarianceSummary", "tblQuarterTotals"]]


def test_quarter_totals_beside_the_summary_with_a_gap(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["uk"])
    found = _tables(wb)
    _, summary = found["tblVarianceSummary"]
    ws, quarters = found["tblQuarterTotals"]
    s_last = range_boundaries(summary.ref)[2]
    q_first, q_row, _, _ = range_boundaries(quarters.ref)
    assert q_first == s_last + 2 and q_row == 3
    assert [ws.cell(3, q_first + i).value for i in range(3)] == ["Квартал", "План",
                                                               "Касові видатки"]
    assert ws.cell(1, q_first).value == schema.table("tblQuarterTotals").title("uk")


def test_charts_reference_the_table_columns(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["uk"])
    found = _tables(wb)
    ws, quarters = found["tblQuarterTotals"]
    (chart,) = ws._charts
    assert isinstance(chart, BarChart) and chart.type == "col"
    assert chart.grouping == "clustered" and len(chart.series) == 2
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == ["'Виконання (підсумок)'!$S$4", "'Виконання (підсумок)'!$T$4"]
    assert quarters.ref == "R3:T4"

    ws, summary = found["tblFundingSummary"]
    (chart,) = ws._charts
    assert chart.grouping == "stacked" and len(chart.series) == len(schema.SOURCES)
    keys = schema.table("tblFundingSummary").column_keys
    letters = [chr(ord("A") + keys.index(k)) for k in schema.SOURCES]
    assert [s.val.numRef.f for s in chart.series] == [
        f"'Фінансування (підсумок)'!${c}$4" for c in letters]


def test_validation_lists_on_enumerations(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["uk"])
    found = _tables(wb)
    for t in schema.INPUT_TABLES:
        ws, xt = found[t.name]
        lists = [(dv.sqref, dv.formula1) for dv in ws.data_validations.dataValidation
                 if dv.type == "list"]
        for j, c in enumerate(t.columns):
            if c.kind != "enum":
                continue
            cell = f"{chr(ord('A') + j)}4"
            formulas = [f for sq, f in lists if cell in sq]
            assert formulas, (t.name, c.key)
            labels = [schema.enum_label(c.enum, code, "uk") for code in schema.ENUMS[c.enum]]
            assert formulas[0] == '"' + ",".join(labels) + '"'
    # the indirect_base setting is a list too
    ws, _ = found["tblSettings"]
    row = next(r for r in range(4, 40) if ws.cell(r, 1).value == "indirect_base")
    dvs = [dv for dv in ws.data_validations.dataValidation if f"B{row}" in dv.sqref]
    assert dvs[0].type == "list" and dvs[0].formula1 == '"direct_labor,direct_cost,hours"'


def test_number_rules_on_share_months_and_fte(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["en"])
    found = _tables(wb)

    def rule(table: str, key: str) -> tuple[str | None, str | None, str | None, str | None]:
        ws, _ = found[table]
        col = chr(ord("A") + schema.table(table).column_keys.index(key))
        dv = next(dv for dv in ws.data_validations.dataValidation if f"{col}4" in dv.sqref
                  and f"{col}203" in dv.sqref)
        return dv.type, dv.operator, dv.formula1, dv.formula2

    assert rule("tblTime", "share") == ("decimal", "between", "0", "1")
    assert rule("tblStaff", "months") == ("whole", "between", "1", "12")
    assert rule("tblStaff", "fte") == ("decimal", "greaterThanOrEqual", "0", None)
    assert rule("tblServices", "planned_units") == ("decimal", "greaterThan", "0", None)


def test_settings_defaults_prompts_and_first_sheet(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["uk"])
    assert wb.sheetnames[0] == "Налаштування" and wb.active.title == "Налаштування"
    rec = {r["key"]: r["value"] for r in _records(wb, "tblSettings")}
    assert set(rec) == {s.key for s in schema.SETTINGS}
    ws, xt = _tables(wb)["tblSettings"]
    keys = [ws.cell(r, 1).value for r in range(4, range_boundaries(xt.ref)[3] + 1)]
    assert keys == [s.key for s in schema.SETTINGS]
    assert rec["plan_year"] == dt.date.today().year + 1
    assert rec.get("execution_year") is None  # means plan_year - 1
    assert rec["esv_rate"] == 0.22
    assert rec["under_threshold"] == 0.9
    assert rec["indirect_base"] == "direct_labor"
    assert rec["smtp_port"] == 587
    assert rec["min_wage"] is None  # blank: the State Budget law's for the plan year
    assert rec["hours_per_fte"] is None  # blank: the plan year's calendar
    assert "password" not in " ".join(keys)
    prompts = {str(dv.sqref): dv.prompt for dv in ws.data_validations.dataValidation}
    for i, s in enumerate(schema.SETTINGS):
        assert prompts[f"B{4 + i}"] == s.uk


def test_input_and_output_tabs_differ_and_codes_are_text(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["uk_sample"])
    found = _tables(wb)
    colour = {t.role: found[t.name][0].sheet_properties.tabColor.rgb for t in schema.TABLES}
    assert colour["input"] != colour["output"]
    for t in schema.INPUT_TABLES:
        ws, _ = found[t.name]
        assert ws.freeze_panes == "A4"
        for j, c in enumerate(t.columns):
            if c.key in ("kpkvk", "kekv") and t.name != "tblSettings":
                cell = ws.cell(4, j + 1)
                if t.name not in sample_frames():
                    continue  # an optional table the sample leaves empty
                assert cell.number_format == "@"
                assert ws.cell(150, j + 1).number_format == "@"
                assert isinstance(cell.value, str) and len(cell.value) in (4, 7)
    ws, _ = found["tblPlan"]
    assert ws.cell(4, 1).value == "0813121"
    assert wb.properties.title
    assert wb.properties.creator == "koshtorys"


def test_empty_template_has_one_blank_row_per_table(books: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(books["en"])
    for name, (ws, xt) in _tables(wb).items():
        c0, r0, c1, r1 = range_boundaries(xt.ref)
        if name == "tblSettings":
            continue
        assert r1 == r0 + 1, name
        assert all(ws.cell(r1, c).value is None for c in range(c0, c1 + 1)), name


def test_sample_tables_filled_and_names_stay_ukrainian(books: dict[str, Path]) -> None:
    for variant in ("uk_sample", "en_sample"):
        wb = openpyxl.load_workbook(books[variant])
        for t in schema.INPUT_TABLES:
            assert bool(_records(wb, t.name)) == (t.name in sample_frames()), (variant, t.name)
        for t in schema.OUTPUT_TABLES:
            assert not _records(wb, t.name)
    wb = openpyxl.load_workbook(books["en_sample"])
    names = [r["name"] for r in _records(wb, "tblServices")]
    assert "Догляд вдома" in names


def test_kreminna_needs_match_the_program(books: dict[str, Path]) -> None:
    assert sum(SEED_LOCAL.values()) == SEED_LOCAL_TOTAL
    assert sum(SEED_OTHER.values()) == SEED_OTHER_TOTAL
    assert SEED_LOCAL_TOTAL + SEED_OTHER_TOTAL == SEED_TOTAL
    wb = openpyxl.load_workbook(books["uk_sample"])
    needs = _records(wb, "tblNeeds")
    sources = _records(wb, "tblSources")
    assert {(r["base_year"], r["first_year"], r["last_year"]) for r in needs} == {
        (2026, 2026, 2026)}
    assert sum(r["base_amount"] for r in needs) == SEED_TOTAL
    amount = {r["activity_id"]: r["base_amount"] for r in needs}
    # 1.2 is split over the budget programs whose costs it funds; it adds up as printed
    assert sum(v for k, v in amount.items() if k.startswith("KR-1.2")) == SEED_LOCAL["1.2"]
    for item in ("1.3", "1.4", "4.1", "3.5", "3.7", "3.10"):
        assert amount[f"KR-{item}"] == {**SEED_LOCAL, **SEED_OTHER}[item]
    source = {r["activity_id"]: schema.enum_value("source", r["source"]) for r in sources}
    # the activity table funds 3.5 and 3.7 from other lawful sources only (not МТД), and
    # 3.10 from "the hromada's budget and other lawful funds": coded as the local budget
    assert {k for k, v in source.items() if v == "other"} == {"KR-3.5", "KR-3.7"}
    assert source["KR-3.10"] == "local" and "donor" not in source.values()
    # the passport's own totals are kept as declared
    totals = {(r["year"], schema.enum_value("source", r["source"])): r["amount"]
              for r in _records(wb, "tblProgramTotals")}
    assert totals == {(2026, "local"): SEED_LOCAL_TOTAL, (2026, "other"): SEED_OTHER_TOTAL}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not present")
def test_seed_figures_are_the_documents() -> None:
    (program,) = SEEDS.glob("003_*")
    text = program.read_text(encoding="utf-8")
    assert str(SEED_TOTAL) in text and str(SEED_LOCAL_TOTAL) in text
    for amount in list(SEED_LOCAL.values()) + list(SEED_OTHER.values()):
        assert f"{amount:,}".replace(",", " ") in text
    assert "1 100 000" in text


def test_kreminna_costing_equals_its_program(books: dict[str, Path]) -> None:
    """Staff with ЄСВ plus other costs, computed here from the workbook by the SPEC's
    formulas, add up to the program's total; the special fund is the other sources."""
    wb = openpyxl.load_workbook(books["uk_sample"])
    rec = {r["key"]: r["value"] for r in _records(wb, "tblSettings")}
    esv, min_wage = rec["esv_rate"], rec["min_wage"]
    labour = sum(r["fte"] * max(r["monthly_pay"], min_wage) * r["months"] * (1 + esv)
                 for r in _records(wb, "tblStaff"))
    costs = _records(wb, "tblCosts")
    special = sum(r["amount"] for r in costs if schema.enum_value("fund", r["fund"]) == "special")
    general = sum(r["amount"] for r in costs if schema.enum_value("fund", r["fund"]) != "special")
    assert round(labour + general + special, 2) == SEED_TOTAL
    assert special == SEED_OTHER["3.5"] + SEED_OTHER["3.7"]
    staff = _records(wb, "tblStaff")
    assert sum(r["fte"] for r in staff) == 20  # "Працівники установи – 20"


@pytest.mark.parametrize("variant", ["uk_sample", "en_sample", "pervomaiskyi"])
def test_sample_passes_validation_and_computes(books: dict[str, Path], variant: str) -> None:
    wb = openpyxl.load_workbook(books[variant])
    raw = {t.name: _raw(wb, t.name) for t in schema.INPUT_TABLES}
    inputs = convert_inputs(raw)
    assert [c for c in inputs.checks] == []
    assert not inputs.missing
    result = compute(raw, lang=variant[:2] if variant != "pervomaiskyi" else "uk")
    errors = [c.code for c in result.checks if c.severity == "error"]
    # Kreminna's passport totals differ from its activity table as printed: its two errors
    assert errors == ([] if variant == "pervomaiskyi" else ["program_total_mismatch"] * 2)
    assert not [c for c in result.checks if c.code == "need_differs_from_costs"]
    flags = set(result.outputs["tblVariance"]["flag"])
    assert {"under", "over", "unplanned", "ok"} <= flags


def test_execution_sample_shape() -> None:
    for v in VARIANTS:
        f = sample_frames(v)
        plan, act = f["tblPlan"], f["tblActuals"]
        assert plan[list(schema.MONTHS)].notna().all().all()
        assert act[list(schema.MONTHS[9:])].isna().all().all()  # through September
        assert set(plan["kekv"]) >= {"2111", "2120", "2210", "2240", "2273", "2800"}
        assert all(len(k) == 7 for k in plan["kpkvk"])
    with pytest.raises(ValueError):
        sample_frames("nowhere")


def test_written_atomically_and_refuses_a_locked_file(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    build_workbook(target, lang="en")
    assert openpyxl.load_workbook(target).sheetnames[0] == "Settings"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]
    (tmp_path / "~$book.xlsx").write_text("x")
    with pytest.raises(WorkbookError):
        build_workbook(target, lang="en")
    with pytest.raises(ValueError):
        build_workbook(tmp_path / "x.xlsx", lang="de")  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_and_converts(books: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    profile = (tmp_path / "profile").as_uri()
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "ods",
         "--outdir", str(out), str(books["uk_sample"])],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    converted = out / "uk_sample.ods"
    assert converted.is_file() and converted.stat().st_size > 10_000
    assert not re.search(r"error", proc.stderr, re.I), proc.stderr
