"""Named tables of one workbook among many, read at the speed of python-calamine.

Consolidation reads a few small tables from each of up to thousands of files, so the
per-file cost is what counts. The zip's central directory is read first (two small
reads) and checked against the unpacking limits, so a zip bomb is refused before
anything inflates; python-calamine then finds the tables by name (``load_tables``) and
reads their cells. (Measured per file on the benchmark's workbooks: calamine's tables
1.55 ms, reading the table map in Python first 2.09 ms, the bare read floor 1.13 ms.)

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
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import python_calamine as pc
from lxml import etree

from koshtorys.convert.cells import NUMBER_KINDS
from koshtorys.core import schema
from koshtorys.core.book import RawTable
from koshtorys.core.errors import KoshtorysError, WorkbookError
from koshtorys.xlsx import codec
from koshtorys.xlsx.package import rels_name, resolve

__all__ = ["TableFile", "MAX_PART_BYTES", "MAX_RATIO", "columns_of"]

MAX_PART_BYTES = 256 * 2**20
"""Largest unpacked size of one zip entry (a zip bomb is refused before it inflates)."""
MAX_RATIO = 200
"""Largest unpacked/packed ratio of an entry larger than 1 MB."""
_FORMULA = (b"<f>", b"<f ", b"<f/>", b":f>", b":f ", b":f/>")
_ENTRY = struct.Struct("<I4xHH8xIIHHH8xI")
"""A central directory entry: signature, flags, method, packed and unpacked sizes, the
lengths of name, extra and comment, the local header's offset."""
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(tag)}


