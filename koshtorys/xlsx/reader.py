"""Cell values of rectangular regions, streamed from a worksheet part.

Only the rows inside the requested regions become Python values; the parse stops after
the last of them. Values are what Excel or LibreOffice last calculated.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from lxml import etree

from koshtorys.core.book import UNCALCULATED, CellError

from .ooxml import col_index, decode_text, parse_xml
from .package import Package

__all__ = ["SharedStrings", "read_regions", "FastValues", "plain_values"]

Region = tuple[int, int, int, int]


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
        return self._items[i]

    def _load(self) -> list[str]:
        if self._part is None:
            return []
        root = parse_xml(self._pkg.read(self._part))
        ns = etree.QName(root).namespace or ""
        return [_rich_text(si, ns) for si in root.iterchildren(f"{{{ns}}}si")]


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


class _Tags:
    def __init__(self, ns: str) -> None:
        self.c, self.v, self.f, self.is_ = (f"{{{ns}}}{t}" for t in ("c", "v", "f", "is"))
        self.ns = ns


def _value(c: etree._Element, tags: _Tags, sst: SharedStrings) -> object:
    v: str | None = None
    has_f = False
    inline = None
    for ch in c:
        tag = ch.tag
        if tag == tags.v:
            v = ch.text or ""
        elif tag == tags.f:
            has_f = True
        elif tag == tags.is_:
            inline = ch
    t = c.get("t", "n")
    if t == "inlineStr":
        return _rich_text(inline, tags.ns) if inline is not None else None
    if v is None or (v == "" and t not in ("str", "s")):
        return UNCALCULATED if has_f else None
    if t == "s":
        return sst[int(v)]
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
    return _number(v)


def read_regions(
    pkg: Package, sheet_part: str, regions: list[Region], sst: SharedStrings
) -> list[list[list[object]]]:
    """Values of each region (first row, first column, last row, last column), row by row;
    missing cells are None."""
    grids = [[[None] * (c2 - c1 + 1) for _ in range(r2 - r1 + 1)] for r1, c1, r2, c2 in regions]
    if not regions:
        return grids
    lo = min(r[0] for r in regions)
    hi = max(r[2] for r in regions)
    tags: _Tags | None = None
    row_no = 0
    stream = pkg.stream(sheet_part)
    try:
        for _, row in etree.iterparse(stream, events=("end",), tag="{*}row", huge_tree=True,
                                      resolve_entities=False):
            r = row.get("r")
            row_no = int(r) if r else row_no + 1
            if row_no > hi:
                break
            if row_no >= lo:
                if tags is None:
                    tags = _Tags(etree.QName(row).namespace or "")
                active = [(i, reg) for i, reg in enumerate(regions)
                          if reg[0] <= row_no <= reg[2]]
                if active:
                    _read_row(row, row_no, active, grids, tags, sst)
            row.clear(keep_tail=True)
            parent = row.getparent()
            if parent is not None:
                while row.getprevious() is not None:
                    del parent[0]
    finally:
        stream.close()
    return grids


def _read_row(
    row: etree._Element,
    row_no: int,
    active: list[tuple[int, Region]],
    grids: list[list[list[object]]],
    tags: _Tags,
    sst: SharedStrings,
) -> None:
    c_tag, v_tag = tags.c, tags.v
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
            i = active[0][0]
            r1, c1 = single[0], single[1]
        else:
            hit = next(((i, reg) for i, reg in active if reg[1] <= col <= reg[3]), None)
            if hit is None:
                continue
            i, (r1, c1, _r2, _c2) = hit
        # fast path: a plain number or shared string with nothing but its value
        if len(c) == 1 and c[0].tag == v_tag:
            t = c.get("t")
            v = c[0].text or ""
            if t is None or t == "n":
                value = _number(v) if v else None
            elif t == "s":
                value = sst[int(v)]
            else:
                value = _value(c, tags, sst)
        else:
            value = _value(c, tags, sst)
        grids[i][row_no - r1][col - c1] = value


_SPECIAL = (b"<f>", b"<f ", b"<f/>", b":f>", b":f ", b":f/>", b't="e"', b"t='e'")
_DATES = {date, datetime, time, timedelta}


def plain_values(xml: bytes) -> bool:
    """True when a sheet holds no formulas and no error cells: every cell is a plain
    value, so a fast reader that cannot tell those apart gives the same answer."""
    return not any(token in xml for token in _SPECIAL)


def _plain(v: object) -> object:
    if v == "":
        return None
    if type(v) is float and v.is_integer() and -1e15 < v < 1e15:
        return int(v)
    return v


class FastValues:
    """Cell values through python-calamine, for sheets of plain values only.

    Calamine reads several times faster than any Python XML loop, but it cannot tell a
    formula without a value from an empty cell, and turns dated numbers into dates; so
    it is used only where that makes no difference and :func:`read_regions` does the
    rest.
    """

    def __init__(self, archive: bytes) -> None:
        self._archive = archive
        self._book: object | None = None

    def regions(self, sheet: str, regions: list[Region]) -> list[list[list[object]]] | None:
        """Values of each region, or None when calamine is unavailable or unsure."""
        try:
            import python_calamine as pc
        except ImportError:
            return None
        try:
            if self._book is None:
                self._book = pc.CalamineWorkbook.from_filelike(io.BytesIO(self._archive))
            ws = self._book.get_sheet_by_name(sheet)  # type: ignore[attr-defined]
            rows = ws.to_python()
            start = ws.start
        except (pc.CalamineError, ValueError, OSError):
            return None
        r0, c0 = start if start else (0, 0)
        grids = []
        for r1, c1, r2, c2 in regions:
            width = c2 - c1 + 1
            j0 = c1 - 1 - c0
            grid = []
            for r in range(r1, r2 + 1):
                i = r - 1 - r0
                row = rows[i] if 0 <= i < len(rows) else ()
                if j0 >= 0:
                    cells = list(row[j0:j0 + width])
                else:
                    cells = [""] * min(-j0, width) + list(row[:max(0, width + j0)])
                cells += [""] * (width - len(cells))
                if any(type(v) in _DATES for v in cells):
                    return None
                grid.append([_plain(v) for v in cells])
            grids.append(grid)
        return grids
