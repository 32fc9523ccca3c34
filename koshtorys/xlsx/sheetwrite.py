"""Replace the data region of one table in its worksheet part.

Only the table's columns in its data rows (old and new) change. The new rows are built
as text and spliced into the serialized sheet in one piece; everything else in the
sheet (other cells, row heights, formats, views, validations) stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from koshtorys.core.book import column_letter
from koshtorys.core.errors import WorkbookError

from .index import TableInfo
from .ooxml import attrs_xml, column_xml, format_range, parse_range, parse_xml, root_ns, to_bytes
from .package import Package
from .rowcut import strip_attrs
from .sheetmodel import MARKER, Geometry, OldRow, Sheet, cells_of, col_of, has_content, load
from .styles import Styles

__all__ = ["ColumnData", "KEEP", "rewrite_table"]

@dataclass(frozen=True)
class ColumnData:
    """New values of one table column."""

    col: int
    """Worksheet column (1-based)."""
    values: Sequence[object]
    """One per data row; :data:`KEEP` leaves that cell as it is."""
    fmt: str | None
    """Number format of the column (schema ``Column.fmt``)."""


def _geometry(table: TableInfo, n_rows: int) -> Geometry:
    top = table.top
    new_data_end = top + max(n_rows, 1) - 1
    return Geometry(top, table.data_end, table.ref[2], new_data_end,
                     new_data_end + table.totals_rows, table.ref[1], table.ref[3],
                     table.totals_rows)


def _check_room(sheet: Sheet, old: dict[int, OldRow], table: TableInfo, g: Geometry,
                cols: set[int], others: Sequence[TableInfo]) -> None:
    """Refuse to grow a table over somebody's cells, another table or merged cells."""
    where = f"{table.sheet}!"
    for other in others:
        r1, c1, r2, c2 = other.ref
        if r1 <= g.new_end and r2 >= table.ref[0] and c1 <= g.c2 and c2 >= g.c1:
            raise WorkbookError(f"{table.name} cannot grow to {g.new_end - g.top + 1} rows: "
                                f"table {other.name} is in the way on sheet {table.sheet}")
    for r in range(g.old_end + 1, g.new_end + 1):
        row = old[r].element if r in old else None
        if row is None:
            continue
        for col, c in cells_of(row, sheet.c_tag):
            if col in cols and has_content(c):
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


def _base_styles(sheet: Sheet, old: dict[int, OldRow], g: Geometry,
                 cols: Sequence[int]) -> dict[int, int]:
    """Each column's current cell format: first styled cell in the first old data rows,
    else the column default."""
    base: dict[int, int] = {}
    want = set(cols)
    for r in range(g.top, min(g.old_data_end, g.top + 9) + 1):
        row = old[r].element if r in old else None
        if row is None:
            continue
        for col, c in cells_of(row, sheet.c_tag):
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


def _padded(values: Sequence[object], n: int) -> list[object]:
    """The first ``n`` values, blanks for the rest (an empty table keeps one row)."""
    out = _blank_kept(values[:n])
    return list(out) + [None] * (n - len(out))


