"""Cell values of rectangular regions, streamed from a worksheet part.

Only cells that exist inside the requested regions become Python values, and a region
ends at its last row that holds a value: a table whose range runs far past its data
costs nothing for the empty rows. The parse stops after the last region. Values are
what Excel or LibreOffice last calculated; a number whose cell shows it as a date or a
time comes back as one (:mod:`.numfmt`), never as the bare serial number.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import IO

from lxml import etree

from koshtorys.core.book import UNCALCULATED, CellError

from .errors import damaged
from .numfmt import DateKind, builtin_kind, format_kind, serial_value
from .ooxml import check_doctype, check_prolog, col_index, decode_text, root_ns
from .package import ZIP_ERRORS, Package
from .rowcut import find_rare

__all__ = ["SharedStrings", "read_regions", "first_rows", "FastValues", "plain_sheet",
           "date_styles", "Region", "Grid"]

Region = tuple[int, int, int, int]
Grid = list[list[object]]
"""Rows of one region, from its first row to its last row holding a value."""


def _rich_text(el: etree._Element, ns: str) -> str:
    """Text of an ``<si>``/``<is>``: plain ``<t>`` or rich runs, phonetic runs left out."""
    t_tag, r_tag = f"{{{ns}}}t", f"{{{ns}}}r"
    out = []
    for ch in el:
        if ch.tag == t_tag:
            out.append(ch.text or "")
        elif ch.tag == r_tag:
            for t in ch:
                if t.tag == t_tag:
                    out.append(t.text or "")
    return decode_text("".join(out))


class SharedStrings:
    """The shared string table, loaded on first use."""

    def __init__(self, pkg: Package, part: str | None) -> None:
        self._pkg = pkg
        self._part = part
        self._items: list[str] | None = None

    def __getitem__(self, i: int) -> str:
        if self._items is None:
            self._items = self._load()
        if not 0 <= i < len(self._items):  # -1 would silently be the last string
            raise damaged(self._pkg.label, f"a cell refers to shared string {i}, but the "
                          f"table holds {len(self._items)}")
        return self._items[i]

    def _load(self) -> list[str]:
        if self._part is None:
            return []
        root = self._pkg.xml(self._part)
        ns = etree.QName(root).namespace or ""
        return [_rich_text(si, ns) for si in root.iterchildren(f"{{{ns}}}si")]


def date_styles(pkg: Package, part: str | None) -> dict[int, DateKind]:
    """Cell format index → date kind, for the cell formats (``cellXfs``) that show
    numbers as dates, times or durations."""
    if part is None:
        return {}
    root = pkg.xml(part)
    ns = root_ns(root)
    custom: dict[int, DateKind | None] = {}
    for nf in root.iter(f"{{{ns}}}numFmt"):
        try:
            custom[int(nf.get("numFmtId", ""))] = format_kind(nf.get("formatCode", ""))
        except ValueError:
            continue
    out: dict[int, DateKind] = {}
    xfs = root.find(f"{{{ns}}}cellXfs")
    if xfs is None:
        return out
    for i, xf in enumerate(xfs.iterchildren(f"{{{ns}}}xf")):
        try:
            fid = int(xf.get("numFmtId", "0"))
        except ValueError:
            continue
        kind = custom[fid] if fid in custom else builtin_kind(fid)
        if kind is not None:
            out[i] = kind
    return out


def _number(v: str) -> int | float | None:
    """A stored number; whole numbers come back as int."""
    if "." in v or "E" in v or "e" in v:
        try:
            x = float(v)
        except ValueError:
            return None
        return int(x) if x.is_integer() and -1e15 < x < 1e15 else x
    try:
        return int(v)
    except ValueError:
        return None


class _Context:
    """What a cell's value depends on besides the cell: tags, strings, date formats."""

    def __init__(self, ns: str, sst: SharedStrings, dates: Mapping[int, DateKind],
                 date1904: bool) -> None:
        self.c, self.v, self.f, self.is_ = (f"{{{ns}}}{t}" for t in ("c", "v", "f", "is"))
        self.ns = ns
        self.sst = sst
        self.dates = dates
        self.date1904 = date1904

    def shared(self, v: str) -> str:
        try:
            return self.sst[int(v)]
        except ValueError as exc:
            raise damaged(self.sst._pkg.label, f"shared string index {v!r}") from exc

    def number(self, c: etree._Element, v: str) -> object:
        x = _number(v)
        if x is None or not self.dates:
            return x
        s = c.get("s")
        kind = self.dates.get(int(s)) if s and s.isdigit() else None
        return x if kind is None else serial_value(x, kind, self.date1904)


