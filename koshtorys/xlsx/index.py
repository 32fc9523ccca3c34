"""Where things are: the workbook's sheets and the tables (ListObjects) on them.

A table part that cannot be used — its range cannot be read, its sheet is gone — is
not an error of the whole workbook: it is listed in :attr:`WorkbookIndex.broken_tables`
with the reason, so the caller can report that table by name. A table whose range is
absurdly larger than its sheet (:mod:`koshtorys.core.limits`) is refused outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from koshtorys.core import limits

from .errors import DamagedWorkbook, too_large
from .ooxml import decode_text, parse_range, root_ns
from .package import Package

__all__ = ["SheetInfo", "TableInfo", "BrokenTable", "WorkbookIndex", "rel_id"]

_TABLE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"


@dataclass(frozen=True)
class SheetInfo:
    """One sheet listed in workbook.xml."""

    name: str
    part: str | None
    """Worksheet part, or None for chart sheets and broken links."""
    sheet_id: int


@dataclass(frozen=True)
class TableInfo:
    """One table part, as its XML declares it."""

    name: str
    part: str
    sheet: str
    sheet_part: str
    ref: tuple[int, int, int, int]
    """First row, first column, last row, last column (header and totals included)."""
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]
    calc_formulas: tuple[str | None, ...]
    table_id: int

    @property
    def top(self) -> int:
        """First data row."""
        return self.ref[0] + self.header_rows

    @property
    def data_end(self) -> int:
        """Last data row."""
        return self.ref[2] - self.totals_rows

    @property
    def header_row(self) -> int:
        return self.top - 1

    @property
    def first_col(self) -> int:
        return self.ref[1]

    @property
    def last_col(self) -> int:
        return self.ref[3]


@dataclass(frozen=True)
class BrokenTable:
    """A table part that names a table but cannot be used."""

    name: str
    """The table's name (its part name when even that cannot be read)."""
    part: str
    reason: str
    """Why, in plain English: "its range 'A3:' cannot be read", "its sheet … is missing"."""
    sheet: str | None = None


def rel_id(el: object) -> str | None:
    """The ``r:id`` attribute of ``el`` in whichever relationships namespace it uses."""
    for k, v in el.attrib.items():  # type: ignore[attr-defined]
        if k.endswith("}id") and "relationships" in k:
            return v
    return None


_NAME = re.compile(rb"""\sdisplayName\s*=\s*["']([^"']*)["']""")


