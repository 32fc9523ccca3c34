"""The budget request laid out as a print-ready workbook, and read back for ``send``.

:mod:`koshtorys.documents.request` computes a :class:`~koshtorys.documents.request.RequestDoc`; this
module only draws it: A4, fitted to width, repeated header rows, borders, the
machine-readable ``tblRequest``, no macros.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import atomic_path, ensure_not_locked
from koshtorys.core.money import from_units, to_units

from .request import (
    _FUNDING_COLS,
    FUNDS,
    REQUEST_COLUMNS,
    AmountColumn,
    Indicator,
    RequestDoc,
    RequestSummary,
    _blank,
)

__all__ = ["write_request", "read_summary", "add_excel_table"]

# --------------------------------------------------------------------------- workbook

def add_excel_table(ws: Worksheet, name: str, headers: Sequence[str],
                    rows: Sequence[Sequence[object]], top: int = 1, left: int = 1,
                    formats: dict[int, str] | None = None,
                    widths: Sequence[float] | None = None) -> None:
    """Write a header and rows at (top, left) and make them an Excel table ``name``.

    An empty table keeps one blank row: Excel repairs a table without data rows.
    """
    for j, h in enumerate(headers):
        ws.cell(top, left + j, str(h)).font = Font(bold=True)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            c = ws.cell(top + i, left + j, _cell(v))
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


def _cell(v: object) -> object:
    if _blank(v):
        return None
    if hasattr(v, "item"):
        return v.item()  # type: ignore[union-attr]
    return v


def write_request(doc: RequestDoc, path: Path) -> Path:
    """Write ``doc`` as a workbook, atomically; ``path`` is a folder (the file is then
    named :func:`request_file_name`) or the file itself. Returns the file written."""
    path = Path(path)
    target = path / doc.file_name if path.is_dir() else path
    ensure_not_locked(target)
    wb = Workbook()
    ws = wb.active
    ws.title = "Запит"
    _Layout(ws, doc).write()
    _data_sheet(wb.create_sheet("Дані"), doc)
    wb.properties.title = f"Бюджетний запит {doc.plan_year}, КПКВК {doc.kpkvk}"
    wb.properties.creator = "koshtorys"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _data_sheet(ws: Worksheet, doc: RequestDoc) -> None:
    """tblRequest for the finance department, and tblRequestInfo (what and whose)."""
    fmt = "#,##0" if doc.settings.rounding == 0 else "#,##0.00"
    rows = [[r.kpkvk, r.kekv, r.fund, int(r.year), float(r.amount)]
            for r in doc.table.itertuples(index=False)]
    add_excel_table(ws, "tblRequest", REQUEST_COLUMNS, rows, formats={4: fmt},
                    widths=(11, 8, 10, 8, 16))
    s = doc.settings
    info = [("institution", s.institution), ("edrpou", s.edrpou), ("hromada", s.hromada),
            ("kpkvk", doc.kpkvk), ("kpkvk_name", doc.kpkvk_name or ""),
            ("plan_year", s.plan_year), ("execution_year", s.exec_year),
            ("rounding", s.rounding)]
    add_excel_table(ws, "tblRequestInfo", ("key", "value"), info, left=7, widths=(16, 50))
    for (cell,) in ws.iter_rows(min_row=2, max_row=len(info) + 1, min_col=8, max_col=8):
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        lines = -(-len(str(cell.value or "")) // 48)
        if lines > 1:
            ws.row_dimensions[cell.row].height = 15 * lines
    _page_setup(ws, landscape=False, title_rows="1:1")


def _page_setup(ws: Worksheet, landscape: bool, title_rows: str) -> None:
    """A4, fitted to the page width, with rows repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"


