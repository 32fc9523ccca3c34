"""Refresh changes nothing outside its output tables (SPEC: inputs are never changed).

A workbook with everything a user may have — formulas with cached values, a chart, an
image, comments, data validation, defined names, sparklines, number formats, a VBA
project — is refreshed, and every zip entry that does not hold an output table must
come out byte-identical.
"""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlwings
from fixtures_xlsx import (
    add_sparklines,
    add_table,
    entries,
    make_xlsm,
    needs_soffice,
    new_workbook,
    put_rows,
    set_cached_values,
    soffice_convert,
    xlwings_part,
)
from lxml import etree
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from PIL import Image as PILImage
from python_calamine import CalamineWorkbook

import koshtorys.xlsx.zipwrite
from koshtorys.core import schema
from koshtorys.core.errors import WorkbookError
from koshtorys.xlsx import FileBook

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension")
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
SUMMARY = schema.table("tblFundingSummary")
UNIT = schema.table("tblUnitCosts")
SUMMARY_SHEET = SUMMARY.sheet_uk
UNIT_SHEET = UNIT.sheet_uk


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lo-profile")


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    PILImage.new("RGB", (40, 20), (200, 30, 30)).save(buf, format="PNG")
    buf.seek(0)
    return buf


def rich_book(path: Path) -> Path:
    """Every kind of content a refresh must leave alone, plus two output tables."""
    wb = new_workbook()
    s = wb.create_sheet("Налаштування")
    put_rows(s, "A1", [schema.table("tblSettings").headers("uk"), ["plan_year", 2026],
                       ["esv_rate", 0.22], ["index_rate", "=B3/2"]])
    add_table(s, "tblSettings", "A1:B4")
    s["B3"].number_format = "0.00%"
    s["A2"].font = Font(bold=True, color="FFC00000")
    s["A2"].fill = PatternFill("solid", fgColor="FFFFF2CC")
    s["D1"] = "Примітка"
    s["D1"].comment = Comment("Параметри розрахунку", "Бухгалтер")
    s.add_image(Image(_png()), "D3")
    wb.defined_names["Ставка_ЄСВ"] = DefinedName("Ставка_ЄСВ", attr_text="Налаштування!$B$3")

    p = wb.create_sheet("План")
    head = schema.table("tblPlan").headers("uk")
    put_rows(p, "A1", [[*head, "Тренд"],
                       ["0813104", "2111", "general", 1000, "=D2*2", *range(300, 1300, 100)],
                       ["0813104", "2120", "general", 220, "=D3*2", *range(60, 260, 20)]])
    add_table(p, "tblPlan", "A1:P3")
    for row in p["D2:O3"]:
        for c in row:
            c.number_format = "#,##0.00 ₴"
    dv = DataValidation(type="list", formula1='"general,special"', allow_blank=True)
    p.add_data_validation(dv)
    dv.add("C2:C3")
    line = LineChart()
    line.add_data(Reference(p, min_col=4, max_col=15, min_row=2, max_row=2), from_rows=True)
    p.add_chart(line, "B6")

    f = wb.create_sheet(SUMMARY_SHEET)
    put_rows(f, "A1", [SUMMARY.headers("uk"), ["2026", 100, 60, 20, 10, 10, 0],
                       ["2027", 110, 70, 20, 10, 10, 0], ["NPV", 210, 130, 40, 20, 20, 0]])
    add_table(f, "tblFundingSummary", "A1:G4")
    bar = BarChart()
    bar.add_data(Reference(f, min_col=3, max_col=3, min_row=1, max_row=3), titles_from_data=True)
    bar.set_categories(Reference(f, min_col=1, min_row=2, max_row=3))
    f.add_chart(bar, "I2")

    u = wb.create_sheet(UNIT_SHEET)
    put_rows(u, "A1", [UNIT.headers("uk"), ["S0", "Стара послуга", "година", 1]])
    add_table(u, "tblUnitCosts", "A1:N2")
    wb.save(path)

    set_cached_values(path, "Налаштування", {"B4": 0.11})
    set_cached_values(path, "План", {"E2": 2000, "E3": 440})
    add_sparklines(path, "План", {"P2": "План!D2:O2", "P3": "План!D3:O3"})
    return path


