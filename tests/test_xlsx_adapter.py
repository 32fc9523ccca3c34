"""The workbook file adapter on real .xlsx files: reading tables, writing output tables."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures_xlsx import (
    add_table,
    entries,
    needs_soffice,
    new_workbook,
    patch_zip,
    put_rows,
    set_cached_values,
    sheet_part,
    soffice_convert,
)
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo

from koshtorys.core import schema
from koshtorys.core.book import UNCALCULATED, CellError
from koshtorys.core.errors import WorkbookError
from koshtorys.xlsx import FileBook

UK_STAFF = schema.table("tblStaff").headers("uk")
UK_SETTINGS = schema.table("tblSettings").headers("uk")
KEKV = schema.table("tblCostByKekv")


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice profile for this module (a fresh one costs a second per run)."""
    return tmp_path_factory.mktemp("lo-profile")


def staff_book(path: Path) -> Path:
    """Ukrainian workbook: tblStaff at B3 (not A1) with an extra user column inside the
    table, a note beside it, a blank row, codes as text and as numbers, formulas."""
    wb = new_workbook()
    ws = wb.create_sheet("Штатний")
    ws["A1"] = "Штатний розпис на 2026 рік"
    put_rows(ws, "B3", [
        [*UK_STAFF, "Примітка"],
        ["p1", "Директор", "indirect", 1, 15000, 12, "0813104", "керівник"],
        ["p2", "Соціальний працівник", "direct", 2.5, 9000.5, "=10+2", 813104, None],
        [None] * 8,
        ["p3", "Психолог", "direct", "=1/0", 8647, None, "0813105", None],
        ["p4", "Водій", "indirect", 0.5, 8647, 12, "0813104", True],
    ])
    ws["H5"].number_format = "0000000"
    ws["K4"] = "поза таблицею"
    add_table(ws, "tblStaff", "B3:I8")
    s = wb.create_sheet("Налаштування")
    put_rows(s, "A1", [UK_SETTINGS, ["plan_year", 2026], ["esv_rate", 0.22]])
    add_table(s, "tblSettings", "A1:B3")
    wb.save(path)
    return path


def kekv_book(path: Path, rows: int = 3) -> Path:
    """tblCostByKekv at C4 with headers in another order, an extra column inside the
    table, a note left of it and a note right of it."""
    wb = new_workbook()
    ws = wb.create_sheet("Видатки за КЕКВ")
    ws["A1"] = "Видатки установи"
    put_rows(ws, "C4", [["Сума", "КЕКВ", "Коментар", "КПКВК", "Фонд"]])
    for i in range(rows):
        put_rows(ws, f"C{5 + i}", [[1000 + i, f"22{i}0", f"c{i}", "0810000", "general"]])
        ws[f"A{5 + i}"] = f"note {i}"
    ws["I5"] = "right"
    add_table(ws, "tblCostByKekv", f"C4:G{4 + rows}")
    wb.save(path)
    return path


