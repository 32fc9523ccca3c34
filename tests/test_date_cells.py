"""A number that its cell shows as a date or a time is read as one, never as the serial.

Excel keeps "01.05.2025" as 45 778 with a date format; read as a number it becomes
45 778 UAH. Both readers (python-calamine for plain sheets, lxml otherwise) must return
datetime values for such cells, agree with each other, and leave real numbers alone —
including formats that merely contain a "d" or an "m" in quotes, brackets or escapes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from fixtures_xlsx import add_table, new_workbook, patch_zip, put_rows, set_cached_values

import koshtorys.xlsx.filebook
from koshtorys.core import schema
from koshtorys.xlsx import FileBook
from koshtorys.xlsx.numfmt import format_kind

COSTS = schema.table("tblCosts").headers("en")

# (format code, stored number, what the cell shows) — expectations from the calendar
CASES = [
    ("dd.mm.yyyy", 45778, date(2025, 5, 1)),
    ("mm-dd-yy", 45778, date(2025, 5, 1)),  # built-in 14
    ("d mmmm yyyy", 45658, date(2025, 1, 1)),
    ("dd.mm.yyyy hh:mm", 45778.5, datetime(2025, 5, 1, 12, 0)),
    ("hh:mm", 0.75, time(18, 0)),
    ("h:mm:ss", 0.5 + 1 / 86400, time(12, 0, 1)),  # built-in 21
    ("[h]:mm", 1.5, timedelta(hours=36)),
    ("[h]:mm:ss", 2.25, timedelta(hours=54)),  # built-in 46
    ("mm:ss", 1 / 1440, time(0, 1)),  # built-in 45
    ("yyyy", 45778, date(2025, 5, 1)),
    ("#,##0.00", 1234.5, 1234.5),
    ("0.00%", 0.22, 0.22),
    ('0 "дн"', 7, 7),  # a quoted d is text, not a day
    ("0\\d", 8, 8),  # an escaped d
    ("[Red]#,##0", 9, 9),  # a bracketed colour
    ("#,##0 ₴;[Red]-#,##0 ₴", 10, 10),
    ("0;dd.mm.yyyy", 11, 11),  # only the first section counts
    ("General", 45778, 45778),
]


def costs_book(path: Path, formula: bool = False) -> Path:
    """tblCosts whose amount column holds each case with its format."""
    wb = new_workbook()
    ws = wb.create_sheet("Costs")
    put_rows(ws, "A1", [COSTS])
    for i, (fmt, number, _) in enumerate(CASES, 2):
        put_rows(ws, f"A{i}", [["2210", f"case {i}", number, None, "0813104", "general"]])
        ws[f"C{i}"].number_format = fmt
    if formula:  # a formula makes the sheet one the fast reader must not take
        ws["H1"] = "=1+1"
    add_table(ws, "tblCosts", f"A1:F{len(CASES) + 1}")
    wb.save(path)
    if formula:
        set_cached_values(path, "Costs", {"H1": 2})
    return path


def amounts(path: Path, fast: bool) -> list[object]:
    book = FileBook.open(path)
    book.fast_read = fast
    t = book.read_tables(["tblCosts"])["tblCosts"]
    return [r[2] for r in t.rows]


@pytest.mark.parametrize("fast", [True, False])
def test_dated_amounts_arrive_as_dates(tmp_path: Path, fast: bool) -> None:
    got = amounts(costs_book(tmp_path / "c.xlsx"), fast)
    want = [shown for _, _, shown in CASES]
    assert got == want
    assert [type(v) for v in got] == [type(v) for v in want]


def test_sheet_with_formulas_reads_dates_too(tmp_path: Path) -> None:
    """The XML reader (taken because of the formula) applies the same formats."""
    got = amounts(costs_book(tmp_path / "f.xlsx", formula=True), fast=True)
    assert got == [shown for _, _, shown in CASES]


def test_fast_reader_returns_dates_without_falling_back(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A plain sheet with dated cells is read by calamine alone."""
    path = costs_book(tmp_path / "c.xlsx")

    def no_xml(*_a: object, **_k: object) -> None:
        raise AssertionError("fell back to the XML reader")

    monkeypatch.setattr(koshtorys.xlsx.filebook, "read_regions", no_xml)
    assert amounts(path, fast=True)[0] == date(2025, 5, 1)


def test_formula_value_shown_as_date(tmp_path: Path) -> None:
    """A formula's cached value in a date-formatted cell is a date as well."""
    wb = new_workbook()
    ws = wb.create_sheet("Costs")
    put_rows(ws, "A1", [COSTS, ["2210", "x", "=45000+778", None, "0813104", "general"]])
    ws["C2"].number_format = "dd.mm.yyyy"
    add_table(ws, "tblCosts", "A1:F2")
    path = tmp_path / "v.xlsx"
    wb.save(path)
    set_cached_values(path, "Costs", {"C2": 45778})
    assert amounts(path, fast=True) == [date(2025, 5, 1)]


@pytest.mark.parametrize("fast", [True, False])
def test_1904_date_system(tmp_path: Path, fast: bool) -> None:
    path = costs_book(tmp_path / "m.xlsx")
    patch_zip(path, {"xl/workbook.xml": lambda x: x.replace(
        b"<workbookPr/>", b'<workbookPr date1904="1"/>').replace(
        b"<workbookPr>", b'<workbookPr date1904="1">')})
    assert b'date1904="1"' in FileBook.open(path)._pkg.read("xl/workbook.xml")
    got = amounts(path, fast)
    assert got[0] == date(1904, 1, 1) + timedelta(days=45778)  # 2 May 2029
    assert got[4] == time(18, 0) and got[-1] == 45778


def test_readers_agree_on_many_formats_and_numbers(tmp_path: Path) -> None:
    """Every format × number, fast and XML reader: the same values of the same types."""
    formats = [f for f, _, _ in CASES] + ["m/d/yy h:mm", "h:mm AM/PM", "[mm]:ss", "[s]",
                                          "d-mmm", "mmm-yy", '"Y: "0.00', "*d0", "_d0"]
    numbers = [0, 0.25, 1, 1.5, 59, 60, 61, 45778, 45778.25, 45778.999, 2958465, -3]
    wb = new_workbook()
    ws = wb.create_sheet("Costs")
    put_rows(ws, "A1", [COSTS])
    r = 1
    for fmt in formats:
        for x in numbers:
            r += 1
            put_rows(ws, f"A{r}", [["2210", f"{fmt} {x}", x, None, "0813104", "general"]])
            ws[f"C{r}"].number_format = fmt
    add_table(ws, "tblCosts", f"A1:F{r}")
    path = tmp_path / "g.xlsx"
    wb.save(path)
    fast, slow = amounts(path, True), amounts(path, False)
    assert [(type(v), v) for v in fast] == [(type(v), v) for v in slow]
    assert sum(isinstance(v, date | time | timedelta) for v in fast) > len(numbers) * 10


def test_format_kinds() -> None:
    assert format_kind("dd.mm.yyyy") == "datetime"
    assert format_kind("[$-422]d mmmm yyyy") == "datetime"
    assert format_kind("h:mm AM/PM") == "datetime"
    assert format_kind("[h]:mm") == "duration"
    assert format_kind("[ss].00") == "duration"
    assert format_kind("[hm]") is None  # not an elapsed-time bracket
    for code in ("General", "0.00", "#,##0 ₴", '0 "днів"', "0\\d", "*d0", "_m0", "[Red]0",
                 "0;[Red]dd.mm", "0%", "@"):
        assert format_kind(code) is None, code
