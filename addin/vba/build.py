"""Build ``koshtorys.xlam`` on any OS, and install it where Excel loads add-ins.

The add-in is an Office Open XML package: the ribbon (``customUI14.xml``), a hidden
configuration sheet ``koshtorys.conf`` read by xlwings' VBA, and a VBA project
written from source by :mod:`koshtorys.addin.vba.ovba` (no Excel needed):

* ``KoshtorysRibbon`` — one callback per button (``addin/KoshtorysRibbon.bas``);
* ``KOSHT`` — the worksheet-function wrappers, generated from the signatures in
  :mod:`koshtorys.udfs` (what xlwings' "Import Functions" would generate, without
  needing "Trust access to the VBA project object model");
* ``xlwings`` and ``Dictionary`` — xlwings' own VBA, taken from the installed
  xlwings package, so the add-in names exactly that version's DLL;
* ``ThisWorkbook`` / ``Sheet1`` — the document modules.

See ``addin/README.md`` for why this route and what was verified.
"""

from __future__ import annotations

import inspect
import os
import sys
import zipfile
from importlib import resources
from pathlib import Path

from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import atomic_path, ensure_folder

from .ovba import Module, vba_project_bin

__all__ = ["ADDIN_NAME", "PROJECT_NAME", "build_addin", "install_addin", "vba_modules",
           "addin_parts", "xlstart_dir"]

PROJECT_NAME = "koshtorys"
"""xlwings' PROJECT_NAME: its VBA reads settings from the sheet ``koshtorys.conf``."""
ADDIN_NAME = f"{PROJECT_NAME}.xlam"
UDF_MODULE = "koshtorys.udfs"
VBA_ARG_NAMES = {"time": "time_shares", "rate": "yearly_rate"}
"""Python argument names that are VBA built-in functions (Time, Rate) get another name."""

#: Function-wizard texts (ASCII: VBA source is code page 1252).
DESCRIPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "unit_costs": ("Unit cost of each social service (the columns of tblUnitCosts) from "
                   "the services, staff, time and costs tables.",
                   ("tblServices[#All]", "tblStaff[#All]", "tblTime[#All]", "tblCosts[#All]",
                    "tblSettings[#All] (optional)")),
    "variance": ("Quarterly budget execution, plan against cash expenditure (the columns of "
                 "tblVariance).",
                 ("tblPlan[#All]", "tblActuals[#All]", "tblSettings[#All] (optional)")),
    "funding": ("Funding of each activity and year by source (the columns of "
                "tblFundingSplit).",
                ("tblNeeds[#All]", "tblSources[#All]", "tblSettings[#All] (optional)")),
    "index_amount": ("Amount grown by a yearly rate over a number of years.",
                     ("amount, UAH", "yearly rate, e.g. 0.1", "number of years")),
    "kekv_name": ("Name of an economic classification code (KEKV).", ("code, e.g. 2111",)),
    "kpkvk_name": ("Name of a program classification code (KPKVK, 7 digits).",
                   ("code, e.g. 0813104",)),
}

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_UI = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DOC_BASES = {"ThisWorkbook": "0{00020819-0000-0000-C000-000000000046}",
              "Sheet1": "0{00020820-0000-0000-C000-000000000046}"}
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
#: Settings of the add-in's own config sheet (never the interpreter: a sheet entry would
#: override the per-user file that ``install_addin`` writes).
CONFIG = (("UDF Modules", UDF_MODULE),)


def _source(name: str) -> str:
    return (resources.files("koshtorys.addin") / name).read_text(encoding="utf-8")


def _xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


