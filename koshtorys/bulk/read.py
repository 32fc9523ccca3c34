"""Named tables of one workbook among many, read at the speed of python-calamine.

Consolidation reads a few small tables from each of up to thousands of files, so the
per-file cost is what counts. The zip's central directory is read first (two small
reads) and checked against the unpacking limits; the few parts that say where the
tables are — workbook.xml, the sheets' relationships, the table parts — are inflated
straight from their offsets; python-calamine then reads the cells of the sheets that
hold the wanted tables, exactly the read floor. (Calamine can find tables itself, but
its ``load_tables`` cost more than reading the sheets: measured, see
docs/consolidation.md.)

Calamine cannot tell a formula without a calculated value from an empty cell, so when a
column read as a number has a blank cell, that sheet's XML is looked at, and a sheet
with formulas sends the file to the careful reader (:class:`koshtorys.xlsx.FileBook`):
nothing is silently misread. Values are given raw; the conversion stage reads them.
"""

from __future__ import annotations

import functools
import html
import re
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import python_calamine as pc
from lxml import etree

from koshtorys.convert.cells import NUMBER_KINDS
from koshtorys.core import schema
from koshtorys.core.book import RawTable
from koshtorys.core.errors import KoshtorysError, WorkbookError
from koshtorys.xlsx.ooxml import decode_text, parse_range, parse_xml
from koshtorys.xlsx.package import rels_name, resolve

__all__ = ["TableFile", "MAX_PART_BYTES", "MAX_RATIO", "columns_of"]

MAX_PART_BYTES = 256 * 2**20
"""Largest unpacked size of one zip entry (a zip bomb is refused before it inflates)."""
MAX_RATIO = 200
"""Largest unpacked/packed ratio of an entry larger than 1 MB."""
_FORMULA = (b"<f>", b"<f ", b"<f/>", b":f>", b":f ", b":f/>")
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_TABLE_NAME = re.compile(rb'\sdisplayName\s*=\s*["\']([^"\']*)["\']')


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(tag)}


class _Zip:
    """The entries of a zip read straight from their offsets (OOXML needs no more)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.f: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            self.entries = self._directory()
        except BaseException:
            self.f.close()
            raise

    def close(self) -> None:
        self.f.close()

    def _directory(self) -> dict[str, tuple[int, int, int, int]]:
        """lower-case name → (method, packed, unpacked, local header offset), checked."""
        f = self.f
        if f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise KoshtorysError(f"{self.path.name} is password-protected or an old .xls; "
                                 "save it as .xlsx without a password")
        size = f.seek(0, 2)
        f.seek(max(0, size - 65_557))
        tail = f.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) < end + 22:
            raise ValueError("no zip directory")
        count, dir_size, offset = struct.unpack_from("<HII", tail, end + 10)
        if 0xFFFFFFFF in (dir_size, offset) or count == 0xFFFF:
            raise ValueError("a zip64 archive (larger than any workbook this reads)")
        if offset + dir_size > size:
            raise ValueError("damaged zip directory")
        f.seek(offset)
        data = f.read(dir_size)
        out = {}
        pos = 0
        for _ in range(count):
            if data[pos:pos + 4] != b"PK\x01\x02":
                raise ValueError("damaged zip directory")
            flags, method, packed, unpacked, n, m, k = struct.unpack_from(
                "<HH8xIIHHH", data, pos + 8)
            local = struct.unpack_from("<I", data, pos + 42)[0]
            name = data[pos + 46:pos + 46 + n].decode("utf-8" if flags & 0x800 else "cp437")
            pos += 46 + n + m + k
            if flags & 0x1:
                raise KoshtorysError(f"{self.path.name} is encrypted; remove the password "
                                     "and try again")
            if method not in (0, 8):
                raise KoshtorysError(f"{self.path.name}: {name} is compressed with method "
                                     f"{method}, which a workbook never uses; not read")
            if unpacked > MAX_PART_BYTES or (unpacked > 2**20 and unpacked > MAX_RATIO
                                             * max(packed, 1)):
                raise KoshtorysError(f"{self.path.name}: {name} unpacks to "
                                     f"{unpacked // 2**20} MB, past the limit; not read")
            out[name.lower()] = (method, packed, unpacked, local)
        return out

    def has(self, name: str) -> bool:
        return name.lower() in self.entries

    def read(self, name: str) -> bytes:
        method, packed, unpacked, local = self.entries[name.lower()]
        self.f.seek(local)
        head = self.f.read(30)
        if head[:4] != b"PK\x03\x04":
            raise ValueError(f"damaged zip entry {name}")
        n, m = struct.unpack_from("<HH", head, 26)
        self.f.seek(local + 30 + n + m)
        data = self.f.read(packed)
        if method == 0:
            return data
        d = zlib.decompressobj(-15)
        out = d.decompress(data, unpacked + 1)
        if len(out) != unpacked:
            raise ValueError(f"damaged zip entry {name}")
        return out

    def rels(self, part: str) -> list[tuple[str, str]]:
        """(type, target part) of ``part``'s internal relationships."""
        name = rels_name(part)
        if not self.has(name):
            return []
        out = []
        for m in _RELATIONSHIP.finditer(self.read(name)):
            a = _attrs(m.group(1))
            if a.get(b"TargetMode", b"").lower() == b"external":
                continue
            kind = a.get(b"Type", b"").decode("utf-8", "replace").rsplit("/", 1)[-1]
            out.append((kind, resolve(part, a.get(b"Target", b"").decode("utf-8"))))
        return out


