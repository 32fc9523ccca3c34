"""``koshtorys new``: build an empty (or sample-filled) program workbook.

The workbook is fresh, so openpyxl writes it whole; refresh later works on it
with the file adapter. Everything comes from :mod:`koshtorys.core.schema`: each table
is a real Excel table with its fixed name, on its own sheet (title in row 1,
header in row 3), with number formats, column widths, frozen panes and data
validation prepared for the rows a user will type. One small output table,
``tblQuarterTotals``, sits beside ``tblVarianceSummary`` and feeds a chart.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from koshtorys.core import classifiers, schema
from koshtorys.core.book import frame_rows
from koshtorys.core.fileio import atomic_path, ensure_not_locked

from .cells import put_value

__all__ = ["build_workbook", "TITLE_ROW", "HEADER_ROW", "PREPARED_ROWS"]

Lang = Literal["uk", "en"]

TITLE_ROW = 1
HEADER_ROW = 3
PREPARED_ROWS = 200
"""Input rows below the header that get formats and validation in advance."""

_INPUT_TAB = "2F75B5"
_OUTPUT_TAB = "548235"
_INPUT_STYLE = "TableStyleMedium2"
_OUTPUT_STYLE = "TableStyleMedium7"
_CODE_FMT = "@"
_CODE_KEYS = ("kpkvk", "kekv", "edrpou", "grk_edrpou", "grk_code", "budget_code")
_YEAR_RANGE = (2000, 2100)
_FORMATS = {"year": "0", "int": "0"}

_HINTS = {
    ("input", "uk"): "Вхідні дані: заповніть таблицю; нові рядки додаються до неї автоматично.",
    ("input", "en"): "Input: fill in the table; new rows join it automatically.",
    ("output", "uk"): "Результат: таблицю заповнює команда «Оновити» (koshtorys refresh). "
                      "Не змінюйте її вручну.",
    ("output", "en"): "Output: written by Refresh (koshtorys refresh). Do not edit by hand.",
    ("log", "uk"): "Журнал: рядки додає команда «Надіслати» (koshtorys send) і ніколи їх не "
                   "переписує.",
    ("log", "en"): "Log: rows are appended by Send (koshtorys send), never rewritten.",
    ("settings", "uk"): "Виберіть клітинку значення — з'явиться підказка. Пароль SMTP сюди "
                        "не вносьте.",
    ("settings", "en"): "Select a value cell to see what it means. Never put the SMTP "
                        "password here.",
}
_CHART_TITLES = {
    "quarters": {"uk": "План і касові видатки за кварталами", "en": "Plan vs actual by quarter"},
    "sources": {"uk": "Джерела фінансування за роками", "en": "Sources by year"},
}
_DOC_TITLE = {"uk": "Кошторис: програмна книга установи", "en": "Koshtorys program workbook"}


def build_workbook(
    path: str | Path,
    lang: Lang = "uk",
    sample: Mapping[str, pd.DataFrame] | None = None,
    plan_year: int | None = None,
) -> None:
    """Write a new program workbook to ``path`` (atomically).

    ``sample`` maps input table names to DataFrames whose columns are schema keys
    (``tblSettings`` as key/value rows), as :func:`koshtorys.samples.sample_frames`
    gives; without it the input tables hold one blank row and the settings their
    defaults. ``plan_year`` is the plan year a workbook without a sample starts with
    (default: next calendar year, the year budgets are being prepared for).
    """
    if lang not in ("uk", "en"):
        raise ValueError(f"lang must be 'uk' or 'en', not {lang!r}")
    path = Path(path)
    ensure_not_locked(path)
    wb = _workbook(lang, dict(sample or {}), plan_year or _dt.date.today().year + 1)
    with atomic_path(path) as tmp:
        wb.save(tmp)


# ------------------------------------------------------------------ workbook layout

def _workbook(lang: Lang, sample: dict[str, pd.DataFrame], plan_year: int) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = _DOC_TITLE[lang]
    wb.properties.creator = "koshtorys"
    wb.properties.lastModifiedBy = "koshtorys"

    sheets: dict[str, Worksheet] = {}
    next_col: dict[str, int] = {}
    for t in schema.TABLES:
        name = t.sheet(lang)
        if name not in sheets:
            ws = wb.create_sheet(name)
            ws.sheet_properties.tabColor = _INPUT_TAB if t.role == "input" else _OUTPUT_TAB
            ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1).coordinate
            _print_setup(ws)
            sheets[name] = ws
            next_col[name] = 1
        ws = sheets[name]
        first = next_col[name]
        if t.name == "tblSettings":
            rows = _settings_rows(sample.get("tblSettings"), lang, plan_year)
        elif t.role == "input" and t.name in sample:
            rows = _table_rows(t, sample[t.name], lang)
        else:
            rows = []
        _put_table(ws, t, lang, first, rows)
        next_col[name] = first + len(t.columns) + 1
        ws.column_dimensions[get_column_letter(first + len(t.columns))].width = 3

    _quarter_chart(sheets[schema.sheet_name("tblQuarterTotals", lang)], lang)
    _sources_chart(sheets[schema.sheet_name("tblFundingSummary", lang)], lang)
    wb.active = 0
    return wb


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, every column on one page width, the header rows on each page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROW}"


def _table_rows(t: schema.Table, df: pd.DataFrame, lang: Lang) -> list[list[object]]:
    """The sample's rows as cell values: codes as text, enumerations as ``lang`` spells
    them."""
    rows = frame_rows(df, t.column_keys)
    for j, c in enumerate(t.columns):
        if c.kind == "code":
            for r in rows:
                if r[j] is not None:
                    r[j] = str(r[j])
        elif c.kind == "enum" and c.enum:
            for r in rows:
                r[j] = schema.enum_label(c.enum, r[j], lang)
    return rows


def _choices(enum: str, lang: Lang) -> list[str]:
    """The values a drop-down list offers for ``enum`` in ``lang``."""
    return [str(schema.enum_label(enum, code, lang)) for code in schema.ENUMS[enum]]


def _put_table(ws: Worksheet, t: schema.Table, lang: Lang, first: int,
               rows: list[list[object]]) -> None:
    """Title, hint, header, data and the Excel table object for ``t`` from column ``first``."""
    ncols = len(t.columns)
    last = first + ncols - 1
    title = ws.cell(TITLE_ROW, first, t.title(lang))
    title.font = Font(bold=True, size=14)
    role = "settings" if t.name == "tblSettings" else t.role
    hint = ws.cell(TITLE_ROW + 1, first, _HINTS[(role, lang)])
    hint.font = Font(italic=True, color="7F7F7F")

    for j, c in enumerate(t.columns):
        cell = ws.cell(HEADER_ROW, first + j, c.header(lang))
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(first + j)].width = c.width
    ws.row_dimensions[HEADER_ROW].height = 45

    n = max(len(rows), 1)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                put_value(ws.cell(HEADER_ROW + 1 + i, first + j), v)

    prepared = max(n, PREPARED_ROWS) if t.role == "input" else n
    for j, c in enumerate(t.columns):
        fmt = _CODE_FMT if c.kind == "code" or c.key in _CODE_KEYS else (
            c.fmt or _FORMATS.get(c.kind))
        if fmt and t.name != "tblSettings":
            for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + prepared):
                ws.cell(r, first + j).number_format = fmt

    ref = (f"{get_column_letter(first)}{HEADER_ROW}:"
           f"{get_column_letter(last)}{HEADER_ROW + n}")
    xt = XlTable(displayName=t.name, name=t.name, ref=ref)
    xt.tableColumns = [TableColumn(id=j + 1, name=c.header(lang))
                       for j, c in enumerate(t.columns)]
    xt.autoFilter = AutoFilter(ref=ref)
    xt.tableStyleInfo = TableStyleInfo(
        name=_INPUT_STYLE if t.role == "input" else _OUTPUT_STYLE,
        showRowStripes=True, showColumnStripes=False)
    ws.add_table(xt)

    if t.name == "tblSettings":
        _settings_validation(ws, first, rows, lang)
    elif t.role == "input":
        _column_validation(ws, t, first, prepared, lang)


# ------------------------------------------------------------------------- settings

def _settings_rows(df: pd.DataFrame | None, lang: Lang,
                   plan_year: int) -> list[list[object]]:
    """Every schema setting with the sample's value or the default, then extra keys."""
    given: dict[str, object] = {}
    if df is not None:
        for key, value in frame_rows(df, ["key", "value"]):
            if key is not None:
                given[str(key)] = value
    rows: list[list[object]] = []
    for s in schema.SETTINGS:
        if s.key in given:
            value = given.pop(s.key)
        elif s.key == "plan_year":
            value = plan_year
        else:
            value = s.default
        if s.kind == "bool":
            value = schema.bool_label(value, lang)
        if s.kind == "code" and value is not None:
            value = str(value)
        rows.append([s.key, None if value == "" else value])
    rows += [[k, v] for k, v in given.items()]
    return rows


