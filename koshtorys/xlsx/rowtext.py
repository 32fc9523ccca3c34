"""The rewritten rows of a table as text, made a chunk of rows at a time.

A plain new row is made straight from the new values, column by column
(:func:`~.ooxml.column_xml` over a slice of rows) and joined row by row; a row whose old
version keeps something — cells beside the table, kept cells, a height or a style —
is merged with it. Text is made in chunks of :data:`CHUNK` rows so that it can be
deflated as it is made and is never held whole.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree

from .ooxml import attrs_xml, cell_xml, column_xml, dense_cells
from .rowcut import strip_attrs
from .sheetmodel import Geometry, OldRow, Sheet, cells_of

__all__ = ["KEEP", "CHUNK", "Numbers", "Rewrite", "made_rows", "box", "kept_attrs", "rows_text",
           "kept", "blank_kept", "prefixed"]

CHUNK = 1024
"""Rows made into text at a time: the new sheet is deflated as it is made, never held
whole (see zipwrite.PartWriter)."""


@dataclass
class Rewrite:
    """One table's rewrite, worked out before any text is made."""

    g: Geometry
    sheet: Sheet
    old: dict[int, OldRow]
    values: dict[int, list[object]]
    """Worksheet column → its new values, one per new data row."""
    style: dict[int, int]
    keep: dict[int, set[int]]
    calc: dict[int, str]
    base: dict[int, int]
    letters: dict[int, str]
    old_totals: list[tuple[int, etree._Element]]
    filtered: bool
    interleave: bool
    px: str

    def new_cells(self, lo: int, hi: int) -> list[list[str]]:
        """The new data rows lo…hi (worksheet rows) as cell text, one list per column
        in column order; a kept cell is "" (it is copied from the old row)."""
        out = []
        for col in sorted(self.values):
            cells = column_xml(self.letters[col], self.values[col][lo - self.g.top:
                                                                  hi - self.g.top + 1],
                               self.style[col], lo)
            where = self.keep.get(col)
            if where:
                first = lo - self.g.top
                for j in range(len(cells)):
                    if first + j in where:
                        cells[j] = ""
            if self.px:  # the main namespace has a prefix in this part: ours must use it too
                cells = [prefixed(x, self.px) for x in cells]
            out.append(cells)
        return out

    def plain_rows(self, lo: int, hi: int) -> str | None:
        """The new data rows lo…hi as one text, when they are plain (no attributes to
        keep, nothing kept, no namespace prefix) and some column has a cell in every row
        (so no row is empty). Made a column at a time by slices: each row's pieces are a
        fixed pattern, so the rows are one list repeated, each column's texts put in
        place by a slice assignment and the whole joined once; per cell no Python
        code runs but ``repr``/``str`` and a lookup. Exactly the text :meth:`new_cells`
        and :func:`rows_text` would make; None when this way does not apply."""
        if self.keep or self.px:
            return None
        a, b = lo - self.g.top, hi - self.g.top + 1
        numbers = list(map(str, range(lo, hi + 1)))
        items: list[str | list[str]] = ['<row r="', numbers, '">']
        dense = False
        for col in sorted(self.values):
            values = self.values[col]
            got = dense_cells(values.array[a:b] if isinstance(values, Numbers)
                              else values[a:b], self.style[col])
            if got is None:  # a column with blanks: its cells one by one
                items.append(column_xml(self.letters[col], values[a:b], self.style[col], lo))
                continue
            dense = True
            items += [f'<c r="{self.letters[col]}', numbers, *got]
        if not dense:
            return None
        items.append("</row>")
        pattern: list[str | list[str]] = []
        for it in items:  # neighbouring constants become one piece
            if isinstance(it, str) and pattern and isinstance(pattern[-1], str):
                pattern[-1] += it  # type: ignore[operator]
            else:
                pattern.append(it)
        k = len(pattern)
        out = [it if isinstance(it, str) else "" for it in pattern] * (hi - lo + 1)
        for j, it in enumerate(pattern):
            if not isinstance(it, str):
                out[j::k] = it
        return "".join(out)

    def row(self, r: int, cells: list[str]) -> tuple[str, int, int] | None:
        """Row ``r`` as text and the first and last worksheet column its cells span (0, 0
        for a row with attributes only), merging the new cells (``cells``, in column
        order) with what the old row keeps; None when there is nothing to write."""
        g, sheet = self.g, self.sheet
        prev = self.old.get(r)
        el = prev.element if prev is not None else None
        in_old = r <= g.old_data_end
        in_new = r <= g.new_data_end
        before: list[tuple[int, str]] = []
        after: list[tuple[int, str]] = []
        mid: list[tuple[int, str]] = []
        if el is not None:
            moving = bool(g.totals) and r == g.old_end  # the old totals row moves
            if self.interleave or moving or not sheet.only_within(el, g.c1, g.c2):
                for col, c in cells_of(el, sheet.c_tag):
                    if col < g.c1:
                        before.append((col, sheet.xml(c)))
                    elif col > g.c2:
                        after.append((col, sheet.xml(c)))
                    elif moving:
                        continue
                    elif col in self.values:
                        if r - g.top in self.keep.get(col, ()) and in_new:
                            mid.append((col, sheet.xml(c)))
                    elif col not in self.calc or (in_new and in_old):
                        mid.append((col, sheet.xml(c)))
        if in_new and not in_old:
            for col, formula in self.calc.items():
                sx = f' s="{self.base[col]}"' if self.base[col] else ""
                mid.append((col, prefixed(f'<c r="{self.letters[col]}{r}"{sx}><f>'
                                           f"{_esc(formula)}</f></c>", self.px)))
        if g.totals and r == g.new_end:
            for col, c in self.old_totals:
                c.set("r", f"{self.letters[col]}{r}")
                mid.append((col, sheet.xml(c)))
        new = cells if in_new else []
        if mid:
            ours = list(zip(sorted(self.values), new, strict=False)) if new else []
            new = [x for _, x in sorted(ours + mid, key=lambda x: x[0])]
        body = "".join(new)
        drop = _SKIP_HIDDEN if self.filtered and g.top <= r <= g.new_data_end else _SKIP
        if el is not None:
            attrs = attrs_xml(el, sheet.prefixes, drop)
        elif prev is not None:
            attrs = strip_attrs(prev.attrs, drop)
        else:
            attrs = ""
        if not body and not before and not after and not attrs:
            return None
        if before or after:
            body = "".join(x for _, x in before) + body + "".join(x for _, x in after)
        text = f'<{self.px}row r="{r}"{attrs}>{body}</{self.px}row>'
        if not body:
            return text, 0, 0
        return text, before[0][0] if before else g.c1, after[-1][0] if after else g.c2


