"""Every file koshtorys writes is an Office Open XML package Excel opens without "repair".

Excel cannot run here, so this file carries its own checker of the invariants Excel
enforces on load (lxml + zipfile only; nothing from ``koshtorys.xlsx`` is used to check):
content types, relationships, sheet names and ids, tables against their header cells,
the worksheet's element order and cell order, styles and number formats, chart
references and caches, calcPr and defined names. It runs on the template, refreshed
workbooks (growing and shrinking tables), a user's own workbook, an .xlsm, the budget
requests, the consolidation and the add-in; a few of them also go through LibreOffice.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from fixtures_xlsx import (
    add_table,
    make_xlsm,
    needs_soffice,
    new_workbook,
    patch_zip,
    put_rows,
    soffice_convert,
)
from lxml import etree
from openpyxl.utils.cell import range_boundaries

from koshtorys.cli import main
from koshtorys.commands import refresh as commands_refresh
from koshtorys.core import schema
from koshtorys.samples import sample_frames

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
OFFICE_DOC = R + "/officeDocument"
MAIN_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ".xlam": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}
WORKSHEET_ORDER = (
    "sheetPr dimension sheetViews sheetFormatPr cols sheetData sheetCalcPr sheetProtection "
    "protectedRanges scenarios autoFilter sortState dataConsolidate customSheetViews "
    "mergeCells phoneticPr conditionalFormatting dataValidations hyperlinks printOptions "
    "pageMargins pageSetup headerFooter rowBreaks colBreaks customProperties cellWatches "
    "ignoredErrors smartTags drawing legacyDrawing legacyDrawingHF picture oleObjects "
    "controls webPublishItems tableParts extLst").split()
WORKBOOK_ORDER = (
    "fileVersion fileSharing workbookPr workbookProtection bookViews sheets functionGroups "
    "externalReferences definedNames calcPr oleSize customWorkbookViews pivotCaches "
    "smartTagPr smartTagTypes webPublishing fileRecoveryPr webPublishObjects extLst").split()
STYLES_ORDER = ("numFmts fonts fills borders cellStyleXfs cellXfs cellStyles dxfs "
                "tableStyles colors extLst").split()
COUNTED = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
           "dxfs")
REL_CONTENT = {  # relationship type -> how the content type of its target ends
    "worksheet": ".worksheet+xml", "table": ".table+xml", "styles": ".styles+xml",
    "sharedStrings": ".sharedStrings+xml", "drawing": ".drawing+xml",
    "chart": ".drawingml.chart+xml", "theme": ".theme+xml", "calcChain": ".calcChain+xml",
    "vbaProject": ".vbaProject", "comments": ".comments+xml",
    "core-properties": "core-properties+xml", "extended-properties": "extended-properties+xml",
}
BAD_SHEET_CHARS = set("[]:*?/\\")
MAX_ROW, MAX_COL = 1_048_576, 16_384
BOOL = {"0", "1", "true", "false"}
CALC_ATTRS = {
    "calcId": r"\d+", "calcMode": r"manual|auto|autoNoTable", "fullCalcOnLoad": "bool",
    "refMode": r"A1|R1C1", "iterate": "bool", "iterateCount": r"\d+",
    "iterateDelta": r"[-+0-9.eE]+", "fullPrecision": "bool", "calcCompleted": "bool",
    "calcOnSave": "bool", "concurrentCalc": "bool", "concurrentManualCount": r"\d+",
    "forceFullCalc": "bool",
}


def q(tag: str, ns: str = M) -> str:
    return f"{{{ns}}}{tag}"


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


# ---------------------------------------------------------------- cell references

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_cell(ref: str) -> tuple[int, int] | None:
    """(row, col) of ``A1`` or ``$A$1``; None when it is not a cell inside the grid."""
    m = _CELL.match(ref)
    if not m:
        return None
    row, col = int(m.group(2)), col_number(m.group(1))
    return (row, col) if row <= MAX_ROW and col <= MAX_COL else None


Box = tuple[int, int, int, int]  # r1, c1, r2, c2


def parse_box(ref: str) -> Box | None:
    """A normalised range ``A1:B2`` (or one cell); None when malformed or inverted."""
    a, _, b = ref.partition(":")
    p, qq = parse_cell(a), parse_cell(b or a)
    if p is None or qq is None or p[0] > qq[0] or p[1] > qq[1]:
        return None
    return p[0], p[1], qq[0], qq[1]


def box_text(b: Box) -> str:
    def letters(n: int) -> str:
        s = ""
        while n:
            n, r = divmod(n - 1, 26)
            s = chr(65 + r) + s
        return s
    return f"{letters(b[1])}{b[0]}:{letters(b[3])}{b[2]}"


def overlap(a: Box, b: Box) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


def inside(inner: Box, outer: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] \
        and inner[3] <= outer[3]


_SHEET_REF = re.compile(r"(?:'((?:[^']|'')+)'|([^\s'!:=(),;&+\-*/^<>\"{}]+))!")


def sheet_refs(formula: str) -> list[tuple[str, str]]:
    """(sheet name, the reference after it) for every ``Sheet!A1:B2`` in a formula."""
    out = []
    for m in _SHEET_REF.finditer(formula):
        name = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
        rest = re.match(r"[$A-Z0-9:]+", formula[m.end():])
        out.append((name, rest.group(0) if rest else ""))
    return out


# ---------------------------------------------------------------- the checker


@dataclass
class SheetFacts:
    """What a worksheet holds, for the checks that cross parts."""

    name: str
    part: str
    cells: dict[tuple[int, int], etree._Element] = field(default_factory=dict)
    used: Box | None = None


class Checker:
    """Collects every violation of one package (a list of readable strings)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []
        with zipfile.ZipFile(path) as z:
            names = [i.filename for i in z.infolist()]
            self.data = {n: z.read(n) for n in names if not n.endswith("/")}
        if len(set(names)) != len(names):
            self.err("package", "duplicate zip entries")
        self.xml: dict[str, etree._Element] = {}
        self.sheets: list[SheetFacts] = []
        self.strings: list[str] = []
        self.types: dict[str, str] = {}

    def err(self, where: str, what: str) -> None:
        self.errors.append(f"{where}: {what}")

    # -- package level
    def parse(self, part: str) -> etree._Element | None:
        if part not in self.data:
            return None  # reported where it is referenced
        if part not in self.xml:
            try:
                self.xml[part] = etree.fromstring(self.data[part])
            except etree.XMLSyntaxError as exc:
                self.err(part, f"not well-formed XML ({exc})")
                return None
        return self.xml[part]

    def content_types(self) -> dict[str, str]:
        root = self.parse("[Content_Types].xml")
        assert root is not None, "no [Content_Types].xml"
        defaults = {d.get("Extension", "").lower(): d.get("ContentType")
                    for d in root.iter(q("Default", CT))}
        overrides = {}
        for o in root.iter(q("Override", CT)):
            name = o.get("PartName", "")
            if name.lower() in {k.lower() for k in overrides}:
                self.err("[Content_Types].xml", f"two Overrides for {name}")
            overrides[name] = o.get("ContentType")
            if name.lstrip("/") not in self.data:
                self.err("[Content_Types].xml", f"Override for missing part {name}")
        types = {}
        for part in self.data:
            if part == "[Content_Types].xml":
                continue
            ext = part.rsplit("/", 1)[-1].rpartition(".")[2].lower()
            ct = overrides.get("/" + part) or defaults.get(ext)
            if ct is None:
                self.err(part, "no content type")
            else:
                types[part] = ct
        self.types = types
        return types

    def rels(self, source: str) -> dict[str, tuple[str, str, bool]]:
        """Relationships of ``source`` ("" for the package): id -> (type, part, external)."""
        d, base = posixpath.split(source)
        name = posixpath.join(d, "_rels", base + ".rels")
        if name not in self.data:
            return {}
        root = self.parse(name)
        out: dict[str, tuple[str, str, bool]] = {}
        for r in [] if root is None else root.iter(q("Relationship", PR)):
            rid, target = r.get("Id", ""), r.get("Target", "")
            external = r.get("TargetMode") == "External"
            if rid in out:
                self.err(name, f"duplicate relationship id {rid}")
            if target.startswith("/"):
                part = target.lstrip("/")
            else:
                part = posixpath.normpath(posixpath.join(d, target))
            out[rid] = (r.get("Type", ""), part, external)
            if not external and part not in self.data:
                self.err(name, f"{rid} targets missing part {target}")
            want = REL_CONTENT.get(r.get("Type", "").rsplit("/", 1)[-1])
            if not external and part in self.types and want and \
                    not self.types[part].endswith(want):
                self.err(name, f"{rid} targets {part} of content type {self.types[part]}")
        return out

    def rel_ids(self, part: str, root: etree._Element) -> None:
        """Every r:id / r:embed / r:link in a part names one of the part's relationships."""
        ids = set(self.rels(part))
        for el in root.iter():
            for k, v in el.attrib.items():
                if k.startswith(f"{{{R}}}") and v not in ids:
                    self.err(part, f"<{etree.QName(el).localname} {etree.QName(k).localname}="
                                   f"{v!r}> has no relationship")

    def all_rels(self) -> None:
        for name in self.data:
            if not name.endswith(".rels"):
                continue
            d, base = posixpath.split(name)
            if posixpath.basename(d) != "_rels":
                self.err(name, "relationships part outside a _rels folder")
                continue
            source = posixpath.join(posixpath.dirname(d), base[: -len(".rels")])
            if source and source not in self.data:
                self.err(name, "orphan relationships (its source part does not exist)")
            self.rels(source)

    # -- the whole package
    def run(self) -> list[str]:
        types = self.content_types()
        self.all_rels()
        for part in self.data:
            if part.endswith((".xml", ".rels")) or types.get(part, "").endswith("xml"):
                root = self.parse(part)
                if root is not None and not part.endswith(".rels"):
                    self.rel_ids(part, root)
        main_parts = [p for t, p, _ in self.rels("").values() if t == OFFICE_DOC]
        if len(main_parts) != 1:
            self.err("_rels/.rels", f"{len(main_parts)} officeDocument relationships")
            return self.errors
        wb = main_parts[0]
        want = MAIN_TYPES.get(self.path.suffix.lower())
        if want and types.get(wb) != want:
            self.err(wb, f"content type {types.get(wb)} does not fit {self.path.suffix}")
        self.workbook(wb, types)
        return self.errors

    def workbook(self, wb: str, types: dict[str, str]) -> None:
        root = self.parse(wb)
        if root is None:
            return
        self.order(wb, root, WORKBOOK_ORDER)
        rels = self.rels(wb)
        by_type = {}
        for t, p, _ in rels.values():
            by_type.setdefault(t.rsplit("/", 1)[-1], []).append(p)
        if ".xlsm" in self.path.suffix or ".xlam" in self.path.suffix:
            if not by_type.get("vbaProject"):
                self.err(wb, "macro-enabled file without a vbaProject relationship")
        sst = by_type.get("sharedStrings", [])
        if sst:
            self.shared_strings(sst[0])
        styles = by_type.get("styles", [])
        n_xf, dxfs = self.styles(styles[0]) if styles else (1, 0)
        seen_names: set[str] = set()
        seen_ids: set[str] = set()
        seen_rids: set[str] = set()
        for s in root.iter(q("sheet")):
            name, sid, rid = s.get("name", ""), s.get("sheetId", ""), s.get(q("id", R), "")
            if not name or len(name) > 31 or BAD_SHEET_CHARS & set(name) \
                    or name.startswith("'") or name.endswith("'") or name.lower() == "history":
                self.err(wb, f"bad sheet name {name!r}")
            if name.lower() in seen_names:
                self.err(wb, f"duplicate sheet name {name!r}")
            if not sid.isdigit() or sid in seen_ids or int(sid) < 1:
                self.err(wb, f"bad or duplicate sheetId {sid!r} ({name})")
            if rid in seen_rids or rid not in rels:
                self.err(wb, f"bad or duplicate r:id {rid!r} ({name})")
            seen_names.add(name.lower())
            seen_ids.add(sid)
            seen_rids.add(rid)
            if rid in rels and rels[rid][0].endswith("/worksheet"):
                self.sheets.append(SheetFacts(name, rels[rid][1]))
        n_sheets = len(root.findall(f"{q('sheets')}/{q('sheet')}"))
        if n_sheets == 0:
            self.err(wb, "no sheets")
        if all(s.get("state", "visible") != "visible" for s in root.iter(q("sheet"))):
            self.err(wb, "no visible sheet")
        for view in root.iter(q("workbookView")):
            if int(view.get("activeTab", "0")) >= n_sheets or \
                    int(view.get("firstSheet", "0")) >= n_sheets:
                self.err(wb, "activeTab/firstSheet beyond the sheets")
        self.calc_pr(wb, root)
        tables: dict[str, list[str]] = {"ids": [], "names": []}
        for sh in self.sheets:
            self.worksheet(sh, n_xf, dxfs, tables)
        for key, vals in tables.items():
            dup = {v for v in vals if vals.count(v) > 1}
            if dup:
                self.err(wb, f"table {key} not unique across the workbook: {sorted(dup)}")
        self.defined_names(wb, root, n_sheets, {n.lower() for n in tables["names"]})
        for chain in by_type.get("calcChain", []):
            self.calc_chain(chain, root)
        for part in self.data:
            if types.get(part, "").endswith("drawingml.chart+xml"):
                self.chart(part)

    def order(self, part: str, root: etree._Element, sequence: list[str]) -> None:
        rank = {n: i for i, n in enumerate(sequence)}
        last = -1
        for child in root:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != M:
                continue
            name = local(child)
            if name not in rank:
                self.err(part, f"unknown element <{name}>")
                continue
            if rank[name] < last:
                self.err(part, f"<{name}> out of schema order")
            last = rank[name]

    def calc_pr(self, wb: str, root: etree._Element) -> None:
        calcs = root.findall(q("calcPr"))
        if len(calcs) > 1:
            self.err(wb, "more than one calcPr")
        for calc in calcs:
            for k, v in calc.attrib.items():
                pattern = CALC_ATTRS.get(k)
                if pattern is None:
                    self.err(wb, f"calcPr has unknown attribute {k}")
                elif pattern == "bool" and v not in BOOL or \
                        pattern != "bool" and not re.fullmatch(pattern, v):
                    self.err(wb, f"calcPr {k}={v!r} is not valid")

    def shared_strings(self, part: str) -> None:
        root = self.parse(part)
        if root is None:
            return
        items = root.findall(q("si"))
        self.strings = ["".join(si.itertext()) for si in items]
        if root.get("uniqueCount") is not None and int(root.get("uniqueCount")) != len(items):
            self.err(part, "uniqueCount differs from the number of <si>")

    def styles(self, part: str) -> tuple[int, int]:
        root = self.parse(part)
        if root is None:
            return 0, 0
        self.order(part, root, STYLES_ORDER)
        n = {}
        for tag in COUNTED:
            el = root.find(q(tag))
            kids = [] if el is None else [k for k in el if isinstance(k.tag, str)]
            n[tag] = len(kids)
            if el is not None and el.get("count") is not None and int(el.get("count")) != len(kids):
                self.err(part, f"{tag} count={el.get('count')} but {len(kids)} children")
        for tag in ("fonts", "fills", "borders", "cellXfs"):
            if n[tag] == 0:
                self.err(part, f"no {tag}")
        ids = [int(f.get("numFmtId", "-1")) for f in root.iter(q("numFmt"))]
        declared = set(ids)
        if len(declared) != len(ids) or any(not f.get("formatCode") for f in root.iter(
                q("numFmt"))):
            self.err(part, f"numFmt ids repeated or a format code empty: {ids}")
        for tag in ("cellStyleXfs", "cellXfs"):
            el = root.find(q(tag))
            for i, xf in enumerate([] if el is None else el.findall(q("xf"))):
                fmt = int(xf.get("numFmtId", "0"))
                if fmt >= 164 and fmt not in declared:
                    self.err(part, f"{tag}[{i}] uses undeclared numFmtId {fmt}")
                for attr, pool in (("fontId", "fonts"), ("fillId", "fills"),
                                   ("borderId", "borders")):
                    if int(xf.get(attr, "0")) >= max(n[pool], 1):
                        self.err(part, f"{tag}[{i}] {attr} beyond {pool}")
                if tag == "cellXfs" and int(xf.get("xfId", "0")) >= max(n["cellStyleXfs"], 1):
                    self.err(part, f"cellXfs[{i}] xfId beyond cellStyleXfs")
        return n["cellXfs"], n["dxfs"]

    # -- worksheets and tables
    def worksheet(self, sh: SheetFacts, n_xf: int, n_dxf: int,
                  tables: dict[str, list[str]]) -> None:
        root = self.parse(sh.part)
        where = f"{sh.part} ({sh.name})"
        if root is None:
            return
        if local(root) != "worksheet":
            self.err(where, f"root is <{local(root)}>")
            return
        self.order(where, root, WORKSHEET_ORDER)
        for tag in WORKSHEET_ORDER:
            if tag != "conditionalFormatting" and len(root.findall(q(tag))) > 1:
                self.err(where, f"more than one <{tag}>")
        data = root.find(q("sheetData"))
        if data is None:
            self.err(where, "no sheetData")
            return
        last_row = 0
        for row in data:
            if local(row) != "row":
                self.err(where, f"<{local(row)}> inside sheetData")
                continue
            r = row.get("r")
            if r is None or not r.isdigit() or not last_row < int(r) <= MAX_ROW:
                self.err(where, f"row r={r!r} missing or not ascending (after {last_row})")
                continue
            last_row = int(r)
            spans = None
            if row.get("spans"):
                lo, _, hi = row.get("spans").partition(":")
                spans = (int(lo), int(hi or lo))
            if float(row.get("ht", "0")) > 409.5:
                self.err(where, f"row {r} higher than 409.5 points")
            if row.get("s") and int(row.get("s")) >= n_xf:
                self.err(where, f"row {r} style {row.get('s')} beyond cellXfs")
            last_col = 0
            for c in row:
                self.cell(where, sh, c, last_row, last_col, spans, n_xf)
                rc = parse_cell(c.get("r", ""))
                if rc is not None:
                    last_col = rc[1]
        if sh.cells:
            rows = [k[0] for k in sh.cells]
            cols = [k[1] for k in sh.cells]
            sh.used = (min(rows), min(cols), max(rows), max(cols))
        dim = root.find(q("dimension"))
        if dim is not None and sh.used is not None:
            box = parse_box(dim.get("ref", ""))
            if box is None or not inside(sh.used, box):
                self.err(where, f"dimension {dim.get('ref')} does not cover "
                                f"{box_text(sh.used)}")
        merges = self.merges(where, root)
        self.counted_lists(where, root, n_dxf)
        self.cols(where, root, n_xf)
        boxes = self.sheet_tables(sh, where, root, tables)
        for t_ref, box in boxes:
            for m in merges:
                if overlap(box, m):
                    self.err(where, f"merged cells {box_text(m)} inside table {t_ref}")
        auto = root.find(q("autoFilter"))
        if auto is not None:
            ab = parse_box(auto.get("ref", ""))
            if ab is None:
                self.err(where, f"bad sheet autoFilter ref {auto.get('ref')}")
            elif any(overlap(ab, b) for _, b in boxes):
                self.err(where, "sheet autoFilter overlaps a table")

    def cell(self, where: str, sh: SheetFacts, c: etree._Element, row: int, last_col: int,
             spans: tuple[int, int] | None, n_xf: int) -> None:
        if local(c) != "c":
            self.err(where, f"<{local(c)}> inside row {row}")
            return
        ref = c.get("r")
        if ref is None:
            self.err(where, f"a cell without r in row {row}")
            return
        rc = parse_cell(ref)
        if rc is None or rc[0] != row:
            self.err(where, f"cell {ref} is not in row {row}")
            return
        if rc[1] <= last_col:
            self.err(where, f"cell {ref} duplicate or not ascending")
        if spans and not spans[0] <= rc[1] <= spans[1]:
            self.err(where, f"cell {ref} outside the row's spans {spans}")
        sh.cells[rc] = c
        if int(c.get("s", "0")) >= n_xf:
            self.err(where, f"cell {ref} style {c.get('s')} beyond cellXfs ({n_xf})")
        t = c.get("t", "n")
        if t not in {"b", "d", "e", "inlineStr", "n", "s", "str"}:
            self.err(where, f"cell {ref} has type {t!r}")
        kids = [local(k) for k in c]
        if kids != sorted(kids, key=["f", "v", "is", "extLst"].index):
            self.err(where, f"cell {ref} children out of order {kids}")
        if t == "inlineStr" and "is" not in kids and "f" not in kids:
            self.err(where, f"inline string cell {ref} without <is>")
        if t != "inlineStr" and "is" in kids:
            self.err(where, f"cell {ref} has <is> but t={t}")
        v = c.find(q("v"))
        if t == "s":
            if v is None or not (v.text or "").isdigit() or int(v.text) >= len(self.strings):
                self.err(where, f"cell {ref} shared string index beyond the table")
        elif t == "n" and v is not None and (v.text or c.find(q("f")) is None):
            try:
                ok = math.isfinite(float(v.text or ""))
            except ValueError:
                ok = False
            if not ok:
                self.err(where, f"cell {ref} number {v.text!r}")
        if t in ("inlineStr", "str") and len("".join(c.itertext())) > 32_767:
            self.err(where, f"cell {ref} text longer than 32767 characters")
        f = c.find(q("f"))
        if f is not None and len(f.text or "") > 8_192:
            self.err(where, f"cell {ref} formula longer than 8192 characters")
        elif t == "b" and v is not None and v.text not in {"0", "1"}:
            self.err(where, f"cell {ref} boolean {v.text!r}")

    def merges(self, where: str, root: etree._Element) -> list[Box]:
        out: list[Box] = []
        for m in root.iter(q("mergeCell")):
            b = parse_box(m.get("ref", ""))
            if b is None or b[:2] == b[2:]:
                self.err(where, f"bad merge {m.get('ref')}")
                continue
            if any(overlap(b, o) for o in out):
                self.err(where, f"overlapping merge {m.get('ref')}")
            out.append(b)
        return out

    def counted_lists(self, where: str, root: etree._Element, n_dxf: int) -> None:
        for tag in ("mergeCells", "dataValidations", "hyperlinks", "rowBreaks", "colBreaks"):
            el = root.find(q(tag))
            if el is not None and el.get("count") is not None and int(el.get("count")) != len(el):
                self.err(where, f"{tag} count={el.get('count')} but {len(el)} children")
        for el in root.iter(q("conditionalFormatting"), q("dataValidation")):
            refs = el.get("sqref", "").split()
            if not refs or any(parse_box(r) is None for r in refs):
                self.err(where, f"bad sqref {el.get('sqref')!r}")
        for dv in root.iter(q("dataValidation")):
            f1 = dv.find(q("formula1"))
            text = "" if f1 is None else f1.text or ""
            if dv.get("type") == "list" and text.startswith('"') and len(text) - 2 > 255:
                self.err(where, f"list validation {dv.get('sqref')} longer than 255 characters")
            if dv.get("type") not in (None, "none", "any") and f1 is None:
                self.err(where, f"validation {dv.get('sqref')} without formula1")
        for rule in root.iter(q("cfRule")):
            if rule.get("dxfId") is not None and int(rule.get("dxfId")) >= n_dxf:
                self.err(where, f"cfRule dxfId {rule.get('dxfId')} beyond dxfs")

    def cols(self, where: str, root: etree._Element, n_xf: int) -> None:
        last = 0
        for col in root.iter(q("col")):
            lo, hi = int(col.get("min", "0")), int(col.get("max", "0"))
            if not last < lo <= hi <= MAX_COL:
                self.err(where, f"col {lo}:{hi} overlapping, unsorted or outside the grid")
            last = max(last, hi)
            if float(col.get("width", "0")) > 255:
                self.err(where, f"col {lo}:{hi} wider than 255")
            if int(col.get("style", "0")) >= n_xf:
                self.err(where, f"col {lo}:{hi} style beyond cellXfs")

    def sheet_tables(self, sh: SheetFacts, where: str, root: etree._Element,
                     tables: dict[str, list[str]]) -> list[tuple[str, Box]]:
        rels = self.rels(sh.part)
        table_rels = {rid for rid, (t, _, _) in rels.items() if t.endswith("/table")}
        parts = root.find(q("tableParts"))
        listed = [] if parts is None else [tp.get(q("id", R)) for tp in parts]
        if parts is not None and int(parts.get("count", len(listed))) != len(listed):
            self.err(where, "tableParts count differs from its children")
        if sorted(listed) != sorted(table_rels):
            self.err(where, f"tableParts {listed} do not match the table relationships "
                            f"{sorted(table_rels)}")
        for el in root.iter(q("drawing"), q("legacyDrawing"), q("hyperlink")):
            rid = el.get(q("id", R))
            if rid is not None and rid not in rels:
                self.err(where, f"<{local(el)}> r:id {rid} has no relationship")
        boxes: list[tuple[str, Box]] = []
        for rid in listed:
            if rid not in rels:
                continue
            box = self.table(sh, rels[rid][1], tables)
            if box is None:
                continue
            for ref, other in boxes:
                if overlap(box, other):
                    self.err(where, f"tables {ref} and {box_text(box)} overlap")
            boxes.append((box_text(box), box))
        return boxes

    def table(self, sh: SheetFacts, part: str, tables: dict[str, list[str]]) -> Box | None:
        root = self.parse(part)
        if root is None:
            return None
        name, display = root.get("name", ""), root.get("displayName", "")
        where = f"{part} ({display} on {sh.name})"
        tables["ids"].append(root.get("id", ""))
        tables["names"].append(display.lower())
        if name.lower() != display.lower():
            tables["names"].append(name.lower())
        if not re.fullmatch(r"[A-Za-z_\\][A-Za-z0-9_.\\]*", display or "?") or \
                parse_cell(display.upper()) is not None or len(display) > 255:
            self.err(where, f"bad table name {display!r}")
        if not (root.get("id") or "").isdigit():
            self.err(where, f"bad table id {root.get('id')!r}")
        box = parse_box(root.get("ref", ""))
        if box is None:
            self.err(where, f"bad ref {root.get('ref')!r}")
            return None
        header_rows = int(root.get("headerRowCount", "1"))
        totals = int(root.get("totalsRowCount", "0"))
        if box[2] - box[0] + 1 < header_rows + totals + (1 if header_rows else 0) \
                and header_rows:
            self.err(where, f"ref {root.get('ref')} has no data row")
        auto = root.find(q("autoFilter"))
        if auto is not None:
            want = box_text((box[0], box[1], box[2] - totals, box[3]))
            if parse_box(auto.get("ref", "")) != parse_box(want):
                self.err(where, f"autoFilter {auto.get('ref')} != {want}")
        sort = root.find(q("sortState"))
        if sort is not None and (parse_box(sort.get("ref", "")) is None
                                 or not inside(parse_box(sort.get("ref", "")), box)):
            self.err(where, f"sortState {sort.get('ref')} outside the table")
        cols_el = root.find(q("tableColumns"))
        cols = [] if cols_el is None else cols_el.findall(q("tableColumn"))
        width = box[3] - box[1] + 1
        if cols_el is None or int(cols_el.get("count", "-1")) != len(cols) or len(cols) != width:
            count = None if cols_el is None else cols_el.get("count")
            self.err(where, f"tableColumns count {count}, {len(cols)} columns, "
                            f"ref width {width}")
        names = [c.get("name", "") for c in cols]
        ids = [c.get("id") for c in cols]
        if len({n.lower() for n in names}) != len(names) or len(set(ids)) != len(ids):
            self.err(where, f"column names or ids not unique: {names}")
        if header_rows:
            for j, col_name in enumerate(names):
                head = sh.cells.get((box[0], box[1] + j))
                if head is not None and head.find(q("f")) is not None:
                    self.err(where, f"header cell of column {col_name!r} holds a formula")
                got = self.cell_text(sh, (box[0], box[1] + j))
                if got != col_name:
                    self.err(where, f"column {j + 1} is named {col_name!r} but its header "
                                    f"cell holds {got!r}")
        return box

    def cell_text(self, sh: SheetFacts, rc: tuple[int, int]) -> str | None:
        """The text a header cell shows; None for a blank or non-text cell."""
        c = sh.cells.get(rc)
        if c is None:
            return None
        t = c.get("t", "n")
        if t == "s":
            v = c.find(q("v"))
            return self.strings[int(v.text)] if v is not None and int(v.text) < len(
                self.strings) else None
        if t == "inlineStr":
            is_ = c.find(q("is"))
            return None if is_ is None else "".join(t.text or "" for t in is_.iter(q("t")))
        if t == "str":
            v = c.find(q("v"))
            return None if v is None else v.text or ""
        return None

    # -- names and charts
    def defined_names(self, wb: str, root: etree._Element, n_sheets: int,
                      table_names: set[str]) -> None:
        sheet_names = {s.get("name", "").lower() for s in root.iter(q("sheet"))}
        seen: set[tuple[str, str]] = set()
        for dn in root.iter(q("definedName")):
            name, scope = dn.get("name", ""), dn.get("localSheetId", "")
            if (name.lower(), scope) in seen:
                self.err(wb, f"defined name {name} twice in one scope")
            seen.add((name.lower(), scope))
            if name.lower() in table_names:
                self.err(wb, f"defined name {name} clashes with a table")
            if name.startswith("_xlnm.") and not scope:
                self.err(wb, f"built-in name {name} without localSheetId")
            if scope and int(scope) >= n_sheets:
                self.err(wb, f"defined name {name} scoped to a missing sheet")
            for sheet, _ in sheet_refs(dn.text or ""):
                if sheet.lower() not in sheet_names:
                    self.err(wb, f"defined name {name} refers to missing sheet {sheet!r}")

    def calc_chain(self, part: str, wb_root: etree._Element) -> None:
        """Every calcChain entry must be a formula cell: Excel repairs the part otherwise."""
        root = self.parse(part)
        if root is None:
            return
        by_id = {}
        for s in wb_root.iter(q("sheet")):
            facts = next((f for f in self.sheets if f.name == s.get("name")), None)
            by_id[s.get("sheetId")] = facts
        sheet_id = None
        for c in root.iter(q("c")):
            sheet_id = c.get("i", sheet_id)
            facts = by_id.get(sheet_id)
            rc = parse_cell(c.get("r", ""))
            cell = None if facts is None or rc is None else facts.cells.get(rc)
            if cell is None or cell.find(q("f")) is None:
                self.err(part, f"entry {c.get('r')} of sheet {sheet_id} is not a formula cell")

    def chart(self, part: str) -> None:
        root = self.parse(part)
        if root is None:
            return
        facts = {s.name.lower(): s for s in self.sheets}
        for ref_el in root.iter(q("numRef", C), q("strRef", C)):
            f = ref_el.find(q("f", C))
            text = (f.text or "") if f is not None else ""
            refs = sheet_refs(text)
            if len(refs) != 1:
                self.err(part, f"c:f {text!r} is not one sheet reference")
                continue
            sheet, rng = refs[0]
            sh = facts.get(sheet.lower())
            box = parse_box(rng.replace("$", ""))
            if sh is None:
                self.err(part, f"c:f {text!r} names a missing sheet")
                continue
            if box is None or sh.used is None or not inside(box, sh.used):
                self.err(part, f"c:f {text!r} is outside the sheet's used range "
                               f"{box_text(sh.used) if sh.used else None}")
                continue
            cache = ref_el.find(q("numCache", C))
            if cache is None:
                cache = ref_el.find(q("strCache", C))
            if cache is None:
                continue
            pts = cache.findall(q("pt", C))
            count_el = cache.find(q("ptCount", C))
            count = int(count_el.get("val", "-1")) if count_el is not None else -1
            n_cells = (box[2] - box[0] + 1) * (box[3] - box[1] + 1)
            idx = [int(p.get("idx", "-1")) for p in pts]
            if count != n_cells:
                self.err(part, f"{text}: ptCount {count} but the range has {n_cells} cells")
            if len(set(idx)) != len(idx) or any(not 0 <= i < count for i in idx) \
                    or idx != sorted(idx):
                self.err(part, f"{text}: cache points {idx} do not fit ptCount {count}")
            # a point whose cell holds a value must be cached (Excel shows the cache)
            filled = sum(1 for rc in _cells_of(box) if _has_value(sh.cells.get(rc)))
            if len(pts) < filled:
                self.err(part, f"{text}: {len(pts)} cached points for {filled} filled cells")


