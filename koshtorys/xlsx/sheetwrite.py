"""Replace the data region of one table in its worksheet part.

Only the table's columns in its data rows (old and new) change. The new rows are built
as text and spliced into the serialized sheet in one piece; everything else in the
sheet (other cells, row heights, formats, views, validations) stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from ..book import column_letter
from ..errors import WorkbookError
from .index import TableInfo
from .ooxml import (
    attrs_xml,
    col_index,
    column_xml,
    format_range,
    parse_range,
    parse_xml,
    prefix_map,
    root_ns,
    serialize,
    to_bytes,
)
from .package import Package
from .styles import Styles

__all__ = ["ColumnData", "rewrite_table"]

_MARK = "koshtorys-rows"


@dataclass(frozen=True)
class ColumnData:
    """New values of one table column."""

    col: int
    """Worksheet column (1-based)."""
    values: Sequence[object]
    fmt: str | None
    """Number format of the column (schema ``Column.fmt``)."""


@dataclass(frozen=True)
class _Geometry:
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


def _col_of(c: etree._Element, previous: int) -> int:
    ref = c.get("r")
    return col_index(ref.rstrip("0123456789").lstrip("$")) if ref else previous + 1


def _cells(row: etree._Element, c_tag: str) -> list[tuple[int, etree._Element]]:
    out = []
    col = 0
    for c in row:
        if c.tag == c_tag:
            col = _col_of(c, col)
            out.append((col, c))
    return out


def _has_content(c: etree._Element) -> bool:
    return any(isinstance(ch.tag, str) and ch.tag.rsplit("}", 1)[-1] in ("v", "f", "is")
               for ch in c)


class _Sheet:
    """A parsed worksheet with its rows by number."""

    def __init__(self, data: bytes) -> None:
        self.root = parse_xml(data)
        self.ns = root_ns(self.root)
        self.prefixes = prefix_map(self.root)
        self.c_tag = self.t("c")
        data_el = self.root.find(self.t("sheetData"))
        if data_el is None:
            raise WorkbookError("worksheet without sheetData")
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

    def only_within(self, row: etree._Element, c1: int, c2: int) -> bool:
        """True when every cell of ``row`` lies in columns c1…c2 (cells are in order)."""
        if not len(row):
            return True
        first, last = row[0], row[-1]
        if first.tag != self.c_tag or last.tag != self.c_tag or not first.get("r") \
                or not last.get("r"):
            return False
        return c1 <= _col_of(first, 0) and _col_of(last, 0) <= c2

    def xml(self, el: etree._Element) -> str:
        try:
            return serialize(el, self.prefixes)
        except KeyError:  # a namespace declared below the root: let lxml declare it
            return etree.tostring(el, encoding="unicode", with_tail=False)


def _geometry(table: TableInfo, n_rows: int) -> _Geometry:
    top = table.top
    new_data_end = top + max(n_rows, 1) - 1
    return _Geometry(top, table.data_end, table.ref[2], new_data_end,
                     new_data_end + table.totals_rows, table.ref[1], table.ref[3],
                     table.totals_rows)


def _check_room(sheet: _Sheet, table: TableInfo, g: _Geometry, cols: set[int],
                others: Sequence[TableInfo]) -> None:
    """Refuse to grow a table over somebody's cells, another table or merged cells."""
    where = f"{table.sheet}!"
    for other in others:
        r1, c1, r2, c2 = other.ref
        if r1 <= g.new_end and r2 >= table.ref[0] and c1 <= g.c2 and c2 >= g.c1:
            raise WorkbookError(f"{table.name} cannot grow to {g.new_end - g.top + 1} rows: "
                                f"table {other.name} is in the way on sheet {table.sheet}")
    for r in range(g.old_end + 1, g.new_end + 1):
        row = sheet.rows.get(r)
        if row is None:
            continue
        for col, c in _cells(row, sheet.c_tag):
            if col in cols and _has_content(c):
                raise WorkbookError(
                    f"{table.name} cannot grow to {g.new_end - g.top + 1} rows: cell "
                    f"{where}{column_letter(col)}{r} below it is not empty; move it away"
                )
    merges = sheet.root.find(sheet.t("mergeCells"))
    if merges is not None:
        for m in merges:
            try:
                r1, c1, r2, c2 = parse_range(m.get("ref", ""))
            except ValueError:
                continue
            if r1 <= g.new_end and r2 > g.old_end and c1 <= g.c2 and c2 >= g.c1:
                raise WorkbookError(f"{table.name} cannot grow: merged cells {where}"
                                    f"{m.get('ref')} are in the way")


