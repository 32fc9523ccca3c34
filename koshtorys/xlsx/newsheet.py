"""A new worksheet holding one output table at A1, for workbooks that lack it."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from koshtorys.core import schema
from koshtorys.core.book import column_letter

from .index import WorkbookIndex
from .ooxml import cell_xml, encode_text, format_range, quoteattr
from .package import Package, unique_sheet_name
from .styles import Styles
from .wbxml import add_sheet_entry

__all__ = ["add_table_sheet"]

_WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_TABLE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _rel_types(pkg: Package) -> tuple[str, str]:
    """Relationship types for worksheet and table, in the package's own flavour."""
    ws = next((r.type for r in pkg.rels(pkg.main) if r.is_("worksheet")),
              "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet")
    return ws, ws.rsplit("/", 1)[0] + "/table"


def add_table_sheet(
    pkg: Package,
    index: WorkbookIndex,
    table: schema.Table,
    lang: schema.Lang,
    columns: Sequence[Sequence[object]],
    n_rows: int,
    styles: Styles,
) -> str:
    """Add a sheet with ``table`` (all schema columns, ``columns[j]`` = values of column j);
    returns the sheet name."""
    ws_type, table_type = _rel_types(pkg)
    folder = posixpath.dirname(pkg.main)
    sheet_part = pkg.unique_part(posixpath.join(folder, "worksheets", "sheet%d.xml"))
    table_part = pkg.unique_part(posixpath.join(folder, "tables", "table%d.xml"))
    name = unique_sheet_name(table.sheet(lang), index.sheet_names())
    ncols = len(table.columns)
    last = 1 + max(n_rows, 1)
    ref = format_range(1, 1, last, ncols)
    headers = [encode_text(h) for h in table.headers(lang)]
    letters = [column_letter(j + 1) for j in range(ncols)]

    style = [styles.with_format(0, c.fmt) for c in table.columns]
    rows = ['<row r="1">' + "".join(cell_xml(f"{letters[j]}1", h, 0)
                                     for j, h in enumerate(table.headers(lang))) + "</row>"]
    for i in range(n_rows):
        r = i + 2
        cells = "".join(cell_xml(f"{letters[j]}{r}", columns[j][i], style[j])
                        for j in range(ncols))
        rows.append(f'<row r="{r}">{cells}</row>' if cells else "")
    widths = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{c.width}" customWidth="1"/>'
                     for j, c in enumerate(table.columns))
    ns = index.ns
    rel_ns = ws_type.rsplit("/", 1)[0]
    sheet_xml = (
        f'{_DECL}<worksheet xmlns="{ns}" xmlns:r="{rel_ns}">'
        f'<dimension ref="{ref}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
        f'<sheetData>{"".join(rows)}</sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/><tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
        "</worksheet>"
    )
    table_id = max([0, *(t.table_id for t in index.tables.values())]) + 1
    cols_xml = "".join(f"<tableColumn id=\"{j + 1}\" name={quoteattr(h)}/>"
                       for j, h in enumerate(headers))
    table_xml = (
        f'{_DECL}<table xmlns="{ns}" id="{table_id}" name="{table.name}" '
        f'displayName="{table.name}" ref="{ref}" totalsRowShown="0">'
        f'<autoFilter ref="{ref}"/><tableColumns count="{ncols}">{cols_xml}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    )
    pkg.add(sheet_part, sheet_xml.encode("utf-8"), _WS_CT)
    pkg.add(table_part, table_xml.encode("utf-8"), _TABLE_CT)
    pkg.add_rel(sheet_part, table_type, table_part)
    rid = pkg.add_rel(pkg.main, ws_type, sheet_part)
    sheet_id = max([0, *(s.sheet_id for s in index.sheets)]) + 1
    pkg.put(pkg.main, add_sheet_entry(pkg.read(pkg.main), name, sheet_id, rid))
    return name
