"""A worksheet part split for rewriting one table: the sheet without the table's rows,
and those rows, parsed only where their content matters."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from lxml import etree

from .ooxml import BadXml, col_index, parse_xml, prefix_map, root_ns, serialize
from .rowcut import Span, cut_rows, cut_span, only_columns, row_attrs

__all__ = ["Geometry", "Sheet", "OldRow", "MARKER", "load", "cells_of", "col_of", "has_content"]

_MARK = "koshtorys-rows"
MARKER = etree.tostring(etree.ProcessingInstruction(_MARK))
"""Stands where the rewritten rows go, in the serialized sheet."""


@dataclass(frozen=True)
class Geometry:
    """Rows and columns of a table before and after the rewrite."""

    top: int
    old_data_end: int
    old_end: int
    new_data_end: int
    new_end: int
    c1: int
    c2: int
    totals: int

    @property
    def last(self) -> int:
        return max(self.old_end, self.new_end)


def col_of(c: etree._Element, previous: int) -> int:
    ref = c.get("r")
    return col_index(ref.rstrip("0123456789").lstrip("$")) if ref else previous + 1


def cells_of(row: etree._Element, c_tag: str) -> list[tuple[int, etree._Element]]:
    out = []
    col = 0
    for c in row:
        if c.tag == c_tag:
            col = col_of(c, col)
            out.append((col, c))
    return out


def has_content(c: etree._Element) -> bool:
    return any(isinstance(ch.tag, str) and ch.tag.rsplit("}", 1)[-1] in ("v", "f", "is")
               for ch in c)


class Sheet:
    """A parsed worksheet with its rows by number."""

    def __init__(self, data: bytes) -> None:
        self.root = parse_xml(data)  # BadXml: the caller names the sheet
        self.ns = root_ns(self.root)
        self.prefixes = prefix_map(self.root)
        self.c_tag = self.t("c")
        data_el = self.root.find(self.t("sheetData"))
        if data_el is None:
            raise BadXml("a worksheet without sheetData")
        self.data = data_el
        self.rows: dict[int, etree._Element] = {}
        n = 0
        for row in self.data.iterchildren(self.t("row")):
            r = row.get("r")
            n = int(r) if r else n + 1
            if not r:
                row.set("r", str(n))
            self.rows[n] = row

    def t(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    @property
    def prefix(self) -> str:
        """The main namespace's prefix with its colon, or "" when it is the default."""
        p = self.prefixes.get(self.ns)
        return f"{p}:" if p else ""

    def only_within(self, row: etree._Element, c1: int, c2: int) -> bool:
        """True when every cell of ``row`` lies in columns c1…c2 (cells are in order)."""
        if not len(row):
            return True
        first, last = row[0], row[-1]
        if first.tag != self.c_tag or last.tag != self.c_tag or not first.get("r") \
                or not last.get("r"):
            return False
        return c1 <= col_of(first, 0) and col_of(last, 0) <= c2

    def xml(self, el: etree._Element) -> str:
        try:
            return serialize(el, self.prefixes)
        except KeyError:  # a namespace declared below the root: let lxml declare it
            return etree.tostring(el, encoding="unicode", with_tail=False)


@dataclass(frozen=True)
class OldRow:
    """A row of the rewritten range as it was: parsed, or (when it can only hold cells
    that are replaced anyway) just its attribute text."""

    element: etree._Element | None
    attrs: bytes = b""