def _value(c: etree._Element, cx: _Context) -> object:
    v: str | None = None
    has_f = False
    inline = None
    for ch in c:
        tag = ch.tag
        if tag == cx.v:
            v = ch.text or ""
        elif tag == cx.f:
            has_f = True
        elif tag == cx.is_:
            inline = ch
    t = c.get("t", "n")
    if t == "inlineStr":
        return _rich_text(inline, cx.ns) if inline is not None else None
    if v is None or (v == "" and t not in ("str", "s")):
        return UNCALCULATED if has_f else None
    if t == "s":
        return cx.shared(v)
    if t == "str":
        return decode_text(v)
    if t == "b":
        return v.strip() in ("1", "true")
    if t == "e":
        return CellError(v)
    if t == "d":
        try:
            return datetime.fromisoformat(v)
        except ValueError:
            return v
    return cx.number(c, v)


def read_regions(
    pkg: Package, sheet_part: str, regions: list[Region], sst: SharedStrings,
    dates: Mapping[int, DateKind] | None = None, date1904: bool = False,
) -> list[Grid]:
    """Values of each region (first row, first column, last row, last column), row by row,
    up to the region's last row holding a value; missing cells are None."""
    found: list[dict[int, list[object]]] = [{} for _ in regions]
    if not regions:
        return []
    lo = min(r[0] for r in regions)
    hi = max(r[2] for r in regions)
    with _sheet_errors(pkg, sheet_part):
        for row_no, row, cx in _rows(pkg, sheet_part, sst, dates or {}, date1904):
            if row_no > hi:
                break
            if row_no >= lo:
                active = [(i, reg) for i, reg in enumerate(regions)
                          if reg[0] <= row_no <= reg[2]]
                if active:
                    _read_row(row, row_no, active, found, cx)
    return [_dense(rows, reg) for rows, reg in zip(found, regions, strict=True)]


@contextmanager
def _sheet_errors(pkg: Package, sheet_part: str) -> Iterator[None]:
    """A sheet that does not parse or inflate, or a row number that is not one, is a
    damaged workbook (one line, exit 2), never an internal error."""
    try:
        yield
    except (etree.XMLSyntaxError, ValueError) as exc:  # BadXml included
        raise damaged(pkg.label, f"sheet {sheet_part}: {exc}") from exc
    except ZIP_ERRORS as exc:
        raise damaged(pkg.label, f"part {sheet_part} cannot be inflated ({exc})") from exc


def _rows(pkg: Package, sheet_part: str, sst: SharedStrings, dates: Mapping[int, DateKind],
          date1904: bool) -> Iterator[tuple[int, etree._Element, _Context]]:
    """Each ``<row>`` of the sheet with its number, streamed by the one safe parser (no
    entities, no network, no DTD; a DOCTYPE is refused), each freed once the caller has
    it: memory stays that of one row however long the sheet."""
    cx: _Context | None = None
    row_no = 0
    stream = pkg.stream(sheet_part)
    try:
        head = stream.read(_PROLOG_BYTES)
        check_prolog(head)
        for _, row in etree.iterparse(_Peeked(head, stream), events=("end",), tag="{*}row",
                                      huge_tree=True,
                                      resolve_entities=False, no_network=True,
                                      load_dtd=False):
            if cx is None:
                check_doctype(row.getroottree())
                cx = _Context(etree.QName(row).namespace or "", sst, dates, date1904)
            r = row.get("r")
            row_no = int(r) if r else row_no + 1
            yield row_no, row, cx
            row.clear(keep_tail=True)
            parent = row.getparent()
            if parent is not None:
                while row.getprevious() is not None:
                    del parent[0]
    finally:
        stream.close()


_PROLOG_BYTES = 1 << 14
"""How much of a streamed sheet is looked at for a DTD before lxml parses it (Excel and
openpyxl write the root element within the first hundred bytes)."""


class _Peeked:
    """A stream whose first bytes were already read (to look at the prolog): gives them
    back first, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(n)
        if n is None or n < 0:
            out, self._head = self._head + self._rest.read(), b""
        else:
            out, self._head = self._head[:n], self._head[n:]
        return out


def _dense(rows: Mapping[int, list[object]], reg: Region) -> Grid:
    """The region's rows from its first to its last row holding a value."""
    filled = [r for r, cells in rows.items() if any(v is not None for v in cells)]
    if not filled:
        return []
    width = reg[3] - reg[1] + 1
    return [rows.get(r) or [None] * width for r in range(reg[0], max(filled) + 1)]


