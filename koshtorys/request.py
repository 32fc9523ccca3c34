"""The budget request (бюджетний запит, individual form) for one КПКВК.

:func:`build_requests` is pure: it turns the engine's output frames and a few input
frames into :class:`RequestDoc` values (numbers already rounded so that every row
ties to its total). :func:`write_request` lays one out as a print-ready workbook.

Layout. Minfin order No. 604 of 25.11.2024 (in force since 01.01.2025; it repealed
order No. 648) keeps three forms; this is the individual one (Форма 20__-2). Its
appendix could not be read here, so the sections follow the published Форма 2025-2
opening (1. головний розпорядник, 2. відповідальний виконавець, 3. бюджетна
програма with КПКВКМБ / ТПКВКМБ) and, beyond it, the numbering of the 648 edition
(6. видатки за КЕКВ, 8. результативні показники, 10. місцеві програми — here the
funding of the program's activities by source). Sections 4, 5, 7, 9, 11–13 need
facts the workbook does not hold and are left for the institution to add by hand;
the sheet says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zipfile import BadZipFile

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from . import classifiers, schema
from .errors import KoshtorysError
from .fileio import atomic_path, ensure_not_locked
from .money import from_units, round_parts, to_units
from .settings import Settings

__all__ = [
    "FUNDS",
    "RequestInputs",
    "AmountColumn",
    "KekvRow",
    "Indicator",
    "RequestSummary",
    "RequestDoc",
    "REQUEST_COLUMNS",
    "build_requests",
    "write_request",
    "request_file_name",
    "read_summary",
    "add_excel_table",
]

FUNDS: tuple[str, ...] = ("general", "special")
REQUEST_COLUMNS: tuple[str, ...] = ("kpkvk", "kekv", "fund", "year", "amount")
"""Columns of the machine-readable table ``tblRequest``."""
_FUNDING_COLS = ("need", "local", "state", "oblast", "donor", "gap")


@dataclass
class RequestInputs:
    """Everything a request is made of. Frames have the schema's column keys; any
    frame may be ``None`` (treated as empty)."""

    settings: Settings
    cost_by_kekv: pd.DataFrame | None = None
    """``tblCostByKekv``: the plan year's amounts."""
    unit_costs: pd.DataFrame | None = None
    """``tblUnitCosts``: efficiency indicators."""
    services: pd.DataFrame | None = None
    """Input ``tblServices``: which services belong to which КПКВК."""
    staff: pd.DataFrame | None = None
    """Input ``tblStaff``: number of posts per КПКВК."""
    plan: pd.DataFrame | None = None
    """Input ``tblPlan``: the execution year's approved plan (m01..m12)."""
    variance: pd.DataFrame | None = None
    """``tblVariance``: the latest quarter's ``forecast`` is the expected execution."""
    funding_split: pd.DataFrame | None = None
    """``tblFundingSplit``: funding of activities by source and year."""
    needs: pd.DataFrame | None = None
    """Input ``tblNeeds``: maps activities to a КПКВК."""


@dataclass(frozen=True)
class AmountColumn:
    """One year block of the expenditure table (general / special / total)."""

    key: str
    """``approved``, ``expected``, ``plan``, ``forecast1`` or ``forecast2``."""
    year: int
    label: str
    """Ukrainian caption, e.g. ``2026 рік (проєкт)``."""


@dataclass(frozen=True)
class KekvRow:
    """One КЕКВ line (``kekv`` is ``None`` on the totals line)."""

    kekv: str | None
    name: str | None
    amounts: dict[tuple[str, str], float]
    """(column key, fund) → amount; fund is ``general``, ``special`` or ``total``."""

    def amount(self, column: str, fund: str) -> float:
        return self.amounts.get((column, fund), 0.0)


@dataclass(frozen=True)
class Indicator:
    """One performance indicator (результативний показник)."""

    group: str
    """``затрат``, ``продукту``, ``ефективності`` or ``якості``."""
    number: str
    """``1.1``, ``2.3`` …: group number, then position in the group."""
    name: str
    unit: str
    source: str
    value: float | None
    fmt: str = "#,##0"


@dataclass(frozen=True)
class RequestSummary:
    """What the covering email says about one request."""

    plan_year: int
    kpkvk: str
    kpkvk_name: str | None
    institution: str
    rounding: int
    totals: dict[str, float]
    """Plan-year totals by fund: ``general``, ``special``, ``total``."""