_SETTING_FMT = {"esv_rate": "0.00%", "vat_rate": "0.00%", "under_threshold": "0%",
                "index_rate": "0.00%", "discount_rate": "0.00%", "min_wage": schema.MONEY,
                "hours_per_fte": "#,##0.0", "fx_EUR": "0.0000", "fx_USD": "0.0000",
                "plan_year": "0", "execution_year": "0", "smtp_port": "0", "edrpou": "@",
                "grk_edrpou": "@", "grk_code": "@", "budget_code": "@",
                "change_threshold": "0%"}


def _settings_validation(ws: Worksheet, first: int, rows: list[list[object]],
                         lang: Lang) -> None:
    """An input prompt on each value cell, and a type rule where the setting has one."""
    by_key = {s.key: s for s in schema.SETTINGS}
    for i, (key, _value) in enumerate(rows):
        s = by_key.get(str(key))
        if s is None:
            continue
        cell = ws.cell(HEADER_ROW + 1 + i, first + 1)
        if s.key in _SETTING_FMT:
            cell.number_format = _SETTING_FMT[s.key]
        cell.alignment = Alignment(horizontal="left")
        dv = _setting_rule(s, lang)
        dv.showInputMessage = True
        dv.promptTitle = s.key[:32]
        prompt = s.uk if lang == "uk" else (s.en or s.uk)
        dv.prompt = prompt[:255]
        dv.add(cell.coordinate)
        ws.add_data_validation(dv)
        ws.cell(HEADER_ROW + 1 + i, first + 3, prompt).font = Font(italic=True, color="7F7F7F")
    ws.column_dimensions[get_column_letter(first + 3)].width = 70