def _cells_of(b: Box) -> Iterator[tuple[int, int]]:
    for r in range(b[0], b[2] + 1):
        for c in range(b[1], b[3] + 1):
            yield r, c


def _has_value(c: etree._Element | None) -> bool:
    return c is not None and (c.find(q("v")) is not None or c.find(q("is")) is not None)


def violations(path: Path) -> list[str]:
    """Every invariant of Excel's loader that ``path`` breaks."""
    return Checker(path).run()


# ---------------------------------------------------------------- the files koshtorys writes

INPUTS = ("tblSettings", "tblServices", "tblStaff", "tblTime", "tblCosts", "tblPlan",
          "tblActuals", "tblNeeds", "tblSources")


def _run(*argv: str) -> int:
    code = main(list(argv))
    assert code in (0, 1), f"koshtorys {' '.join(argv)} exited {code}"
    return code


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def _rows(frame: object) -> list[list[object]]:
    df = frame.astype(object)  # type: ignore[attr-defined]
    return [[None if v is None or v != v else v for v in row] for row in df.values.tolist()]


def _shrink_inputs(path: Path, keep: int) -> None:
    """What a user does with openpyxl (or by hand): delete all but ``keep`` data rows of
    every input table except the settings, shrinking the table with them."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for t in ws.tables.values():
            if t.displayName not in INPUTS or t.displayName == "tblSettings":
                continue
            c1, r1, c2, r2 = range_boundaries(t.ref)
            last = max(r1 + keep, r1 + 1)
            for row in ws.iter_rows(min_row=last + 1, max_row=r2, min_col=c1, max_col=c2):
                for cell in row:
                    cell.value = None
            t.ref = f"{ws.cell(r1, c1).coordinate}:{ws.cell(last, c2).coordinate}"
            if t.autoFilter is not None:
                t.autoFilter.ref = t.ref
    wb.save(path)


def _user_book(path: Path, rows: int | None) -> Path:
    """A user's own workbook: only input tables (the first ``rows`` of the sample), not at
    A1, columns in their own order plus a column of their own, two tables on one sheet."""
    frames = sample_frames()
    wb = new_workbook()
    wb.create_sheet("Нотатки")["A1"] = "мої нотатки"
    shared = wb.create_sheet("Програма")
    col = 2
    for name in INPUTS:
        t = schema.table(name)
        df = frames[name] if name == "tblSettings" or rows is None else frames[name].head(rows)
        keys = list(reversed(t.column_keys)) if name in ("tblStaff", "tblCosts") \
            else list(t.column_keys)
        heads = [t.column(k).header("uk") for k in keys]  # type: ignore[arg-type]
        body = _rows(df[keys])
        if name == "tblStaff":
            heads.append("Примітка")
            body = [[*r, "моя"] for r in body]
        if name in ("tblNeeds", "tblSources"):
            ws, top, left = shared, 3, col
            col += len(heads) + 2
        else:
            ws, top, left = wb.create_sheet(t.sheet("uk")[:25] + " (мій)"), 3, 2
        put_rows(ws, f"{ws.cell(top, left).coordinate}", [heads, *body])
        last = ws.cell(top + max(len(body), 1), left + len(heads) - 1).coordinate
        add_table(ws, name, f"{ws.cell(top, left).coordinate}:{last}")
    wb.save(path)
    return path


def _grow_user_book(path: Path) -> None:
    """Put the whole sample into the user's input tables (openpyxl, tables grow)."""
    frames = sample_frames()
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for t in list(ws.tables.values()):
            if t.displayName not in INPUTS or t.displayName == "tblSettings":
                continue
            c1, r1, c2, _ = range_boundaries(t.ref)
            heads = [ws.cell(r1, c).value for c in range(c1, c2 + 1)]
            tdef = schema.table(t.displayName)
            key_of = {c.header("uk"): c.key for c in tdef.columns}
            df = frames[t.displayName]
            body = [[row.get(key_of.get(h), "моя") for h in heads]
                    for row in df.astype(object).to_dict("records")]
            put_rows(ws, ws.cell(r1 + 1, c1).coordinate,
                     [[None if v != v else v for v in r] for r in body])
            t.ref = f"{ws.cell(r1, c1).coordinate}:{ws.cell(r1 + len(body), c2).coordinate}"
            if t.autoFilter is not None:
                t.autoFilter.ref = t.ref
    wb.save(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """label -> a file written by koshtorys (the state after the labelled step)."""
    d = tmp_path_factory.mktemp("ooxml")
    out: dict[str, Path] = {}
    for lang in ("uk", "en"):
        for sample in (False, True):
            label = f"new_{lang}{'_sample' if sample else ''}"
            p = d / f"{label}.xlsx"
            _run("new", str(p), "--lang", lang, *(["--sample"] if sample else []))
            out[label] = _copy(p, d / f"{label}.keep.xlsx")
            _run("refresh", str(p))
            out[f"{label}_refreshed"] = _copy(p, d / f"{label}.r1.xlsx")
            _run("refresh", str(p))
            out[f"{label}_refreshed_twice"] = _copy(p, d / f"{label}.r2.xlsx")
            if sample:
                _shrink_inputs(p, keep=1)
                _run("refresh", str(p))
                out[f"{label}_shrunk"] = _copy(p, d / f"{label}.shrunk.xlsx")
    # only-execution refresh and check on a fresh sample
    p = _copy(out["new_uk_sample"], d / "only.xlsx")
    _run("refresh", str(p), "--only", "execution")
    _run("check", str(p))
    out["uk_sample_only_execution_check"] = p
    # import-actuals edits tblActuals in place (new months, and a row it appends)
    p = _copy(out["new_uk_sample_refreshed"], d / "imported.xlsx")
    rep = d / "plain.csv"
    rep.write_text("kpkvk,kekv,fund,month,amount\n0813104,2273,general,2025-04,1234.5\n"
                   "0813104,2800,special,2025-05,99\n", encoding="utf-8")
    _run("import-actuals", str(p), str(rep))
    _run("refresh", str(p))
    out["imported_actuals_refreshed"] = p
    # a user's own workbook: refresh creates the output sheets; then the inputs grow
    p = _user_book(d / "user.xlsx", rows=1)
    _run("refresh", str(p))
    out["user_refreshed_small"] = _copy(p, d / "user.r1.xlsx")
    _grow_user_book(p)
    _run("refresh", str(p))
    out["user_grown"] = _copy(p, d / "user.r2.xlsx")
    # an .xlsm with a real VBA project
    xlsm = make_xlsm(out["new_uk_sample"], d / "macro.xlsm")
    _run("refresh", str(xlsm))
    _run("refresh", str(xlsm))
    out["xlsm_refreshed"] = xlsm
    # budget requests, the consolidation and the add-in
    req = d / "requests"
    _run("request", str(out["new_uk_sample_refreshed"]), "--outdir", str(req))
    for i, r in enumerate(sorted(req.glob("*.xlsx"))):
        out[f"request_{i}"] = r
    cons = d / "cons"
    cons.mkdir()
    _copy(out["new_uk_sample_refreshed"], cons / "a.xlsx")
    _copy(out["new_en_sample_refreshed"], cons / "b.xlsx")
    _copy(out["user_grown"], cons / "c.xlsx")
    _run("consolidate", str(cons), "--out", str(d / "consolidated.xlsx"))
    out["consolidated"] = d / "consolidated.xlsx"
    _run("addin", "build", "--outdir", str(d / "addin"))
    out["addin"] = d / "addin" / "koshtorys.xlam"
    return out


LABELS = [f"new_{lang}{s}{step}" for lang in ("uk", "en") for s in ("", "_sample")
          for step in ("", "_refreshed", "_refreshed_twice")] + [
    "new_uk_sample_shrunk", "new_en_sample_shrunk", "uk_sample_only_execution_check",
    "imported_actuals_refreshed",
    "user_refreshed_small", "user_grown", "xlsm_refreshed", "request_0", "consolidated",
    "addin"]


@pytest.mark.parametrize("label", LABELS)
def test_file_is_valid_ooxml(files: dict[str, Path], label: str) -> None:
    assert violations(files[label]) == []


def test_every_request_is_valid(files: dict[str, Path]) -> None:
    requests = [k for k in files if k.startswith("request_")]
    assert len(requests) == 3  # one per КПКВК of the sample
    for k in requests:
        assert violations(files[k]) == [], k


CALC_CHAIN_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
CALC_CHAIN_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"


def _with_formula_output(path: Path, rows: int) -> Path:
    """The user's workbook plus tblCostByKekv holding ``rows`` rows, a calculated column
    and a totals row of their own, saved as Excel saves it: with a calcChain part."""
    from openpyxl.worksheet.table import AutoFilter, Table, TableColumn, TableFormula

    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Видатки за КЕКВ")
    t = schema.table("tblCostByKekv")
    heads = [*t.headers("uk"), "Подвоєно"]
    amount = t.column("amount").header("uk")
    body = [["0813104", f"2{i:03d}", "general", 100 + i, f"=[@{amount}]*2"]
            for i in range(rows)]
    total = ["Разом", None, None, f"=SUBTOTAL(109,tblCostByKekv[{amount}])", None]
    put_rows(ws, "A1", [heads, *body, total])
    last = rows + 2
    tbl = Table(displayName="tblCostByKekv", ref=f"A1:E{last}", totalsRowCount=1,
                autoFilter=AutoFilter(ref=f"A1:E{last - 1}"))
    tbl.tableColumns = [TableColumn(id=i + 1, name=h) for i, h in enumerate(heads)]
    tbl.tableColumns[0].totalsRowLabel = "Разом"
    tbl.tableColumns[3].totalsRowFunction = "sum"
    tbl.tableColumns[4].calculatedColumnFormula = TableFormula(
        attr_text=f"tblCostByKekv[[#This Row],[{amount}]]*2")
    ws.add_table(tbl)
    wb.save(path)
    sheet_id = wb.sheetnames.index(ws.title) + 1  # openpyxl numbers sheets in order
    cells = [f"E{r}" for r in range(2, rows + 2)] + [f"D{last}"]
    chain = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{M}">'
             + "".join(f'<c r="{c}" i="{sheet_id}"/>' for c in cells) + "</calcChain>")

    def ctypes(xml: bytes) -> bytes:
        return xml.replace(b"</Types>", f'<Override PartName="/xl/calcChain.xml" '
                                        f'ContentType="{CALC_CHAIN_CT}"/></Types>'.encode())

    def rels(xml: bytes) -> bytes:
        return xml.replace(b"</Relationships>", f'<Relationship Id="rIdChain" Type="'
                           f'{CALC_CHAIN_REL}" Target="calcChain.xml"/></Relationships>'.encode())

    return patch_zip(path, {"[Content_Types].xml": ctypes, "xl/_rels/workbook.xml.rels": rels,
                            "xl/calcChain.xml": chain.encode()})