def frame(rows: list[tuple[str, str, str, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=KEKV.column_keys)


# ---------------------------------------------------------------------------- reading
def test_read_table_not_at_a1_with_extra_columns(tmp_path: Path) -> None:
    book = FileBook.open(staff_book(tmp_path / "s.xlsx"))
    assert book.table_names() == {"tblStaff", "tblSettings"}
    raw = book.read_tables(["tblStaff", "tblMissing"])
    assert list(raw) == ["tblStaff"]
    t = raw["tblStaff"]
    assert t.sheet == "Штатний"
    assert t.headers == [*UK_STAFF, "Примітка"]
    assert (t.header_row, t.first_col) == (3, 2)
    assert t.row_numbers == [4, 5, 6, 7, 8]
    assert t.rows[0] == ["p1", "Директор", "indirect", 1, 15000, 12, "0813104", "керівник"]
    # openpyxl writes formulas without a cached value: nothing to read yet
    assert t.rows[1][5] is UNCALCULATED
    assert t.rows[1][4] == 9000.5
    assert t.rows[1][6] == 813104  # a number; the converter pads codes
    assert t.rows[2] == [None] * 8  # blank row kept as a blank row
    assert t.rows[3][3] is UNCALCULATED
    assert t.rows[4][7] is True
    assert t.cell(1, 5) == "Штатний!G5"
    assert book.language() == "uk"


@needs_soffice
def test_read_cached_values_and_errors_from_libreoffice(tmp_path: Path, profile: Path) -> None:
    """LibreOffice computes the cached values a user's Excel would have saved."""
    out = soffice_convert(staff_book(tmp_path / "s.xlsx"), tmp_path / "lo", profile)
    t = FileBook.open(out).read_tables(["tblStaff"])["tblStaff"]
    assert t.rows[1][5] == 12  # =10+2
    assert t.rows[3][3] == CellError("#DIV/0!")  # =1/0
    assert t.rows[0][6] == "0813104"  # text keeps its zeros (shared strings)
    assert t.rows[1][6] == 813104
    assert t.rows[2] == [None] * 8
    assert t.rows[4][7] is True


def test_read_cached_values_written_like_excel(tmp_path: Path) -> None:
    path = staff_book(tmp_path / "s.xlsx")
    set_cached_values(path, "Штатний", {"G5": 12, "E7": "#DIV/0!"})
    t = FileBook.open(path).read_tables(["tblStaff"])["tblStaff"]
    assert t.rows[1][5] == 12
    assert t.rows[3][3] == CellError("#DIV/0!")


def test_read_shared_strings_rich_text_and_escapes(tmp_path: Path) -> None:
    """Shared strings with rich-text runs and phonetic runs; ``_x000A_`` in headers."""
    path = kekv_book(tmp_path / "k.xlsx", rows=1)
    part = sheet_part(path, "Видатки за КЕКВ")
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.'
           'org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>plain</t></si>'
           '<si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r><rPh sb="0" eb="1"><t>x</t>'
           '</rPh></si></sst>')
    rel = ('<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
           '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')

    def sheet(xml: bytes) -> bytes:
        text = xml.decode()
        text = text.replace('<c r="D5" t="inlineStr"><is><t>2200</t></is></c>',
                            '<c r="D5" t="s"><v>1</v></c>')
        return text.replace('<c r="E5" t="inlineStr"><is><t>c0</t></is></c>',
                            '<c r="E5" t="s"><v>0</v></c>').encode()

    patch_zip(path, {
        part: sheet,
        "xl/sharedStrings.xml": sst.encode(),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>",
                                                          rel.encode() + b"</Relationships>"),
        "xl/tables/table1.xml": lambda x: x.replace("Коментар".encode(),
                                                    "Комен_x000A_тар".encode()),
    })
    t = FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"]
    assert t.headers[2] == "Комен\nтар"
    assert t.rows[0][1:3] == ["rich", "plain"]


def test_language_english_and_fallback(tmp_path: Path) -> None:
    wb = new_workbook()
    s = wb.create_sheet("Settings")
    put_rows(s, "A1", [["key", "value"], ["plan_year", 2026]])
    add_table(s, "tblSettings", "A1:B2")
    wb.save(tmp_path / "en.xlsx")
    assert FileBook.open(tmp_path / "en.xlsx").language() == "en"
    wb = new_workbook()
    wb.create_sheet("Штат")
    wb.save(tmp_path / "uk.xlsx")
    assert FileBook.open(tmp_path / "uk.xlsx").language() == "uk"


# ---------------------------------------------------------------------------- errors
def _refusal(path: Path) -> WorkbookError:
    with pytest.raises(WorkbookError) as caught:
        FileBook.open(path)
    return caught.value


