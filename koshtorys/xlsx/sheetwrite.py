"""Replace the data region of one table in its worksheet part.

Only the table's columns in its data rows (old and new) change; everything else in the
sheet (other cells, row heights, formats, views, validations) stays as it was. The sheet
is inflated once; its old table rows are cut out by :mod:`.sheetmodel` (checked, not
parsed); the rest of the sheet — small — is edited as a tree (dimension, ranges); then
the new sheet is streamed — the part before the rows, the new rows a chunk at a time
(:mod:`.rowtext`), the part after — into a :class:`~.zipwrite.PartWriter`, which
deflates it as it comes and finds out by itself whether anything changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from koshtorys.core.book import column_letter
from koshtorys.core.errors import WorkbookError

from .errors import damaged
from .index import TableInfo
from .ooxml import format_range, parse_range, root_ns, to_bytes
from .package import Package
from .rowtext import (
    KEEP,
    Numbers,
    Rewrite,
    blank_kept,
    box,
    kept,
    kept_attrs,
    made_rows,
    rows_text,
)
from .sheetmodel import MARKER, Geometry, OldRow, Sheet, cells_of, col_of, has_content, load
from .styles import Styles

__all__ = ["ColumnData", "KEEP", "rewrite_table"]

PIECE = 1 << 18
"""Characters of row text encoded and given to the deflater at a time (about 256 kB)."""


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
            raise WorkbookError("grow_table_in_way", table=table.name,
                                rows=g.new_end - g.top + 1, other=other.name,
                                sheet=table.sheet)
    for r in range(g.old_end + 1, g.new_end + 1):
        row = old[r].element if r in old else None
        if row is None:
            continue
        for col, c in cells_of(row, sheet.c_tag):
            if col in cols and has_content(c):
                raise WorkbookError("grow_cell_in_way", table=table.name,
                                    rows=g.new_end - g.top + 1,
                                    cell=f"{where}{column_letter(col)}{r}")
    merges = sheet.root.find(sheet.t("mergeCells"))
    if merges is not None:
        for m in merges:
            try:
                r1, c1, r2, c2 = parse_range(m.get("ref", ""))
            except ValueError:
                continue
            if r1 <= g.new_end and r2 > g.old_end and c1 <= g.c2 and c2 >= g.c1:
                raise WorkbookError("grow_merged_in_way", table=table.name,
                                    cell=f"{where}{m.get('ref')}")


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


def _padded(values: Sequence[object], n: int, kept: set[int]) -> list[object]:
    """The first ``n`` values (``kept``: the indexes of KEEP among them), blanks for the
    rest (an empty table keeps one row)."""
    if len(values) == n and isinstance(values, list | Numbers) and not kept:
        return values  # type: ignore[return-value]  # the caller's, read only: no copy
    out = blank_kept(values[:n], {i for i in kept if i < n})
    return list(out) + [None] * (n - len(out))


def rewrite_table(
    pkg: Package,
    table: TableInfo,
    columns: Sequence[ColumnData],
    n_rows: int,
    styles: Styles,
    others: Sequence[TableInfo] = (),
    table_root: etree._Element | None = None,
) -> tuple[int, int, int, int]:
    """Write ``n_rows`` rows of ``columns`` into ``table``; returns the table's new ref.

    ``table_root`` is the table part already parsed, if the caller has it.
    """
    try:
        return _rewrite(pkg, table, columns, n_rows, styles, others, table_root)
    except ValueError as exc:  # BadXml included: a part that cannot be edited
        raise damaged(pkg.label, f"sheet {table.sheet}: {exc}") from exc


def _rewrite(pkg: Package, table: TableInfo, columns: Sequence[ColumnData], n_rows: int,
             styles: Styles, others: Sequence[TableInfo],
             table_root: etree._Element | None) -> tuple[int, int, int, int]:
    g = _geometry(table, n_rows)
    written = {cd.col: cd for cd in columns}
    calc = {table.first_col + j: f for j, f in enumerate(table.calc_formulas)
            if f and table.first_col + j not in written}
    # cells that stay as they are (KEEP) in the columns we write
    keep = {col: kept(cd.values) for col, cd in written.items()}
    keep = {col: rows for col, rows in keep.items() if rows}
    # unwritten table columns (the user's, calculated ones) interleave with ours
    interleave = bool(keep) or any(col not in written for col in range(g.c1, g.c2 + 1))
    data = pkg.read_buffer(table.sheet_part)
    sheet, old, _fast = load(data, g, interleave)
    _check_room(sheet, old, table, g, set(written) | set(calc), others)
    base = _base_styles(sheet, old, g, list(written) + list(calc))
    root = pkg.xml(table.part) if table_root is None else table_root
    n_new = g.new_data_end - g.top + 1
    old_totals: list[tuple[int, etree._Element]] = []
    if g.totals and g.old_end in old:
        row = old[g.old_end].element
        assert row is not None
        old_totals = [(c, el) for c, el in cells_of(row, sheet.c_tag) if g.c1 <= c <= g.c2]
    job = Rewrite(
        g, sheet, old, {col: _padded(cd.values, n_new, keep.get(col, set()))
                        for col, cd in written.items()},
        {col: styles.with_format(base[col], cd.fmt) for col, cd in written.items()},
        keep, calc, base, {col: column_letter(col) for col in range(g.c1, g.c2 + 1)},
        old_totals, any(True for _ in root.iter("{*}filterColumn")), interleave, sheet.prefix,
    )
    # rows that need more than the new cells: what the old row keeps, formulas, totals;
    # a row kept only for its attributes (a height, a style) takes the new cells as is
    attrs = kept_attrs(old, g, job.filtered)
    special = {r for r in old if r not in attrs} | ({g.new_end} if g.totals else set())
    if calc:
        special |= set(range(g.old_data_end + 1, g.new_data_end + 1))
    made = made_rows(job, sorted(special))
    attrs = {r: a for r, a in attrs.items() if a}
    _update_dimension(sheet, box(job, made))
    _stretch_ranges(sheet, g)
    skeleton = to_bytes(sheet.root)
    if skeleton.count(MARKER) != 1:
        raise WorkbookError("cannot_rewrite_sheet", sheet=table.sheet)
    head, tail = skeleton.split(MARKER)
    out = pkg.writer(table.sheet_part, data)
    del data, skeleton
    out.write(head)
    batch: list[str] = []
    size = 0
    for piece in rows_text(job, made, attrs):
        batch.append(piece)
        size += len(piece)
        if size >= PIECE:
            out.write("".join(batch).encode("utf-8"))
            batch, size = [], 0
    out.write("".join(batch).encode("utf-8"))
    out.write(tail)
    pkg.put_entry(table.sheet_part, out.finish_later())
    new_ref = (table.ref[0], g.c1, g.new_end, g.c2)
    _update_table_part(pkg, table, root, new_ref, g)
    return new_ref


def _update_dimension(sheet: Sheet, rewritten: list[int]) -> None:
    """The used range: the rows left in place plus the rewritten ones."""
    dim = sheet.root.find(sheet.t("dimension"))
    if dim is None:
        return
    lo_r, lo_c, hi_r, hi_c = rewritten
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


def _update_table_part(pkg: Package, table: TableInfo, root: etree._Element,
                       ref: tuple[int, int, int, int], g: Geometry) -> None:
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
