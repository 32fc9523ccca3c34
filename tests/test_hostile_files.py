"""Hostile and broken workbooks are refused with one clear line, in bounded memory.

Every file here is a real zip built in the test: a zip bomb, a part whose size is a lie,
a table over a whole sheet, damaged or DTD-laden XML, a shared-string index of −1, a
table whose sheet is gone. The adapter must answer with a
:class:`~koshtorys.core.errors.WorkbookError` ("damaged workbook: …", "workbook too
large: …"), never an XMLSyntaxError, KeyError or IndexError, and the command line must
turn that into exit status 2.
"""

from __future__ import annotations

import contextlib
import random
import re
import struct
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_xlsx import add_table, new_workbook, patch_zip, put_rows, sheet_part

from koshtorys.cli import main
from koshtorys.core import limits, schema
from koshtorys.core.errors import WorkbookError
from koshtorys.xlsx import FileBook
from koshtorys.xlsx.errors import DamagedWorkbook, WorkbookTooLarge

STAFF = schema.table("tblStaff").headers("en")
SETTINGS = schema.table("tblSettings").headers("en")



@contextlib.contextmanager
def raises_en(kind: type[Exception], pattern: str) -> Iterator[None]:
    """``pytest.raises`` matching the English line (the user's line is in their language)."""
    with pytest.raises(kind) as err:
        yield
    assert re.search(pattern, err.value.message("en")), err.value.message("en")

