"""The table workbook written as text reads back in openpyxl and calamine as written."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from koshtorys.bulk.tablebook import TableSheet, write_table_book

TEXTS = ["a & b < c", "  leading space", "_x0041_ stays as typed", "Київ"]


def _book(tmp_path: Path) -> Path:
    return write_table_book(tmp_path / "t.xlsx", [
        TableSheet("Дані", "tblData", ["Назва", "Сума", "Частка", "Так"],
                   [TEXTS, [1234.5, None, -0.25, 7], [0.5, 1.0, None, 0.125],
                    [True, False, None, True]],
                   formats=[None, "#,##0.00", "0.0%", None], widths=[30, 14, 10, 6],
                   freeze="B2"),
        TableSheet("Порожня", "tblEmpty", ["x", "y"], [[], []]),
    ])


def test_values_formats_and_layout_in_openpyxl(tmp_path: Path) -> None:
    wb = load_workbook(_book(tmp_path))
    ws = wb["Дані"]
    assert ws.tables["tblData"].ref == "A1:D5"
    assert [c.value for c in ws[1]] == ["Назва", "Сума", "Частка", "Так"]
    assert all(c.font.b for c in ws[1])
    # shared strings: openpyxl, like Excel and calamine, undoes the _xHHHH_ escape
    assert [c.value for c in ws["A"][1:]] == TEXTS
    assert all(c.data_type == "s" for c in ws["A"][1:])
    assert [c.value for c in ws["B"][1:]] == [1234.5, None, -0.25, 7]
    assert [c.value for c in ws["D"][1:]] == [True, False, None, True]
    assert ws["B2"].number_format == "#,##0.00" and ws["C2"].number_format == "0.0%"
    assert ws["A2"].number_format == "General"
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["A"].width == 30
    empty = wb["Порожня"]
    assert empty.tables["tblEmpty"].ref == "A1:B2" and empty["A2"].value is None


def test_values_in_calamine(tmp_path: Path) -> None:
    rows = CalamineWorkbook.from_path(str(_book(tmp_path))).get_sheet_by_name("Дані").to_python()
    assert [r[0] for r in rows[1:]] == TEXTS
    assert [r[2] for r in rows[1:]] == [0.5, 1.0, "", 0.125]


def test_sheet_names_that_collide_after_truncation_stay_unique(tmp_path: Path) -> None:
    """Three sheets asking for the same 31-character name: each gets its own."""
    long = "Д" * 27 + " (2)"
    sheets = [TableSheet(long, f"tblX{i}", ["a"], [[1]]) for i in range(3)]
    out = tmp_path / "t.xlsx"
    write_table_book(out, sheets)
    names = load_workbook(out).sheetnames
    assert len(set(names)) == 3 and all(len(n) <= 31 for n in names)