def test_open_errors(tmp_path: Path) -> None:
    # each refusal by its key, said in either language
    cases = [(tmp_path / "none.xlsx", None, "no_such_file", "no such file", "файлу немає")]
    (tmp_path / "text.xlsx").write_text("not a workbook")
    cases.append((tmp_path / "text.xlsx", None, "not_a_workbook", "not an Excel workbook",
                  "не книга Excel"))
    # an encrypted workbook is an OLE compound file holding an "EncryptedPackage" stream
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode(
        "utf-16-le") + b"\0" * 100
    (tmp_path / "enc.xlsx").write_bytes(cfb)
    cases.append((tmp_path / "enc.xlsx", None, "password_protected", "password",
                   "паролем"))
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    cases.append((tmp_path / "old.xlsx", None, "old_xls", ".xls", ".xls"))
    with zipfile.ZipFile(tmp_path / "zip.xlsx", "w") as z:
        z.writestr("hello.txt", "hi")
    cases.append((tmp_path / "zip.xlsx", None, "not_a_workbook", "not an Excel workbook",
                  "не книга Excel"))
    for path, _, key, en, uk in cases:
        exc = _refusal(path)
        assert exc.key == key, path.name
        assert en in exc.message("en") and path.name in exc.message("en")
        assert uk in exc.message("uk") and path.name in exc.message("uk")


def test_locked_workbook(tmp_path: Path) -> None:
    path = kekv_book(tmp_path / "k.xlsx")
    (tmp_path / "~$k.xlsx").write_bytes(b"owner")
    with pytest.raises(WorkbookError, match="Excel"):
        FileBook.open(path)


# ---------------------------------------------------------------------------- writing
def test_write_existing_table_grow_and_shrink(tmp_path: Path) -> None:
    path = kekv_book(tmp_path / "k.xlsx")
    book = FileBook.open(path)
    rows = [("0813104", f"2{i:03d}", "general", 100.25 * i) for i in range(1, 6)]
    book.write_tables({"tblCostByKekv": frame(rows)}, "en")  # lang only matters for new
    staged = book.read_tables(["tblCostByKekv"])["tblCostByKekv"]  # reads see staged data
    assert [r[1] for r in staged.rows] == ["2001", "2002", "2003", "2004", "2005"]
    book.save()

    t = FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"]
    assert t.headers == ["Сума", "КЕКВ", "Коментар", "КПКВК", "Фонд"]
    assert t.row_numbers == [5, 6, 7, 8, 9]
    # table order is amount, kekv, (extra), kpkvk, fund
    assert [r[0] for r in t.rows] == [100.25, 200.5, 300.75, 401, 501.25]
    assert [r[1] for r in t.rows] == ["2001", "2002", "2003", "2004", "2005"]
    assert [r[3] for r in t.rows] == ["0813104"] * 5
    assert [r[2] for r in t.rows] == ["c0", "c1", "c2", None, None]  # user column kept

    wb = openpyxl.load_workbook(path)
    ws = wb["Видатки за КЕКВ"]
    assert ws.tables["tblCostByKekv"].ref == "C4:G9"
    assert ws.tables["tblCostByKekv"].autoFilter.ref == "C4:G9"
    assert [ws[f"A{r}"].value for r in range(5, 8)] == ["note 0", "note 1", "note 2"]
    assert ws["I5"].value == "right"
    assert ws["C9"].number_format == "#,##0.00"
    assert ws["F9"].value == "0813104" and ws["F9"].data_type == "s"
    assert ws.dimensions == "A1:I9"

    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": frame([("0813104", "2111", "special", 7.0)])}, "uk")
    book.save()
    wb = openpyxl.load_workbook(path)
    ws = wb["Видатки за КЕКВ"]
    assert ws.tables["tblCostByKekv"].ref == "C4:G5"
    assert [ws.cell(5, c).value for c in range(3, 8)] == [7, "2111", "c0", "0813104", "special"]
    assert all(ws.cell(r, c).value is None for r in range(6, 10) for c in (3, 4, 6, 7))
    assert ws["E6"].value == "c1"  # the user's own cells are never deleted

    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": frame([])}, "uk")
    book.save()
    ws = openpyxl.load_workbook(path)["Видатки за КЕКВ"]
    assert ws.tables["tblCostByKekv"].ref == "C4:G5"  # one empty data row, as Excel keeps
    assert ws["C5"].value is None and ws["D5"].value is None
    t = FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"]
    assert t.rows == [[None, None, "c0", None, None]]