def _base_styles(sheet: _Sheet, g: _Geometry, cols: Sequence[int]) -> dict[int, int]:
    """Each column's current cell format: first styled cell in the first old data rows,
    else the column default."""
    base: dict[int, int] = {}
    want = set(cols)
    for r in range(g.top, min(g.old_data_end, g.top + 9) + 1):
        row = sheet.rows.get(r)
        if row is None:
            continue
        for col, c in _cells(row, sheet.c_tag):
            if col in want and col not in base and c.get("s"):
                base[col] = int(c.get("s", "0"))
        if len(base) == len(want):
            return base
    cols_el = sheet.root.find(sheet.t("cols"))
    for col in want - set(base):
        style = 0
        if cols_el is not None:
            for ce in cols_el:
                if int(ce.get("min", "0")) <= col <= int(ce.get("max", "0")):
                    style = int(ce.get("style", "0"))
                    break
        base[col] = style
    return base


def rewrite_table(
    pkg: Package,
    table: TableInfo,
    columns: Sequence[ColumnData],
    n_rows: int,
    styles: Styles,
    others: Sequence[TableInfo] = (),
) -> tuple[int, int, int, int]:
    """Write ``n_rows`` rows of ``columns`` into ``table``; returns the table's new ref."""
    sheet = _Sheet(pkg.read(table.sheet_part))
    g = _geometry(table, n_rows)
    written = {cd.col: cd for cd in columns}
    calc = {table.first_col + j: f for j, f in enumerate(table.calc_formulas)
            if f and table.first_col + j not in written}
    _check_room(sheet, table, g, set(written) | set(calc), others)
    base = _base_styles(sheet, g, list(written) + list(calc))
    style = {col: styles.with_format(base[col], cd.fmt) for col, cd in written.items()}
    filtered = _has_filter(pkg, table)

    old_totals: list[tuple[int, etree._Element]] = []
    if g.totals:
        row = sheet.rows.get(g.old_end)
        if row is not None:
            old_totals = [(c, el) for c, el in _cells(row, sheet.c_tag) if g.c1 <= c <= g.c2]

    letters = {col: column_letter(col) for col in range(g.c1, g.c2 + 1)}
    n_new = g.new_data_end - g.top + 1
    new_cols = [(col, column_xml(letters[col], written[col].values[:n_new], style[col], g.top))
                for col in sorted(written)]
    # unwritten table columns (the user's, calculated ones) interleave with ours
    interleave = any(col not in written for col in range(g.c1, g.c2 + 1))
    parts: list[str] = []
    box = [10**9, 10**9, 0, 0]  # rows and columns that the new rows' cells span
    for r in range(g.top, g.last + 1):
        row = sheet.rows.pop(r, None)
        in_old = r <= g.old_data_end
        in_new = r <= g.new_data_end
        before: list[tuple[int, str]] = []
        after: list[tuple[int, str]] = []
        mid: list[tuple[int, str]] = []
        if row is not None:
            moving = bool(g.totals) and r == g.old_end  # the old totals row moves
            if interleave or moving or not sheet.only_within(row, g.c1, g.c2):
                for col, c in _cells(row, sheet.c_tag):
                    if col < g.c1:
                        before.append((col, sheet.xml(c)))
                    elif col > g.c2:
                        after.append((col, sheet.xml(c)))
                    elif moving or col in written:
                        continue
                    elif col not in calc or (in_new and in_old):
                        mid.append((col, sheet.xml(c)))
            row.getparent().remove(row)
        if in_new:
            i = r - g.top
            new = [(col, cells[i]) for col, cells in new_cols if i < len(cells) and cells[i]]
            if not in_old:
                for col, formula in calc.items():
                    sx = f' s="{base[col]}"' if base[col] else ""
                    mid.append((col, f'<c r="{letters[col]}{r}"{sx}><f>{_esc(formula)}</f></c>'))
        else:
            new = []
        if g.totals and r == g.new_end:
            for col, c in old_totals:
                c.set("r", f"{letters[col]}{r}")
                mid.append((col, sheet.xml(c)))
        if mid:
            new = sorted(new + mid, key=lambda x: x[0])
        cells = before + new + after
        skip = {"r", "spans"}
        if filtered and g.top <= r <= g.new_data_end:
            skip.add("hidden")
        attrs = attrs_xml(row, sheet.prefixes, skip) if row is not None else ""
        if not cells and not attrs:
            continue
        if cells:
            box = [min(box[0], r), min(box[1], cells[0][0]), r, max(box[3], cells[-1][0])]
        parts.append(f'<row r="{r}"{attrs}>' + "".join(x for _, x in cells) + "</row>")

    _splice_point(sheet, g)
    _update_dimension(sheet, box)
    _stretch_ranges(sheet, g)
    data = to_bytes(sheet.root)
    marker = etree.tostring(etree.ProcessingInstruction(_MARK))
    if data.count(marker) != 1:
        raise WorkbookError(f"cannot rewrite sheet {table.sheet}")
    pkg.put(table.sheet_part, data.replace(marker, "".join(parts).encode("utf-8")))
    new_ref = (table.ref[0], g.c1, g.new_end, g.c2)
    _update_table_part(pkg, table, new_ref, g)
    return new_ref


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _splice_point(sheet: _Sheet, g: _Geometry) -> None:
    """Put the marker where the rewritten rows go (all affected rows are removed)."""
    pi = etree.ProcessingInstruction(_MARK)
    for i, row in enumerate(sheet.data):
        if row.tag == sheet.t("row") and int(row.get("r", "0")) > g.last:
            sheet.data.insert(i, pi)
            return
    sheet.data.append(pi)


