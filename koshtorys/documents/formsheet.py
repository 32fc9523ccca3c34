"""A small openpyxl kit for the forms of the cycle (passport, report, tariff, procurement).

A form is written top to bottom, one :meth:`Form.row` of :class:`Cell` specs at a time.
The kit does what every printed form needs and openpyxl leaves to the caller:

* a user's text is always written as text (:func:`koshtorys.xlsx.cells.put_value`);
* a wrapped text gets a row tall enough for it (neither Excel nor LibreOffice grows a
  merged row by itself);
* the page is planned as rows are written: the sheet prints at a fixed scale that fits
  its width, so Excel and LibreOffice break pages at the same rows, and
  :meth:`Form.keep` starts a new page when a block (a table's last rows with its totals,
  the signatures) would not fit on this one — no totals row alone on a page;
* amounts print with Ukrainian digit grouping (``[$-422]``: 1 234 567, decimal comma)
  whatever the machine's locale;
* :func:`new_machine_sheet` puts the machine-readable tables on a hidden sheet, which is not
  printed, and :func:`save_atomically` writes the file through a temporary one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from koshtorys.core.fileio import atomic_path, ensure_not_locked
from koshtorys.xlsx.cells import put_value

from .sheetkit import (
    _plain,
    add_excel_table,
    blank,
    decimal_format,
    machine_sheet,
    money_format,
    wrapped_lines,
)

__all__ = ["Cell", "Form", "money_format", "decimal_format", "new_machine_sheet",
           "add_excel_table", "save_atomically", "blank", "wrapped_lines", "write_form"]

_UNIT_PT = 7.35
"""Points one unit of column width takes when LibreOffice prints (DejaVu Sans stands in
for Calibri), with a margin so that a column never spills onto a second page."""
_A4 = (595.0, 842.0)
_MARGIN_IN = (0.5, 0.6)  # left/right, top/bottom
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class _Style:
    size: float = 10
    bold: bool = False
    italic: bool = False
    horizontal: str | None = None
    wrap: bool = True


STYLES: dict[str, _Style] = {
    "text": _Style(),
    "bold": _Style(bold=True),
    "title": _Style(size=12, bold=True, horizontal="center"),
    "subtitle": _Style(size=10, bold=True, horizontal="center"),
    "head": _Style(size=9, bold=True, horizontal="center"),
    "colno": _Style(size=7, italic=True, horizontal="center"),
    "small": _Style(size=8, italic=True),
    "smallc": _Style(size=8, italic=True, horizontal="center"),
    "center": _Style(horizontal="center"),
    "num": _Style(horizontal="right", wrap=False),
    "numb": _Style(bold=True, horizontal="right", wrap=False),
    "right": _Style(horizontal="right"),
}


@dataclass(frozen=True)
class Cell:
    """One cell of a row: column ``col`` (merged up to ``to``), a value, a style name of
    :data:`STYLES`, a number format, and a border (``box``)."""

    col: int
    value: object = None
    to: int | None = None
    style: str = "text"
    fmt: str | None = None
    box: bool = False

    @property
    def last(self) -> int:
        return self.to or self.col


class Form:
    """One printed sheet, written row by row; call :meth:`finish` at the end."""

    def __init__(self, ws: Worksheet, widths: Sequence[float], *, landscape: bool = False,
                 title_rows: int = 0) -> None:
        self.ws, self.widths, self.landscape = ws, tuple(widths), landscape
        self.r = 1
        self.title_rows = title_rows
        self._fonts: dict[str, Font] = {}
        self._aligns: dict[str, Alignment] = {}
        for j, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        page_w, page_h = (_A4[1], _A4[0]) if landscape else _A4
        usable_w = page_w - 2 * 72 * _MARGIN_IN[0]
        self.scale = min(1.0, usable_w / (sum(self.widths) * _UNIT_PT))
        self.scale = math.floor(self.scale * 100) / 100
        # the page as the sheet sees it (points before scaling); footer space kept
        self.page = (page_h - 2 * 72 * _MARGIN_IN[1] - 18) / self.scale
        self.used = 0.0
        self._title_height = 0.0

    # --- measuring ------------------------------------------------------------------
    def _width(self, c: Cell) -> float:
        return sum(self.widths[c.col - 1:c.last])

    def _height(self, c: Cell) -> float:
        st = STYLES[c.style]
        line = st.size * 1.25
        if not isinstance(c.value, str) or not st.wrap:
            return line + 2.5
        per_line = max(int(self._width(c) * 11.0 / st.size / (1.1 if st.bold else 1.0)), 1)
        return wrapped_lines(c.value, per_line) * line + 2.5

    def measure(self, cells: Sequence[Cell]) -> float:
        return max((self._height(c) for c in cells), default=15.0)

    # --- writing --------------------------------------------------------------------
    def row(self, cells: Sequence[Cell], height: float | None = None) -> int:
        """Write ``cells`` into the current row; returns its number."""
        h = height or self.measure(cells)
        if self.used and self.used + h > self.page:
            self.page_break()
        r = self.r
        for c in cells:
            self._put(r, c)
        self.ws.row_dimensions[r].height = round(h, 1)
        self.used += h
        if r <= self.title_rows:
            self._title_height += h
        self.r += 1
        return r

    def gap(self, height: float = 8.0) -> None:
        if self.used + height <= self.page:
            self.ws.row_dimensions[self.r].height = height
            self.used += height
        self.r += 1

    def keep(self, rows: Sequence[Sequence[Cell]], extra: float = 0.0) -> None:
        """Start a new page unless all of ``rows`` (and ``extra`` points more) fit on this
        one."""
        need = sum(self.measure(r) for r in rows) + extra
        if self.used and self.used + need > self.page and need <= self.page:
            self.page_break()

    def block(self, rows: Sequence[Sequence[Cell]]) -> None:
        """Write ``rows`` on one page."""
        self.keep(rows)
        for r in rows:
            self.row(r)

    def table(self, head: Sequence[Sequence[Cell]], body: Sequence[Sequence[Cell]], *,
              lead: Sequence[Sequence[Cell]] = (), keep_last: int = 1,
              headings: Sequence[int] = ()) -> None:
        """A bordered table: ``lead`` (its heading) and ``head`` kept with the first body
        row, the header repeated after a page break, the last ``keep_last`` rows (the
        totals) kept with the row above them, and the body rows of ``headings`` (group
        headings) kept with the row below."""
        tail_from = len(body) - keep_last - 1  # the row the totals stay with
        first = list(lead) + list(head) + list(body if tail_from <= 0 else body[:1])
        self.keep(first)
        for r in lead:
            self.row(r)
        for r in head:
            self.row(r)
        for i, r in enumerate(body):
            if i == tail_from and i > 0:
                self.keep(body[i:])
            need = self.measure(r) + (self.measure(body[i + 1])
                                      if i in headings and i + 1 < len(body) else 0)
            if self.used + need > self.page:
                self.page_break()
            if self.used <= self._title_height and i:
                for hr in head:
                    self.row(hr)
            self.row(r)

    def page_break(self) -> None:
        self.ws.row_breaks.append(Break(id=self.r - 1))
        self.used = self._title_height

    def _put(self, r: int, c: Cell) -> None:
        ws = self.ws
        cell = ws.cell(r, c.col)
        put_value(cell, None if blank(c.value) else _plain(c.value))
        if c.to and c.to > c.col:
            ws.merge_cells(start_row=r, start_column=c.col, end_row=r, end_column=c.to)
        cell.font = self._font(c.style)
        cell.alignment = self._align(c.style)
        if c.fmt:
            cell.number_format = c.fmt
        if c.box:
            for j in range(c.col, c.last + 1):
                ws.cell(r, j).border = _BOX

    def _font(self, name: str) -> Font:
        if name not in self._fonts:
            st = STYLES[name]
            self._fonts[name] = Font(size=st.size, bold=st.bold, italic=st.italic)
        return self._fonts[name]

    def _align(self, name: str) -> Alignment:
        if name not in self._aligns:
            st = STYLES[name]
            self._aligns[name] = Alignment(horizontal=st.horizontal, vertical="center",
                                           wrap_text=st.wrap)
        return self._aligns[name]

    def finish(self, footer: str = "&P / &N") -> None:
        """Print area, A4 at the fixed scale, title rows repeated, page numbers."""
        ws = self.ws
        ws.print_area = f"A1:{get_column_letter(len(self.widths))}{max(self.r - 1, 1)}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if self.landscape else "portrait"
        ws.page_setup.scale = int(round(self.scale * 100))
        ws.page_margins.left = ws.page_margins.right = _MARGIN_IN[0]
        ws.page_margins.top = ws.page_margins.bottom = _MARGIN_IN[1]
        ws.print_options.horizontalCentered = True
        if self.title_rows:
            ws.print_title_rows = f"1:{self.title_rows}"
        ws.oddFooter.center.text = footer
        ws.sheet_view.showGridLines = False


def new_machine_sheet(wb: Workbook, title: str = "Дані") -> Worksheet:
    """A new hidden sheet for the machine-readable tables: never printed, found by table
    name."""
    return machine_sheet(wb.create_sheet(title))


def save_atomically(wb: Workbook, target: Path) -> Path:
    """Save ``wb`` as ``target`` through a temporary file: never half-written."""
    target = Path(target)
    ensure_not_locked(target)
    wb.properties.creator = "koshtorys"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def write_form(path: Path, file_name: str, sheet: str, layout: Callable[[Worksheet], None],
               table: tuple[str, Sequence[str], Sequence[Sequence[object]], Sequence[float]],
               info: tuple[str, Sequence[tuple[str, object]]], title: str) -> Path:
    """One document workbook: the printed sheet ``sheet`` drawn by ``layout``, its figures
    as the Excel table ``table`` (name, headers, rows, widths) and the key/value ``info`` table on
    the hidden sheet, saved atomically as ``file_name`` in folder ``path`` (or as the file
    ``path``); returns the file."""
    path = Path(path)
    target = path / file_name if path.is_dir() else path
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    layout(ws)
    data = new_machine_sheet(wb)
    name, headers, rows, widths = table
    add_excel_table(data, name, headers, rows, widths=widths)
    add_excel_table(data, info[0], ("key", "value"), info[1], left=7, widths=(18, 60))
    wb.properties.title = title
    return save_atomically(wb, target)