def _setting_rule(s: schema.Setting, lang: Lang) -> DataValidation:
    if s.enum:
        return _list_rule(_choices(s.enum, lang), "stop")
    if s.kind == "bool":
        return _list_rule([str(schema.bool_label(v, lang)) for v in (True, False)], "stop")
    if s.kind == "year":
        return _number_rule("whole", *_YEAR_RANGE, False)
    if s.kind == "code" and s.code == "edrpou":
        dv = DataValidation(type="textLength", operator="equal", formula1="8",
                            allow_blank=True, showErrorMessage=True, errorStyle="warning")
        dv.error = "ЄДРПОУ: 8 цифр / EDRPOU: 8 digits"
        return dv
    if s.kind in ("int", "number", "money") and (s.min is not None or s.max is not None):
        return _number_rule("whole" if s.kind == "int" else "decimal", s.min, s.max, False)
    return DataValidation(allow_blank=True)


# ----------------------------------------------------------------------- validation

def _list_rule(values: tuple[str, ...] | list[str], style: str) -> DataValidation:
    dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                        showErrorMessage=True, errorStyle=style)
    dv.errorTitle = "koshtorys"
    dv.error = "Допустимі значення / allowed: " + ", ".join(values)
    return dv


def _number_rule(kind: str, lo: float | None, hi: float | None,
                 exclusive: bool) -> DataValidation:
    def num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else repr(float(x))

    if lo is not None and hi is not None:
        dv = DataValidation(type=kind, operator="between", formula1=num(lo), formula2=num(hi))
        text = f"{num(lo)} … {num(hi)}"
    elif lo is not None:
        op = "greaterThan" if exclusive else "greaterThanOrEqual"
        dv = DataValidation(type=kind, operator=op, formula1=num(lo))
        text = ("> " if exclusive else "≥ ") + num(lo)
    else:
        assert hi is not None
        dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=num(hi))
        text = "≤ " + num(hi)
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = "koshtorys"
    dv.error = ("Ціле число " if kind == "whole" else "Число ") + text
    return dv