def load(data: bytes, g: Geometry, interleave: bool
         ) -> tuple[Sheet, dict[int, OldRow], bool]:
    """The sheet without rows ``g.top…g.last`` (a marker in their place), those rows, and
    whether the bulk of them was only checked (the fast case: rows absent from the dict
    hold table cells only and nothing else to keep).

    Rows that may hold cells to keep, style samples, or cells in the way of growth are
    parsed. In the fast case the table's old rows are neither parsed nor walked one by
    one: a few searches over their text show they hold only table cells, and only rows
    whose tag carries more than a number (a height, a style) are kept, by attributes.
    """
    if not interleave:
        span = cut_span(data, g.top, g.last, MARKER)
        if span is not None:
            fast = _fast_rows(span, g)
            if fast is not None:
                return Sheet(span.skeleton), fast, True
    cut = cut_rows(data, g.top, g.last, MARKER)
    if cut is None:
        sheet = Sheet(data)
        old = {r: OldRow(sheet.rows.pop(r)) for r in range(g.top, g.last + 1)
               if r in sheet.rows}
        for o in old.values():
            assert o.element is not None
            o.element.getparent().remove(o.element)
        _splice_point(sheet, g)
        return sheet, old, False
    sheet = Sheet(cut.skeleton)
    cell_re = re.compile(b"<" + re.escape(cut.prefix) + rb"""c\b[^>]*?\sr\s*=\s*["']\$?([A-Z]+)""")
    starts = [b"<" + cut.prefix + b"c" + x for x in (b" ", b">", b"/")]
    old: dict[int, OldRow] = {}
    for row in cut.rows:
        if not interleave and g.top + _SAMPLES <= row.r <= g.old_data_end \
                and _pure(row.body, starts, cell_re, g.c1, g.c2):
            old[row.r] = OldRow(None, row.attrs)
        else:
            old[row.r] = OldRow(_parse_row(row.raw, cut.decls))
    return sheet, old, False


_SAMPLES = 10
"""First data rows parsed for their cell formats (see sheetwrite._base_styles)."""


def _parse_row(raw: bytes, decls: bytes) -> etree._Element:
    found = parse_xml(b"<w" + decls + b">" + raw + b"</w>")
    if not len(found):
        raise BadXml("a row that is not an element")
    return found[0]


def _fast_rows(span: Span, g: Geometry) -> dict[int, OldRow] | None:
    """The old rows of a checked span: parsed where they matter (the first data rows, the
    rows past the old data), by attributes elsewhere; None when the bulk holds anything
    but the table's cells."""
    data, p = span.data, span.prefix
    if not span.numbers:
        return {}
    lo = bisect.bisect_right(span.numbers, g.top + _SAMPLES - 1)  # rows parsed at the top
    hi = bisect.bisect_right(span.numbers, g.old_data_end)  # rows parsed at the bottom
    tag = b"<" + p + b"row"
    bounds = [span.start]  # where rows lo and hi start
    for k in (lo, hi):
        if k >= len(span.numbers):
            bounds.append(span.stop)
            continue
        at = data.find(tag + b' r="%d"' % span.numbers[k], bounds[-1], span.stop)
        if at < 0:
            return None
        bounds.append(at)
    if not only_columns(data, bounds[1], bounds[2], p, g.c1, g.c2):
        return None
    old = {r: OldRow(None, a) for r, a in row_attrs(data, bounds[1], bounds[2], p).items()}
    for a, b in ((span.start, bounds[1]), (bounds[2], span.stop)):
        if not data[a:b].strip():
            continue
        cut = cut_rows(b"<" + p + b"sheetData>" + data[a:b] + b"</" + p + b"sheetData>", 1,
                       1 << 40, b"")
        if cut is None:
            return None
        for row in cut.rows:
            old[row.r] = OldRow(_parse_row(row.raw, span.decls))
    return old


def _pure(body: bytes, starts: list[bytes], cell_re: re.Pattern[bytes], c1: int,
          c2: int) -> bool:
    """True when the row text holds only cells in columns c1…c2 (cells are in order)."""
    if not body:
        return True
    first = min((i for i in (body.find(s) for s in starts) if i >= 0), default=-1)
    last = max(body.rfind(s) for s in starts)
    if first < 0:
        return not body.strip()
    a, b = cell_re.match(body, first), cell_re.match(body, last)
    if a is None or b is None:
        return False
    return c1 <= col_index(a.group(1).decode()) and col_index(b.group(1).decode()) <= c2


def _splice_point(sheet: Sheet, g: Geometry) -> None:
    """Put the marker where the rewritten rows go (all affected rows are removed)."""
    pi = etree.ProcessingInstruction(_MARK)
    for i, row in enumerate(sheet.data):
        if row.tag == sheet.t("row") and int(row.get("r", "0")) > g.last:
            sheet.data.insert(i, pi)
            return
    sheet.data.append(pi)