class _Where:
    """One table: its sheet, part, data rows and columns (1-based), headers."""

    def __init__(self, sheet: str, sheet_part: str, root: etree._Element) -> None:
        self.sheet, self.sheet_part = sheet, sheet_part
        r1, self.c1, r2, self.c2 = parse_range(root.get("ref", ""))
        self.top = r1 + int(root.get("headerRowCount", "1"))
        self.end = r2 - int(root.get("totalsRowCount", "0"))
        self.headers = [decode_text(c.get("name", "")) for c in root.iter("{*}tableColumn")]


class TableFile:
    """One .xlsx/.xlsm file: which tables it has, and their raw cells on demand."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._parts: dict[str, tuple[str, str, str]] = {}
        """Table name (case-folded) → (name as spelled, sheet, table part)."""
        try:
            self._zip = _Zip(self.path)
            try:
                self._map()
            except BaseException:
                self._zip.close()
                raise
        except FileNotFoundError as exc:
            raise WorkbookError(f"{self.path.name}: cannot be read ({exc.strerror})") from exc
        except KoshtorysError:
            raise
        except (ValueError, KeyError, OSError, EOFError, struct.error, zlib.error,
                etree.XMLSyntaxError) as exc:
            raise _damaged(self.path, exc) from exc
        self._book: pc.CalamineWorkbook | None = None

    def _map(self) -> None:
        """The sheets (name → part); tables are looked for when asked (:meth:`_find`)."""
        z = self._zip
        main = next((t for k, t in z.rels("") if k == "officeDocument"), "xl/workbook.xml")
        targets = {}
        for m in _RELATIONSHIP.finditer(z.read(rels_name(main))):
            a = _attrs(m.group(1))
            targets[a.get(b"Id", b"").decode()] = resolve(main, a.get(b"Target", b"")
                                                          .decode("utf-8"))
        self._sheet_parts: dict[str, str] = {}
        for m in _SHEET.finditer(z.read(main)):
            a = _attrs(m.group(1))
            rid = next((v for k, v in a.items() if k.endswith(b":id")), b"").decode()
            part = targets.get(rid)
            if part is not None and z.has(part):
                name = html.unescape(a.get(b"name", b"").decode("utf-8"))
                self._sheet_parts.setdefault(name, part)
        self._searched: set[str] = set()
        self._xml: dict[str, bytes] = {}

    def _search(self, sheet: str) -> None:
        """Note the tables on ``sheet`` (its relationships, each table part's name)."""
        if sheet in self._searched:
            return
        self._searched.add(sheet)
        for kind, target in self._zip.rels(self._sheet_parts[sheet]):
            if kind == "table" and self._zip.has(target):
                xml = self._xml[target] = self._zip.read(target)
                found = _TABLE_NAME.search(xml)
                if found:
                    name = found.group(1).decode("utf-8", "replace")
                    self._parts.setdefault(name.casefold(), (name, sheet, target))

    def _find(self, t: schema.Table) -> bool:
        """Is table ``t`` in the file? Its sheets by the schema are looked at first, then
        every other: a table is found by name wherever the user moved it."""
        key = t.name.casefold()
        if key in self._parts:
            return True
        hints = [s for s in dict.fromkeys((t.sheet_uk, t.sheet_en)) if s in self._sheet_parts]
        for sheet in hints + [s for s in self._sheet_parts if s not in hints]:
            self._search(sheet)
            if key in self._parts:
                return True
        return False

    def has(self, t: schema.Table) -> bool:
        """Does the file hold table ``t`` (by name, on any sheet)?"""
        try:
            return self._find(t)
        except (ValueError, KeyError, OSError, struct.error, zlib.error) as exc:
            raise _damaged(self.path, exc) from exc

    def read(self, tables: Iterable[schema.Table]) -> dict[str, RawTable]:
        """The tables the file has (by schema name), cells as stored.

        A blank cell in a column read as a number might be a formula calamine has no
        value for: then, and only then, that sheet's XML is looked at, and a sheet with
        formulas sends the whole file to the careful reader."""
        wanted = [t for t in tables if self.has(t)]
        try:
            try:
                where = {}
                for t in wanted:
                    _, sheet, part = self._parts[t.name.casefold()]
                    where[t.name] = _Where(sheet, self._sheet_parts[sheet],
                                           parse_xml(self._xml[part]))
                out = self._cells(wanted, where)
                doubtful = {where[t.name].sheet_part for t in wanted
                            if _blank_number(t, out[t.name])}
                if doubtful and any(tok in self._zip.read(p) for p in doubtful
                                    for tok in _FORMULA):
                    return self._careful([t.name for t in wanted])
                return out
            finally:
                self._zip.close()
        except KoshtorysError:
            raise
        except (pc.CalamineError, KeyError, ValueError, OSError, struct.error, zlib.error,
                etree.XMLSyntaxError) as exc:
            raise _damaged(self.path, exc) from exc

    def close(self) -> None:
        """Let go of the file (:meth:`read` does it too)."""
        self._zip.close()

    def _cells(self, wanted: list[schema.Table], where: dict[str, _Where]
               ) -> dict[str, RawTable]:
        if self._book is None:
            self._book = pc.CalamineWorkbook.from_path(str(self.path))
        sheets: dict[str, tuple[list[list[object]], int, int]] = {}
        out = {}
        for t in wanted:
            w = where[t.name]
            if w.sheet not in sheets:
                ws = self._book.get_sheet_by_name(w.sheet)
                r0, c0 = ws.start or (0, 0)
                sheets[w.sheet] = (ws.to_python(), r0, c0)
            rows, r0, c0 = sheets[w.sheet]
            width = w.c2 - w.c1 + 1
            j0 = w.c1 - 1 - c0
            grid = []
            for r in range(w.top, w.end + 1):
                i = r - 1 - r0
                row = rows[i] if 0 <= i < len(rows) else ()
                if j0 == 0 and len(row) == width:
                    grid.append(row)
                    continue
                cells = list(row[j0:j0 + width]) if j0 >= 0 else \
                    [""] * min(-j0, width) + list(row[:max(0, width + j0)])
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                grid.append(cells)
            heads = w.headers[:width] + [""] * (width - len(w.headers))
            out[t.name] = RawTable(t.name, w.sheet, heads, grid, header_row=w.top - 1,
                                   first_col=w.c1)
        return out

    def _careful(self, names: list[str]) -> dict[str, RawTable]:
        from koshtorys.xlsx import FileBook

        return FileBook.open(self.path, check_lock=False).read_tables(names)


def _damaged(path: Path, exc: BaseException | str) -> WorkbookError:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return WorkbookError(f"{path.name}: damaged or not a workbook ({detail})")


@functools.lru_cache(maxsize=256)
def columns_of(t: schema.Table, headers: tuple[str, ...]) -> dict[str, int]:
    """:func:`schema.match_columns`, once per distinct header row (thousands of files
    share a few)."""
    return schema.match_columns(t, list(headers))


def _blank_number(t: schema.Table, raw: RawTable) -> bool:
    """Does a column ``t`` reads as a number have a blank cell in a row that is not blank?"""
    cols = columns_of(t, tuple(raw.headers))
    for k, j in cols.items():
        if t.column(k).kind in NUMBER_KINDS and "" in [r[j] for r in raw.rows] \
                and any(r[j] == "" and any(v != "" for v in r) for r in raw.rows):
            return True
    return False