def rewrite_table(
    pkg: Package,
    table: TableInfo,
    columns: Sequence[ColumnData],
    n_rows: int,
    styles: Styles,
    others: Sequence[TableInfo] = (),
) -> tuple[int, int, int, int]:
    """Write ``n_rows`` rows of ``columns`` into ``table``; returns the table's new ref."""
    g = _geometry(table, n_rows)
    written = {cd.col: cd for cd in columns}
    calc = {table.first_col + j: f for j, f in enumerate(table.calc_formulas)
            if f and table.first_col + j not in written}
    # cells that stay as they are (KEEP) in the columns we write
    keep = {col: {i for i, v in enumerate(cd.values) if v is KEEP} for col, cd in written.items()}
    keep = {col: rows for col, rows in keep.items() if rows}
    # unwritten table columns (the user's, calculated ones) interleave with ours
    interleave = bool(keep) or any(col not in written for col in range(g.c1, g.c2 + 1))
    sheet, old = load(pkg.read(table.sheet_part), g, interleave)
    _check_room(sheet, old, table, g, set(written) | set(calc), others)
    base = _base_styles(sheet, old, g, list(written) + list(calc))
    style = {col: styles.with_format(base[col], cd.fmt) for col, cd in written.items()}
    skip = {"r", "spans"}
    skip_hidden = skip | {"hidden"} if _has_filter(pkg, table) else skip

    old_totals: list[tuple[int, etree._Element]] = []
    if g.totals and g.old_end in old:
        row = old[g.old_end].element
        assert row is not None
        old_totals = [(c, el) for c, el in cells_of(row, sheet.c_tag) if g.c1 <= c <= g.c2]

    letters = {col: column_letter(col) for col in range(g.c1, g.c2 + 1)}
    n_new = g.new_data_end - g.top + 1
    new_cols = [(col, column_xml(letters[col], _padded(written[col].values, n_new),
                                 style[col], g.top))
                for col in sorted(written)]
    for col, cells in new_cols:  # a kept cell is copied from the old row, never written twice
        for i in keep.get(col, ()):
            if i < len(cells):
                cells[i] = ""
    px = sheet.prefix
    if px:  # the main namespace has a prefix in this part: our text must use it too
        new_cols = [(col, [_prefixed(x, px) for x in cells]) for col, cells in new_cols]
    parts: list[str] = []
    box = [10**9, 10**9, 0, 0]  # rows and columns that the new rows' cells span
    for r in range(g.top, g.last + 1):
        prev = old.get(r)
        row = prev.element if prev is not None else None
        in_old = r <= g.old_data_end
        in_new = r <= g.new_data_end
        before: list[tuple[int, str]] = []
        after: list[tuple[int, str]] = []
        mid: list[tuple[int, str]] = []
        if row is not None:
            moving = bool(g.totals) and r == g.old_end  # the old totals row moves
            if interleave or moving or not sheet.only_within(row, g.c1, g.c2):
                for col, c in cells_of(row, sheet.c_tag):
                    if col < g.c1:
                        before.append((col, sheet.xml(c)))
                    elif col > g.c2:
                        after.append((col, sheet.xml(c)))
                    elif moving:
                        continue
                    elif col in written:
                        if r - g.top in keep.get(col, ()) and in_new:
                            mid.append((col, sheet.xml(c)))
                    elif col not in calc or (in_new and in_old):
                        mid.append((col, sheet.xml(c)))
        new: list[str] = []
        if in_new:
            i = r - g.top
            new = [cells[i] for _, cells in new_cols if i < len(cells)]
            if not in_old:
                for col, formula in calc.items():
                    sx = f' s="{base[col]}"' if base[col] else ""
                    mid.append((col, _prefixed(f'<c r="{letters[col]}{r}"{sx}><f>'
                                               f"{_esc(formula)}</f></c>", px)))
        if g.totals and r == g.new_end:
            for col, c in old_totals:
                c.set("r", f"{letters[col]}{r}")
                mid.append((col, sheet.xml(c)))
        if mid:
            ours = [(col, cells[r - g.top]) for col, cells in new_cols
                    if in_new and r - g.top < len(cells)]
            new = [x for _, x in sorted(ours + mid, key=lambda x: x[0])]
        body = "".join(new)
        drop = skip_hidden if g.top <= r <= g.new_data_end else skip
        if row is not None:
            attrs = attrs_xml(row, sheet.prefixes, drop)
        elif prev is not None:
            attrs = strip_attrs(prev.attrs, drop)
        else:
            attrs = ""
        if not body and not before and not after and not attrs:
            continue
        if before or after:
            body = "".join(x for _, x in before) + body + "".join(x for _, x in after)
        if body:
            lo = before[0][0] if before else g.c1
            hi = after[-1][0] if after else g.c2
            box = [min(box[0], r), min(box[1], lo), r, max(box[3], hi)]
        parts.append(f'<{px}row r="{r}"{attrs}>{body}</{px}row>')

    _update_dimension(sheet, box)
    _stretch_ranges(sheet, g)
    data = to_bytes(sheet.root)
    if data.count(MARKER) != 1:
        raise WorkbookError(f"cannot rewrite sheet {table.sheet}")
    pkg.put(table.sheet_part, data.replace(MARKER, "".join(parts).encode("utf-8")))
    new_ref = (table.ref[0], g.c1, g.new_end, g.c2)
    _update_table_part(pkg, table, new_ref, g)
    return new_ref


class _Keep:
    """Marks a cell that keeps what it holds (value or formula)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def _blank_kept(values: Sequence[object]) -> Sequence[object]:
    return [None if v is KEEP else v for v in values] if any(v is KEEP for v in values) \
        else values


_TAGS = re.compile(r"<(/?)(c|v|is|t|f|r|rPr)(?=[\s/>])")


def _prefixed(xml: str, px: str) -> str:
    """Our cell text with the main-namespace prefix on every tag."""
    return _TAGS.sub(lambda m: f"<{m.group(1)}{px}{m.group(2)}", xml) if px and xml else xml


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _update_dimension(sheet: Sheet, box: list[int]) -> None:
    """The used range: the rows left in place plus the rewritten ones (``box``)."""
    dim = sheet.root.find(sheet.t("dimension"))
    if dim is None:
        return
    lo_r, lo_c, hi_r, hi_c = box
    for r, row in sheet.rows.items():
        if sheet.only_within(row, 1, 16384):  # in order: first and last cell bound it
            if len(row):
                lo_r, hi_r = min(lo_r, r), max(hi_r, r)
                lo_c = min(lo_c, col_of(row[0], 0))
                hi_c = max(hi_c, col_of(row[-1], 0))
            continue
        cells = cells_of(row, sheet.c_tag)
        if cells:
            lo_r, hi_r = min(lo_r, r), max(hi_r, r)
            lo_c = min(lo_c, min(c for c, _ in cells))
            hi_c = max(hi_c, max(c for c, _ in cells))
    if hi_r == 0:
        dim.set("ref", "A1")
        return
    ref = format_range(lo_r, lo_c, hi_r, hi_c)
    dim.set("ref", ref.split(":")[0] if lo_r == hi_r and lo_c == hi_c else ref)


def _stretch(sqref: str, g: Geometry) -> str:
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


def _stretch_ranges(sheet: Sheet, g: Geometry) -> None:
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
                       g: Geometry) -> None:
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