def _read_row(
    row: etree._Element,
    row_no: int,
    active: list[tuple[int, Region]],
    found: list[dict[int, list[object]]],
    cx: _Context,
) -> None:
    c_tag, v_tag = cx.c, cx.v
    single = active[0][1] if len(active) == 1 else None
    col = 0
    for c in row:
        if c.tag != c_tag:
            continue
        ref = c.get("r")
        col = col_index(ref.rstrip("0123456789").lstrip("$")) if ref else col + 1
        if single is not None:
            if not single[1] <= col <= single[3]:
                continue
            i, (_r1, c1, _r2, c2) = active[0]
        else:
            hit = next(((i, reg) for i, reg in active if reg[1] <= col <= reg[3]), None)
            if hit is None:
                continue
            i, (_r1, c1, _r2, c2) = hit
        # fast path: a plain number or shared string with nothing but its value
        if len(c) == 1 and c[0].tag == v_tag:
            t = c.get("t")
            v = c[0].text or ""
            if t is None or t == "n":
                value = cx.number(c, v) if v else None
            elif t == "s":
                value = cx.shared(v)
            else:
                value = _value(c, cx)
        else:
            value = _value(c, cx)
        cells = found[i].get(row_no)
        if cells is None:
            cells = found[i][row_no] = [None] * (c2 - c1 + 1)
        cells[col - c1] = value


def first_rows(pkg: Package, sheet_part: str, sst: SharedStrings, n: int,
               max_cols: int = 256) -> list[tuple[int, list[str]]]:
    """The first ``n`` rows of a sheet that hold a value, as (row number, cell texts from
    column A, at most ``max_cols``); the parse stops there."""
    out: list[tuple[int, list[str]]] = []
    with _sheet_errors(pkg, sheet_part):
        for row_no, row, cx in _rows(pkg, sheet_part, sst, {}, False):
            found: dict[int, list[object]] = {}
            _read_row(row, row_no, [(0, (row_no, 1, row_no, max_cols))], [found], cx)
            cells = found.get(row_no)
            if cells is None:
                continue
            texts = ["" if v is None else str(v) for v in cells]
            while texts and not texts[-1].strip():
                texts.pop()
            if texts:
                out.append((row_no, texts))
                if len(out) >= n:
                    break
    return out


def plain_sheet(pkg: Package, part: str) -> bool:
    """True when a sheet holds only plain values — no formula, no error cell, every
    shared-string reference a plain index — so a fast reader that cannot tell those
    apart (python-calamine reads a formula without value or an error as empty, and the
    index "-1" as 0) gives the same values. The part is inflated piece by piece and not
    kept; only whole cells are searched. A sheet that declares a DTD is refused here."""
    rest = b""
    prefix: bytes | None = None
    for piece in pkg.chunks(part):
        text = rest + piece
        cut = text.rfind(b"</c>")
        if cut < 0 and len(text) < 1 << 22:
            rest = text
            continue
        cut = len(text) if cut < 0 else cut + 4
        text, rest = text[:cut], text[cut:]
        if prefix is None:
            prefix = _root_prefix(pkg, part, text)
        if not _plain_text(text, prefix):
            return False
    if prefix is None:
        prefix = _root_prefix(pkg, part, rest)
    return _plain_text(rest, prefix)


def _root_prefix(pkg: Package, part: str, head: bytes) -> bytes:
    """The prefix of the root element; a DTD before it is refused."""
    at = head.find(b"worksheet")
    before = head[:max(at, 0)]
    if b"<!DOCTYPE" in before or b"<!ENTITY" in before:
        raise damaged(pkg.label, f"part {part}: it declares a DTD (<!DOCTYPE …>), which "
                      "Office files never hold")
    lt = before.rfind(b"<")
    return before[lt + 1:].rstrip(b":") if lt >= 0 else b""


_BAD_SHARED = re.compile(rb'"s"(?!><(?:[\w.-]+:)?v>\d+</)')


def _plain_text(text: bytes, prefix: bytes) -> bool:
    if b'"e"' in text or find_rare(text, b"='", 1) >= 0:  # an error cell; single
        return False  # quotes: not the usual form
    if _BAD_SHARED.search(text) is not None:  # "s" not followed by an index
        return False
    return not _formula_in(text, prefix)


