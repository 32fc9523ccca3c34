"""A new workbook of plain table sheets, written straight as SpreadsheetML text.

For summaries the program writes from scratch (consolidation): openpyxl builds a cell
object per value and writes some 5 000 rows a second; laying the rows out as text is
an order of magnitude faster and gives the same file to Excel, LibreOffice and openpyxl.
Each sheet holds one table at A1: a bold header row, then the rows (an empty table keeps
one blank row, as Excel wants at least one). Sheets are streamed into the zip a block of
rows at a time, so memory follows the frames, not their XML. Text is always an inline
string: a name that starts with ``=`` is shown as typed, never run as a formula.
"""

from __future__ import annotations

import functools
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from koshtorys.core import schema
from koshtorys.core.book import column_letter
from koshtorys.xlsx.ooxml import cell_xml, encode_text, format_range, split_ref
from koshtorys.xlsx.package import unique_sheet_name

__all__ = ["TableSheet", "write_table_book", "table_sheet", "BLOCK_ROWS"]

BLOCK_ROWS = 20_000
"""Rows laid out as text at a time."""
HEADER_HEIGHT = 45
"""Points: three lines of a wrapped header."""
FIT_WIDTH = 190
"""Sheets whose columns add up to at most this many characters print one page wide (A4
landscape); wider ones run on to further pages, the header row repeated."""
DEFLATE_LEVEL = 1
"""zlib level: on the 1 469-workbook consolidation (250 000 rows) level 1 takes 1.2 s and
11.0 MB, level 6 1.8 s and 9.3 MB (2-core Linux): the time matters more than 18 %."""
_BUILTIN = {  # ECMA-376 part 1, 18.8.30: formats every reader knows by number
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
    "0.00E+00": 11, "@": 49,
}

_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_R = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@dataclass(frozen=True)
class TableSheet:
    """One sheet holding one table at A1."""

    sheet: str
    """Sheet name (made legal and unique when written)."""
    table: str
    """Table (ListObject) name."""
    headers: Sequence[str]
    """Header texts, one per column; they must differ from each other."""
    columns: Sequence[Sequence[object]] | Callable[[], Sequence[Sequence[object]]]
    """Values column by column (all of the same length); None is a blank cell. A callable
    is called when the sheet is written, so only one sheet's values exist at a time."""
    formats: Sequence[str | None] = ()
    """Number format of each column (None: General)."""
    widths: Sequence[float] = ()
    """Column widths in characters."""
    freeze: str | None = None
    """First scrolling cell, e.g. ``"C2"``: rows above and columns left of it stay put."""
    style: str = "TableStyleLight9"


