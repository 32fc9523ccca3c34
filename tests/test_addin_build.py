"""The add-in file, checked with readers that are not ours: zipfile, lxml, olefile,
oletools' olevba (VBA source and MS-OVBA decompression) and, when installed,
LibreOffice's own VBA import."""

from __future__ import annotations

import importlib
import inspect
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from oletools.olevba import VBA_Parser, decompress_stream

from koshtorys.addin import macros
from koshtorys.addin.vba import build
from koshtorys.addin.vba.cfb import write_cfb
from koshtorys.addin.vba.ovba import compress, decrypt
from koshtorys.core.errors import KoshtorysError

CUSTOM_UI = "{http://schemas.microsoft.com/office/2009/07/customui}"
BUTTONS = ["Оновити", "Вартість послуг", "Виконання", "Фінансування", "Перевірка",
           "Бюджетний запит", "Надіслати", "Паспорт програми", "Звіт про виконання паспорта",
           "Тариф послуги", "Обґрунтування закупівлі", "Новий шаблон", "Імпорт виконання"]
MACROS = ["refresh", "costing", "execution", "funding", "check", "request", "send",
          "passport", "passport_report", "tariff", "procurement", "new_template",
          "import_actuals"]


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    [path] = build.build_addin(tmp_path_factory.mktemp("addin"))
    assert path.name == "koshtorys.xlam"
    return path