class _Layout:
    """The form sheet: eleven columns (КЕКВ, name, 3 × 3 amounts)."""

    WIDTHS = (9, 44, *([13.5] * 9))
    LAST = 11

    def __init__(self, ws: Worksheet, doc: RequestDoc) -> None:
        self.ws, self.doc, self.r = ws, doc, 1
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.bold, self.small = Font(bold=True), Font(size=8, italic=True)
        self.title_font = Font(bold=True, size=12)
        self.wrap = Alignment(wrap_text=True, vertical="center")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.money = "#,##0" if doc.settings.rounding == 0 else "#,##0.00"
        self._styles: dict[tuple[object, ...], tuple[object, ...]] = {}

    # helpers ---------------------------------------------------------------------
    def put(self, col: int, value: object, *, to: int | None = None, font: Font | None = None,
            align: Alignment | None = None, fmt: str | None = None, boxed: bool = False,
            row: int | None = None) -> None:
        """One cell (merged up to column ``to``) of the current row, or of ``row``."""
        r = row or self.r
        c = self.ws.cell(r, col, _cell(value))
        if to and to > col:
            self._merge(c, r, col, to)
        align = align or self.wrap
        self._restyle(c, font, align, fmt or None)
        if isinstance(value, str) and align.wrap_text:
            self._fit(r, value, sum(self.WIDTHS[col - 1:(to or col)]), font)
        if boxed:
            for j in range(col, (to or col) + 1):
                self._restyle(self.ws.cell(r, j), None, None, None, self.border)

    def _merge(self, cell: Cell, row: int, col: int, to: int) -> None:
        """Merge ``col``..``to`` of ``row``. openpyxl's merge_cells copies the first cell's
        borders and protection onto the others one style at a time; a new cell has
        neither, so the covered cells are simply made blank merged cells."""
        style = cell._style
        if style and (style.borderId or style.protectionId):
            self.ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=to)
            return
        self.ws.merged_cells.add(MergedCellRange(
            self.ws, f"{get_column_letter(col)}{row}:{get_column_letter(to)}{row}"))
        for j in range(col + 1, to + 1):
            self.ws._cells[row, j] = MergedCell(self.ws, row, j)

    def _restyle(self, cell: Cell | MergedCell, font: Font | None, align: Alignment | None,
                 fmt: str | None, border: Border | None = None) -> None:
        """Give ``cell`` these styles. Assigning a style is openpyxl's slowest step (it
        hashes the style objects every time), so each change of one style to another is
        worked out once per sheet and then copied."""
        key = (tuple(cell._style or ()), id(font), id(align), fmt, id(border))
        hit = self._styles.get(key)
        if hit is not None:
            cell._style = StyleArray(hit[0])
            return
        if font is not None:
            cell.font = font
        if align is not None:
            cell.alignment = align
        if fmt:
            cell.number_format = fmt
        if border is not None:
            cell.border = border
        # the style objects are kept with the result, so their ids stay theirs
        self._styles[key] = (StyleArray(cell._style), font, align, border)

    def _fit(self, row: int, text: str, width: float, font: Font | None) -> None:
        """Make ``row`` tall enough for ``text`` wrapped in ``width`` characters: neither
        Excel nor LibreOffice grows a row for wrapped text in merged cells."""
        size = (font.sz if font is not None and font.sz else 11) or 11
        per_line = max(width * 11 / size / (1.15 if font is not None and font.b else 1.05), 1)
        lines = sum(max(1, -(-len(part) // int(per_line))) for part in text.split("\n"))
        need = lines * size * 1.3 + 2
        dim = self.ws.row_dimensions[row]
        if need > (dim.height or 15):
            dim.height = need

    def heading(self, text: str, gap: bool = True) -> None:
        self.r += 1 if gap else 0
        self.put(1, text, to=self.LAST, font=self.bold)
        self.r += 1

    # sections ----------------------------------------------------------------------
    def write(self) -> None:
        ws, doc, s = self.ws, self.doc, self.doc.settings
        for j, w in enumerate(self.WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        py = doc.plan_year
        self.put(1, f"БЮДЖЕТНИЙ ЗАПИТ НА {py}–{py + 2} РОКИ індивідуальний, Форма {py}-2",
                 to=self.LAST, font=self.title_font, align=self.center)
        self.r = 2
        self.put(1, f"{s.institution} · КПКВКМБ {doc.kpkvk}"
                 + (f" · {doc.kpkvk_name}" if doc.kpkvk_name else "") + " · суми в гривнях",
                 to=self.LAST, font=self.small, align=self.center)
        self.r = 4
        self._header()
        self._expenditures()
        self._indicators()
        self._funding()
        self._signatures()
        ws.print_area = f"A1:{get_column_letter(self.LAST)}{self.r}"
        _page_setup(ws, landscape=True, title_rows="1:2")

    def _header(self) -> None:
        doc, s = self.doc, self.doc.settings
        code = doc.kpkvk
        lines = (
            # order 604: the main spending unit by its departmental code (ТВКВКМБ, the
            # first two digits of КПКВК), the executor by its program-level code
            ("1. Головний розпорядник коштів", s.institution, "код ТВКВКМБ", code[:2]),
            ("2. Відповідальний виконавець", s.institution, "код ПКВКМБ", code[:3] + "0000"),
            ("3. Бюджетна програма", doc.kpkvk_name or "", "КПКВКМБ / ТПКВКМБ",
             f"{code} / {code[3:]}"),
        )
        for label, name, code_label, value in lines:
            self.put(1, label, to=2, font=self.bold)
            self.put(3, name, to=7)
            self.put(8, code_label, to=9, font=self.small)
            self.put(10, value, to=11, align=self.center)
            self.r += 1
        self.put(1, "Код за ЄДРПОУ", to=2, font=self.bold)
        self.put(3, s.edrpou, to=4)
        if s.hromada:
            self.put(5, "Бюджет", font=self.small)
            self.put(6, s.hromada, to=9)
        self.r += 1
        self.put(1, "Розділи 4, 5, 7, 9, 11–13 форми (мета і завдання, надходження, напрями "
                 "використання, оплата праці, програми, об'єкти, заборгованість, обґрунтування "
                 "спеціального фонду) заповнюються вручну.", to=self.LAST, font=self.small)
        self.r += 1

    def _amount_table(self, title: str, columns: Sequence[AmountColumn]) -> None:
        self.heading(title, gap=not title.startswith("6.1"))
        top = self.r
        for col, text in ((1, "Код КЕКВ"), (2, "Найменування")):
            self.put(col, text, font=self.bold, align=self.center, boxed=True)
            self.put(col, None, boxed=True, row=top + 1)
            self.ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        for i, ac in enumerate(columns):
            c0 = 3 + 3 * i
            self.put(c0, ac.label, to=c0 + 2, font=self.bold, align=self.center, boxed=True)
            for j, f in enumerate(("загальний фонд", "спеціальний фонд", "разом")):
                self.put(c0 + j, f, font=self.bold, align=self.center, boxed=True, row=top + 1)
        self.r = top + 2
        last = 2 + 3 * len(columns)
        for j in range(1, last + 1):
            self.put(j, j, font=self.small, align=self.center, boxed=True)
        self.r += 1
        for row in [*self.doc.rows, self.doc.totals]:
            font = self.bold if row.kekv is None else None
            self.put(1, row.kekv, font=font, align=self.center, boxed=True)
            self.put(2, row.name, font=font, boxed=True)
            for i, ac in enumerate(columns):
                for j, f in enumerate((*FUNDS, "total")):
                    self.put(3 + 3 * i + j, row.amount(ac.key, f), font=font, fmt=self.money,
                             boxed=True, align=None)
            self.r += 1

    def _expenditures(self) -> None:
        cols = self.doc.columns
        self.heading("6. Видатки за кодами Економічної класифікації видатків бюджету")
        self._amount_table(f"6.1. Видатки на {cols[0].year}–{cols[2].year} роки, гривень",
                           cols[:3])
        self._amount_table(f"6.2. Видатки на {cols[3].year}–{cols[4].year} роки (прогноз; "
                           f"індекс зростання {self.doc.settings.index_rate:.1%}), гривень",
                           cols[3:])

    def _indicators(self) -> None:
        self.heading("8. Результативні показники бюджетної програми")
        heads = ((1, 1, "№ з/п"), (2, 2, "Показник"), (3, 4, "Одиниця виміру"),
                 (5, 7, "Джерело інформації"), (8, 8, f"{self.doc.plan_year} рік (проєкт)"))
        for c0, c1, text in heads:
            self.put(c0, text, to=c1, font=self.bold, align=self.center, boxed=True)
        self.r += 1
        group_no = {"затрат": 1, "продукту": 2, "ефективності": 3, "якості": 4}
        by_group: dict[str, list[Indicator]] = {g: [] for g in group_no}
        for ind in self.doc.indicators:
            by_group.setdefault(ind.group, []).append(ind)
        for group, items in by_group.items():
            if not items:
                continue
            self.put(1, str(group_no.get(group, "")), font=self.bold, align=self.center,
                     boxed=True)
            self.put(2, group, to=8, font=self.bold, boxed=True)
            self.r += 1
            for ind in items:
                self.put(1, ind.number, align=self.center, boxed=True)
                self.put(2, ind.name, boxed=True)
                self.put(3, ind.unit, to=4, align=self.center, boxed=True)
                self.put(5, ind.source, to=7, boxed=True)
                self.put(8, ind.value, fmt=ind.fmt, boxed=True, align=None)
                self.r += 1

    def _funding(self) -> None:
        f = self.doc.funding
        if f.empty:
            return
        self.heading("10. Місцеві програми: фінансування заходів бюджетної програми за "
                     "джерелами, гривень")
        heads = ("Рік", "Потреба", "Бюджет громади", "Державний бюджет", "Обласний бюджет",
                 "Донори (МТД)", "Інші джерела", "Дефіцит (+) / надлишок (−)")
        self.put(1, heads[0], to=2, font=self.bold, align=self.center, boxed=True)
        for j, h in enumerate(heads[1:], start=3):
            self.put(j, h, font=self.bold, align=self.center, boxed=True)
        self.r += 1
        digits = self.doc.settings.rounding
        total = {c: from_units(sum(to_units(float(x), digits) for x in f[c]), digits)
                 for c in _FUNDING_COLS}
        body = [(str(int(y)), row) for y, row in zip(f["year"], f.to_dict("records"),
                                                     strict=True)]
        for label, row in [*body, ("Усього", total)]:
            font = self.bold if label == "Усього" else None
            self.put(1, label, to=2, font=font, align=self.center, boxed=True)
            for j, c in enumerate(_FUNDING_COLS, start=3):
                self.put(j, row[c], font=font, fmt=self.money, boxed=True, align=None)
            self.r += 1

    def _signatures(self) -> None:
        self.r += 2
        for who in ("Керівник установи", "Керівник фінансової служби"):
            self.put(1, who, to=2, font=self.bold)
            self.put(4, "____________________", to=5, align=self.center)
            self.put(8, "____________________________", to=10, align=self.center)
            self.r += 1
            self.put(4, "(підпис)", to=5, font=self.small, align=self.center)
            self.put(8, "(Власне ім'я ПРІЗВИЩЕ)", to=10, font=self.small, align=self.center)
            self.r += 2
        self.put(1, "«____» ______________ 20___ р.", to=2)


# --------------------------------------------------------------------------- reading back

def read_summary(path: Path) -> RequestSummary:
    """The :class:`RequestSummary` of a written request workbook (for ``send``)."""
    try:
        wb = load_workbook(Path(path))
        ws = wb["Дані"]
        req, info = ws.tables["tblRequest"], ws.tables["tblRequestInfo"]
    except (OSError, KeyError, ValueError, BadZipFile, InvalidFileException) as exc:
        raise KoshtorysError(f"{Path(path).name} is not a koshtorys request workbook "
                             f"({exc})") from exc

    def values(ref: str) -> list[list[object]]:
        return [[c.value for c in row] for row in ws[ref]][1:]

    meta = {str(k): v for k, v in values(info.ref) if k is not None}
    plan_year = int(meta.get("plan_year") or 0)
    digits = int(meta.get("rounding") or 0)
    units = {f: 0 for f in FUNDS}
    for _k, _e, fund, year, amount in values(req.ref):
        if year is not None and int(year) == plan_year and fund in units and amount:
            units[fund] += to_units(float(amount), digits)
    totals = {f: from_units(u, digits) for f, u in units.items()}
    totals["total"] = from_units(sum(units.values()), digits)
    return RequestSummary(plan_year, str(meta.get("kpkvk") or ""),
                          meta.get("kpkvk_name") or None,  # type: ignore[arg-type]
                          str(meta.get("institution") or ""), digits, totals)