def _styles(formats: list[str]) -> tuple[str, dict[str, int]]:
    """styles.xml with xf 0 = default, 1 = bold header, then one xf per number format."""
    custom = [f for f in formats if f not in _BUILTIN]
    num_ids = {**{f: 164 + i for i, f in enumerate(custom)},
               **{f: _BUILTIN[f] for f in formats if f in _BUILTIN}}
    numfmts = "".join(f'<numFmt numFmtId="{num_ids[f]}" formatCode={quoteattr(f)}/>'
                      for f in custom)
    xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
           'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>']
    index: dict[str, int] = {}
    for f in formats:
        index[f] = len(xfs)
        xfs.append(f'<xf numFmtId="{num_ids[f]}" fontId="0" fillId="0" borderId="0" '
                   'xfId="0" applyNumberFormat="1"/>')
    xml = (
        f'{_DECL}<styleSheet xmlns="{_MAIN}">'
        + (f'<numFmts count="{len(custom)}">{numfmts}</numFmts>' if custom else "")
        + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        f'borderId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    return xml, index


def _pane(freeze: str | None) -> str:
    if not freeze:
        return "<sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>"
    row, col = split_ref(freeze)
    split = (f' xSplit="{col - 1}"' if col > 1 else "") + (f' ySplit="{row - 1}"'
                                                           if row > 1 else "")
    active = ("bottomRight" if col > 1 and row > 1 else "bottomLeft" if row > 1
              else "topRight")
    return ('<sheetViews><sheetView workbookViewId="0">'
            f'<pane{split} topLeftCell="{freeze}" activePane="{active}" state="frozen"/>'
            f'<selection pane="{active}" activeCell="{freeze}" sqref="{freeze}"/>'
            "</sheetView></sheetViews>")


class _Strings:
    """The shared string table: each distinct text once, cells refer to it by number
    (what Excel itself writes; a text cell is never a formula)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        """The number of ``text`` for one more cell that shows it."""
        self.count += 1
        return self.number(text)

    def number(self, text: str) -> int:
        i = self.index.get(text)
        if i is None:
            i = self.index[text] = len(self.index)
        return i

    def xml(self) -> Iterator[str]:
        yield (f'{_DECL}<sst xmlns="{_MAIN}" count="{self.count}" '
               f'uniqueCount="{len(self.index)}">')
        for text in self.index:
            t = encode_text(text)
            space = ' xml:space="preserve"' if t != t.strip() or "\n" in t else ""
            yield f"<si><t{space}>{escape(t)}</t></si>"
        yield "</sst>"


def _cells(letter: str, values: Sequence[object], style: int, rows: Sequence[str],
           strings: _Strings) -> list[str]:
    """The ``<c>`` elements of one column, one per row of ``rows`` (their numbers as
    text); "" for a blank. A text's tail (its shared-string number) is made once."""
    s = f' s="{style}"' if style else ""
    head = f'<c r="{letter}'
    kinds = set(map(type, values))
    if kinds == {str} and "" not in values:  # a column of names or codes
        tails = {v: f'"{s} t="s"><v>{strings.number(v)}</v></c>'
                 for v in dict.fromkeys(values)}
        strings.count += len(values)
        return [head + r + tails[v] for r, v in zip(rows, values, strict=True)]
    if kinds == {float}:  # amounts
        return [f'{head}{r}"{s}><v>{int(v) if v.is_integer() and -1e15 < v < 1e15 else v!r}'
                '</v></c>' if v - v == 0.0 else "" for r, v in zip(rows, values, strict=True)]
    tails: dict[str, str] = {}
    out: list[str] = []
    append = out.append
    for r, v in zip(rows, values, strict=True):
        tv = type(v)
        if tv is str:
            tail = tails.get(v)
            if tail is None:
                tail = tails[v] = f'"{s} t="s"><v>{strings.number(v)}</v></c>' if v else ""
            strings.count += 1
            append(head + r + tail if tail else "")
        elif tv is float:
            if v - v == 0.0:  # finite
                num = int(v) if v.is_integer() and abs(v) < 1e15 else repr(v)
                append(f'{head}{r}"{s}><v>{num}</v></c>')
            else:
                append("")
        elif v is None or v is pd.NA or v is pd.NaT:
            append("")
        else:
            append(cell_xml(f"{letter}{r}", v, style))
    return out


def _sheet_parts(t: TableSheet, xf_of: dict[str, int], strings: _Strings
                 ) -> tuple[Iterator[str], str]:
    """(worksheet XML as a stream of text blocks, table range)."""
    ncols = len(t.headers)
    columns = t.columns() if callable(t.columns) else t.columns
    n = len(columns[0]) if columns else 0
    letters = [column_letter(j + 1) for j in range(ncols)]
    styles = [xf_of.get(t.formats[j] or "", 0) if j < len(t.formats) else 0
              for j in range(ncols)]
    ref = format_range(1, 1, 1 + max(n, 1), ncols)

    def blocks() -> Iterator[str]:
        head = "".join(f'<c r="{letters[j]}1" s="1" t="s"><v>{strings(str(h))}</v></c>'
                       for j, h in enumerate(t.headers))
        cols = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w}" customWidth="1"/>'
                       for j, w in enumerate(t.widths))
        fit = sum(t.widths) <= FIT_WIDTH if t.widths else len(t.headers) <= 12
        yield (f'{_DECL}<worksheet xmlns="{_MAIN}" xmlns:r="{_R}">'
               + ('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if fit else "")
               + f'<dimension ref="{ref}"/>'
               f'{_pane(t.freeze)}<sheetFormatPr defaultRowHeight="15"/>'
               + (f"<cols>{cols}</cols>" if cols else "")
               + f'<sheetData><row r="1" ht="{HEADER_HEIGHT}" customHeight="1">{head}</row>')
        for lo in range(0, n, BLOCK_ROWS):
            hi = min(lo + BLOCK_ROWS, n)
            rows = [str(r) for r in range(lo + 2, hi + 2)]
            cells = [_cells(letters[j], columns[j][lo:hi] if j < len(columns)
                           else [None] * (hi - lo), styles[j], rows, strings)
                     for j in range(ncols)]
            yield "".join(f'<row r="{r}">{"".join(row)}</row>'
                          for r, row in enumerate(zip(*cells, strict=True), lo + 2))
        yield ('</sheetData><pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" '
               'header="0.3" footer="0.3"/><pageSetup paperSize="9" orientation="landscape"'
               + (' fitToWidth="1" fitToHeight="0"' if fit else "")
               + '/><tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>')

    return blocks(), ref


def _table_xml(t: TableSheet, table_id: int, ref: str) -> str:
    cols = "".join(f'<tableColumn id="{j + 1}" name={quoteattr(encode_text(str(h)))}/>'
                   for j, h in enumerate(t.headers))
    return (f'{_DECL}<table xmlns="{_MAIN}" id="{table_id}" name="{t.table}" '
            f'displayName="{t.table}" ref="{ref}" totalsRowShown="0">'
            f'<autoFilter ref="{ref}"/><tableColumns count="{len(t.headers)}">{cols}'
            f'</tableColumns><tableStyleInfo name="{t.style}" showFirstColumn="0" '
            'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>')


def _quoted(sheet: str) -> str:
    """A sheet name as a formula refers to it: in quotes, quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


@functools.cache
def _theme() -> str:
    """The standard Office theme (the copy openpyxl ships, kept as koshtorys/data/
    theme1.xml: importing openpyxl for it cost 0.14 s a run): OOXML wants one, and
    Excel's styles refer to its colours and fonts."""
    from importlib import resources

    return resources.files("koshtorys").joinpath("data", "theme1.xml").read_text("utf-8")


def write_table_book(path: Path, sheets: Sequence[TableSheet]) -> Path:
    """Write a new workbook with ``sheets`` in order to ``path`` (overwritten)."""
    formats = list(dict.fromkeys(f for t in sheets for f in t.formats if f))
    styles, xf_of = _styles(formats)
    names: list[str] = []
    overrides = [("/xl/workbook.xml", f"{_SML}.sheet.main+xml"),
                 ("/xl/styles.xml", f"{_SML}.styles+xml"),
                 ("/xl/theme/theme1.xml", "application/vnd.openxmlformats-officedocument."
                                          "theme+xml"),
                 ("/xl/sharedStrings.xml", f"{_SML}.sharedStrings+xml")]
    wb_rels = []
    for i, t in enumerate(sheets, start=1):
        names.append(unique_sheet_name(t.sheet, names))
        overrides += [(f"/xl/worksheets/sheet{i}.xml", f"{_SML}.worksheet+xml"),
                      (f"/xl/tables/table{i}.xml", f"{_SML}.table+xml")]
        wb_rels.append(f'<Relationship Id="rId{i}" Type="{_R}/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>')
    k = len(sheets)
    wb_rels.append(f'<Relationship Id="rId{k + 1}" Type="{_R}/styles" Target="styles.xml"/>')
    wb_rels.append(f'<Relationship Id="rId{k + 2}" Type="{_R}/theme" '
                   'Target="theme/theme1.xml"/>')
    wb_rels.append(f'<Relationship Id="rId{k + 3}" Type="{_R}/sharedStrings" '
                   'Target="sharedStrings.xml"/>')
    strings = _Strings()
    titles = "".join(  # the header row printed atop every page
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"{escape(_quoted(n))}!$1:$1</definedName>" for i, n in enumerate(names))
    sheet_entries = "".join(f'<sheet name={quoteattr(n)} sheetId="{i}" r:id="rId{i}"/>'
                            for i, n in enumerate(names, start=1))
    content_types = (
        f'{_DECL}<Types xmlns="{_CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
        + "</Types>")
    head = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", f'{_DECL}<Relationships xmlns="{_PKG_R}"><Relationship Id="rId1" '
                        f'Type="{_R}/officeDocument" Target="xl/workbook.xml"/>'
                        "</Relationships>"),
        ("xl/workbook.xml", f'{_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_R}"><bookViews>'
                            '<workbookView activeTab="0"/></bookViews>'
                            f"<sheets>{sheet_entries}</sheets><definedNames>{titles}"
                            "</definedNames></workbook>"),
        ("xl/_rels/workbook.xml.rels",
         f'{_DECL}<Relationships xmlns="{_PKG_R}">{"".join(wb_rels)}</Relationships>'),
        ("xl/styles.xml", styles),
        ("xl/theme/theme1.xml", _theme()),
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL) as z:
        for part, xml in head:
            z.writestr(part, xml.encode("utf-8"))
        for i, t in enumerate(sheets, start=1):
            blocks, ref = _sheet_parts(t, xf_of, strings)
            with z.open(f"xl/worksheets/sheet{i}.xml", "w") as fp:
                for block in blocks:
                    fp.write(block.encode("utf-8"))
            z.writestr(f"xl/tables/table{i}.xml", _table_xml(t, i, ref).encode("utf-8"))
            z.writestr(f"xl/worksheets/_rels/sheet{i}.xml.rels", (
                f'{_DECL}<Relationships xmlns="{_PKG_R}"><Relationship Id="rId1" '
                f'Type="{_R}/table" Target="../tables/table{i}.xml"/></Relationships>'
            ).encode())
        with z.open("xl/sharedStrings.xml", "w") as fp:  # written last: all texts known
            for block in strings.xml():
                fp.write(block.encode("utf-8"))
    return Path(path)


def table_sheet(t: schema.Table, df: pd.DataFrame, lang: schema.Lang,
                freeze: str | None = None,
                shown: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> TableSheet:
    """``df`` (columns = ``t``'s keys) as a sheet of ``t``: headers in ``lang``, the
    columns' number formats and widths. ``shown`` turns the values into what the sheet
    shows (Ukrainian labels …); it runs, like the rest, only when the sheet is written."""

    def columns() -> list[list[object]]:
        frame = shown(df) if shown else df
        n = len(frame)
        return [frame[k].to_numpy(dtype=float if frame[k].dtype.kind == "f" else object)
                .tolist() if k in frame.columns else [None] * n for k in t.column_keys]

    return TableSheet(t.sheet(lang), t.name, t.headers(lang), columns,
                      formats=[c.fmt for c in t.columns], widths=[c.width for c in t.columns],
                      freeze=freeze)