@dataclass
class RequestDoc:
    """The content of one request, numbers rounded, ready to lay out."""

    settings: Settings
    kpkvk: str
    kpkvk_name: str | None
    columns: tuple[AmountColumn, ...]
    rows: list[KekvRow]
    totals: KekvRow
    indicators: list[Indicator]
    funding: pd.DataFrame
    """year, need, local, state, oblast, donor, gap (one row per year, no total)."""
    table: pd.DataFrame
    """``tblRequest``: kpkvk, kekv, fund, year, amount (plan year and forecasts)."""
    expected_known: bool = False
    """Expected execution comes from tblVariance (else it repeats the approved plan)."""

    @property
    def plan_year(self) -> int:
        return self.settings.plan_year

    @property
    def file_name(self) -> str:
        return request_file_name(self.plan_year, self.kpkvk)

    def summary(self) -> RequestSummary:
        return RequestSummary(
            self.plan_year, self.kpkvk, self.kpkvk_name, self.settings.institution,
            self.settings.rounding,
            {f: self.totals.amount("plan", f) for f in (*FUNDS, "total")},
        )


def request_file_name(plan_year: int, kpkvk: str) -> str:
    """``request_2026_0813104.xlsx``."""
    return f"request_{plan_year}_{kpkvk}.xlsx"


# --------------------------------------------------------------------------- content


def _frame(df: pd.DataFrame | None, table: str) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame(columns=schema.table(table).column_keys)
    return df


def _blank(v: object) -> bool:
    """None, NaN, NA or an empty string."""
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(pd.isna(v))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _of_program(df: pd.DataFrame, kpkvk: str, single: bool) -> pd.DataFrame:
    """Rows of ``kpkvk``; rows with a blank КПКВК too when the institution has one program."""
    if df.empty or "kpkvk" not in df.columns:
        return df
    col = df["kpkvk"].astype(object)
    mask = col == kpkvk
    if single:
        mask = mask | col.map(_blank).astype(bool)
    return df[mask.to_numpy(dtype=bool)]


def _splitter(df: pd.DataFrame, single: bool) -> Callable[[str], pd.DataFrame]:
    """:func:`_of_program` of ``df`` for any code, the frame grouped once (not once per
    program: a city has dozens)."""
    if single or df.empty or "kpkvk" not in df.columns:
        return lambda code: _of_program(df, code, single)
    pos = df.groupby(df["kpkvk"].astype(object), sort=False, dropna=True).indices
    empty = df.iloc[:0]
    return lambda code: df.iloc[pos[code]] if code in pos else empty


def _sum_by(df: pd.DataFrame, value: pd.Series) -> dict[tuple[str, str], float]:
    """(kekv, fund) → Σ value."""
    out: dict[tuple[str, str], float] = {}
    for kekv, fund, v in zip(df["kekv"], df["fund"], value, strict=True):
        if _blank(kekv):
            continue
        f = fund if fund in FUNDS else "general"
        out[(str(kekv), f)] = out.get((str(kekv), f), 0.0) + (0.0 if _blank(v) else float(v))
    return out


def _expected(variance: pd.DataFrame, approved: dict[tuple[str, str], float]
              ) -> tuple[dict[tuple[str, str], float], bool]:
    """The latest quarter's forecast per (kekv, fund); the approved plan where unknown."""
    v = variance[variance["kekv"].map(lambda k: not _blank(k))] if not variance.empty else variance
    if v.empty:
        return dict(approved), False
    latest = v.sort_values("quarter", kind="stable").groupby(
        ["kekv", "fund"], sort=False, dropna=False).tail(1)
    out = dict(approved)
    out.update(_sum_by(latest, latest["forecast"]))
    return out, True


def _round_column(exact: dict[str, float], digits: int) -> dict[str, float]:
    """Round the parts against their rounded total (largest remainder)."""
    keys = list(exact)
    if not keys:
        return {}
    parts = round_parts([exact[k] for k in keys], sum(exact.values()), digits)
    return dict(zip(keys, parts, strict=True))