@pytest.fixture(scope="module")
def vba(xlam: Path) -> dict[str, str]:
    """Module name → source, as olevba reads them back from the built file."""
    parser = VBA_Parser(str(xlam))
    try:
        return {name.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
                for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def part(xlam: Path, name: str) -> bytes:
    with zipfile.ZipFile(xlam) as z:
        return z.read(name)


def test_package_is_a_valid_addin(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        types = etree.fromstring(z.read("[Content_Types].xml"))
        overrides = {o.get("PartName"): o.get("ContentType") for o in types}
        assert overrides["/xl/workbook.xml"] == \
            "application/vnd.ms-excel.addin.macroEnabled.main+xml"
        assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
        for name in [p.lstrip("/") for p in overrides if p]:
            assert name in names, name
        for rels, base in (("_rels/.rels", ""), ("xl/_rels/workbook.xml.rels", "xl/")):
            for rel in etree.fromstring(z.read(rels)):
                assert base + rel.get("Target") in names, rel.get("Target")
            for name in names:
                if name.endswith(".xml") or name.endswith(".rels"):
                    etree.fromstring(z.read(name))  # every XML part parses


def test_ribbon_has_every_button_with_a_callback(xlam: Path) -> None:
    ui = etree.fromstring(part(xlam, "customUI/customUI14.xml"))
    assert ui.tag == f"{CUSTOM_UI}customUI"
    [tab] = ui.iter(f"{CUSTOM_UI}tab")
    assert tab.get("label") == "Кошторис"
    buttons = list(tab.iter(f"{CUSTOM_UI}button"))
    assert [b.get("label") for b in buttons] == BUTTONS
    for b in buttons:
        assert re.fullmatch(r"KoshtorysRibbon\.On\w+", b.get("onAction") or "")
        assert b.get("imageMso") and b.get("screentip") and b.get("supertip")
        assert len(b.get("supertip")) < 1024
    assert len({b.get("id") for b in buttons}) == len(buttons)


def test_every_callback_runs_an_existing_macro(xlam: Path, vba: dict[str, str]) -> None:
    ui = etree.fromstring(part(xlam, "customUI/customUI14.xml"))
    targets = []
    for b in ui.iter(f"{CUSTOM_UI}button"):
        module, sub = b.get("onAction").split(".")
        body = re.search(rf"Public Sub {sub}\(control As IRibbonControl\)\n(.*?)\nEnd Sub",
                         vba[module], re.S)
        assert body, sub
        m = re.fullmatch(r'\s*RunPython "import ([\w.]+) as m; m\.(\w+)\(\)"', body.group(1))
        assert m, body.group(1)
        fn = getattr(importlib.import_module(m.group(1)), m.group(2))
        assert callable(fn) and "book" in inspect.signature(fn).parameters
        targets.append(m.group(2))
    assert targets == MACROS
    assert set(MACROS) <= set(macros.__all__)


def test_worksheet_function_wrappers_match_python(vba: dict[str, str]) -> None:
    from koshtorys import udfs

    code = vba["KOSHT"]
    found = re.findall(r'Public Function (\w+)\(([^)]*)\)\n.*?= XLPy\.CallUDF\("([\w.]+)", '
                       r'"(\w+)", Array\(([^)]*)\), ActiveWorkbook, Application\.Caller\)',
                       code, re.S)
    assert [f[0] for f in found] == [f.__name__.upper() for f in udfs.FUNCTIONS]
    for vba_name, decl, module, name, array in found:
        fn = getattr(importlib.import_module(module), name)
        params = list(inspect.signature(fn).parameters.values())
        declared = [d.strip() for d in decl.split(",")]
        assert len(declared) == len(params) == len(array.split(",")), vba_name
        for d, p in zip(declared, params, strict=True):
            assert d.startswith("Optional ") == (p.default is not inspect.Parameter.empty)
        assert f"'!{vba_name}\"" in code  # described for the function wizard
    assert 'Category:="Koshtorys"' in code


def test_xlwings_glue_is_pinned_to_the_installed_version(xlam: Path,
                                                         vba: dict[str, str]) -> None:
    glue = vba["xlwings"]
    dlls = set(re.findall(r'"xlwings(?:32|64)-([\d.]+\w*)\.dll"', glue))
    assert dlls == {xlwings.__version__}
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in glue
    assert 'PROJECT_NAME As String = "koshtorys"' in glue
    workbook = etree.fromstring(part(xlam, "xl/workbook.xml"))
    sheets = [s.get("name") for s in workbook.iter() if s.tag.endswith("}sheet")]
    assert sheets == ["koshtorys.conf"]  # where xlwings' GetConfig looks (PROJECT_NAME.conf)
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    strings = [si.findtext(f"{main}t") for si in
               etree.fromstring(part(xlam, "xl/sharedStrings.xml")).iter(f"{main}si")]
    sheet = etree.fromstring(part(xlam, "xl/worksheets/sheet1.xml"))
    rows = [[strings[int(c.findtext(f"{main}v"))] for c in r.iter(f"{main}c")]
            for r in sheet.iter(f"{main}row")]
    assert ["UDF Modules", "koshtorys.udfs"] == rows[[r[0] for r in rows].index(
        "UDF Modules")][:2]
    # no Interpreter key: it would override the per-user setting
    assert all(not r[0].upper().startswith("INTERPRETER") for r in rows)


def test_package_parts_have_their_root_elements(xlam: Path) -> None:
    # issue 9: app.xml's root namespace was the content type; Excel repairs such a part
    app = etree.fromstring(part(xlam, "docProps/app.xml"))
    assert app.tag == ("{http://schemas.openxmlformats.org/officeDocument/2006/"
                       "extended-properties}Properties")
    theme = etree.fromstring(part(xlam, "xl/theme/theme1.xml"))
    assert theme.tag == "{http://schemas.openxmlformats.org/drawingml/2006/main}theme"


def test_vba_project_is_source_only_and_unprotected(xlam: Path, vba: dict[str, str]) -> None:
    ole = olefile.OleFileIO(io.BytesIO(part(xlam, "xl/vbaProject.bin")))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert 'Name="Koshtorys"' in project
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.M))
    assert decrypt(values["CMG"]) == b"\0\0\0\0"  # no protection
    assert decrypt(values["DPB"]) == b"\0"  # no password
    assert decrypt(values["GC"]) == b"\xff"  # visible
    assert set(vba) == {"ThisWorkbook", "Sheet1", "KoshtorysRibbon", "KOSHT", "Dictionary",
                        "xlwings"}
    for name, code in vba.items():
        code.encode("ascii")
        assert all(len(line) < 1024 for line in code.split("\n")), name
        if name in ("xlwings", "Dictionary"):
            continue  # xlwings' own, verbatim (with #If-duplicated headers)
        for kind in ("Sub", "Function"):
            opened = len(re.findall(rf"^\s*(?:(?:Public|Private|Friend)\s+)?{kind}\s+\w",
                                    code, re.M))
            assert opened == len(re.findall(rf"^\s*End {kind}\b", code, re.M)), (name, kind)
    assert "Private Sub Workbook_Open()" in vba["ThisWorkbook"]


def test_decrypt_reads_what_excel_wrote() -> None:
    """The quickstart add-in shipped with xlwings was saved by Excel: its values decrypt."""
    path = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
    with zipfile.ZipFile(path) as z:
        ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.M))
    assert (decrypt(values["CMG"]), decrypt(values["DPB"]), decrypt(values["GC"])) == (
        b"\0\0\0\0", b"\0", b"\xff")


def test_directory_is_a_valid_red_black_tree(xlam: Path) -> None:
    ole = olefile.OleFileIO(io.BytesIO(part(xlam, "xl/vbaProject.bin")))
    entries = ole.direntries

    def key(e: olefile.olefile.OleDirectoryEntry) -> tuple[int, str]:
        return (len(e.name), e.name.upper())

    def check(sid: int, lo: tuple | None, hi: tuple | None) -> int:
        if sid == olefile.NOSTREAM:
            return 1
        e = entries[sid]
        assert (lo is None or key(e) > lo) and (hi is None or key(e) < hi), e.name
        for child in (e.sid_left, e.sid_right):
            if e.color == 0 and child != olefile.NOSTREAM:
                assert entries[child].color == 1, "red node with a red child"
        left, right = check(e.sid_left, lo, key(e)), check(e.sid_right, key(e), hi)
        assert left == right, "black heights differ"
        return left + e.color

    for e in entries:
        if e is not None and e.entry_type in (olefile.STGTY_STORAGE, olefile.STGTY_ROOT):
            if e.sid_child != olefile.NOSTREAM:
                assert entries[e.sid_child].color == 1
                check(e.sid_child, None, None)


