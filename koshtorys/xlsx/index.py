"""Where things are: the workbook's sheets and the tables (ListObjects) on them."""

from __future__ import annotations

from dataclasses import dataclass

from .ooxml import decode_text, parse_range, parse_xml, root_ns
from .package import Package

__all__ = ["SheetInfo", "TableInfo", "WorkbookIndex", "rel_id"]


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


def rel_id(el: object) -> str | None:
    """The ``r:id`` attribute of ``el`` in whichever relationships namespace it uses."""
    for k, v in el.attrib.items():  # type: ignore[attr-defined]
        if k.endswith("}id") and "relationships" in k:
            return v
    return None


class WorkbookIndex:
    """Sheets in workbook order and every table in the workbook, by lower-case name."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        wb = parse_xml(pkg.read(pkg.main))
        self.ns = root_ns(wb)
        rels = {r.id: r for r in pkg.rels(pkg.main)}
        self.sheets: list[SheetInfo] = []
        self.tables: dict[str, TableInfo] = {}
        for el in wb.iter(f"{{{self.ns}}}sheet"):
            rel = rels.get(rel_id(el) or "")
            part = None
            if rel is not None and rel.is_("worksheet") and not rel.external:
                part = pkg.name_of(rel.target)
            info = SheetInfo(el.get("name", ""), part, int(el.get("sheetId", "0") or 0))
            self.sheets.append(info)
            if part is not None:
                self._read_tables(info)

    def _read_tables(self, sheet: SheetInfo) -> None:
        assert sheet.part is not None
        for rel in self.pkg.rels(sheet.part):
            if not rel.is_("table") or rel.external or not self.pkg.has(rel.target):
                continue
            part = self.pkg.name_of(rel.target) or rel.target
            root = parse_xml(self.pkg.read(part))
            ns = root_ns(root)
            cols = root.findall(f"{{{ns}}}tableColumns/{{{ns}}}tableColumn")
            name = root.get("displayName") or root.get("name") or ""
            try:
                ref = parse_range(root.get("ref", ""))
            except ValueError:
                continue
            info = TableInfo(
                name=name,
                part=part,
                sheet=sheet.name,
                sheet_part=sheet.part,
                ref=ref,
                header_rows=int(root.get("headerRowCount", "1")),
                totals_rows=int(root.get("totalsRowCount", "0")),
                columns=tuple(decode_text(c.get("name", "")) for c in cols),
                calc_formulas=tuple(c.findtext(f"{{{ns}}}calculatedColumnFormula")
                                    for c in cols),
                table_id=int(root.get("id", "0") or 0),
            )
            self.tables.setdefault(name.lower(), info)

    def table(self, name: str) -> TableInfo | None:
        return self.tables.get(name.lower())

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]