class WorkbookIndex:
    """Sheets in workbook order and every table in the workbook, by lower-case name."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        wb = pkg.xml(pkg.main)
        self.ns = root_ns(wb)
        pr = wb.find(f"{{{self.ns}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        """Dates count from 1904 (old Mac workbooks), not from 1900."""
        rels = {r.id: r for r in pkg.rels(pkg.main)}
        self.sheets: list[SheetInfo] = []
        self.tables: dict[str, TableInfo] = {}
        self.broken_tables: list[BrokenTable] = []
        """Tables that exist as parts but cannot be read or written, with the reason."""
        seen: set[str] = set()
        for el in wb.iter(f"{{{self.ns}}}sheet"):
            rel = rels.get(rel_id(el) or "")
            part = None
            if rel is not None and rel.is_("worksheet") and not rel.external:
                part = pkg.name_of(rel.target)
            info = SheetInfo(el.get("name", ""), part, _int(el.get("sheetId"), 0) or 0)
            self.sheets.append(info)
            if part is not None:
                seen |= self._read_tables(info)
            elif rel is not None and not rel.external:
                seen |= self._orphans(rel.target, info.name, f"its sheet {info.name!r} "
                                      f"({rel.target}) is missing from the file")
        for part, ctype in pkg.overrides().items():
            name = pkg.name_of(part)
            if ctype == _TABLE_CT and name and name.lower() not in seen:
                self._broken(name, None, "it belongs to no sheet of the workbook")

    def _broken(self, part: str, sheet: str | None, reason: str) -> None:
        try:
            m = _NAME.search(self.pkg.read(part)[:4096])
        except DamagedWorkbook:
            m = None
        name = m.group(1).decode("utf-8", "replace") if m else part
        self.broken_tables.append(BrokenTable(name, part, reason, sheet))

    def _orphans(self, sheet_part: str, sheet: str, reason: str) -> set[str]:
        """Tables listed by the relationships of a sheet whose part is missing."""
        out = set()
        for rel in self.pkg.rels(sheet_part):
            if rel.is_("table") and not rel.external and self.pkg.has(rel.target):
                part = self.pkg.name_of(rel.target) or rel.target
                out.add(part.lower())
                self._broken(part, sheet, reason)
        return out

    def _read_tables(self, sheet: SheetInfo) -> set[str]:
        assert sheet.part is not None
        seen = set()
        for rel in self.pkg.rels(sheet.part):
            if not rel.is_("table") or rel.external:
                continue
            if not self.pkg.has(rel.target):
                self.broken_tables.append(BrokenTable(
                    rel.target, rel.target, f"sheet {sheet.name!r} lists table part "
                    f"{rel.target}, which is missing from the file", sheet.name))
                continue
            part = self.pkg.name_of(rel.target) or rel.target
            seen.add(part.lower())
            info = self._table(part, sheet)
            if isinstance(info, str):
                self._broken(part, sheet.name, info)
            else:
                self.tables.setdefault(info.name.lower(), info)
        return seen

    def _table(self, part: str, sheet: SheetInfo) -> TableInfo | str:
        """The table, or why it cannot be used."""
        assert sheet.part is not None
        root = self.pkg.xml(part)
        ns = root_ns(root)
        cols = root.findall(f"{{{ns}}}tableColumns/{{{ns}}}tableColumn")
        name = root.get("displayName") or root.get("name") or ""
        text = root.get("ref", "")
        try:
            ref = parse_range(text)
        except ValueError:
            return f"its range {text!r} cannot be read"
        if ref[0] < 1 or ref[1] < 1 or ref[2] > limits.EXCEL_ROWS or \
                ref[3] > limits.EXCEL_COLUMNS:
            return f"its range {text!r} lies outside a worksheet"
        head = _int(root.get("headerRowCount"), 1)
        totals = _int(root.get("totalsRowCount"), 0)
        if head is None or totals is None or head not in (0, 1) or totals < 0 or \
                ref[2] - ref[0] + 1 < head + totals:
            return (f"its header and totals rows (headerRowCount "
                    f"{root.get('headerRowCount')!r}, totalsRowCount "
                    f"{root.get('totalsRowCount')!r}) do not fit its range {text!r}")
        if not name:
            return "it has no name"
        self._check_extent(name, text, ref, sheet)
        return TableInfo(
            name=name,
            part=part,
            sheet=sheet.name,
            sheet_part=sheet.part,
            ref=ref,
            header_rows=head,
            totals_rows=totals,
            columns=tuple(decode_text(c.get("name", "")) for c in cols),
            calc_formulas=tuple(_formula(c, ns) for c in cols),
            table_id=_int(root.get("id"), 0) or 0,
        )

    def _check_extent(self, name: str, text: str, ref: tuple[int, int, int, int],
                      sheet: SheetInfo) -> None:
        """Refuse a table whose range is far larger than what its sheet can hold."""
        assert sheet.part is not None
        cells = (ref[2] - ref[0] + 1) * (ref[3] - ref[1] + 1)
        room = limits.TABLE_CELLS_ALLOWANCE + \
            limits.TABLE_CELLS_PER_SHEET_BYTE * self.pkg.size(sheet.part)
        if cells > room:
            raise too_large(self.pkg.label, f"table {name} spans {text} ({cells:,} cells), "
                            f"far more than sheet {sheet.name!r} holds "
                            f"({self.pkg.size(sheet.part):,} bytes)")

    def table(self, name: str) -> TableInfo | None:
        return self.tables.get(name.lower())

    def broken(self, name: str) -> BrokenTable | None:
        """The broken table of that name, if there is one."""
        return next((b for b in self.broken_tables if b.name.lower() == name.lower()), None)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]


def _int(text: str | None, default: int) -> int | None:
    """An integer attribute; ``default`` when absent, None when it is not a number."""
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        return None


def _formula(col: etree._Element, ns: str) -> str | None:
    return col.findtext(f"{{{ns}}}calculatedColumnFormula")