def test_write_values_and_blanks(tmp_path: Path) -> None:
    path = kekv_book(tmp_path / "k.xlsx", rows=1)
    df = frame([("0813104", "2210", "general", None), (" a ", "x<&>\"y", "line\nbreak", 1e-7),
                ("_x000D_", "", "general", -5.0)])
    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": df}, "uk")
    book.save()
    ws = openpyxl.load_workbook(path)["Видатки за КЕКВ"]
    assert ws["C5"].value is None  # NaN → no cell
    assert ws["F6"].value == " a " and ws["D6"].value == "x<&>\"y"
    assert ws["G6"].value == "line\nbreak" and ws["C6"].value == pytest.approx(1e-7)
    assert ws["D7"].value is None and ws["C7"].value == -5
    t = FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"]
    assert t.rows[2][3] == "_x000D_"  # literal text survives Excel's _xHHHH_ escaping


def test_growing_over_user_cells_is_refused(tmp_path: Path) -> None:
    path = kekv_book(tmp_path / "k.xlsx", rows=2)
    wb = openpyxl.load_workbook(path)
    wb["Видатки за КЕКВ"]["D8"] = "my total"
    wb.save(path)
    before = path.read_bytes()
    book = FileBook.open(path)
    checks = pd.DataFrame(columns=schema.table("tblChecks").column_keys)
    with pytest.raises(WorkbookError, match="D8"):
        book.write_tables({"tblChecks": checks,
                           "tblCostByKekv": frame([("1", "2", "general", 1.0)] * 5)}, "uk")
    assert not book.changed  # all or nothing: the new tblChecks sheet is not staged either
    assert "tblChecks" not in book.table_names()
    book.save()
    assert path.read_bytes() == before