def _update_dimension(sheet: _Sheet, box: list[int]) -> None:
    """The used range: the rows left in place plus the rewritten ones (``box``)."""
    dim = sheet.root.find(sheet.t("dimension"))
    if dim is None:
        return
    lo_r, lo_c, hi_r, hi_c = box
    for r, row in sheet.rows.items():
        if sheet.only_within(row, 1, 16384):  # in order: first and last cell bound it
            if len(row):
                lo_r, hi_r = min(lo_r, r), max(hi_r, r)
                lo_c = min(lo_c, _col_of(row[0], 0))
                hi_c = max(hi_c, _col_of(row[-1], 0))
            continue
        cells = _cells(row, sheet.c_tag)
        if cells:
            lo_r, hi_r = min(lo_r, r), max(hi_r, r)
            lo_c = min(lo_c, min(c for c, _ in cells))
            hi_c = max(hi_c, max(c for c, _ in cells))
    if hi_r == 0:
        dim.set("ref", "A1")
        return
    ref = format_range(lo_r, lo_c, hi_r, hi_c)
    dim.set("ref", ref.split(":")[0] if lo_r == hi_r and lo_c == hi_c else ref)


def _stretch(sqref: str, g: _Geometry) -> str:
    """Ranges covering exactly the old data rows of table columns follow the new rows."""
    out = []
    for part in sqref.split():
        try:
            r1, c1, r2, c2 = parse_range(part)
        except ValueError:
            out.append(part)
            continue
        if r1 == g.top and r2 == g.old_data_end and g.c1 <= c1 and c2 <= g.c2 \
                and g.new_data_end != r2:
            part = format_range(r1, c1, g.new_data_end, c2)
            if r1 == g.new_data_end and c1 == c2:
                part = part.split(":")[0]
        out.append(part)
    return " ".join(out)


def _stretch_ranges(sheet: _Sheet, g: _Geometry) -> None:
    """Conditional formats and validations that cover a whole table column keep doing so."""
    for local in ("conditionalFormatting", "dataValidation"):
        for el in sheet.root.iter(sheet.t(local)):
            if el.get("sqref"):
                el.set("sqref", _stretch(el.get("sqref", ""), g))
    ext = sheet.root.find(sheet.t("extLst"))
    if ext is not None:
        for el in ext.iter("{*}sqref"):
            if el.text:
                el.text = _stretch(el.text, g)


def _has_filter(pkg: Package, table: TableInfo) -> bool:
    root = parse_xml(pkg.read(table.part))
    return any(True for _ in root.iter("{*}filterColumn"))


def _update_table_part(pkg: Package, table: TableInfo, ref: tuple[int, int, int, int],
                       g: _Geometry) -> None:
    root = parse_xml(pkg.read(table.part))
    ns = root_ns(root)
    root.set("ref", format_range(*ref))
    af = root.find(f"{{{ns}}}autoFilter")
    if af is not None:
        af.set("ref", format_range(ref[0], ref[1], g.new_data_end, ref[3]))
    for ss in root.iter(f"{{{ns}}}sortState"):
        try:
            _r1, c1, _r2, c2 = parse_range(ss.get("ref", ""))
        except ValueError:
            continue
        ss.set("ref", format_range(g.top, c1, g.new_data_end, c2))
    pkg.put(table.part, to_bytes(root))