def small_book(path: Path) -> Path:
    """tblSettings and tblStaff, three staff rows, shared strings as openpyxl writes."""
    wb = new_workbook()
    s = wb.create_sheet("Settings")
    put_rows(s, "A1", [SETTINGS, ["plan_year", 2026]])
    add_table(s, "tblSettings", "A1:B2")
    ws = wb.create_sheet("Staff")
    put_rows(ws, "A1", [STAFF,
                        ["p1", "Head", "indirect", 1, 15000, 12, "0813104"],
                        ["p2", "Worker", "direct", 2, 9000, 12, "0813104"],
                        ["p3", "Driver", "indirect", 0.5, 8647, 12, "0813104"]])
    add_table(ws, "tblStaff", "A1:G4")
    wb.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(path: Path, parts: dict[str, bytes], level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def declare_size(path: Path, name: str, size: int) -> None:
    """Make the zip directory (central and local header) claim ``size`` bytes for
    ``name``: a lie the adapter must catch before inflating anything."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    struct.pack_into("<L", data, info.header_offset + 22, size)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + n] == name.encode():
            struct.pack_into("<L", data, at + 24, size)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def refuse(path: Path, kind: type[WorkbookError], words: str) -> WorkbookError:
    """Opening and reading ``path`` raises ``kind`` whose message holds ``words``."""
    with pytest.raises(kind) as err:
        FileBook.open(path).read_tables(["tblSettings", "tblStaff"])
    assert words in err.value.message("en")
    assert "\n" not in str(err.value) and "\n" not in err.value.message("en")
    return err.value


# ---------------------------------------------------------------------------- zip bombs
def test_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    """60 MB of one repeated row deflate about 1 000 times: refused from the directory,
    without inflating it (the peak of traced memory stays far below 60 MB)."""
    path = small_book(tmp_path / "b.xlsx")
    parts = members(path)
    part = sheet_part(path, "Staff")
    bomb = parts[part].replace(b"</sheetData>", b'<row r="9"/>' * 5_000_000 + b"</sheetData>")
    rezip(path, {**parts, part: bomb}, level=9)
    assert path.stat().st_size < len(bomb) / limits.MAX_RATIO
    tracemalloc.start()
    try:
        refuse(path, WorkbookTooLarge, "workbook too large")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_part_that_claims_too_many_bytes_is_refused(tmp_path: Path) -> None:
    path = small_book(tmp_path / "p.xlsx")
    part = sheet_part(path, "Staff")
    declare_size(path, part, limits.MAX_PART_BYTES + 1)
    err = refuse(path, WorkbookTooLarge, part)
    assert "MiB" in str(err)


def test_parts_that_together_inflate_too_far_are_refused(tmp_path: Path) -> None:
    """Each part passes the part and ratio limits; together they pass 2 GiB."""
    path = small_book(tmp_path / "t.xlsx")
    parts = members(path)
    blob = random.Random(9).randbytes(2**20)  # 1 MiB that does not deflate
    n = limits.MAX_TOTAL_BYTES // (limits.MAX_RATIO * len(blob)) + 1
    extra = {f"customXml/item{i}.xml": blob for i in range(n)}
    rezip(path, {**parts, **extra}, level=1)
    with zipfile.ZipFile(path) as z:
        sizes = {i.filename: i.compress_size for i in z.infolist() if i.filename in extra}
    for name, compressed in sizes.items():
        declare_size(path, name, compressed * limits.MAX_RATIO)
    refuse(path, WorkbookTooLarge, "its parts inflate to")


def test_part_whose_size_lies_low_is_damaged_not_inflated_whole(tmp_path: Path) -> None:
    """A directory that claims 100 bytes for a 60 kB sheet: the inflate stops at 100 bytes
    and the CRC tells the lie."""
    path = small_book(tmp_path / "l.xlsx")
    part = sheet_part(path, "Staff")
    parts = members(path)
    rezip(path, {**parts, part: parts[part] + b"<!-- pad -->" * 5000})
    declare_size(path, part, 100)
    refuse(path, DamagedWorkbook, "damaged workbook")


def test_too_many_entries_are_refused_from_the_end_record(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    path = small_book(tmp_path / "n.xlsx")
    with zipfile.ZipFile(path) as z:
        count = len(z.infolist())
    monkeypatch.setattr(limits, "MAX_ENTRIES", count - 1)
    refuse(path, WorkbookTooLarge, f"{count} zip entries")


# ---------------------------------------------------------------------------- tables
def test_table_over_a_whole_sheet_is_refused(tmp_path: Path) -> None:
    """A table A1:XFD200 (3.3 million cells) on a sheet of a few hundred bytes."""
    path = small_book(tmp_path / "w.xlsx")
    patch_zip(path, {"xl/tables/table2.xml": lambda x: x.replace(b'ref="A1:G4"',
                                                                  b'ref="A1:XFD200"')})
    err = refuse(path, WorkbookTooLarge, "tblStaff")
    assert "A1:XFD200" in str(err)


def test_empty_rows_of_a_long_table_are_not_read(tmp_path: Path) -> None:
    """A table range of 50 000 rows over three rows of data: three rows come back, and
    reading them does not build the other 49 996 (traced memory stays small)."""
    path = small_book(tmp_path / "e.xlsx")
    patch_zip(path, {"xl/tables/table2.xml": lambda x: x.replace(b'ref="A1:G4"',
                                                                  b'ref="A1:G50000"')})
    for fast in (True, False):
        book = FileBook.open(path)
        book.fast_read = fast
        tracemalloc.start()
        try:
            t = book.read_tables(["tblStaff"])["tblStaff"]
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert [r[0] for r in t.rows] == ["p1", "p2", "p3"]
        assert t.row_numbers == [2, 3, 4]
        assert peak < 2 * 2**20, fast


def test_table_with_unreadable_range_is_listed_as_broken(tmp_path: Path) -> None:
    path = small_book(tmp_path / "r.xlsx")
    patch_zip(path, {"xl/tables/table2.xml": lambda x: x.replace(b'ref="A1:G4"',
                                                                  b'ref="A1:"')})
    book = FileBook.open(path)
    assert set(book.read_tables(["tblSettings", "tblStaff"])) == {"tblSettings"}
    [broken] = book.broken_tables
    assert (broken.name, broken.sheet) == ("tblStaff", "Staff")
    assert "A1:" in broken.reason
    # writing it would add a second tblStaff: Excel would repair the file
    import pandas as pd

    with raises_en(DamagedWorkbook, "damaged workbook: table tblStaff"):
        book.write_tables({"tblStaff": pd.DataFrame({"position_id": ["p9"]})}, "en")


def test_table_whose_sheet_is_missing_is_listed_as_broken(tmp_path: Path) -> None:
    path = small_book(tmp_path / "m.xlsx")
    part = sheet_part(path, "Staff")
    parts = members(path)
    del parts[part]
    rezip(path, parts)
    book = FileBook.open(path)
    assert "tblStaff" not in book.read_tables(["tblStaff"])
    [broken] = book.broken_tables
    assert broken.name == "tblStaff" and part in broken.reason


def test_table_part_missing_from_the_file_is_listed_as_broken(tmp_path: Path) -> None:
    """The sheet's relationships name a table part the zip does not hold."""
    path = small_book(tmp_path / "t.xlsx")
    parts = members(path)
    del parts["xl/tables/table2.xml"]
    rezip(path, parts)
    book = FileBook.open(path)
    assert "tblStaff" not in book.read_tables(["tblSettings", "tblStaff"])
    [broken] = book.broken_tables
    assert broken.sheet == "Staff" and "xl/tables/table2.xml" in broken.reason


def test_plain_range_headers_after_convert_to_range(tmp_path: Path) -> None:
    """Excel's Convert to Range removes the table part and keeps the cells: the sheet
    still shows the header, so the caller can say so."""
    path = small_book(tmp_path / "c.xlsx")
    part = sheet_part(path, "Staff")
    parts = members(path)
    rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    parts[part] = parts[part].split(b"<tableParts")[0] + b"</worksheet>"
    del parts["xl/tables/table2.xml"], parts[rels]
    parts["[Content_Types].xml"] = re.sub(rb'<Override PartName="/xl/tables/table2.xml"[^>]*/>',
                                          b"", parts["[Content_Types].xml"])
    rezip(path, parts)
    book = FileBook.open(path)
    assert book.index.table("tblStaff") is None and book.broken_tables == []
    found = book.plain_range_headers(["Staff", "Nowhere"], rows=2)
    assert list(found) == ["Staff"]
    assert found["Staff"][0] == (1, STAFF)
    assert found["Staff"][1] == (2, ["p1", "Head", "indirect", "1", "15000", "12", "0813104"])


# ---------------------------------------------------------------------------- damaged XML
@pytest.mark.parametrize("fast", [True, False])
def test_damaged_sheet_xml(tmp_path: Path, fast: bool) -> None:
    path = small_book(tmp_path / "d.xlsx")
    part = sheet_part(path, "Staff")
    patch_zip(path, {part: lambda x: x.replace(b"</sheetData>", b"<row r=")})
    book = FileBook.open(path)
    book.fast_read = fast
    with raises_en(DamagedWorkbook, "damaged workbook"):
        book.read_tables(["tblStaff"])


def test_damaged_workbook_xml(tmp_path: Path) -> None:
    path = small_book(tmp_path / "w.xlsx")
    patch_zip(path, {"xl/workbook.xml": lambda x: x[: len(x) // 2]})
    refuse(path, DamagedWorkbook, "xl/workbook.xml")


def test_damaged_deflate_stream(tmp_path: Path) -> None:
    path = small_book(tmp_path / "z.xlsx")
    part = sheet_part(path, "Staff")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    n, m = struct.unpack_from("<2H", data, info.header_offset + 26)
    start = info.header_offset + 30 + n + m
    for k in range(start + 10, start + info.compress_size - 10, 7):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    for fast in (True, False):
        book = FileBook.open(path)
        book.fast_read = fast
        with raises_en(DamagedWorkbook, "damaged workbook"):
            book.read_tables(["tblStaff"])


def test_missing_content_types(tmp_path: Path) -> None:
    path = small_book(tmp_path / "c.xlsx")
    parts = members(path)
    del parts["[Content_Types].xml"]
    rezip(path, parts)
    refuse(path, DamagedWorkbook, "[Content_Types].xml is missing")


def test_missing_workbook_part(tmp_path: Path) -> None:
    path = small_book(tmp_path / "w.xlsx")
    parts = members(path)
    del parts["xl/workbook.xml"]
    rezip(path, parts)
    refuse(path, DamagedWorkbook, "xl/workbook.xml is missing")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
               for i in range(8))
    + b"]>\n"
)


def _body(xml: bytes) -> bytes:
    """A part without its XML declaration (openpyxl writes none)."""
    return xml.split(b"?>", 1)[1].lstrip() if xml.startswith(b"<?xml") else xml


@pytest.mark.parametrize("fast", [True, False])
def test_entity_expansion_sheet_is_refused(tmp_path: Path, fast: bool) -> None:
    """A sheet with a DTD whose entity would expand to 10⁹ characters."""
    path = small_book(tmp_path / "x.xlsx")
    part = sheet_part(path, "Staff")

    def lol(xml: bytes) -> bytes:
        assert b"<v>15000</v>" in xml
        return BILLION_LAUGHS + _body(xml).replace(b"<v>15000</v>", b"<v>&i;</v>")

    patch_zip(path, {part: lol})
    book = FileBook.open(path)
    book.fast_read = fast
    with raises_en(DamagedWorkbook, "DTD"):
        book.read_tables(["tblStaff"])


def test_entity_expansion_in_workbook_part_is_refused(tmp_path: Path) -> None:
    path = small_book(tmp_path / "y.xlsx")
    patch_zip(path, {"xl/workbook.xml": lambda x: BILLION_LAUGHS + _body(x)})
    refuse(path, DamagedWorkbook, "DTD")


# ---------------------------------------------------------------------------- shared strings
def _shared(path: Path, index: str) -> Path:
    """The Staff sheet's "Head" cell made a shared string with ``index``."""
    part = sheet_part(path, "Staff")
    sst = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
           b'.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>first</t></si>'
           b"<si><t>last</t></si></sst>")
    rel = (b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
           b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
    ct = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
          b'formats-officedocument.spreadsheetml.sharedStrings+xml"/>')

    def sheet(xml: bytes) -> bytes:
        return re.sub(rb'<c r="B2"([^>]*?) t="\w+"><is><t>Head</t></is></c>',
                      rb'<c r="B2"\1 t="s"><v>' + index.encode() + rb"</v></c>", xml)

    patch_zip(path, {
        part: sheet, "xl/sharedStrings.xml": sst,
        "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>",
                                                          rel + b"</Relationships>"),
        "[Content_Types].xml": lambda x: x.replace(b"</Types>", ct + b"</Types>"),
    })
    assert b't="s"><v>' + index.encode() in members(path)[part]
    return path