def test_second_write_is_identical(tmp_path: Path) -> None:
    path = kekv_book(tmp_path / "k.xlsx")
    df = frame([("0813104", "2111", "general", 10.5), ("0813104", "2120", "general", 2.31)])
    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": df}, "uk")
    book.save(tmp_path / "a.xlsx")
    book = FileBook.open(tmp_path / "a.xlsx")
    book.write_tables({"tblCostByKekv": df}, "uk")
    assert not book.changed  # styles found, same cells: nothing to write
    book.save(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_totals_row_and_calculated_column_follow(tmp_path: Path) -> None:
    """A totals row moves below the new rows; a calculated column gets its formula."""
    wb = new_workbook()
    ws = wb.create_sheet("Видатки за КЕКВ")
    put_rows(ws, "A1", [["КПКВК", "КЕКВ", "Фонд", "Сума", "Подвоєно"],
                        ["0810000", "2210", "general", 5, "=[@Сума]*2"],
                        ["Разом", None, None, "=SUBTOTAL(109,tblCostByKekv[Сума])", None]])
    t = Table(displayName="tblCostByKekv", ref="A1:E3", totalsRowCount=1,
              autoFilter=AutoFilter(ref="A1:E2"))
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight1")
    t.tableColumns = [TableColumn(id=i + 1, name=n) for i, n in
                      enumerate(["КПКВК", "КЕКВ", "Фонд", "Сума"])]
    t.tableColumns[0].totalsRowLabel = "Разом"
    t.tableColumns[3].totalsRowFunction = "sum"
    t.tableColumns.append(TableColumn(id=5, name="Подвоєно", calculatedColumnFormula=(
        TableFormula(attr_text="tblCostByKekv[[#This Row],[Сума]]*2"))))
    ws.add_table(t)
    ws.conditional_formatting.add("D2:D2", openpyxl.formatting.rule.CellIsRule(
        operator="lessThan", formula=["0"], font=openpyxl.styles.Font(color="FF0000")))
    path = tmp_path / "t.xlsx"
    wb.save(path)

    book = FileBook.open(path)
    rows = [("0813104", "2111", "general", 1.0), ("0813104", "2120", "general", 2.0),
            ("0813104", "2210", "special", 3.0)]
    book.write_tables({"tblCostByKekv": frame(rows)}, "uk")
    book.save()
    ws = openpyxl.load_workbook(path)["Видатки за КЕКВ"]
    assert ws.tables["tblCostByKekv"].ref == "A1:E5"
    assert ws.tables["tblCostByKekv"].autoFilter.ref == "A1:E4"
    assert ws["A5"].value == "Разом"
    assert ws["D5"].value == "=SUBTOTAL(109,tblCostByKekv[Сума])"
    assert ws["E2"].value == "=[@Сума]*2"  # the user's formula in the first row stays
    assert ws["E3"].value == "=tblCostByKekv[[#This Row],[Сума]]*2"
    assert ws["E4"].value == "=tblCostByKekv[[#This Row],[Сума]]*2"
    assert [str(r.sqref) for r in ws.conditional_formatting] == ["D2:D4"]

    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": frame(rows[:1])}, "uk")
    book.save()
    ws = openpyxl.load_workbook(path)["Видатки за КЕКВ"]
    assert ws.tables["tblCostByKekv"].ref == "A1:E3"
    assert ws["A3"].value == "Разом" and ws["E3"].value is None
    assert ws["A4"].value is None and ws["E4"].value is None and ws["A5"].value is None
    assert [str(r.sqref) for r in ws.conditional_formatting] == ["D2"]


def _unit_costs() -> pd.DataFrame:
    t = schema.table("tblUnitCosts")
    rows = [
        ["S1", "Догляд вдома", "година", 1000, 12, 1992.0, 50000.0, 1000.5, 8000.25,
         59000.75, 59.00075, 4916.73, 29.62, 59.0],
        ["S2", "Денний догляд", "відвідування", 300, 0, 0.0, 0.0, 500.0, 0.0, 500.0,
         1.67, None, None, 1.67],
    ]
    return pd.DataFrame(rows, columns=t.column_keys)


def test_missing_output_table_is_created(tmp_path: Path) -> None:
    path = staff_book(tmp_path / "s.xlsx")
    book = FileBook.open(path)
    checks = pd.DataFrame([["error", "no_formula_value", "tblStaff", 7, "fte",
                            "Формула без значення"]],
                          columns=schema.table("tblChecks").column_keys)
    book.write_tables({"tblUnitCosts": _unit_costs(), "tblChecks": checks}, "uk")
    book.save()

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Штатний", "Налаштування", "Вартість послуг", "Перевірка"]
    ws = wb["Вартість послуг"]
    assert ws.tables["tblUnitCosts"].ref == "A1:N3"
    assert [c.value for c in ws[1]] == schema.table("tblUnitCosts").headers("uk")
    assert [c.value for c in ws[2]][:4] == ["S1", "Догляд вдома", "година", 1000]
    assert ws["L3"].value is None and ws["K2"].value == pytest.approx(59.00075)
    assert ws["G2"].number_format == "#,##0.00" and ws["F2"].number_format == "#,##0.0"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 36
    assert wb["Перевірка"].tables["tblChecks"].ref == "A1:F2"
    assert wb["Перевірка"]["D2"].value == 7
    ids = {t.id for s in wb for t in s.tables.values()}
    assert len(ids) == 4  # table ids stay unique

    again = FileBook.open(path)
    assert {"tblUnitCosts", "tblChecks"} <= again.table_names()
    t = again.read_tables(["tblUnitCosts"])["tblUnitCosts"]
    assert t.rows[1][:4] == ["S2", "Денний догляд", "відвідування", 300]
    # refreshing the new table again keeps the sheet and the table
    again.write_tables({"tblUnitCosts": _unit_costs().iloc[:1]}, "uk")
    again.save()
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) == 4
    assert wb["Вартість послуг"].tables["tblUnitCosts"].ref == "A1:N2"


