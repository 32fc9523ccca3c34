"""Builders of real test workbooks, zip-level patches, and LibreOffice conversion.

Workbooks are made with openpyxl (which writes formulas without cached values); where a
test needs what Excel would have saved, cached values, sparklines or a VBA project are
injected into the zip directly, the way Excel stores them.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import xlwings
from openpyxl import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not on PATH")

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
VBA_CT = "application/vnd.ms-office.vbaProject"
XLSM_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

SPARKLINES = (
    '<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:sparklineGroup displayEmptyCellsAs="gap" markers="1">'
    '<x14:colorSeries rgb="FF376092"/><x14:colorNegative rgb="FFD00000"/>'
    '<x14:colorAxis rgb="FF000000"/><x14:colorMarkers rgb="FFD00000"/>'
    '<x14:colorFirst rgb="FFD00000"/><x14:colorLast rgb="FFD00000"/>'
    '<x14:colorHigh rgb="FFD00000"/><x14:colorLow rgb="FFD00000"/>'
    "<x14:sparklines>{items}</x14:sparklines></x14:sparklineGroup></x14:sparklineGroups>"
    "</ext></extLst>"
)


def add_table(ws, name: str, ref: str, style: str = "TableStyleMedium2") -> Table:
    """An Excel table over ``ref`` (header row included) on ``ws``."""
    t = Table(displayName=name, ref=ref)
    t.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True)
    ws.add_table(t)
    return t


def put_rows(ws, top_left: str, rows: list[list[object]]) -> None:
    """Write ``rows`` starting at ``top_left``."""
    m = re.match(r"([A-Z]+)(\d+)", top_left)
    assert m
    from openpyxl.utils import column_index_from_string

    c0, r0 = column_index_from_string(m.group(1)), int(m.group(2))
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                ws.cell(r0 + i, c0 + j, v)


def entries(path: Path) -> dict[str, bytes]:
    """Every zip entry's content, by name."""
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def infos(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: i for i in z.infolist()}


def sheet_part(path: Path, sheet: str) -> str:
    """The worksheet part name of ``sheet``."""
    from koshtorys.xlsx.index import WorkbookIndex
    from koshtorys.xlsx.package import Package

    idx = WorkbookIndex(Package(path.read_bytes()))
    return next(s.part for s in idx.sheets if s.name == sheet)


Edit = bytes | Callable[[bytes], bytes]


def patch_zip(path: Path, edits: Mapping[str, Edit], out: Path | None = None) -> Path:
    """Rewrite the archive with some entries replaced (bytes, or a function of the old
    bytes) or added (names not present yet)."""
    out = out or path
    data = path.read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        seen = set()
        for info in src.infolist():
            content = src.read(info)
            if info.filename in edits:
                e = edits[info.filename]
                content = e(content) if callable(e) else e
            seen.add(info.filename)
            dst.writestr(info, content, zipfile.ZIP_DEFLATED)
        for name, e in edits.items():
            if name not in seen:
                assert not callable(e), name
                dst.writestr(name, e)
    out.write_bytes(buf.getvalue())
    return out


def set_cached_values(path: Path, sheet: str, values: Mapping[str, object]) -> None:
    """Give formula cells the cached values Excel would have saved (``<v>`` after ``<f>``)."""
    part = sheet_part(path, sheet)

    def edit(xml: bytes) -> bytes:
        text = xml.decode()
        for ref, v in values.items():
            pat = re.compile(rf'(<c r="{ref}"[^>]*?)(/?)>(<f>.*?</f>)?(<v>.*?</v>)?(</c>)?')
            m = pat.search(text)
            assert m and m.group(3), f"no formula in {ref}"
            head = m.group(1)
            if isinstance(v, str) and v.startswith("#"):
                head = re.sub(r' t="\w+"', "", head) + ' t="e"'
            elif isinstance(v, str):
                head = re.sub(r' t="\w+"', "", head) + ' t="str"'
            elif isinstance(v, bool):
                head = re.sub(r' t="\w+"', "", head) + ' t="b"'
                v = int(v)
            text = text[: m.start()] + f"{head}>{m.group(3)}<v>{v}</v></c>" + text[m.end():]
        return text.encode()

    patch_zip(path, {part: edit})