@pytest.mark.parametrize("index", ["-1", "2", "x"])
@pytest.mark.parametrize("fast", [True, False])
def test_shared_string_index_out_of_range(tmp_path: Path, index: str, fast: bool) -> None:
    """−1 must not be read as the last string, 2 (of two) must not be an IndexError."""
    path = _shared(small_book(tmp_path / "s.xlsx"), index)
    book = FileBook.open(path)
    book.fast_read = fast
    with raises_en(DamagedWorkbook, "damaged workbook: .*shared string"):
        book.read_tables(["tblStaff"])


def test_shared_string_in_range_is_read(tmp_path: Path) -> None:
    path = _shared(small_book(tmp_path / "s.xlsx"), "1")
    assert FileBook.open(path).read_tables(["tblStaff"])["tblStaff"].rows[0][1] == "last"


# ---------------------------------------------------------------------------- long text
def test_text_longer_than_excel_allows_is_read_whole(tmp_path: Path) -> None:
    """The reader returns it (the conversion stage reports it); it does not crash."""
    path = small_book(tmp_path / "t.xlsx")
    part = sheet_part(path, "Staff")
    long = "Ї" * (limits.MAX_CELL_TEXT + 5000)
    patch_zip(path, {part: lambda x: x.replace(b"<t>Head</t>", f"<t>{long}</t>".encode())})
    for fast in (True, False):
        book = FileBook.open(path)
        book.fast_read = fast
        assert book.read_tables(["tblStaff"])["tblStaff"].rows[0][1] == long