def _formula_in(text: bytes, prefix: bytes) -> bool:
    """True when ``text`` holds the end of a formula element (``</f>``, ``<f>``, or
    ``</x:f>`` with the sheet's own prefix; ``xm:f`` of a sparkline is not one)."""
    at = find_rare(text, b"f>", 0)
    while at >= 0:
        before = text[max(0, at - len(prefix) - 3):at]
        if before.endswith((b"</", b"<")) or (
                prefix and before.endswith((b"</" + prefix + b":", b"<" + prefix + b":"))):
            return True
        at = find_rare(text, b"f>", 0, at + 2)
    return False


_DATES = (date, datetime, time, timedelta)


class FastValues:
    """Cell values through python-calamine, for sheets of plain values only.

    Calamine reads several times faster than any Python XML loop, but it cannot tell a
    formula without a value or an error from an empty cell; so it is used only where
    that makes no difference (:func:`plain_sheet`) and :func:`read_regions` does the
    rest. It applies the same date formats as :mod:`.numfmt`: dated numbers come back
    as dates either way.

    A sheet :meth:`start`-ed is parsed on a worker thread (calamine parses with the GIL
    released), so the caller can scan the next sheet meanwhile; only a sheet that
    :func:`plain_sheet` has passed is ever started. Each worker opens the workbook for
    itself; no calamine object crosses threads.
    """

    WORKERS = 2
    """Sheets parsed at once (the machine this was measured on has two cores: the three
    large input sheets of a refresh took ~0.045 s one after another, ~0.03 s on two)."""

    def __init__(self, archive: bytes) -> None:
        self._archive = archive
        self._local = threading.local()  # each worker thread opens its own workbook
        self._worker: ThreadPoolExecutor | None = None
        self._started: dict[str, Future[tuple[list[list[object]], tuple[int, int]] | None]] = {}

    def start(self, sheet: str) -> None:
        """Begin parsing ``sheet`` on a worker thread."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(self.WORKERS, thread_name_prefix="koshtorys-read")
        self._started[sheet] = self._worker.submit(self._rows, sheet)

    def _rows(self, sheet: str) -> tuple[list[list[object]], tuple[int, int]] | None:
        """Calamine's rows of ``sheet`` and where they start, or None when calamine is
        unavailable or unsure."""
        try:
            import python_calamine as pc
        except ImportError:
            return None
        try:
            book = getattr(self._local, "book", None)
            if book is None:
                book = self._local.book = pc.CalamineWorkbook.from_filelike(
                    io.BytesIO(self._archive))
            ws = book.get_sheet_by_name(sheet)
            rows = ws.to_python()
            start = ws.start
        except (pc.CalamineError, ValueError, OSError):
            return None
        return rows, (start if start else (0, 0))

    def regions(self, sheet: str, regions: list[Region]) -> list[Grid] | None:
        """Values of each region of a :meth:`start`-ed sheet, or None when calamine is
        unavailable or unsure."""
        got = self._started.pop(sheet).result()
        if got is None:
            return None
        rows, (r0, c0) = got
        return [_region(rows, r0, c0, reg) for reg in regions]

    def close(self) -> None:
        for job in self._started.values():
            job.cancel()
        self._started.clear()
        if self._worker is not None:
            self._worker.shutdown(wait=True)
            self._worker = None


def _plain_row(cells: list[object], _float: type = float) -> list[object]:
    """Calamine's cells as the XML reader gives them ("" is no value, whole numbers int),
    in one comprehension: no Python call per cell (a million cells at ×16)."""
    return [(int(v) if v.is_integer() and -1e15 < v < 1e15 else v)  # type: ignore[attr-defined]
            if type(v) is _float else (None if v == "" else v) for v in cells]


def _region(rows: list[list[object]], r0: int, c0: int, reg: Region) -> Grid:
    """The region's rows out of calamine's. A row that is exactly the region's width is
    converted in place (calamine's list becomes the grid's: no second list per row);
    the conversion is idempotent, so a row another region also reads stays valid."""
    r1, c1, r2, c2 = reg
    width = c2 - c1 + 1
    j0 = c1 - 1 - c0
    lo, hi = max(r1 - 1 - r0, 0), min(r2 - r0, len(rows))  # sheet rows that calamine has
    grid: Grid = [[None] * width for _ in range(min(lo + r0 + 1 - r1, r2 - r1 + 1))]
    for row in rows[lo:hi]:
        if j0 == 0 and len(row) == width:
            row[:] = _plain_row(row)
            grid.append(row)
            continue
        if j0 >= 0:
            cells = row[j0:j0 + width]
        else:
            cells = [""] * min(-j0, width) + list(row[:max(0, width + j0)])
        out = _plain_row(cells)
        if len(out) < width:
            out += [None] * (width - len(out))
        grid.append(out)
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    return grid