def test_calc_chain_stays_true_when_a_formula_table_shrinks(tmp_path: Path) -> None:
    """Excel saves a calcChain; when refresh shrinks a table whose rows held the user's
    formulas, a stale chain would make Excel repair the file."""
    p = _with_formula_output(_user_book(tmp_path / "f.xlsx", rows=None), rows=30)
    assert violations(p) == []  # what Excel would have saved is valid
    _run("refresh", str(p))
    assert violations(p) == []
    ws = openpyxl.load_workbook(p)["Видатки за КЕКВ"]
    # the sample's (kpkvk, kekv, fund) lines: its costs', and pay and ЄСВ per program
    f = sample_frames()
    lines = {(k, e, fu) for k, e, fu in zip(f["tblCosts"]["kpkvk"], f["tblCosts"]["kekv"],
                                            f["tblCosts"]["fund"], strict=True)}
    lines |= {(k, e, "general") for k in set(f["tblStaff"]["kpkvk"]) for e in ("2111", "2120")}
    n = len(lines)  # 30 rows shrank to n, the totals row below them
    assert ws.tables["tblCostByKekv"].ref == f"A1:E{n + 2}"
    assert ws[f"E{n + 1}"].value == "=[@Сума]*2"
    assert ws[f"D{n + 2}"].value.startswith("=SUBTOTAL")
    with zipfile.ZipFile(p) as z:
        assert "xl/calcChain.xml" not in z.namelist()  # Excel rebuilds it on open