def _column_validation(ws: Worksheet, t: schema.Table, first: int, prepared: int,
                       lang: Lang) -> None:
    """Lists on enumerations and КЕКВ, ranges on numbers, for the prepared input rows."""
    leaves = sorted(c for c in classifiers.kekv_codes() if classifiers.is_kekv(c))
    for j, c in enumerate(t.columns):
        dv: DataValidation | None = None
        if c.kind == "enum" and c.enum:
            dv = _list_rule(_choices(c.enum, lang), "warning")
        elif c.key == "kekv" and len(",".join(leaves)) <= 253:
            dv = _list_rule(leaves, "warning")
        elif c.kind == "year":
            dv = _number_rule("whole", *_YEAR_RANGE, False)
        elif c.kind in ("number", "money", "share", "int") and (
                c.min is not None or c.max is not None):
            dv = _number_rule("whole" if c.kind == "int" else "decimal", c.min, c.max,
                              c.min_exclusive)
        if dv is None:
            continue
        letter = get_column_letter(first + j)
        dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + prepared}")
        ws.add_data_validation(dv)


# --------------------------------------------------------------------------- charts

def _table_box(ws: Worksheet, name: str) -> tuple[int, int, int, int]:
    """(first column, header row, last column, last row) of the table ``name``."""
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    return min_col, min_row, max_col, max_row


def _column_chart(title: str, grouping: str, lang: Lang) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = grouping
    if grouping == "stacked":
        chart.overlap = 100
    chart.title = title
    chart.y_axis.title = "грн" if lang == "uk" else "UAH"
    chart.y_axis.numFmt = "#,##0"
    chart.y_axis.scaling.min = 0  # columns compare amounts: the axis starts at zero
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.height = 8
    chart.width = 16
    return chart


def _quarter_chart(ws: Worksheet, lang: Lang) -> None:
    """Clustered columns of plan and cash by quarter, below ``tblQuarterTotals``."""
    t = schema.table("tblQuarterTotals")
    c0, r0, _c1, r1 = _table_box(ws, t.name)
    chart = _column_chart(_CHART_TITLES["quarters"][lang], "clustered", lang)
    col = {k: c0 + i for i, k in enumerate(t.column_keys)}
    data = Reference(ws, min_col=col["plan"], max_col=col["actual"], min_row=r0, max_row=r1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=col["quarter"], min_row=r0 + 1, max_row=r1))
    chart.x_axis.title = t.column("quarter").header(lang)
    ws.add_chart(chart, f"{get_column_letter(c0)}{r1 + 7}")


def _sources_chart(ws: Worksheet, lang: Lang) -> None:
    """Stacked columns of the four sources by year, right of ``tblFundingSummary``."""
    t = schema.table("tblFundingSummary")
    c0, r0, c1, r1 = _table_box(ws, t.name)
    chart = _column_chart(_CHART_TITLES["sources"][lang], "stacked", lang)
    col = {k: c0 + i for i, k in enumerate(t.column_keys)}
    for key in schema.SOURCES:
        ref = Reference(ws, min_col=col[key], min_row=r0, max_row=r1)
        chart.add_data(ref, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=col["year"], min_row=r0 + 1, max_row=r1))
    ws.add_chart(chart, f"{get_column_letter(c1 + 2)}{r0}")