def add_sparklines(path: Path, sheet: str, pairs: Mapping[str, str]) -> None:
    """Inject an x14 sparkline group: ``pairs`` maps the cell holding a sparkline to the
    range it plots (``"Q2": "План!D2:O2"``)."""
    part = sheet_part(path, sheet)
    items = "".join(f"<x14:sparkline><xm:f>{src}</xm:f><xm:sqref>{cell}</xm:sqref>"
                    "</x14:sparkline>" for cell, src in pairs.items())

    def edit(xml: bytes) -> bytes:
        text = xml.decode()
        assert "<extLst>" not in text
        return text.replace("</worksheet>", SPARKLINES.replace("{items}", items) + "</worksheet>") \
            .encode()

    patch_zip(path, {part: edit})


def xlwings_part(member: str, container: str = "quickstart.xlsm") -> bytes:
    """A part of one of the workbooks xlwings ships (e.g. its real vbaProject.bin)."""
    with zipfile.ZipFile(Path(xlwings.__file__).parent / container) as z:
        return z.read(member)


def make_xlsm(xlsx: Path, out: Path) -> Path:
    """An .xlsm made from ``xlsx`` by adding xlwings' real VBA project and ribbon XML."""
    vba = xlwings_part("xl/vbaProject.bin")
    ui = xlwings_part("customUI/customUI.xml", "quickstart_addin_ribbon.xlam")

    def ctypes(xml: bytes) -> bytes:
        text = xml.decode().replace(XLSX_CT, XLSM_CT)
        extra = (f'<Override PartName="/xl/vbaProject.bin" ContentType="{VBA_CT}"/>')
        return text.replace("</Types>", extra + "</Types>").encode()

    def wb_rels(xml: bytes) -> bytes:
        rel = f'<Relationship Id="rIdVba1" Type="{VBA_REL}" Target="vbaProject.bin"/>'
        return xml.decode().replace("</Relationships>", rel + "</Relationships>").encode()

    def root_rels(xml: bytes) -> bytes:
        rel = f'<Relationship Id="rIdUi1" Type="{UI_REL}" Target="customUI/customUI.xml"/>'
        return xml.decode().replace("</Relationships>", rel + "</Relationships>").encode()

    return patch_zip(xlsx, {
        "[Content_Types].xml": ctypes,
        "xl/_rels/workbook.xml.rels": wb_rels,
        "_rels/.rels": root_rels,
        "xl/vbaProject.bin": vba,
        "customUI/customUI.xml": ui,
    }, out)


_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_convert(src: Path, outdir: Path, profile: Path, recalc: bool = False) -> Path:
    """Open ``src`` in LibreOffice and save it as .xlsx in ``outdir``; the result path.

    ``recalc`` makes LibreOffice recalculate files that already hold cached values.
    soffice exits 0 even when it fails, so the output file itself is checked.
    """
    assert SOFFICE is not None
    if recalc:
        user = profile / "user"
        user.mkdir(parents=True, exist_ok=True)
        (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    outdir.mkdir(parents=True, exist_ok=True)
    out = outdir / (src.stem + ".xlsx")
    assert out.resolve() != src.resolve(), "soffice cannot overwrite its input"
    if out.exists():
        out.unlink()
    proc = subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation={profile.resolve().as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=120,
    )
    assert out.exists() and out.stat().st_size > 0, (
        f"LibreOffice could not convert {src.name}: {proc.stdout} {proc.stderr}")
    return out


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def sample_book(tmp_path: Path, sample: str = "pervomaiskyi") -> tuple[Path, Workbook]:
    """A bundled sample as a new Ukrainian workbook at ``tmp_path/k.xlsx`` and that file
    opened with openpyxl, for a test to edit as a user would (then ``wb.save(path)``)."""
    from openpyxl import load_workbook

    from koshtorys.samples import sample_frames
    from koshtorys.xlsx.template import build_workbook

    path = tmp_path / "k.xlsx"
    build_workbook(path, "uk", sample_frames(sample))
    return path, load_workbook(path)