@needs_soffice
def test_created_table_opens_in_libreoffice(tmp_path: Path, profile: Path) -> None:
    path = staff_book(tmp_path / "s.xlsx")
    book = FileBook.open(path)
    book.write_tables({"tblUnitCosts": _unit_costs()}, "en")
    book.save()
    out = soffice_convert(path, tmp_path / "lo", profile)
    wb = openpyxl.load_workbook(out, data_only=True)
    ws = wb["UnitCosts"]
    assert ws["A1"].value == "service_id" and ws["N1"].value == "unit_tariff"
    assert [ws.cell(2, c).value for c in range(1, 5)] == ["S1", "Догляд вдома", "година", 1000]
    assert ws["J2"].value == pytest.approx(59000.75)
    assert ws["L3"].value is None
    assert "tblUnitCosts" in ws.tables
    # LibreOffice computed the input formulas and kept the table
    assert wb["Штатний"]["G5"].value == 12


def test_new_sheet_name_is_unique(tmp_path: Path) -> None:
    wb = new_workbook()
    wb.create_sheet("Перевірка")  # the user already has a sheet of that name
    wb.save(tmp_path / "u.xlsx")
    book = FileBook.open(tmp_path / "u.xlsx")
    df = pd.DataFrame(columns=schema.table("tblChecks").column_keys)
    book.write_tables({"tblChecks": df}, "uk")
    book.save()
    wb = openpyxl.load_workbook(tmp_path / "u.xlsx")
    assert wb.sheetnames == ["Перевірка", "Перевірка (2)"]
    assert wb["Перевірка (2)"].tables["tblChecks"].ref == "A1:F2"


def test_changed_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    import os

    path = kekv_book(tmp_path / "k.xlsx")
    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": frame([("1", "2", "general", 1.0)])}, "uk")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    with pytest.raises(WorkbookError) as caught:
        book.save()
    assert caught.value.key == "changed_on_disk"
    assert "changed on disk" in caught.value.message("en")


def test_only_output_parts_change(tmp_path: Path) -> None:
    path = staff_book(tmp_path / "s.xlsx")
    kekv = kekv_book(tmp_path / "k.xlsx")
    # put the staff sheet and the kekv sheet in one workbook via openpyxl
    wb = openpyxl.load_workbook(path)
    src = openpyxl.load_workbook(kekv)["Видатки за КЕКВ"]
    ws = wb.create_sheet("Видатки за КЕКВ")
    for row in src.iter_rows():
        for c in row:
            ws[c.coordinate] = c.value
    add_table(ws, "tblCostByKekv", "C4:G7")
    wb.save(path)
    before = entries(path)
    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": frame([("1", "2", "general", 1.0)])}, "uk")
    book.save()
    after = entries(path)
    assert list(after) == list(before)
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"xl/worksheets/sheet3.xml", "xl/tables/table3.xml", "xl/styles.xml"}


def long_book(path: Path, rows: int = 30) -> Path:
    """tblCostByKekv at A1 with many rows, row heights and a note beside row 20."""
    wb = new_workbook()
    ws = wb.create_sheet("Видатки за КЕКВ")
    put_rows(ws, "A1", [KEKV.headers("uk")])
    for i in range(rows):
        put_rows(ws, f"A{2 + i}", [["0810000", f"{2000 + i}", "general", float(i)]])
    ws["H20"] = "note"
    ws.row_dimensions[15].height = 30
    ws.row_dimensions[25].height = 40
    add_table(ws, "tblCostByKekv", f"A1:D{1 + rows}")
    wb.save(path)
    return path


def _prefixed(xml: bytes) -> bytes:
    """The same sheet with the main namespace under an ``x:`` prefix."""
    import re

    text = xml.decode()
    text = re.sub(r"<(/?)(?![?!])(\w+)([\s/>])", r"<\1x:\2\3", text)
    return text.replace(' xmlns="', ' xmlns:x="', 1).encode()