def test_build_is_reproducible(xlam: Path, tmp_path: Path) -> None:
    [again] = build.build_addin(tmp_path)
    assert again.read_bytes() == xlam.read_bytes()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_imports_the_vba_project(xlam: Path, tmp_path: Path) -> None:
    """LibreOffice has its own MS-CFB and MS-OVBA reader: it must find every module."""
    src = tmp_path / "addin.xlsm"  # LibreOffice opens macro workbooks, not add-ins
    with zipfile.ZipFile(xlam) as zin, zipfile.ZipFile(src, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"addin.macroEnabled.main", b"sheet.macroEnabled.main")
            zout.writestr(info, data)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(src)],
                   capture_output=True, timeout=120, check=False)
    ods = tmp_path / "addin.ods"
    assert ods.exists(), "LibreOffice could not load the add-in"
    with zipfile.ZipFile(ods) as z:
        modules = {Path(n).stem for n in z.namelist()
                   if n.startswith("Basic/Koshtorys/") and not n.endswith("script-lb.xml")}
        ribbon = z.read("Basic/Koshtorys/KoshtorysRibbon.xml").decode()
    assert modules == {"ThisWorkbook", "Sheet1", "KoshtorysRibbon", "KOSHT", "Dictionary",
                       "xlwings"}
    assert "m.import_actuals()" in ribbon


# --- the two binary formats, against independent readers ----------------------------------


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.binary(max_size=10000),
                 st.text(alphabet="ab c\r\n'=\"", max_size=12000).map(str.encode)))
def test_compress_round_trips_through_oletools(data: bytes) -> None:
    packed = compress(data)
    assert decompress_stream(bytearray(packed)) == data
    if len(data) > 2000 and len(set(data)) < 8:
        assert len(packed) < len(data) / 2  # text really is compressed


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.text(alphabet="ABCdef_123", min_size=1, max_size=20),
                       st.binary(max_size=9000), min_size=1, max_size=12))
def test_cfb_round_trips_through_olefile(streams: dict[str, bytes]) -> None:
    paths = {f"S/{name}" if i % 2 else name: data
             for i, (name, data) in enumerate(streams.items())}
    paths = {p: d for p, d in paths.items() if p != "S"}
    ole = olefile.OleFileIO(io.BytesIO(write_cfb(paths)))
    for path, data in paths.items():
        assert ole.openstream(path).read() == data


# --- install -----------------------------------------------------------------------------


def test_install_elsewhere_explains_and_builds(tmp_path: Path) -> None:
    with pytest.raises(KoshtorysError) as err:
        build.install_addin(platform="linux", home=tmp_path, environ={},
                            build_dir=tmp_path / "dist")
    assert (tmp_path / "dist" / "koshtorys.xlam").exists()
    built = str(tmp_path / "dist" / "koshtorys.xlam")
    assert "Windows and macOS" in err.value.message("en") and built in err.value.message("en")
    assert "Windows і macOS" in err.value.message("uk") and built in err.value.message("uk")


def test_install_on_windows_goes_to_xlstart(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "me")}
    path = build.install_addin(platform="win32", home=tmp_path, environ=env,
                               python=r"C:\Python311\python.exe")
    assert path == tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "koshtorys.xlam"
    assert zipfile.is_zipfile(path)
    conf = tmp_path / "me" / ".koshtorys" / "koshtorys.conf"
    assert conf.read_text(encoding="utf-8") == '"INTERPRETER_WIN","C:\\Python311\\python.exe"\n'


def test_install_on_macos_goes_to_the_startup_folder(tmp_path: Path) -> None:
    path = build.install_addin(platform="darwin", home=tmp_path, environ={},
                               python="/usr/local/bin/python3")
    assert path == (tmp_path / "Library" / "Group Containers" / "UBF8T346G9.Office"
                    / "User Content.localized" / "Startup.localized" / "Excel"
                    / "koshtorys.xlam")
    data = tmp_path / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
    assert (data / "koshtorys.conf").read_text(encoding="utf-8") == \
        '"INTERPRETER_MAC","/usr/local/bin/python3"\n'
    script = (tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
              / f"xlwings-{xlwings.__version__}.applescript")
    assert script.exists()


def test_cli_builds_the_addin(tmp_path: Path) -> None:
    from koshtorys.cli import main

    assert main(["addin", "build", "--outdir", str(tmp_path)]) == 0
    assert (tmp_path / "koshtorys.xlam").exists()