def summary_frame() -> pd.DataFrame:
    rows = [["2026", 100.0, 60.0, 20.0, 10.0, 10.0, 0.0, 0.0],
            ["2027", 110.0, 70.0, 20.0, 10.0, 10.0, 0.0, 0.0],
            ["2028", 121.0, 80.0, 21.0, 10.0, 10.0, 0.0, 0.0],
            ["2029", 133.1, 90.0, 23.1, 10.0, 10.0, 0.0, 0.0],
            ["NPV", 464.1, 300.0, 84.1, 40.0, 40.0, 0.0, 0.0]]
    df = pd.DataFrame(rows, columns=SUMMARY.column_keys)
    df.attrs["chart_rows"] = 4  # the NPV row stays out of the chart
    return df


def unit_frame() -> pd.DataFrame:
    rows = [["S1", "Догляд вдома", "година", 1000, 12, 1992.0, 50000.0, 1000.0, 8000.0,
             59000.0, 59.0, 4916.67, 29.62, 59.0],
            ["S2", "Денний догляд", "відвідування", 300, 25, 996.0, 20000.0, 0.0, 3000.0,
             23000.0, 76.67, 920.0, 23.09, 76.67]]
    return pd.DataFrame(rows, columns=UNIT.column_keys)


def refresh(path: Path, out: Path | None = None) -> Path:
    book = FileBook.open(path)
    book.write_tables({"tblFundingSummary": summary_frame(), "tblUnitCosts": unit_frame()},
                      book.language())
    return book.save(out)


def raw_member(path: Path, name: str) -> bytes:
    """The stored (compressed) bytes of one member, read from its local header."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    n, m = struct.unpack_from("<2H", data, info.header_offset + 26)
    start = info.header_offset + 30 + n + m
    return data[start:start + info.compress_size]


def output_parts(path: Path) -> set[str]:
    """Parts that hold the two output tables and the chart that plots one of them."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        out = set()
        for n in names:
            body = z.read(n)
            if n.startswith("xl/tables/") and (b'"tblFundingSummary"' in body
                                               or b'"tblUnitCosts"' in body):
                out.add(n)
            if n.startswith("xl/charts/") and SUMMARY_SHEET.encode() in body:
                out.add(n)
        wb = openpyxl.load_workbook(path, read_only=True)
        order = wb.sheetnames
    for sheet in (SUMMARY_SHEET, UNIT_SHEET):
        out.add(f"xl/worksheets/sheet{order.index(sheet) + 1}.xml")
    return out | {"xl/styles.xml"}


@pytest.mark.parametrize("kind", ["xlsx", "xlsm"])
def test_refresh_keeps_everything_else(tmp_path: Path, kind: str) -> None:
    path = rich_book(tmp_path / "book.xlsx")
    if kind == "xlsm":
        path = make_xlsm(path, tmp_path / "book.xlsm")
    original = tmp_path / f"original.{kind}"
    shutil.copy(path, original)
    before = entries(path)
    allowed = output_parts(path)
    assert "xl/drawings/commentsDrawing1.vml" in before and "xl/media/image1.png" in before

    refresh(path)
    after = entries(path)
    assert list(after) == list(before)  # same entries, same order
    changed = {n for n in before if after[n] != before[n]}
    assert changed <= allowed
    assert {f"xl/worksheets/sheet{i}.xml" for i in (3, 4)} <= changed
    with zipfile.ZipFile(path) as z:
        new_infos = {i.filename: i for i in z.infolist()}
    with zipfile.ZipFile(original) as z:
        old_infos = {i.filename: i for i in z.infolist()}
    for name in set(before) - changed:
        assert raw_member(path, name) == raw_member(original, name), name
        assert new_infos[name].date_time == old_infos[name].date_time, name

    # cached formula values are still there for every reader
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb["План"]["E2"].value == 2000 and wb["План"]["E3"].value == 440
    assert wb["Налаштування"]["B4"].value == pytest.approx(0.11)
    cal = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("План").to_python()
    assert cal[1][4] == 2000
    # and the formulas themselves
    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert wb["План"]["E2"].value == "=D2*2"
    assert wb["План"]["D2"].number_format == "#,##0.00 ₴"
    assert "Ставка_ЄСВ" in wb.defined_names
    assert wb["План"].data_validations.dataValidation[0].formula1 == '"general,special"'
    assert wb["Налаштування"]["D1"].comment.text == "Параметри розрахунку"
    assert b"x14:sparklineGroups" in after["xl/worksheets/sheet2.xml"]
    if kind == "xlsm":
        assert after["xl/vbaProject.bin"] == xlwings_part("xl/vbaProject.bin")
        assert b"customUI" in after["_rels/.rels"]

    # the output tables hold the new data, formatted
    f = wb[SUMMARY_SHEET]
    assert f.tables["tblFundingSummary"].ref == "A1:G6"
    assert [f.cell(r, 1).value for r in range(2, 7)] == ["2026", "2027", "2028", "2029", "NPV"]
    assert f["B5"].value == pytest.approx(133.1) and f["B5"].number_format == "#,##0.00"
    u = wb[UNIT_SHEET]
    assert u.tables["tblUnitCosts"].ref == "A1:N3"
    assert u["A3"].value == "S2" and u["J3"].value == 23000


