"""A small kit for print-ready document sheets with openpyxl: rows written top to bottom,
pages planned as they are written.

Every document of the cycle (request, passport, tariff, procurement) is a form on A4:
bordered tables with numbered columns, texts that wrap, totals rows, signatures. Printed
by LibreOffice (the PDFs we make) or Excel (a user's own printing), such a sheet goes
wrong in the same few ways: a totals row alone at the top of a page, a table whose
continuation has no header, a wrapped text cut off because neither program grows a
merged row, amounts grouped with commas. The kit answers them once:

* :class:`Sheet` writes rows of :class:`Cell` specs; each row's height is set from its
  wrapped texts (estimated for DejaVu Sans, the widest font LibreOffice falls back to);
* the page is planned as rows are written: the sheet prints at a fixed scale that fits
  its width (so Excel and LibreOffice break the page at the same rows), a manual row
  break is put wherever the next block would not fit, :meth:`Sheet.table` repeats the
  table's header rows after a break and keeps its last rows (the totals) with the rows
  above, :meth:`Sheet.block` keeps a block (a heading and what follows, the signatures)
  on one page;
* amounts use :func:`money_format` — ``[$-422]#,##0``: the Ukrainian locale tag makes
  LibreOffice print 1 234 567 (no-break space grouping, decimal comma) whatever the
  machine's locale; Excel shows the user's own separators;
* :func:`machine_sheet` holds machine-readable tables (:func:`add_excel_table`) on a
  hidden sheet: it is never printed and a script finds it by table name.

Typical use::

    sheet = Sheet(ws, widths=(8, 40, 14, 14), landscape=True, title_rows=1)
    sheet.row([Cell(1, "Title", to=4, style="title")])
    sheet.table(head=[[Cell(1, "Код", style="head"), ...]], body=[...], keep_last=2)
    sheet.finish()
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from koshtorys.xlsx.cells import put_value

__all__ = ["Cell", "Sheet", "STYLES", "money_format", "decimal_format", "add_excel_table",
           "machine_sheet", "UNIT_PT", "blank", "wrapped_lines"]

UNIT_PT = 7.1
"""Points one unit of column width takes when LibreOffice prints with DejaVu Sans (the
default font's stand-in on a machine without Calibri); measured."""
_UNIT_PT_SAFE = 7.35
"""The same with a margin, for the scale: a column never spills onto a second page."""
_A4 = (595.0, 842.0)
_CHAR_EM = {False: 0.64, True: 0.70}
"""Average advance of DejaVu Sans over Ukrainian text, in em (regular, bold)."""


def money_format(digits: int = 0) -> str:
    """Amounts with Ukrainian grouping: 1 234 567 (``digits`` decimals after a comma)."""
    return "[$-422]#,##0" + ("." + "0" * digits if digits > 0 else "")


def decimal_format(places: int) -> str:
    """A figure with exactly ``places`` decimals and grouping: 1 234,5678."""
    return money_format(places)


@dataclass(frozen=True)
class _Style:
    size: float = 9
    bold: bool = False
    italic: bool = False
    horizontal: str = "left"
    vertical: str = "center"
    wrap: bool = True
    boxed: bool = False
    fmt: str | None = None
    min_h: float = 0.0
    """Smallest row height (points): room to write by hand."""


STYLES: dict[str, _Style] = {
    "title": _Style(size=12, bold=True, horizontal="center"),
    "subtitle": _Style(size=9, italic=True, horizontal="center"),
    "heading": _Style(size=10, bold=True),
    "subheading": _Style(size=9, bold=True),
    "text": _Style(),
    "value": _Style(size=10, bold=True, horizontal="center"),
    "caption": _Style(size=7, italic=True, horizontal="center", vertical="top"),
    "note": _Style(size=8, italic=True),
    "head": _Style(size=8, bold=True, horizontal="center", boxed=True),
    "number": _Style(size=7, horizontal="center", boxed=True),
    "box": _Style(boxed=True, vertical="top"),
    "box_center": _Style(boxed=True, horizontal="center"),
    "box_small": _Style(size=8, boxed=True, horizontal="center"),
    "box_bold": _Style(bold=True, boxed=True),
    "money": _Style(horizontal="right", boxed=True, wrap=False),
    "money_bold": _Style(bold=True, horizontal="right", boxed=True, wrap=False),
    "sign": _Style(horizontal="center", vertical="bottom"),
    "blank": _Style(boxed=True, min_h=22),
    "write": _Style(boxed=True, vertical="top", min_h=44),
}
"""The cell styles of the documents, by name."""


@dataclass(frozen=True)
class Cell:
    """One cell of a row: ``value`` at column ``col`` (1-based), merged across to column
    ``to`` and ``down`` rows further, in the style ``style`` of :data:`STYLES`; ``fmt``
    overrides the style's number format."""

    col: int
    value: object = None
    to: int | None = None
    style: str = "text"
    fmt: str | None = None
    down: int = 0

    @property
    def last(self) -> int:
        return self.to or self.col


Row = Sequence[Cell]


class Sheet:
    """A worksheet written row by row, its pages planned as it goes."""

    def __init__(self, ws: Worksheet, widths: Sequence[float], *, landscape: bool = True,
                 title_rows: int = 0, margins: tuple[float, float] = (0.5, 0.6)) -> None:
        self.ws, self.widths, self.landscape = ws, tuple(widths), landscape
        self.r = 1
        self.title_rows = title_rows
        self._styles: dict[tuple[str, str | None], StyleArray] = {}
        side = Side(style="thin", color="000000")
        self._border = Border(left=side, right=side, top=side, bottom=side)
        for j, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        self.margins = margins
        page_w, page_h = (_A4[1], _A4[0]) if landscape else _A4
        usable_w = page_w - 2 * 72 * margins[0]
        self.scale = max(10, min(100, math.floor(100 * usable_w
                                                 / (sum(self.widths) * _UNIT_PT_SAFE))))
        # the page's body in the sheet's own points (a margin for LibreOffice's rounding)
        self.capacity = (page_h - 2 * 72 * margins[1]) * 0.97 * 100 / self.scale
        self.used = 0.0
        self._title_h = 0.0
        self.pages = 1

    # ------------------------------------------------------------------ measuring
    def _text_height(self, c: Cell) -> float:
        st = STYLES[c.style]
        line = st.size * 1.32
        if not isinstance(c.value, str) or not st.wrap:
            return max(line + 4, st.min_h)
        width = sum(self.widths[c.col - 1:c.last]) * UNIT_PT - 6
        per_line = max(int(width / (st.size * _CHAR_EM[st.bold])), 1)
        return max(wrapped_lines(c.value, per_line) * line + 4, st.min_h)

    def measure(self, cells: Row) -> float:
        """The height ``cells`` need as one row (cells merged down are not counted)."""
        return max([self._text_height(c) for c in cells if not c.down] or [15.0])

    def heights(self, rows: Sequence[Row]) -> list[float]:
        """Heights of ``rows`` written one under another: a cell merged down over several
        rows makes the last of them taller when its text needs it."""
        hs = [self.measure(r) for r in rows]
        for i, r in enumerate(rows):
            for c in r:
                if c.down:
                    span = range(i, min(i + c.down + 1, len(rows)))
                    need, have = self._text_height(c), sum(hs[j] for j in span)
                    if need > have:
                        hs[span[-1]] += need - have
        return hs

    def room(self) -> float:
        """Points left on the current page."""
        return self.capacity - self.used

    def keep(self, height: float) -> bool:
        """Break the page before the current row unless ``height`` fits; True if it broke."""
        if height <= self.room() or self.used <= self._title_h + 1:
            return False
        self.page_break()
        return True

    def page_break(self) -> None:
        """A manual break before the current row."""
        self.ws.row_breaks.append(Break(id=self.r - 1))
        self.used = self._title_h
        self.pages += 1

    # ------------------------------------------------------------------ writing
    def row(self, cells: Row, height: float | None = None) -> int:
        """Write ``cells`` as the current row and move on; returns the row written."""
        r = self.r
        h = height if height is not None else self.measure(cells)
        for c in cells:
            self._put(r, c)
        self.ws.row_dimensions[r].height = round(h, 1)
        self.used += h
        if r <= self.title_rows:
            self._title_h += h
        self.r += 1
        return r

    def gap(self, height: float = 8.0) -> None:
        """An empty row (dropped at the top of a page)."""
        if self.used <= self._title_h + 1:
            return
        self.ws.row_dimensions[self.r].height = height
        self.used += height
        self.r += 1

    def block(self, rows: Sequence[Row]) -> None:
        """``rows`` kept on one page (when they fit on any)."""
        need = sum(self.measure(r) for r in rows)
        if need <= self.capacity - self._title_h:
            self.keep(need)
        for r in rows:
            self.keep(self.measure(r))
            self.row(r)

    def table(self, head: Sequence[Row], body: Sequence[Row], *, lead: Sequence[Row] = (),
              keep_last: int = 2) -> None:
        """A bordered table: ``lead`` rows (its heading) and ``head`` rows kept with the
        first body rows, the head repeated after every page break inside the table, and
        the last ``keep_last`` body rows (the totals and the row above) kept together; a
        table of up to four body rows is kept whole."""
        head_hs = self.heights(head)
        head_h = sum(head_hs)
        lead_h = sum(self.measure(r) for r in lead)
        heights = [self.measure(r) for r in body]
        n = len(body)
        tail_from = max(n - keep_last, 0) if n > 4 else 0  # a small table stays whole
        first = sum(heights[:min(3, tail_from)]) if tail_from > 0 else sum(heights)
        self.keep(lead_h + head_h + first)
        for r in lead:
            self.row(r)
        for r, h in zip(head, head_hs, strict=True):
            self.row(r, h)
        for i, (r, h) in enumerate(zip(body, heights, strict=True)):
            need = sum(heights[i:]) if i == tail_from else h
            if need > self.room() and i > 0:
                self.page_break()
                for hr, hh in zip(head, head_hs, strict=True):
                    self.row(hr, hh)
            self.row(r, h)

    def _put(self, r: int, c: Cell) -> None:
        ws = self.ws
        cell = ws.cell(r, c.col)
        if c.value is not None:
            put_value(cell, _plain(c.value))
        last_row, last_col = r + c.down, c.last
        if last_col > c.col or last_row > r:
            ref = f"{get_column_letter(c.col)}{r}:{get_column_letter(last_col)}{last_row}"
            ws.merged_cells.add(MergedCellRange(ws, ref))
            for rr in range(r, last_row + 1):
                for cc in range(c.col, last_col + 1):
                    if (rr, cc) != (r, c.col):
                        ws._cells[rr, cc] = MergedCell(ws, rr, cc)
        self._style(cell, c)
        if STYLES[c.style].boxed:
            for rr in range(r, last_row + 1):
                for cc in range(c.col, last_col + 1):
                    if (rr, cc) != (r, c.col):
                        self._style(ws._cells[rr, cc], c)

    def _style(self, cell: XlCell | MergedCell, c: Cell) -> None:
        key = (c.style, c.fmt)
        hit = self._styles.get(key)
        if hit is not None:
            cell._style = StyleArray(hit)
            return
        st = STYLES[c.style]
        cell.font = Font(size=st.size, bold=st.bold, italic=st.italic)
        cell.alignment = Alignment(horizontal=st.horizontal, vertical=st.vertical,
                                   wrap_text=st.wrap)
        if st.boxed:
            cell.border = self._border
        fmt = c.fmt or st.fmt
        if fmt:
            cell.number_format = fmt
        self._styles[key] = StyleArray(cell._style)

    # ------------------------------------------------------------------ page
    def finish(self, footer: str = "&P / &N") -> None:
        """Print area, A4 at the planned scale, repeated title rows, footer."""
        ws = self.ws
        last_col = get_column_letter(len(self.widths))
        ws.print_area = f"A1:{last_col}{max(self.r - 1, 1)}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if self.landscape else "portrait"
        ws.page_setup.scale = self.scale
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        if self.title_rows:
            ws.print_title_rows = f"1:{self.title_rows}"
        ws.page_margins.left = ws.page_margins.right = self.margins[0]
        ws.page_margins.top = ws.page_margins.bottom = self.margins[1]
        ws.page_margins.header = ws.page_margins.footer = 0.25
        ws.print_options.horizontalCentered = True
        ws.oddFooter.center.text = footer
        ws.oddFooter.center.size = 8
        ws.sheet_view.showGridLines = False


def wrapped_lines(text: str, per_line: int) -> int:
    """Lines ``text`` takes when wrapped at word boundaries, ``per_line`` characters a line
    (a word longer than a line is broken, as the spreadsheet breaks it; each newline starts
    a line).

    >>> wrapped_lines("ab cd ef", 5), wrapped_lines("abcdefghijk", 5), wrapped_lines("", 5)
    (2, 3, 1)
    >>> wrapped_lines("код Типової програмної класифікації", 12)
    3
    """
    lines = 0
    for part in text.split("\n"):
        used, n = 0, 1
        for word in part.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                n, used = n + 1, 0
            if size > per_line:
                n += (size - 1) // per_line
                size = size % per_line or per_line
            used = used + (1 if used else 0) + size
        lines += n
    return lines


def blank(v: object) -> bool:
    """None, NaN or an empty string: printed as an empty cell.

    >>> blank(None), blank(float("nan")), blank("  "), blank(0)
    (True, True, True, False)
    """
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, float):
        return math.isnan(v)
    return False