# ---------------------------------------------------------------- the checker catches breakage

SHEET, TABLE, CHART = "xl/worksheets/sheet2.xml", "xl/tables/table2.xml", "xl/charts/chart1.xml"
MERGE = '<mergeCells count="1"><mergeCell ref="A5:B5"/></mergeCells><dataValidations'
MUTATIONS: list[tuple[str, str, str, str, str]] = [
    # (what, part, regex, replacement, expected violation)
    ("column name", TABLE, r'(tableColumn id="1" name=")[^"]*', r"\1Код", "header cell holds"),
    ("table id", TABLE, r'id="2" name=', 'id="1" name=', "table ids not unique"),
    ("table name", TABLE, r'"tblServices"', '"tblStaff"', "table names not unique"),
    ("autoFilter", TABLE, r'<autoFilter ref="A3:H12"', '<autoFilter ref="A3:H11"',
     "autoFilter A3:H11"),
    ("column count", TABLE, r'tableColumns count="8"', 'tableColumns count="9"',
     "tableColumns count"),
    ("table ref", TABLE, r'ref="A3:H12"', 'ref="A3:G12"', "ref width 7"),
    ("element order", SHEET, r"(<dimension [^>]*/>)(.*</sheetData>)", r"\2\1",
     "out of schema order"),
    ("dimension", SHEET, r'<dimension ref="[^"]*"', '<dimension ref="A1:B2"', "does not cover"),
    ("style index", SHEET, r'(<c r="D4") s="\d+"', r'\1 s="999"', "beyond cellXfs"),
    ("duplicate cell", SHEET, r'<c r="B4"', '<c r="A4"', "duplicate or not ascending"),
    ("row order", SHEET, r'<row r="5"', '<row r="3"', "not ascending"),
    ("inline string", SHEET, r'(<c r="A4" t="inlineStr">)<is>.*?</is>', r"\1",
     "without <is>"),
    ("number", SHEET, r'(<c r="D4"[^>]*><v>)[^<]*', r"\1nan", "number 'nan'"),
    ("merge in table", SHEET, "<dataValidations", MERGE, "inside table"),
    ("content type", "[Content_Types].xml", r'<Override PartName="/xl/tables/table2.xml"[^>]*/>',
     "", "of content type application/xml"),
    ("rel target", "xl/worksheets/_rels/sheet2.xml.rels", "table2.xml", "table99.xml",
     "targets missing part"),
    ("chart sheet", CHART, r"'Виконання \(підсумок\)'!\$R\$4", "'Нема'!$R$4", "missing sheet"),
    ("chart range", CHART, r"\$S\$4:\$S\$6", "$S$4:$S$60", "outside the sheet's used range"),
    ("ptCount", CHART, r'<ptCount val="3"/>', '<ptCount val="4"/>', "ptCount 4"),
    ("styles count", "xl/styles.xml", r'<fonts count="\d+"', '<fonts count="9"', "fonts count"),
    ("numFmt", "xl/styles.xml", r'<numFmt numFmtId="164"', '<numFmt numFmtId="300"',
     "undeclared numFmtId 164"),
    ("defined name", "xl/workbook.xml", r">'Налаштування'!\$1:\$3<", ">'Нема'!$1:$3<",
     "missing sheet 'Нема'"),
    ("sheet name", "xl/workbook.xml", r'name="Послуги"', 'name="Налаштування"',
     "duplicate sheet name"),
    ("sheet char", "xl/workbook.xml", r'name="Послуги"', 'name="Пос/луги"', "bad sheet name"),
    ("sheetId", "xl/workbook.xml", r'sheetId="2"', 'sheetId="1"', "sheetId"),
    ("calcPr", "xl/workbook.xml", r'fullCalcOnLoad="1"', 'fullCalcOnLoad="yes"', "calcPr"),
]