def test_chart_follows_output_table(tmp_path: Path) -> None:
    path = refresh(rich_book(tmp_path / "book.xlsx"))
    charts = {n: b for n, b in entries(path).items() if n.startswith("xl/charts/")}
    ours = [b for b in charts.values() if SUMMARY_SHEET.encode() in b]
    assert len(ours) == 1 and len(charts) == 2
    root = etree.fromstring(ours[0])
    c = {"c": C_NS}
    ser = root.find(".//c:ser", c)
    cat = ser.find("c:cat/*/c:f", c).text
    val = ser.find("c:val/c:numRef/c:f", c).text
    assert cat == f"'{SUMMARY_SHEET}'!$A$2:$A$5"  # four years: NPV row left out
    assert val == f"'{SUMMARY_SHEET}'!$C$2:$C$5"
    cache = ser.find("c:val/c:numRef/c:numCache", c)
    assert cache.find("c:ptCount", c).get("val") == "4"
    assert [p.findtext("c:v", namespaces=c) for p in cache.findall("c:pt", c)] == \
        ["60", "70", "80", "90"]
    cats = ser.find("c:cat/*/*[c:ptCount]", c)
    assert [p.findtext("c:v", namespaces=c) for p in cats.findall("c:pt", c)] == \
        ["2026", "2027", "2028", "2029"]


def test_refresh_is_idempotent(tmp_path: Path) -> None:
    # one input copied (two builds could differ in the zip's timestamps by a second)
    shutil.copy(rich_book(tmp_path / "a.xlsx"), tmp_path / "b.xlsx")
    a = refresh(tmp_path / "a.xlsx")
    b = refresh(tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()  # same input, same bytes
    first = a.read_bytes()
    refresh(a)  # refreshing a refreshed workbook changes nothing
    assert a.read_bytes() == first


@needs_soffice
def test_libreoffice_opens_refreshed_workbook(tmp_path: Path, profile: Path) -> None:
    path = make_xlsm(refresh(rich_book(tmp_path / "book.xlsx")), tmp_path / "book.xlsm")
    refresh(path)
    out = soffice_convert(path, tmp_path / "lo", profile)
    wb = openpyxl.load_workbook(out, data_only=True)
    f = wb[SUMMARY_SHEET]
    assert [f.cell(r, 3).value for r in range(2, 7)] == [60, 70, 80, 90, 300]
    assert wb["План"]["E2"].value == 2000
    assert "tblFundingSummary" in f.tables


@needs_soffice
def test_libreoffice_written_workbook_gets_full_calc_only(tmp_path: Path, profile: Path) -> None:
    """On a workbook saved by another program, workbook.xml only gains fullCalcOnLoad."""
    lo = soffice_convert(rich_book(tmp_path / "book.xlsx"), tmp_path / "lo", profile)
    before = entries(lo)
    assert b"fullCalcOnLoad" not in before["xl/workbook.xml"]
    refresh(lo)
    after = entries(lo)
    assert list(after) == list(before)
    old_wb, new_wb = before["xl/workbook.xml"], after["xl/workbook.xml"]
    assert new_wb.count(b' fullCalcOnLoad="1"') == 1
    assert new_wb.replace(b' fullCalcOnLoad="1"', b"") == old_wb
    tables = {n for n in before if n.startswith("xl/tables/") and after[n] != before[n]}
    assert len(tables) == 2
    changed = {n for n in before if after[n] != before[n]}
    assert changed - tables - {"xl/workbook.xml", "xl/styles.xml"} <= {
        n for n in before if n.startswith(("xl/worksheets/sheet", "xl/charts/chart"))}
    unchanged_inputs = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}
    assert not unchanged_inputs & changed


