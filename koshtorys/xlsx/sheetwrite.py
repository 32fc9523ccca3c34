"""Replace the data region of one table in its worksheet part.

Only the table's columns in its data rows (old and new) change. The new rows are built
as text and spliced into the serialized sheet in one piece; everything else in the
sheet (other cells, row heights, formats, views, validations) stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from koshtorys.core.book import column_letter
from koshtorys.core.errors import WorkbookError

from .errors import damaged
from .index import TableInfo
from .ooxml import (
    attrs_xml,
    cell_xml,
    column_xml,
    format_range,
    parse_range,
    root_ns,
    to_bytes,
)
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
    if len(values) == n and isinstance(values, list) and not _kept(values):
        return values  # the caller's list, read only: no copy
    out = _blank_kept(values[:n])
    return list(out) + [None] * (n - len(out))


_CHUNK = 1024
"""Rows made into text at a time: the new sheet is deflated as it is made, never held
whole (see zipwrite.PartWriter)."""


@dataclass
class _Rewrite:
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
            kept = self.keep.get(col)
            if kept:
                first = lo - self.g.top
                for j in range(len(cells)):
                    if first + j in kept:
                        cells[j] = ""
            if self.px:  # the main namespace has a prefix in this part: ours must use it too
                cells = [_prefixed(x, self.px) for x in cells]
            out.append(cells)
        return out

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
                mid.append((col, _prefixed(f'<c r="{self.letters[col]}{r}"{sx}><f>'
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
    keep = {col: _kept(cd.values) for col, cd in written.items()}
    keep = {col: rows for col, rows in keep.items() if rows}
    # unwritten table columns (the user's, calculated ones) interleave with ours
    interleave = bool(keep) or any(col not in written for col in range(g.c1, g.c2 + 1))
    data = pkg.read_buffer(table.sheet_part)
    sheet, old, fast = load(data, g, interleave)
    _check_room(sheet, old, table, g, set(written) | set(calc), others)
    base = _base_styles(sheet, old, g, list(written) + list(calc))
    root = pkg.xml(table.part) if table_root is None else table_root
    n_new = g.new_data_end - g.top + 1
    old_totals: list[tuple[int, etree._Element]] = []
    if g.totals and g.old_end in old:
        row = old[g.old_end].element
        assert row is not None
        old_totals = [(c, el) for c, el in cells_of(row, sheet.c_tag) if g.c1 <= c <= g.c2]
    job = _Rewrite(
        g, sheet, old, {col: _padded(cd.values, n_new) for col, cd in written.items()},
        {col: styles.with_format(base[col], cd.fmt) for col, cd in written.items()},
        keep, calc, base, {col: column_letter(col) for col in range(g.c1, g.c2 + 1)},
        old_totals, any(True for _ in root.iter("{*}filterColumn")), interleave, sheet.prefix,
    )
    # rows that need more than the new cells: what the old row keeps, formulas, totals;
    # a row kept only for its attributes (a height, a style) takes the new cells as is
    attrs = _row_attrs(old, g, job.filtered)
    special = {r for r in old if r not in attrs} | ({g.new_end} if g.totals else set())
    if calc:
        special |= set(range(g.old_data_end + 1, g.new_data_end + 1))
    made = _made(job, sorted(special))
    attrs = {r: a for r, a in attrs.items() if a}
    _update_dimension(sheet, _box(job, made))
    _stretch_ranges(sheet, g)
    skeleton = to_bytes(sheet.root)
    if skeleton.count(MARKER) != 1:
        raise WorkbookError(f"cannot rewrite sheet {table.sheet}")
    head, tail = skeleton.split(MARKER)
    out = pkg.writer(table.sheet_part, data)
    del data, skeleton
    out.write(head)
    batch: list[str] = []
    size = 0
    for piece in _rows(job, made, attrs):  # pieces of about a chunk's size: few deflate jobs
        batch.append(piece)
        size += len(piece)
        if size >= 1 << 18:
            out.write("".join(batch).encode("utf-8"))
            batch, size = [], 0
    out.write("".join(batch).encode("utf-8"))
    out.write(tail)
    pkg.put_entry(table.sheet_part, out.finish())
    new_ref = (table.ref[0], g.c1, g.new_end, g.c2)
    _update_table_part(pkg, table, root, new_ref, g)
    return new_ref


def _made(job: _Rewrite, rows: list[int]) -> dict[int, tuple[str, int, int] | None]:
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
                rows[j + 1] <= job.g.new_data_end and rows[j + 1] - r < _CHUNK:
            j += 1
        cols = job.new_cells(r, rows[j])
        for k in range(j - i + 1):
            out[r + k] = job.row(r + k, [c[k] for c in cols])
        i = j + 1
    return out


def _box(job: _Rewrite, made: dict[int, tuple[str, int, int] | None]) -> list[int]:
    """Rows and columns that the rewritten rows' cells span."""
    g = job.g
    box = [10**9, 10**9, 0, 0]
    for r, m in made.items():
        if m is not None and m[2]:
            box = [min(box[0], r), min(box[1], m[1]), max(box[2], r), max(box[3], m[2])]
    # the other new rows span the table's columns when one of their new cells is written
    spans = [x for x in (_cell_span(v, job.style[col]) for col, v in job.values.items()) if x]
    if not spans:
        return box

    def plain(i: int) -> bool:
        return g.top + i not in made and any(
            job.style[col] or _makes_cell(v[i]) for col, v in job.values.items())

    lo, hi = min(x[0] for x in spans), max(x[1] for x in spans)
    first = next((i for i in range(lo, hi + 1) if plain(i)), None)
    if first is not None:
        last = next(i for i in range(hi, first - 1, -1) if plain(i))
        box = [min(box[0], g.top + first), min(box[1], g.c1), max(box[2], g.top + last),
               max(box[3], g.c2)]
    return box


def _row_attrs(old: dict[int, OldRow], g: Geometry, filtered: bool) -> dict[int, str]:
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


def _rows(job: _Rewrite, made: dict[int, tuple[str, int, int] | None],
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
                   r + _CHUNK - 1)
        if stop < r:  # past the new data, no old row to keep: nothing to write
            r = specials[k] if k < len(specials) else g.last + 1
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


class _Keep:
    """Marks a cell that keeps what it holds (value or formula)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def _kept(values: Sequence[object]) -> set[int]:
    """Indexes of the :data:`KEEP` cells."""
    try:
        if KEEP not in values:  # a C loop; identity is tried first
            return set()
    except (TypeError, ValueError):  # a value whose == cannot say (pd.NA)
        pass
    return {i for i, v in enumerate(values) if v is KEEP}


def _blank_kept(values: Sequence[object]) -> Sequence[object]:
    return [None if v is KEEP else v for v in values] if _kept(values) else values


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