def _plain(v: object) -> object:
    if hasattr(v, "item"):
        return v.item()  # type: ignore[union-attr]
    return v


# --------------------------------------------------------------------------- machine tables

def add_excel_table(ws: Worksheet, name: str, headers: Sequence[str],
                    rows: Sequence[Sequence[object]], top: int = 1, left: int = 1,
                    formats: dict[int, str] | None = None,
                    widths: Sequence[float] | None = None) -> None:
    """Write a header and rows at (top, left) and make them an Excel table ``name``.

    Values are written as values (text never as a formula); None, NaN and empty text as
    empty cells. An empty table keeps one blank row: Excel repairs a table without data
    rows.
    """
    for j, h in enumerate(headers):
        put_value(ws.cell(top, left + j), str(h)).font = Font(bold=True)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            c = put_value(ws.cell(top + i, left + j), None if blank(v) else _plain(v))
            if formats and j in formats:
                c.number_format = formats[j]
    last_row = top + max(len(rows), 1)
    ref = (f"{get_column_letter(left)}{top}:"
           f"{get_column_letter(left + len(headers) - 1)}{last_row}")
    t = Table(displayName=name, ref=ref)
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(t)
    for j, w in enumerate(widths or ()):
        ws.column_dimensions[get_column_letter(left + j)].width = w


def machine_sheet(ws: Worksheet) -> Worksheet:
    """Make ``ws`` the sheet of machine-readable tables: hidden, so never printed (it
    stays readable by scripts and can be unhidden in Excel)."""
    ws.sheet_state = "hidden"
    ws.sheet_properties.tabColor = "808080"
    return ws