@pytest.mark.parametrize("what,part,pattern,repl,expected", MUTATIONS,
                         ids=[m[0] for m in MUTATIONS])
def test_checker_finds_a_broken_file(files: dict[str, Path], tmp_path: Path, what: str,
                                     part: str, pattern: str, repl: str, expected: str) -> None:
    def edit(xml: bytes) -> bytes:
        text, n = re.subn(pattern, repl, xml.decode(), count=1, flags=re.S)
        assert n == 1, f"{what}: {pattern} not in {part}"
        return text.encode()

    broken = patch_zip(files["new_uk_sample_refreshed"], {part: edit}, tmp_path / "b.xlsx")
    found = violations(broken)
    assert any(expected in v for v in found), found


def test_checker_finds_orphans_and_overlaps(files: dict[str, Path], tmp_path: Path) -> None:
    rels = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
    broken = patch_zip(files["new_uk_sample_refreshed"], {
        "xl/worksheets/_rels/sheet99.xml.rels": rels,
        "xl/tables/table18.xml": lambda x: x.replace(b'ref="R3:T6"', b'ref="N3:P6"')
        .replace(b'<autoFilter ref="R3:T6"', b'<autoFilter ref="N3:P6"'),
    }, tmp_path / "b.xlsx")
    found = violations(broken)
    assert any("orphan relationships" in v for v in found), found
    assert any("overlap" in v for v in found), found