class _Zip:
    """The entries of a zip read straight from their offsets (OOXML needs no more)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.f: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._lower: dict[str, bytes] | None = None
        try:
            self.entries = self._directory()
        except BaseException:
            self.f.close()
            raise

    def close(self) -> None:
        self.f.close()

    def _directory(self) -> dict[bytes, tuple[int, int, int, int]]:
        """name as stored → (method, packed, unpacked, local header offset), checked."""
        f = self.f
        head = f.read(8)
        if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise KoshtorysError("xls_or_password", name=self.path.name)
        if not head.startswith(b"PK"):  # no zip at all (a text, a PDF, an empty file):
            raise KoshtorysError("not_a_workbook", name=self.path.name)  # not "damaged"
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
        entry = _ENTRY.unpack_from
        for _ in range(count):
            sig, flags, method, packed, unpacked, n, m, k, local = entry(data, pos)
            if sig != 0x02014B50:
                raise ValueError("damaged zip directory")
            name = data[pos + 46:pos + 46 + n]
            pos += 46 + n + m + k
            if flags & 0x1 or method not in (0, 8) or unpacked > MAX_PART_BYTES or (
                    unpacked > 2**20 and unpacked > MAX_RATIO * max(packed, 1)):
                self._refuse(name.decode("utf-8", "replace"), flags, method, unpacked)
            out[name] = (method, packed, unpacked, local)
        return out

    def _refuse(self, name: str, flags: int, method: int, unpacked: int) -> None:
        if flags & 0x1:
            raise KoshtorysError("encrypted", name=self.path.name)
        if method not in (0, 8):
            raise KoshtorysError("zip_method", name=self.path.name, part=name, method=method)
        raise KoshtorysError("zip_past_limit", name=self.path.name, part=name,
                             mb=unpacked // 2**20)

    def _key(self, name: str) -> bytes:
        """The stored name of part ``name`` (part names are case-insensitive)."""
        if self._lower is None:
            self._lower = {k.decode("utf-8", "replace").lower(): k for k in self.entries}
        return self._lower.get(name.lower(), b"")

    def has(self, name: str) -> bool:
        return self._key(name) in self.entries

    def read(self, name: str) -> bytes:
        method, packed, unpacked, local = self.entries[self._key(name)]
        self.f.seek(local)
        head = self.f.read(30)
        if head[:4] != b"PK\x03\x04":
            raise ValueError(f"damaged zip entry {name}")
        n, m = struct.unpack_from("<HH", head, 26)
        self.f.seek(local + 30 + n + m)
        data = self.f.read(packed)
        if method == 0:
            return data
        d = codec.decompressobj()
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


def _sheet_parts(z: _Zip) -> dict[str, str]:
    """Sheet name → its worksheet part, from workbook.xml and its relationships."""
    # where calamine looks too; any other main part is asked of the package's rels
    main = "xl/workbook.xml" if z.has("xl/workbook.xml") else next(
        (t for k, t in z.rels("") if k == "officeDocument"), "xl/workbook.xml")
    targets = {}
    for m in _RELATIONSHIP.finditer(z.read(rels_name(main))):
        a = _attrs(m.group(1))
        targets[a.get(b"Id", b"").decode()] = resolve(main, a.get(b"Target", b"")
                                                      .decode("utf-8"))
    out: dict[str, str] = {}
    for m in _SHEET.finditer(z.read(main)):
        a = _attrs(m.group(1))
        rid = next((v for k, v in a.items() if k.endswith(b":id")), b"").decode()
        part = targets.get(rid)
        if part is not None and z.has(part):
            out.setdefault(html.unescape(a.get(b"name", b"").decode("utf-8")), part)
    return out


class TableFile:
    """One .xlsx/.xlsm file: which tables it has, and their raw cells on demand."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            _Zip(self.path).close()  # its directory checked before anything inflates
            self._book = pc.CalamineWorkbook.from_path(str(self.path), load_tables=True)
            found = self._book.table_names or []
        except FileNotFoundError as exc:
            raise WorkbookError("unreadable", name=self.path.name, reason=exc.strerror) from exc
        except KoshtorysError:
            raise
        except (pc.CalamineError, ValueError, KeyError, OSError, EOFError, struct.error,
                *codec.ERRORS) as exc:
            raise _damaged(self.path, exc) from exc
        self.names: dict[str, str] = {n.casefold(): n for n in found}
        """Table names, case-folded → as spelled in the file."""

    def has(self, t: schema.Table) -> bool:
        """Does the file hold table ``t`` (by name, on any sheet)?"""
        return t.name.casefold() in self.names

    def close(self) -> None:
        """Let go of the file (:meth:`read` does it too)."""
        self._book.close()

    def read(self, tables: Iterable[schema.Table]) -> dict[str, RawTable]:
        """The tables the file has (by schema name), cells as stored.

        A blank cell in a column read as a number might be a formula calamine has no
        value for: then, and only then, that sheet's XML is looked at, and a sheet with
        formulas sends the whole file to the careful reader."""
        try:
            out = {}
            doubtful: set[str] = set()
            for t in tables:
                if not self.has(t):
                    continue
                ct = self._book.get_table_by_name(self.names[t.name.casefold()])
                top, left = ct.start or (0, 0)
                raw = RawTable(t.name, ct.sheet, [str(h) for h in ct.columns],
                               ct.to_python(), header_row=top, first_col=left + 1)
                out[t.name] = raw
                if ct.sheet not in doubtful and _blank_number(t, raw):
                    doubtful.add(ct.sheet)
            if doubtful and self._has_formulas(doubtful):
                return self._careful(list(out))
            return out
        except KoshtorysError:
            raise
        except (pc.CalamineError, KeyError, ValueError, OSError, struct.error, *codec.ERRORS,
                etree.XMLSyntaxError) as exc:
            raise _damaged(self.path, exc) from exc
        finally:
            self.close()

    def _has_formulas(self, sheets: set[str]) -> bool:
        z = _Zip(self.path)
        try:
            parts = _sheet_parts(z)
            for s in sheets:
                part = parts.get(s)
                if part is None or any(tok in z.read(part) for tok in _FORMULA):
                    return True  # a formula, or not where calamine says: the careful way
            return False
        finally:
            z.close()

    def _careful(self, names: list[str]) -> dict[str, RawTable]:
        from koshtorys.xlsx import FileBook

        return FileBook.open(self.path, check_lock=False).read_tables(names)


def _damaged(path: Path, exc: BaseException | str) -> WorkbookError:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return WorkbookError("damaged_or_not_workbook", name=path.name, detail=detail)


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