def _amount_rows(
    columns: Sequence[AmountColumn], exact: dict[str, dict[tuple[str, str], float]],
    digits: int, index_rate: float, kekv_name: Callable[[str], str | None],
) -> tuple[list[KekvRow], KekvRow]:
    codes = sorted({k for per in exact.values() for (k, _f) in per})
    rounded: dict[tuple[str, str, str], float] = {}
    for col in columns:
        for fund in FUNDS:
            if col.key.startswith("forecast"):
                # from the printed plan-year figure, so the reader can redo the sum
                k = int(col.key[-1])
                base = {c: rounded[("plan", fund, c)] * (1 + index_rate) ** k for c in codes}
            else:
                base = {c: exact[col.key].get((c, fund), 0.0) for c in codes}
            for c, v in _round_column(base, digits).items():
                rounded[(col.key, fund, c)] = v
    rows: list[KekvRow] = []
    totals: dict[tuple[str, str], float] = {}
    for c in codes:
        amounts: dict[tuple[str, str], float] = {}
        for col in columns:
            g, s = rounded[(col.key, "general", c)], rounded[(col.key, "special", c)]
            amounts[(col.key, "general")] = g
            amounts[(col.key, "special")] = s
            amounts[(col.key, "total")] = round(g + s, digits)
        if any(amounts.values()):
            rows.append(KekvRow(c, kekv_name(c), amounts))
            for key, v in amounts.items():
                totals[key] = totals.get(key, 0) + to_units(v, digits)
    total_row = KekvRow(None, "Усього", {k: from_units(u, digits) for k, u in totals.items()})
    return rows, total_row


def _indicators(
    s: Settings, staff: pd.DataFrame, services: pd.DataFrame,
    costs: dict[str, dict[str, object]], totals: KekvRow, expected_known: bool,
) -> list[Indicator]:
    """``staff`` and ``services`` of the program; ``costs``: tblUnitCosts rows by service."""
    out: list[Indicator] = []

    def add(group: str, n: int, name: str, unit: str, source: str, value: object,
            fmt: str = "#,##0") -> None:
        num = None if _blank(value) else float(value)  # type: ignore[arg-type]
        count = sum(1 for i in out if i.group == group)
        out.append(Indicator(group, f"{n}.{count + 1}", name, unit, source, num, fmt))

    money_fmt = "#,##0" if s.rounding == 0 else "#,##0.00"
    add("затрат", 1, f"Обсяг видатків на {s.plan_year} рік", "грн", "розрахунок (розділ 6)",
        totals.amount("plan", "total"), money_fmt)
    fte = pd.to_numeric(staff["fte"], errors="coerce").fillna(0).sum() if len(staff) else 0.0
    add("затрат", 1, "Кількість штатних одиниць", "од.", "штатний розпис",
        round(float(fte), 2), "#,##0.00")
    add("затрат", 1, "Кількість соціальних послуг", "од.", "перелік послуг установи",
        len(services))
    services_rows = services.to_dict("records")
    for sv in services_rows:
        add("продукту", 2, f"{sv['name']}: кількість отримувачів", "осіб",
            "план надання послуг", sv.get("planned_recipients"))
        add("продукту", 2, f"{sv['name']}: обсяг надання", str(sv["unit"]),
            "план надання послуг", sv.get("planned_units"), "#,##0.##")
    for sv in services_rows:
        uc = costs.get(str(sv["service_id"]))
        if uc is None:
            continue
        add("ефективності", 3, f"{sv['name']}: вартість одиниці послуги",
            f"грн за {sv['unit']}", "розрахунок вартості послуги",
            _round2(uc.get("unit_cost")), "#,##0.00")
        if not _blank(uc.get("cost_per_recipient")):
            add("ефективності", 3, f"{sv['name']}: середні витрати на одного отримувача",
                "грн", "розрахунок вартості послуги", _round2(uc["cost_per_recipient"]),
                "#,##0.00")
    approved = totals.amount("approved", "total")
    if approved > 0:
        change = (totals.amount("plan", "total") / approved - 1) * 100
        add("якості", 4, f"Зміна обсягу видатків порівняно із затвердженим на {s.exec_year} рік",
            "%", "розрахунок", round(change, 1), "0.0")
        if expected_known:
            done = totals.amount("expected", "total") / approved * 100
            add("якості", 4, f"Очікуване виконання плану {s.exec_year} року", "%",
                "аналіз виконання бюджету", round(done, 1), "0.0")
    return out