@needs_soffice
def test_libreoffice_opens_representative_files(files: dict[str, Path], tmp_path: Path) -> None:
    """A second, independent reader: LibreOffice converts them and keeps sheets and tables."""
    for label in ("new_uk_sample_shrunk", "user_grown", "xlsm_refreshed", "request_0"):
        src = files[label]
        out = soffice_convert(src, tmp_path / label, tmp_path / "profile")
        before, after = openpyxl.load_workbook(src), openpyxl.load_workbook(out)
        assert after.sheetnames == before.sheetnames, label
        tables = {t.displayName: t.ref for ws in after for t in ws.tables.values()}
        assert tables == {t.displayName: t.ref for ws in before for t in ws.tables.values()}, \
            label


X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _excel_like(path: Path) -> Path:
    """Give every worksheet what Excel writes and openpyxl does not: ``mc:Ignorable``
    x14ac, and on each row ``spans`` (per block of 16 rows) and ``x14ac:dyDescent``."""
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]

    def edit(xml: bytes) -> bytes:
        text = xml.decode()
        if "mc:Ignorable" not in text[:2000]:
            text = re.sub(r"<worksheet ", f'<worksheet xmlns:mc="{MC}" mc:Ignorable="x14ac" '
                                          f'xmlns:x14ac="{X14AC}" ', text, count=1)
        text = re.sub(r'(<row [^>]*?) (?:spans|x14ac:dyDescent)="[^"]*"', r"\1", text)
        text = re.sub(r'(<row [^>]*?) (?:spans|x14ac:dyDescent)="[^"]*"', r"\1", text)
        rows = list(re.finditer(r'<row r="(\d+)"([^>]*?)(/?)>(.*?)(?:</row>|(?<=/>))', text,
                                flags=re.S))
        block: dict[int, list[int]] = {}
        for m in rows:
            cols = [col_number(c) for c in re.findall(r'<c r="([A-Z]+)\d+"', m.group(4))]
            if cols:
                b = block.setdefault((int(m.group(1)) - 1) // 16, [10**6, 0])
                b[0], b[1] = min(b[0], *cols), max(b[1], *cols)
        for m in reversed(rows):
            b = block.get((int(m.group(1)) - 1) // 16)
            spans = f' spans="{b[0]}:{b[1]}"' if b else ""
            head = f'<row r="{m.group(1)}"{spans}{m.group(2)} x14ac:dyDescent="0.25"'
            text = text[:m.start()] + head + text[m.start() + len(f'<row r="{m.group(1)}"')
                                                  + len(m.group(2)):]
        return text.encode()

    return patch_zip(path, {s: edit for s in sheets})


def test_excel_saved_rows_grow_and_shrink(files: dict[str, Path], tmp_path: Path) -> None:
    """Rows as Excel saves them (spans, x14ac attributes) stay valid when refresh grows
    the output tables over them and when it shrinks them again."""
    import pandas as pd

    from koshtorys.xlsx import FileBook

    p = _excel_like(_copy(files["new_uk_sample"], tmp_path / "x.xlsx"))
    assert violations(p) == []
    _run("refresh", str(p))
    assert violations(p) == []
    p = _excel_like(p)
    book = FileBook.open(p)
    outputs = commands_refresh.refresh(book).outputs
    book.write_tables({k: df.head(1) for k, df in outputs.items()}, "uk")
    book.save()
    assert violations(p) == []
    p = _excel_like(p)
    book = FileBook.open(p)
    book.write_tables({k: pd.concat([df, df], ignore_index=True) for k, df in outputs.items()},
                      "uk")
    book.save()
    assert violations(p) == []
    wb = openpyxl.load_workbook(p)
    refs = {t.displayName: t.ref for ws in wb for t in ws.tables.values()}
    n = len(outputs["tblUnitCosts"])
    assert refs["tblUnitCosts"] == f"A3:N{3 + 2 * n}"