# ---------------------------------------------------------------------------- the CLI
def test_cli_refuses_a_damaged_workbook_with_one_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    path = tmp_path / "prog.xlsx"
    assert main(["new", str(path), "--lang", "en"]) == 0
    capsys.readouterr()
    patch_zip(path, {"xl/workbook.xml": lambda x: x[:-20]})
    before = path.read_bytes()
    assert main(["refresh", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "damaged workbook" in err and "prog.xlsx" in err
    assert "internal error" not in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_cli_refuses_a_zip_bomb_with_one_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bomb.xlsx"
    assert main(["new", str(path), "--lang", "en"]) == 0
    capsys.readouterr()
    parts = members(path)
    parts["xl/media/filler.bin"] = b"\0" * (64 * 2**20)
    rezip(path, parts, level=9)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "workbook too large" in err and "filler.bin" in err


@pytest.mark.parametrize("char", ["Ї", "😀"])
def test_text_longer_than_excel_allows_is_written_cut(tmp_path: Path, char: str) -> None:
    """Excel repairs a cell of more than 32 767 characters (UTF-16 units): written cut."""
    import openpyxl
    import pandas as pd

    checks = schema.table("tblChecks")
    keys = checks.column_keys
    j = keys.index("message")
    wb = new_workbook()
    ws = wb.create_sheet("Checks")
    put_rows(ws, "A1", [checks.headers("en"), ["old"] * len(keys)])
    add_table(ws, "tblChecks", f"A1:{chr(64 + len(keys))}2")
    path = tmp_path / "c.xlsx"
    wb.save(path)
    text = "=" + char * 40_000  # also a formula-looking text: it stays text
    frame = pd.DataFrame([[text if k == "message" else "x" for k in keys]], columns=keys)
    book = FileBook.open(path)
    book.write_tables({"tblChecks": frame}, "en")
    book.save()
    got = FileBook.open(path).read_tables(["tblChecks"])["tblChecks"].rows[0][j]
    assert got.startswith("=" + char * 10)
    assert len(got.encode("utf-16-le")) // 2 in (limits.MAX_CELL_TEXT, limits.MAX_CELL_TEXT - 1)
    assert openpyxl.load_workbook(path)["Checks"].cell(2, j + 1).value == got