_SKIP = {"r", "spans"}
_SKIP_HIDDEN = _SKIP | {"hidden"}


def _makes_cell(v: object) -> bool:
    """True when :func:`column_xml` writes a cell for ``v`` in an unstyled column."""
    t = type(v)
    if t is float:
        return v - v == 0.0  # type: ignore[operator]
    if v is None:
        return False
    if t is str:
        return v != ""
    return bool(cell_xml("A1", v, 0))


def _cell_span(values: list[object], style: int) -> tuple[int, int] | None:
    """First and last index whose value makes a cell (in a styled column, every one)."""
    if not values:
        return None
    if style:
        return 0, len(values) - 1
    first = next((i for i, v in enumerate(values) if _makes_cell(v)), None)
    if first is None:
        return None
    last = next(i for i in range(len(values) - 1, -1, -1) if _makes_cell(values[i]))
    return first, last


def made_rows(job: Rewrite, rows: list[int]) -> dict[int, tuple[str, int, int] | None]:
    """The special rows made, their new cells made a run of consecutive rows at a time."""
    out: dict[int, tuple[str, int, int] | None] = {}
    i = 0
    while i < len(rows):
        r = rows[i]
        if r > job.g.new_data_end:
            out[r] = job.row(r, [])
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1 and \
                rows[j + 1] <= job.g.new_data_end and rows[j + 1] - r < CHUNK:
            j += 1
        cols = job.new_cells(r, rows[j])
        for k in range(j - i + 1):
            out[r + k] = job.row(r + k, [c[k] for c in cols])
        i = j + 1
    return out


def box(job: Rewrite, made: dict[int, tuple[str, int, int] | None]) -> list[int]:
    """Rows and columns that the rewritten rows' cells span."""
    g = job.g
    span = [10**9, 10**9, 0, 0]
    for r, m in made.items():
        if m is not None and m[2]:
            span = [min(span[0], r), min(span[1], m[1]), max(span[2], r), max(span[3], m[2])]
    # the other new rows span the table's columns when one of their new cells is written
    spans = [x for x in (_cell_span(v, job.style[col]) for col, v in job.values.items()) if x]
    if not spans:
        return span

    def plain(i: int) -> bool:
        return g.top + i not in made and any(
            job.style[col] or _makes_cell(v[i]) for col, v in job.values.items())

    lo, hi = min(x[0] for x in spans), max(x[1] for x in spans)
    first = next((i for i in range(lo, hi + 1) if plain(i)), None)
    if first is not None:
        last = next(i for i in range(hi, first - 1, -1) if plain(i))
        span = [min(span[0], g.top + first), min(span[1], g.c1), max(span[2], g.top + last),
                max(span[3], g.c2)]
    return span