def _xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def _glue() -> str:
    """xlwings' custom-add-in VBA, its PROJECT_NAME set, checked against the installed version."""
    path = _xlwings_dir() / "xlwings_custom_addin.bas"
    try:
        text = path.read_text(encoding="cp1252")
    except OSError as exc:
        raise KoshtorysError("xlwings_vba_unreadable", path=path, reason=exc.strerror) from exc
    version = _xlwings_version()
    old = 'Public Const PROJECT_NAME As String = "myaddin"'
    missing = [s for s in (old, f'"xlwings64-{version}.dll"', f'"xlwings32-{version}.dll"',
                           f'XLWINGS_VERSION As String = "{version}"') if s not in text]
    if missing:
        raise KoshtorysError("xlwings_vba_unexpected", version=version, missing=missing[0])
    return text.replace(old, f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')


def _dictionary() -> str:
    """xlwings' Dictionary class (needed on macOS) as stored in a project: no export header."""
    text = (_xlwings_dir() / "addin" / "Dictionary.cls").read_text(encoding="cp1252")
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("VERSION"):
        lines = lines[lines.index("END") + 1:]
    out = []
    for line in lines:
        out.append(line)
        if line.startswith('Attribute VB_Name = "Dictionary"'):
            out.append(f'Attribute VB_Base = "{_CLASS_BASE}"')
        elif line.startswith("Attribute VB_Exposed"):
            out += ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False"]
    return "\n".join(out)


def _document_module(name: str, body: str = "") -> str:
    head = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{_DOC_BASES[name]}"',
            "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
            "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
            "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return "\n".join(head) + "\n" + body


def _vba_str(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _udf_module() -> str:
    """VBA wrappers calling ``koshtorys.udfs`` through xlwings' COM server, one per function."""
    from koshtorys.udfs import FUNCTIONS

    lines = ['Attribute VB_Name = "KOSHT"',
             "' Worksheet functions of koshtorys, generated by koshtorys.addin.vba.build from",
             "' the signatures in koshtorys.udfs: do not edit. In a formula:",
             "' =KOSHT.UNIT_COSTS(...) (module-qualified) or =UNIT_COSTS(...).",
             "Option Explicit", ""]
    describe = ["Public Sub DescribeFunctions()",
                "    ' Category and argument help for Excel's function wizard.",
                "    On Error Resume Next"]
    for f in FUNCTIONS:
        vba_name = f.__name__.upper()
        params = inspect.signature(f).parameters.values()
        names = [VBA_ARG_NAMES.get(p.name, p.name) for p in params]
        decl = ", ".join(("Optional " if p.default is not inspect.Parameter.empty else "") + n
                         for p, n in zip(params, names, strict=True))
        call = (f'XLPy.CallUDF("{UDF_MODULE}", "{f.__name__}", Array({", ".join(names)}), '
                "ActiveWorkbook, Application.Caller)")
        lines += [f"Public Function {vba_name}({decl})",
                  "    If TypeOf Application.Caller Is Range Then On Error GoTo failed",
                  f"    {vba_name} = {call}",
                  "    Exit Function",
                  "failed:",
                  f"    {vba_name} = Err.Description",
                  "End Function", ""]
        text, args = DESCRIPTIONS[f.__name__]
        describe += [f"    Application.MacroOptions Macro:=\"'\" & ThisWorkbook.Name & \"'!"
                     f"{vba_name}\", _",
                     f"        Description:={_vba_str(text)}, Category:=\"Koshtorys\", _",
                     f"        ArgumentDescriptions:=Array({', '.join(map(_vba_str, args))})"]
    return "\n".join(lines + describe + ["End Sub", ""])


def vba_modules() -> list[Module]:
    """Every module of the add-in's VBA project, in project order."""
    return [
        Module("ThisWorkbook", "document", _source("ThisWorkbook.cls")),
        Module("Sheet1", "document", _document_module("Sheet1")),
        Module("KoshtorysRibbon", "standard", _source("KoshtorysRibbon.bas")),
        Module("KOSHT", "standard", _udf_module()),
        Module("Dictionary", "class", _dictionary()),
        Module("xlwings", "standard", _glue()),
    ]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_NOTE = ("Settings of the koshtorys add-in for xlwings (key in A, value in B). "
         "The Python interpreter is set per user by 'koshtorys addin install'.")


def _config_strings() -> list[str]:
    """The config sheet's texts, in the order of its shared-string table."""
    texts: list[str] = []
    for text in [t for pair in CONFIG for t in pair] + [_NOTE]:
        if text not in texts:
            texts.append(text)
    return texts


def _shared_strings() -> str:
    items = "".join(f"<si><t xml:space=\"preserve\">{_esc(t)}</t></si>"
                    for t in _config_strings())
    n = len(_config_strings())
    return f'{_XML}<sst xmlns="{_NS_MAIN}" count="{n}" uniqueCount="{n}">{items}</sst>'


def _config_sheet() -> str:
    # shared strings, as Excel itself writes them (inline strings it rewrites on save)
    index = {t: i for i, t in enumerate(_config_strings())}

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="s"><v>{index[text]}</v></c>'

    rows = []
    for i, (key, value) in enumerate(CONFIG, start=1):
        extra = cell(f"D{i}", _NOTE) if i == 1 else ""
        rows.append(f'<row r="{i}">{cell(f"A{i}", key)}{cell(f"B{i}", value)}{extra}</row>')
    return (f'{_XML}<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
            '<sheetPr codeName="Sheet1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
            '<cols><col min="1" max="1" width="22" customWidth="1"/>'
            '<col min="2" max="2" width="22" customWidth="1"/></cols>'
            f'<sheetData>{"".join(rows)}</sheetData></worksheet>')


_STYLES = (f'{_XML}<styleSheet xmlns="{_NS_MAIN}">'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
           '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
           'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" '
           'fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
           '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _theme() -> str:
    """Excel's default Office theme (the one openpyxl ships): a workbook part Excel expects."""
    from openpyxl.writer.theme import theme_xml

    return theme_xml


def addin_parts() -> dict[str, bytes]:
    """Every part of the .xlam package, by its name in the zip."""
    ct = "application/vnd.openxmlformats-officedocument"
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.spreadsheetml.'
        'worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{ct}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.'
        'vbaProject"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/>'
        f'<Override PartName="/xl/theme/theme1.xml" ContentType="{ct}.theme+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.spreadsheetml.'
        'sharedStrings+xml"/>'
        '</Types>'
    )
    root_rels = (
        f'{_XML}<Relationships xmlns="{_NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_NS_REL}/extended-properties" '
        'Target="docProps/app.xml"/>'
        f'<Relationship Id="rId4" Type="{_REL_UI}" Target="customUI/customUI14.xml"/>'
        '</Relationships>'
    )
    workbook = (
        f'{_XML}<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView visibility="hidden"/></bookViews>'
        f'<sheets><sheet name="{PROJECT_NAME}.conf" sheetId="1" r:id="rId1"/></sheets>'
        '</workbook>'
    )
    workbook_rels = (
        f'{_XML}<Relationships xmlns="{_NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL_VBA}" Target="vbaProject.bin"/>'
        f'<Relationship Id="rId4" Type="{_NS_REL}/theme" Target="theme/theme1.xml"/>'
        f'<Relationship Id="rId5" Type="{_NS_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>'
    )
    core = (
        f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:title>Кошторис</dc:title><dc:creator>koshtorys</dc:creator>'
        '<dc:description>Excel add-in of koshtorys (xlwings '
        f'{_xlwings_version()})</dc:description></cp:coreProperties>'
    )
    # the root namespace of the extended properties (not their content type: Excel would
    # remove such a part with a repair prompt, at every start from XLSTART)
    app = (f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           'extended-properties"><Application>Microsoft Excel</Application></Properties>')
    parts = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "docProps/core.xml": core,
        "docProps/app.xml": app,
        "customUI/customUI14.xml": _source("customUI14.xml"),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/styles.xml": _STYLES,
        "xl/worksheets/sheet1.xml": _config_sheet(),
        "xl/theme/theme1.xml": _theme(),
        "xl/sharedStrings.xml": _shared_strings(),
    }
    out = {name: text.encode("utf-8") for name, text in parts.items()}
    out["xl/vbaProject.bin"] = vba_project_bin("Koshtorys", vba_modules())
    return out


def build_addin(outdir: Path) -> list[Path]:
    """Write ``koshtorys.xlam`` into ``outdir`` (atomically; byte-identical for the same
    sources and xlwings version) and return the files written."""
    outdir = Path(outdir)
    ensure_folder(outdir)
    target = outdir / ADDIN_NAME
    parts = addin_parts()
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return [target]


def xlstart_dir(platform: str, home: Path, environ: dict[str, str]) -> Path | None:
    """The per-user folder Excel opens add-ins from at start, or None off Windows/macOS."""
    if platform.startswith("win"):
        appdata = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if platform == "darwin":
        return (home / "Library" / "Group Containers" / "UBF8T346G9.Office"
                / "User Content.localized" / "Startup.localized" / "Excel")
    return None


def _user_config(platform: str, home: Path, environ: dict[str, str]) -> tuple[Path, str]:
    """xlwings' per-user config file for PROJECT_NAME, and the interpreter key it reads."""
    if platform.startswith("win"):
        profile = Path(environ.get("USERPROFILE") or home)
        return profile / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf", "INTERPRETER_WIN"
    # Excel for Mac is sandboxed: its $HOME is the container's Data folder.
    data = home / "Library" / "Containers" / "com.microsoft.Excel" / "Data"
    return data / f"{PROJECT_NAME}.conf", "INTERPRETER_MAC"


def install_addin(*, platform: str | None = None, home: Path | None = None,
                  environ: dict[str, str] | None = None, python: str | None = None,
                  build_dir: Path = Path("dist/addin")) -> Path:
    """Build the add-in into Excel's XLSTART folder and point xlwings at this Python.

    Also writes xlwings' per-user config (``INTERPRETER_WIN``/``_MAC`` = this
    interpreter) and, on macOS, xlwings' AppleScript that RunPython needs.
    Elsewhere raises :class:`KoshtorysError` after building into ``build_dir``.
    """
    platform = platform or sys.platform
    home = Path(home) if home is not None else Path.home()
    environ = dict(os.environ) if environ is None else environ
    folder = xlstart_dir(platform, home, environ)
    if folder is None:
        built = build_addin(build_dir)[0]
        raise KoshtorysError("addin_install_os", built=built.resolve())
    target = build_addin(ensure_folder(folder))[0]
    conf, key = _user_config(platform, home, environ)
    interpreter = python or sys.executable
    try:
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text(f'"{key}","{interpreter}"\n', encoding="utf-8")
        if platform == "darwin":
            script = f"xlwings-{_xlwings_version()}.applescript"
            scripts = home / "Library" / "Application Scripts" / "com.microsoft.Excel"
            scripts.mkdir(parents=True, exist_ok=True)
            (scripts / script).write_bytes((_xlwings_dir() / script).read_bytes())
    except OSError as exc:
        raise KoshtorysError("xlwings_settings", target=target,
                             reason=exc.strerror or str(exc)) from exc
    return target