def _round2(v: object) -> float | None:
    return None if _blank(v) else round(float(v), 2)  # type: ignore[arg-type]


def _funding(needs: pd.DataFrame, split: pd.DataFrame, split_ids: pd.Series,
             digits: int) -> pd.DataFrame:
    """Funding by year of the activities in ``needs`` (the program's); ``split_ids`` is
    ``split["activity_id"]`` as text."""
    ids = set(needs["activity_id"].astype(str)) if len(needs) else set()
    rows = split[split_ids.isin(ids).to_numpy(dtype=bool)] if len(split) else split
    cols = ["year", *_FUNDING_COLS]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    g = rows.assign(year=rows["year"].astype(int)).groupby("year", sort=True)[
        list(_FUNDING_COLS)].sum()
    g = g.map(lambda x: round(float(x), digits))
    return g.reset_index()[cols]


def _programs(inputs: RequestInputs) -> list[str]:
    codes: set[str] = set()
    for df, name in ((inputs.cost_by_kekv, "tblCostByKekv"), (inputs.plan, "tblPlan"),
                     (inputs.variance, "tblVariance")):
        f = _frame(df, name)
        if len(f):
            rows = f[f["kekv"].map(lambda k: not _blank(k))]
            codes |= {str(k) for k in rows["kpkvk"] if not _blank(k)}
    return sorted(codes)


def build_requests(inputs: RequestInputs, *, kpkvk: str | None = None) -> list[RequestDoc]:
    """One :class:`RequestDoc` per КПКВК (or only ``kpkvk``), amounts rounded to
    ``settings.rounding`` digits so that rows tie to the totals.

    The programs are the КПКВК that have amounts in tblCostByKekv, tblPlan or
    tblVariance. Rows with a blank КПКВК count for the program only when there is
    exactly one.

    >>> s = Settings(plan_year=2026, index_rate=0.1)
    >>> cost = pd.DataFrame({"kpkvk": ["0813104"], "kekv": ["2111"], "fund": ["general"],
    ...                      "amount": [1000.0]})
    >>> [d] = build_requests(RequestInputs(s, cost_by_kekv=cost))
    >>> d.file_name, d.totals.amount("forecast2", "total")
    ('request_2026_0813104.xlsx', 1210.0)
    """
    s = inputs.settings
    programs = _programs(inputs)
    if kpkvk is not None:
        if kpkvk not in programs:
            raise KoshtorysError(f"КПКВК {kpkvk} has no amounts in the workbook "
                                 f"(known: {', '.join(programs) or 'none'})")
        programs = [kpkvk]
    single = len(_programs(inputs)) == 1
    py = s.plan_year
    columns = (
        AmountColumn("approved", s.exec_year, f"{s.exec_year} рік (затверджено)"),
        AmountColumn("expected", s.exec_year, f"{s.exec_year} рік (очікуване виконання)"),
        AmountColumn("plan", py, f"{py} рік (проєкт)"),
        AmountColumn("forecast1", py + 1, f"{py + 1} рік (прогноз)"),
        AmountColumn("forecast2", py + 2, f"{py + 2} рік (прогноз)"),
    )
    kekv_name, kpkvk_name = classifiers.kekv_name, classifiers.kpkvk_name
    plan_all = _frame(inputs.plan, "tblPlan")
    months = [m for m in schema.MONTHS if m in plan_all.columns]
    annual_all = (plan_all[months].apply(pd.to_numeric, errors="coerce").fillna(0)
                  .sum(axis=1) if len(plan_all) else pd.Series(dtype=float))
    plan_of = _splitter(plan_all.assign(_annual=annual_all) if len(plan_all) else plan_all,
                        single)
    variance_of = _splitter(_frame(inputs.variance, "tblVariance"), single)
    cost_of = _splitter(_frame(inputs.cost_by_kekv, "tblCostByKekv"), single)
    staff_of = _splitter(_frame(inputs.staff, "tblStaff"), single)
    services_of = _splitter(_frame(inputs.services, "tblServices"), single)
    needs_of = _splitter(_frame(inputs.needs, "tblNeeds"), single)
    costs = {str(r["service_id"]): r
             for r in _frame(inputs.unit_costs, "tblUnitCosts").to_dict("records")}
    split = _frame(inputs.funding_split, "tblFundingSplit")
    split_ids = split["activity_id"].astype(str)
    docs = []
    for code in programs:
        plan = plan_of(code)
        approved = _sum_by(plan, plan["_annual"]) if len(plan) else {}
        expected, known = _expected(variance_of(code), approved)
        cost = cost_of(code)
        planned = _sum_by(cost, cost["amount"]) if len(cost) else {}
        exact = {"approved": approved, "expected": expected, "plan": planned}
        rows, totals = _amount_rows(columns, exact, s.rounding, s.index_rate, kekv_name)
        table = pd.DataFrame(
            [(code, r.kekv, f, col.year, r.amount(col.key, f))
             for col in columns[2:] for r in rows for f in FUNDS if r.amount(col.key, f)],
            columns=list(REQUEST_COLUMNS),
        )
        docs.append(RequestDoc(
            s, code, kpkvk_name(code), columns, rows, totals,
            _indicators(s, staff_of(code), services_of(code), costs, totals, known),
            _funding(needs_of(code), split, split_ids, s.rounding), table, known,
        ))
    return docs