@pytest.mark.parametrize("variant", ["plain", "prefixed", "unnumbered"])
def test_long_table_keeps_heights_and_side_cells(tmp_path: Path, variant: str) -> None:
    path = long_book(tmp_path / "l.xlsx")
    part = sheet_part(path, "Видатки за КЕКВ")
    if variant == "prefixed":
        patch_zip(path, {part: _prefixed})
    elif variant == "unnumbered":  # rows without r="…" (allowed: they follow in order)
        import re

        patch_zip(path, {part: lambda x: re.sub(rb'<row r="\d+"', b"<row", x)})
    assert FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"].rows[29] == \
        ["0810000", "2029", "general", 29]

    rows = [("0813104", f"{3000 + i}", "special", i * 1.5) for i in range(35)]
    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": frame(rows)}, "uk")
    book.save()
    wb = openpyxl.load_workbook(path)
    ws = wb["Видатки за КЕКВ"]
    assert ws.tables["tblCostByKekv"].ref == "A1:D36"
    assert [ws.cell(r, 2).value for r in (2, 20, 36)] == ["3000", "3018", "3034"]
    assert ws["D21"].value == 28.5 and ws["H20"].value == "note"  # row 21 = 20th: 19 × 1.5
    assert ws.row_dimensions[15].height == 30 and ws.row_dimensions[25].height == 40

    book = FileBook.open(path)
    book.write_tables({"tblCostByKekv": frame(rows[:12])}, "uk")
    book.save()
    ws = openpyxl.load_workbook(path)["Видатки за КЕКВ"]
    assert ws.tables["tblCostByKekv"].ref == "A1:D13"
    assert ws["B13"].value == "3011" and ws["B14"].value is None and ws["A36"].value is None
    assert ws["H20"].value == "note"
    assert ws.row_dimensions[25].height == 40
    t = FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"]
    assert t.rows == [[r[0], r[1], r[2], r[3]] for r in rows[:12]]


def test_fast_and_xml_readers_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sheets of plain values may be read by python-calamine: same values either way."""
    path = long_book(tmp_path / "l.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Видатки за КЕКВ"]
    ws["D5"], ws["C6"], ws["D7"], ws["A8"] = True, None, 1e-9, "  spaced "
    wb.save(path)
    fast = FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"]
    monkeypatch.setattr(FileBook, "fast_read", False)
    slow = FileBook.open(path).read_tables(["tblCostByKekv"])["tblCostByKekv"]
    assert fast == slow
    assert slow.rows[3][3] is True and slow.rows[4][2] is None and slow.rows[6][0] == "  spaced "


def test_update_table_sets_cells_keeps_formulas_and_appends(tmp_path: Path) -> None:
    """import-actuals edits single cells of an input table and appends rows."""
    t = schema.table("tblActuals")
    wb = new_workbook()
    ws = wb.create_sheet("Факт")
    put_rows(ws, "B2", [[*t.headers("uk"), "Примітка"]])
    for i in range(3):
        put_rows(ws, f"B{3 + i}", [["0813104", f"22{i}0", "general",
                                    *[100 * (i + 1) + m for m in range(12)], f"n{i}"]])
    ws["D3"] = "=1+1"  # not a month: a formula in the fund column stays
    ws["F3"] = "=E3*2"  # m02 of the first row
    ws["T4"] = "beside"
    add_table(ws, "tblActuals", "B2:Q5")
    path = tmp_path / "a.xlsx"
    wb.save(path)

    book = FileBook.open(path)
    book.update_table("tblActuals", {(0, "m01"): 111.0, (2, "m03"): 333.5, (7, "m01"): 9.0},
                      [{"kpkvk": "0813104", "kekv": "2800", "fund": "general", "m01": 5.0,
                        "m02": float("nan")}])
    book.save()
    ws = openpyxl.load_workbook(path)["Факт"]
    assert ws.tables["tblActuals"].ref == "B2:Q6"
    assert ws["E3"].value == 111 and ws["G5"].value == 333.5
    assert ws["F3"].value == "=E3*2" and ws["D3"].value == "=1+1"
    assert ws["E4"].value == 200 and ws["G3"].value == 102  # untouched values
    assert [ws.cell(6, c).value for c in range(2, 7)] == ["0813104", "2800", "general", 5, None]
    assert ws["Q4"].value == "n1" and ws["Q6"].value is None and ws["T4"].value == "beside"
    assert ws["E6"].number_format == "#,##0.00"
    raw = FileBook.open(path).read_tables(["tblActuals"])["tblActuals"]
    assert len(raw.rows) == 4 and raw.rows[0][4] is UNCALCULATED  # the formula, no value yet