def kept_attrs(old: dict[int, OldRow], g: Geometry, filtered: bool) -> dict[int, str]:
    """Attribute text of the new data rows whose old row is kept by attributes only."""
    out: dict[int, str] = {}
    done: dict[tuple[bytes, bool], str] = {}  # rows mostly share their attributes
    for r, o in old.items():
        if o.element is None and r <= g.new_data_end:
            hide = filtered and g.top <= r
            key = (o.attrs, hide)
            if key not in done:
                done[key] = strip_attrs(o.attrs, _SKIP_HIDDEN if hide else _SKIP)
            out[r] = done[key]
    return out


def rows_text(job: Rewrite, made: dict[int, tuple[str, int, int] | None],
              attrs: dict[int, str]) -> Iterator[str]:
    """The new rows' text, a chunk of rows at a time: plain rows straight from the new
    cells (with the attributes their old row had, if any), the others as worked out in
    ``made``."""
    g, px = job.g, job.px
    specials = sorted(made)
    k = 0
    r = g.top
    while r <= g.last:
        while k < len(specials) and specials[k] < r:
            k += 1
        if k < len(specials) and specials[k] == r:
            m = made[r]
            if m is not None:
                yield m[0]
            r += 1
            continue
        stop = min(specials[k] - 1 if k < len(specials) else g.last, g.new_data_end,
                   r + CHUNK - 1)
        if stop < r:  # past the new data, no old row to keep: nothing to write
            r = specials[k] if k < len(specials) else g.last + 1
            continue
        if not attrs:
            text = job.plain_rows(r, stop)
            if text is not None:
                yield text
                r = stop + 1
                continue
        cols = job.new_cells(r, stop)
        bodies = map("".join, zip(*cols, strict=True)) if cols else [""] * (stop - r + 1)
        if attrs:
            get = attrs.get
            yield "".join([f'<{px}row r="{n}"{get(n, "")}>{b}</{px}row>'
                           for n, b in zip(range(r, stop + 1), bodies, strict=False)
                           if b or n in attrs])
        else:
            yield "".join([f'<{px}row r="{n}">{b}</{px}row>'
                           for n, b in zip(range(r, stop + 1), bodies, strict=False) if b])
        r = stop + 1


class Numbers(Sequence[object]):
    """A column of numbers kept as its array and made Python numbers a slice at a time.

    What ``Series.tolist()`` gives, without holding a Python float per row for the whole
    table at once: the rows are made into text a chunk at a time
    (:data:`CHUNK`), and only that chunk's numbers exist as objects (at ×16 the largest
    output table's columns were ~60 MB of floats). A number column never holds
    :data:`KEEP`.
    """

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return self.array[i].tolist()
        return self.array[i].item()

    def __iter__(self) -> Iterator[object]:
        for k in range(0, len(self.array), CHUNK):
            yield from self.array[k:k + CHUNK].tolist()


class _Keep:
    """Marks a cell that keeps what it holds (value or formula)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def kept(values: Sequence[object]) -> set[int]:
    """Indexes of the :data:`KEEP` cells."""
    if isinstance(values, Numbers):
        return set()
    if not any(map(operator.is_, values, itertools.repeat(KEEP))):  # a C loop
        return set()
    return {i for i, v in enumerate(values) if v is KEEP}


def blank_kept(values: Sequence[object], where: set[int] | None = None) -> Sequence[object]:
    """``values`` with KEEP as None (``where``: the indexes of KEEP, if known)."""
    if where is None:
        where = kept(values)
    return [None if v is KEEP else v for v in values] if where else values


_TAGS = re.compile(r"<(/?)(c|v|is|t|f|r|rPr)(?=[\s/>])")


def prefixed(xml: str, px: str) -> str:
    """Our cell text with the main-namespace prefix on every tag."""
    return _TAGS.sub(lambda m: f"<{m.group(1)}{px}{m.group(2)}", xml) if px and xml else xml


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