# --------------------------------------------------------------------------- workbook

def add_excel_table(ws: Worksheet, name: str, headers: Sequence[str],
                    rows: Sequence[Sequence[object]], top: int = 1, left: int = 1,
                    formats: dict[int, str] | None = None,
                    widths: Sequence[float] | None = None) -> None:
    """Write a header and rows at (top, left) and make them an Excel table ``name``.

    An empty table keeps one blank row: Excel repairs a table without data rows.
    """
    for j, h in enumerate(headers):
        ws.cell(top, left + j, str(h)).font = Font(bold=True)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            c = ws.cell(top + i, left + j, _cell(v))
            if formats and j in formats:
                c.number_format = formats[j]
    last_row = top + max(len(rows), 1)
    ref = (f"{get_column_letter(left)}{top}:"
           f"{get_column_letter(left + len(headers) - 1)}{last_row}")
    t = Table(displayName=name, ref=ref)
    t.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(t)
    for j, w in enumerate(widths or ()):
        ws.column_dimensions[get_column_letter(left + j)].width = w


def _cell(v: object) -> object:
    if _blank(v):
        return None
    if hasattr(v, "item"):
        return v.item()  # type: ignore[union-attr]
    return v


def write_request(doc: RequestDoc, path: Path) -> Path:
    """Write ``doc`` as a workbook, atomically; ``path`` is a folder (the file is then
    named :func:`request_file_name`) or the file itself. Returns the file written."""
    path = Path(path)
    target = path / doc.file_name if path.is_dir() else path
    ensure_not_locked(target)
    wb = Workbook()
    ws = wb.active
    ws.title = "Запит"
    _Layout(ws, doc).write()
    _data_sheet(wb.create_sheet("Дані"), doc)
    wb.properties.title = f"Бюджетний запит {doc.plan_year}, КПКВК {doc.kpkvk}"
    wb.properties.creator = "koshtorys"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _data_sheet(ws: Worksheet, doc: RequestDoc) -> None:
    """tblRequest for the finance department, and tblRequestInfo (what and whose)."""
    fmt = "#,##0" if doc.settings.rounding == 0 else "#,##0.00"
    rows = [[r.kpkvk, r.kekv, r.fund, int(r.year), float(r.amount)]
            for r in doc.table.itertuples(index=False)]
    add_excel_table(ws, "tblRequest", REQUEST_COLUMNS, rows, formats={4: fmt},
                    widths=(11, 8, 10, 8, 16))
    s = doc.settings
    info = [("institution", s.institution), ("edrpou", s.edrpou), ("hromada", s.hromada),
            ("kpkvk", doc.kpkvk), ("kpkvk_name", doc.kpkvk_name or ""),
            ("plan_year", s.plan_year), ("execution_year", s.exec_year),
            ("rounding", s.rounding)]
    add_excel_table(ws, "tblRequestInfo", ("key", "value"), info, left=7, widths=(16, 50))
    for (cell,) in ws.iter_rows(min_row=2, max_row=len(info) + 1, min_col=8, max_col=8):
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        lines = -(-len(str(cell.value or "")) // 48)
        if lines > 1:
            ws.row_dimensions[cell.row].height = 15 * lines
    _page_setup(ws, landscape=False, title_rows="1:1")


def _page_setup(ws: Worksheet, landscape: bool, title_rows: str) -> None:
    """A4, fitted to the page width, with rows repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"


class _Layout:
    """The form sheet: eleven columns (КЕКВ, name, 3 × 3 amounts)."""

    WIDTHS = (9, 44, *([13.5] * 9))
    LAST = 11

    def __init__(self, ws: Worksheet, doc: RequestDoc) -> None:
        self.ws, self.doc, self.r = ws, doc, 1
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.bold, self.small = Font(bold=True), Font(size=8, italic=True)
        self.title_font = Font(bold=True, size=12)
        self.wrap = Alignment(wrap_text=True, vertical="center")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.money = "#,##0" if doc.settings.rounding == 0 else "#,##0.00"
        self._styles: dict[tuple[object, ...], tuple[object, ...]] = {}

    # helpers ---------------------------------------------------------------------
    def put(self, col: int, value: object, *, to: int | None = None, font: Font | None = None,
            align: Alignment | None = None, fmt: str | None = None, boxed: bool = False,
            row: int | None = None) -> None:
        """One cell (merged up to column ``to``) of the current row, or of ``row``."""
        r = row or self.r
        c = self.ws.cell(r, col, _cell(value))
        if to and to > col:
            self._merge(c, r, col, to)
        align = align or self.wrap
        self._restyle(c, font, align, fmt or None)
        if isinstance(value, str) and align.wrap_text:
            self._fit(r, value, sum(self.WIDTHS[col - 1:(to or col)]), font)
        if boxed:
            for j in range(col, (to or col) + 1):
                self._restyle(self.ws.cell(r, j), None, None, None, self.border)

    def _merge(self, cell: Cell, row: int, col: int, to: int) -> None:
        """Merge ``col``..``to`` of ``row``. openpyxl's merge_cells copies the first cell's
        borders and protection onto the others one style at a time; a new cell has
        neither, so the covered cells are simply made blank merged cells."""
        style = cell._style
        if style and (style.borderId or style.protectionId):
            self.ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=to)
            return
        self.ws.merged_cells.add(MergedCellRange(
            self.ws, f"{get_column_letter(col)}{row}:{get_column_letter(to)}{row}"))
        for j in range(col + 1, to + 1):
            self.ws._cells[row, j] = MergedCell(self.ws, row, j)

    def _restyle(self, cell: Cell | MergedCell, font: Font | None, align: Alignment | None,
                 fmt: str | None, border: Border | None = None) -> None:
        """Give ``cell`` these styles. Assigning a style is openpyxl's slowest step (it
        hashes the style objects every time), so each change of one style to another is
        worked out once per sheet and then copied."""
        key = (tuple(cell._style or ()), id(font), id(align), fmt, id(border))
        hit = self._styles.get(key)
        if hit is not None:
            cell._style = StyleArray(hit[0])
            return
        if font is not None:
            cell.font = font
        if align is not None:
            cell.alignment = align
        if fmt:
            cell.number_format = fmt
        if border is not None:
            cell.border = border
        # the style objects are kept with the result, so their ids stay theirs
        self._styles[key] = (StyleArray(cell._style), font, align, border)

    def _fit(self, row: int, text: str, width: float, font: Font | None) -> None:
        """Make ``row`` tall enough for ``text`` wrapped in ``width`` characters: neither
        Excel nor LibreOffice grows a row for wrapped text in merged cells."""
        size = (font.sz if font is not None and font.sz else 11) or 11
        per_line = max(width * 11 / size / (1.15 if font is not None and font.b else 1.05), 1)
        lines = sum(max(1, -(-len(part) // int(per_line))) for part in text.split("\n"))
        need = lines * size * 1.3 + 2
        dim = self.ws.row_dimensions[row]
        if need > (dim.height or 15):
            dim.height = need

    def heading(self, text: str, gap: bool = True) -> None:
        self.r += 1 if gap else 0
        self.put(1, text, to=self.LAST, font=self.bold)
        self.r += 1

    # sections ----------------------------------------------------------------------
    def write(self) -> None:
        ws, doc, s = self.ws, self.doc, self.doc.settings
        for j, w in enumerate(self.WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        py = doc.plan_year
        self.put(1, f"БЮДЖЕТНИЙ ЗАПИТ НА {py}–{py + 2} РОКИ індивідуальний, Форма {py}-2",
                 to=self.LAST, font=self.title_font, align=self.center)
        self.r = 2
        self.put(1, f"{s.institution} · КПКВКМБ {doc.kpkvk}"
                 + (f" · {doc.kpkvk_name}" if doc.kpkvk_name else "") + " · суми в гривнях",
                 to=self.LAST, font=self.small, align=self.center)
        self.r = 4
        self._header()
        self._expenditures()
        self._indicators()
        self._funding()
        self._signatures()
        ws.print_area = f"A1:{get_column_letter(self.LAST)}{self.r}"
        _page_setup(ws, landscape=True, title_rows="1:2")

    def _header(self) -> None:
        doc, s = self.doc, self.doc.settings
        code = doc.kpkvk
        lines = (
            ("1. Головний розпорядник коштів", s.institution, "код ТПКВКМБ",
             code[:2] + "00000"),
            ("2. Відповідальний виконавець", s.institution, "код ТПКВКМБ", code[:3] + "0000"),
            ("3. Бюджетна програма", doc.kpkvk_name or "", "КПКВКМБ / ТПКВКМБ",
             f"{code} / {code[3:]}"),
        )
        for label, name, code_label, value in lines:
            self.put(1, label, to=2, font=self.bold)
            self.put(3, name, to=7)
            self.put(8, code_label, to=9, font=self.small)
            self.put(10, value, to=11, align=self.center)
            self.r += 1
        self.put(1, "Код за ЄДРПОУ", to=2, font=self.bold)
        self.put(3, s.edrpou, to=4)
        if s.hromada:
            self.put(5, "Бюджет", font=self.small)
            self.put(6, s.hromada, to=9)
        self.r += 1
        self.put(1, "Розділи 4, 5, 7, 9, 11–13 форми (мета і завдання, надходження, напрями "
                 "використання, оплата праці, програми, об'єкти, заборгованість, обґрунтування "
                 "спеціального фонду) заповнюються вручну.", to=self.LAST, font=self.small)
        self.r += 1

    def _amount_table(self, title: str, columns: Sequence[AmountColumn]) -> None:
        self.heading(title, gap=not title.startswith("6.1"))
        top = self.r
        for col, text in ((1, "Код КЕКВ"), (2, "Найменування")):
            self.put(col, text, font=self.bold, align=self.center, boxed=True)
            self.put(col, None, boxed=True, row=top + 1)
            self.ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        for i, ac in enumerate(columns):
            c0 = 3 + 3 * i
            self.put(c0, ac.label, to=c0 + 2, font=self.bold, align=self.center, boxed=True)
            for j, f in enumerate(("загальний фонд", "спеціальний фонд", "разом")):
                self.put(c0 + j, f, font=self.bold, align=self.center, boxed=True, row=top + 1)
        self.r = top + 2
        last = 2 + 3 * len(columns)
        for j in range(1, last + 1):
            self.put(j, j, font=self.small, align=self.center, boxed=True)
        self.r += 1
        for row in [*self.doc.rows, self.doc.totals]:
            font = self.bold if row.kekv is None else None
            self.put(1, row.kekv, font=font, align=self.center, boxed=True)
            self.put(2, row.name, font=font, boxed=True)
            for i, ac in enumerate(columns):
                for j, f in enumerate((*FUNDS, "total")):
                    self.put(3 + 3 * i + j, row.amount(ac.key, f), font=font, fmt=self.money,
                             boxed=True, align=None)
            self.r += 1

    def _expenditures(self) -> None:
        cols = self.doc.columns
        self.heading("6. Видатки за кодами Економічної класифікації видатків бюджету")
        self._amount_table(f"6.1. Видатки на {cols[0].year}–{cols[2].year} роки, гривень",
                           cols[:3])
        self._amount_table(f"6.2. Видатки на {cols[3].year}–{cols[4].year} роки (прогноз; "
                           f"індекс зростання {self.doc.settings.index_rate:.1%}), гривень",
                           cols[3:])

    def _indicators(self) -> None:
        self.heading("8. Результативні показники бюджетної програми")
        heads = ((1, 1, "№ з/п"), (2, 2, "Показник"), (3, 4, "Одиниця виміру"),
                 (5, 7, "Джерело інформації"), (8, 8, f"{self.doc.plan_year} рік (проєкт)"))
        for c0, c1, text in heads:
            self.put(c0, text, to=c1, font=self.bold, align=self.center, boxed=True)
        self.r += 1
        group_no = {"затрат": 1, "продукту": 2, "ефективності": 3, "якості": 4}
        by_group: dict[str, list[Indicator]] = {g: [] for g in group_no}
        for ind in self.doc.indicators:
            by_group.setdefault(ind.group, []).append(ind)
        for group, items in by_group.items():
            if not items:
                continue
            self.put(1, str(group_no.get(group, "")), font=self.bold, align=self.center,
                     boxed=True)
            self.put(2, group, to=8, font=self.bold, boxed=True)
            self.r += 1
            for ind in items:
                self.put(1, ind.number, align=self.center, boxed=True)
                self.put(2, ind.name, boxed=True)
                self.put(3, ind.unit, to=4, align=self.center, boxed=True)
                self.put(5, ind.source, to=7, boxed=True)
                self.put(8, ind.value, fmt=ind.fmt, boxed=True, align=None)
                self.r += 1

    def _funding(self) -> None:
        f = self.doc.funding
        if f.empty:
            return
        self.heading("10. Місцеві програми: фінансування заходів бюджетної програми за "
                     "джерелами, гривень")
        heads = ("Рік", "Потреба", "Бюджет громади", "Державний бюджет", "Обласний бюджет",
                 "Донори (МТД)", "Дефіцит (+) / надлишок (−)")
        self.put(1, heads[0], to=2, font=self.bold, align=self.center, boxed=True)
        for j, h in enumerate(heads[1:], start=3):
            self.put(j, h, font=self.bold, align=self.center, boxed=True)
        self.r += 1
        digits = self.doc.settings.rounding
        total = {c: from_units(sum(to_units(float(x), digits) for x in f[c]), digits)
                 for c in _FUNDING_COLS}
        body = [(str(int(y)), row) for y, row in zip(f["year"], f.to_dict("records"),
                                                     strict=True)]
        for label, row in [*body, ("Усього", total)]:
            font = self.bold if label == "Усього" else None
            self.put(1, label, to=2, font=font, align=self.center, boxed=True)
            for j, c in enumerate(_FUNDING_COLS, start=3):
                self.put(j, row[c], font=font, fmt=self.money, boxed=True, align=None)
            self.r += 1

    def _signatures(self) -> None:
        self.r += 2
        for who in ("Керівник установи", "Керівник фінансової служби"):
            self.put(1, who, to=2, font=self.bold)
            self.put(4, "____________________", to=5, align=self.center)
            self.put(8, "____________________________", to=10, align=self.center)
            self.r += 1
            self.put(4, "(підпис)", to=5, font=self.small, align=self.center)
            self.put(8, "(Власне ім'я ПРІЗВИЩЕ)", to=10, font=self.small, align=self.center)
            self.r += 2
        self.put(1, "«____» ______________ 20___ р.", to=2)


# --------------------------------------------------------------------------- reading back

def read_summary(path: Path) -> RequestSummary:
    """The :class:`RequestSummary` of a written request workbook (for ``send``)."""
    try:
        wb = load_workbook(Path(path))
        ws = wb["Дані"]
        req, info = ws.tables["tblRequest"], ws.tables["tblRequestInfo"]
    except (OSError, KeyError, ValueError, BadZipFile, InvalidFileException) as exc:
        raise KoshtorysError(f"{Path(path).name} is not a koshtorys request workbook "
                             f"({exc})") from exc

    def values(ref: str) -> list[list[object]]:
        return [[c.value for c in row] for row in ws[ref]][1:]

    meta = {str(k): v for k, v in values(info.ref) if k is not None}
    plan_year = int(meta.get("plan_year") or 0)
    digits = int(meta.get("rounding") or 0)
    units = {f: 0 for f in FUNDS}
    for _k, _e, fund, year, amount in values(req.ref):
        if year is not None and int(year) == plan_year and fund in units and amount:
            units[fund] += to_units(float(amount), digits)
    totals = {f: from_units(u, digits) for f, u in units.items()}
    totals["total"] = from_units(sum(units.values()), digits)
    return RequestSummary(plan_year, str(meta.get("kpkvk") or ""),
                          meta.get("kpkvk_name") or None,  # type: ignore[arg-type]
                          str(meta.get("institution") or ""), digits, totals)