def test_failed_save_leaves_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = rich_book(tmp_path / "book.xlsx")
    original = path.read_bytes()
    real = koshtorys.xlsx.zipwrite.write_zip

    def disk_full(fp, entries, comment=b""):  # type: ignore[no-untyped-def]
        fp.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    book = FileBook.open(path)
    book.write_tables({"tblUnitCosts": unit_frame()}, "uk")
    monkeypatch.setattr(koshtorys.xlsx.zipwrite, "write_zip", disk_full)
    with pytest.raises(WorkbookError, match="No space left"):
        book.save()
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]

    def crash(fp, entries, comment=b""):  # type: ignore[no-untyped-def]
        real(fp, list(entries)[:3], comment)
        raise KeyboardInterrupt

    monkeypatch.setattr(koshtorys.xlsx.zipwrite, "write_zip", crash)
    with pytest.raises(KeyboardInterrupt):
        book.save()
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]

    monkeypatch.setattr(koshtorys.xlsx.zipwrite, "write_zip", real)
    book.save()  # the staged changes are still there and now go through
    assert FileBook.open(path).read_tables(["tblUnitCosts"])["tblUnitCosts"].rows[1][0] == "S2"


def test_locked_workbook_is_not_written(tmp_path: Path) -> None:
    path = rich_book(tmp_path / "book.xlsx")
    original = path.read_bytes()
    book = FileBook.open(path)
    book.write_tables({"tblUnitCosts": unit_frame()}, "uk")
    (tmp_path / "~$book.xlsx").write_bytes(b"someone")
    with pytest.raises(WorkbookError, match="Excel"):
        book.save()
    with pytest.raises(WorkbookError):
        FileBook.open(path)
    assert path.read_bytes() == original


def test_excel_written_workbook_gets_new_table(tmp_path: Path) -> None:
    """A workbook saved by Excel itself (xlwings ships one, with VBA): adding an output
    table adds parts and touches only the workbook's part lists."""
    path = tmp_path / "excel.xlsm"
    path.write_bytes((Path(xlwings.__file__).parent / "quickstart_standalone.xlsm").read_bytes())
    before = entries(path)
    book = FileBook.open(path)
    book.write_tables({"tblFundingSummary": summary_frame()}, "uk")
    book.save()
    after = entries(path)
    assert list(after)[:len(before)] == list(before)
    changed = {n for n in before if after[n] != before[n]}
    assert changed == {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                       "xl/styles.xml"}
    assert b'<sheet name="' + SUMMARY_SHEET.encode() + b'" sheetId="3"' in after["xl/workbook.xml"]
    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert wb.sheetnames[-1] == SUMMARY_SHEET
    assert wb[SUMMARY_SHEET].tables["tblFundingSummary"].ref == "A1:H6"
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    again = FileBook.open(path)
    again.write_tables({"tblFundingSummary": summary_frame().iloc[:2]}, "uk")
    again.save()
    t = FileBook.open(path).read_tables(["tblFundingSummary"])["tblFundingSummary"]
    assert [r[0] for r in t.rows] == ["2026", "2027"]
