"""``koshtorys import-actuals``: a report's months into ``tblActuals``, an earlier year's
totals into ``tblHistory`` — from a file, or fetched from the open budget portal.

Only the cells the report brings change; every other cell of the two tables —
formulas, other months, extra user columns, even rows with errors — stays, and no
other table is touched. Nothing is written until the whole report (or the portal's
whole answer) is read: a refused or failed fetch changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from koshtorys.convert import Unreadable, convert_inputs, is_blank, read_cell
from koshtorys.core import schema
from koshtorys.core.book import Book, RawTable
from koshtorys.core.errors import FetchError, KoshtorysError, TableMissing
from koshtorys.core.messages import text
from koshtorys.core.money import to_units
from koshtorys.core.schema import match_columns
from koshtorys.readers.report import (
    PROBLEMS,
    ReportRows,
    load_report,
    merge_actuals,
    rows_from_table,
    year_totals,
)

from .outcome import DONE, DONE_WITH_ERRORS, Outcome, Progress

__all__ = ["TableEdit", "plan_import", "plan_history", "workbook_programs", "import_actuals",
           "PROGRAM_TABLES"]

PROGRAM_TABLES = ("tblPlan", "tblActuals", "tblServices", "tblStaff", "tblCosts",
                  "tblPrograms", "tblNeeds", "tblCeilings", "tblHistory")
"""Where the workbook names its programs: a report's ТПКВКМБ is matched to these КПКВК."""
_SHOWN_LINES = 8


@dataclass
class TableEdit:
    """What an import changes in one table."""

    cells: dict[tuple[int, str], object] = field(default_factory=dict)
    """(data row index, column key) → new value, for existing rows."""
    new_rows: list[dict[str, object]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cells or self.new_rows)

    @property
    def added(self) -> int:
        return len(self.new_rows)

    @property
    def changed(self) -> int:
        return len(self.cells)


def _reader(table: str, raw: RawTable) -> tuple[dict[str, int], Callable[[list, str], object]]:
    """The columns of ``raw`` and a function reading one cell by the one conversion stage
    (``None`` when blank or unreadable)."""
    t = schema.table(table)
    cols = match_columns(t, raw.headers)

    def cell(row: list, key: str) -> object:
        j = cols.get(key)
        v = row[j] if j is not None and j < len(row) else None
        if is_blank(v):
            return None
        try:
            return read_cell(t.column(key), v)
        except Unreadable:
            return None

    return cols, cell


def workbook_programs(raw: Mapping[str, RawTable]) -> set[str]:
    """Every КПКВК the workbook's tables name."""
    found: set[str] = set()
    for name in PROGRAM_TABLES:
        if name in raw:
            cols, cell = _reader(name, raw[name])
            if "kpkvk" in cols:
                found.update(str(k) for r in raw[name].rows if (k := cell(r, "kpkvk")))
    return found


def _fund_label(fund: str, lang: str) -> object:
    return schema.enum_label("fund", fund, lang)  # type: ignore[arg-type]


def plan_import(raw_actuals: RawTable, rows: pd.DataFrame, lang: str = "en") -> TableEdit:
    """The cell changes that put the execution year's ``rows`` into ``tblActuals``."""
    cols, cell = _reader("tblActuals", raw_actuals)
    missing = [k for k in ("kpkvk", "kekv", *schema.MONTHS) if k not in cols]
    if missing:
        raise TableMissing("no_columns", table="tblActuals", columns=", ".join(missing))
    current = pd.DataFrame(
        [{"kpkvk": cell(r, "kpkvk"), "kekv": cell(r, "kekv"),
          "fund": cell(r, "fund") or "general", **{m: cell(r, m) for m in schema.MONTHS}}
         for r in raw_actuals.rows],
        columns=["kpkvk", "kekv", "fund", *schema.MONTHS])
    edit = TableEdit()
    if rows.empty:
        return edit
    merged = merge_actuals(current, rows)
    brought = [schema.MONTHS[m - 1] for m in sorted({int(m) for m in rows["month"]})]
    touched = set(zip(rows["kpkvk"], rows["kekv"], rows["fund"], strict=True))
    for i, row in merged.iterrows():
        if (row["kpkvk"], row["kekv"], row["fund"]) not in touched:
            continue
        if int(i) < len(current):  # type: ignore[call-overload]
            for m in brought:
                v, was = row[m], current.at[i, m]
                if pd.notna(v) and (was is None or pd.isna(was) or to_units(v) != to_units(was)):
                    edit.cells[(int(i), m)] = float(v)  # type: ignore[call-overload]
        else:
            new = {k: (None if pd.isna(row[k]) else float(row[k])) for k in schema.MONTHS}
            new.update(kpkvk=row["kpkvk"], kekv=row["kekv"], fund=_fund_label(row["fund"], lang))
            edit.new_rows.append(new)  # appended: a live cell edit takes numbers only
    return edit


def plan_history(raw_history: RawTable, totals: pd.DataFrame, lang: str = "en") -> TableEdit:
    """The cell changes that put earlier years' totals into ``tblHistory``: the amount of a
    (kpkvk, kekv, fund, year) it already holds is replaced, a new one appended."""
    cols, cell = _reader("tblHistory", raw_history)
    missing = [k for k in ("kpkvk", "kekv", "year", "amount") if k not in cols]
    if missing:
        raise TableMissing("no_columns", table="tblHistory", columns=", ".join(missing))
    where = {}
    for i, r in enumerate(raw_history.rows):
        key = (cell(r, "kpkvk"), cell(r, "kekv"), cell(r, "fund") or "general", cell(r, "year"))
        where.setdefault(key, (i, cell(r, "amount")))
    edit = TableEdit()
    for t in totals.itertuples(index=False):
        key = (t.kpkvk, t.kekv, t.fund, int(t.year))
        if key in where:
            i, was = where[key]
            if was is None or to_units(float(was)) != to_units(t.amount):  # type: ignore[arg-type]
                edit.cells[(i, "amount")] = float(t.amount)
        else:
            edit.new_rows.append({"kpkvk": t.kpkvk, "kekv": t.kekv,
                                  "fund": _fund_label(t.fund, lang), "year": int(t.year),
                                  "amount": float(t.amount)})
    return edit


def _fetch(settings: object, code: str, year: int, step: Progress, lang: str,
           out: Outcome) -> tuple[pd.DataFrame, str]:
    from koshtorys.readers.portal import fetch_expenses

    code = code or str(getattr(settings, "budget_code", "") or "")
    if not code:
        raise KoshtorysError("portal_no_code")
    base = str(getattr(settings, "portal_url", "") or "https://api.openbudget.gov.ua")
    step("fetch")
    answer = fetch_expenses(base, code, year, progress=lambda n: step(
        text("step_fetch_bytes", lang, kb=f"{n >> 10:,}".replace(",", "\u00a0"))))
    out.say("portal_fetched", url=answer.url, lines=len(answer.table), year=year,
            code=answer.code)
    if answer.code != code.strip():
        out.say("portal_code_length", given=code.strip(), used=answer.code, year=year)
    return answer.table, answer.url


def _say_skips(out: Outcome, report: ReportRows, programs: set[str]) -> None:
    counts = report.counts()
    out.say("import_lines", lines=report.lines, taken=report.taken,
            skipped=len(report.skipped))
    if not counts:
        return
    out.say("import_skipped_by", details="; ".join(
        f"{text(f'skip_{r}', out.lang)}: {n}" for r, n in counts.items()))
    for reason in (r for r in counts if r in PROBLEMS):
        lines = [s.line for s in report.skipped if s.reason == reason]
        shown = ", ".join(str(n) for n in lines[:_SHOWN_LINES]) + (
            " …" if len(lines) > _SHOWN_LINES else "")
        out.say("import_skip_lines", reason=text(f"skip_{reason}", out.lang), lines=shown)
    for tpkvk, kpkvk in report.matched.items():
        out.say("import_matched", tpkvk=tpkvk, kpkvk=kpkvk)
    if report.taken == 0 and counts.get("other_program"):
        out.say("import_no_program", programs=", ".join(sorted(programs)) or "—")


def import_actuals(book: Book, report: Path | None = None, *, portal: str | None = None,
                   year: int | None = None, progress: Progress | None = None) -> Outcome:
    """Read ``report`` — or, with ``portal`` (a budget code; ``""`` = the settings'
    budget_code), the portal's export for ``year`` (default execution_year) — into
    ``book`` (the file or the live workbook), saved at once.

    The execution year's months go to ``tblActuals`` (the months it brings replace those
    months), an earlier year's totals to ``tblHistory``.
    """
    lang = book.language()
    step = progress or (lambda _s: None)
    out = Outcome(lang)
    step("read")
    raw = book.read_tables(["tblSettings", *PROGRAM_TABLES])
    if "tblActuals" not in raw:
        from koshtorys.parts import require_settings

        require_settings(book, raw)  # a document koshtorys made is named as such
        raise TableMissing("no_table", table="tblActuals", book=book.name)
    inputs = convert_inputs(raw, ["tblSettings"])
    settings = inputs.settings
    exec_year = settings.exec_year
    programs = workbook_programs(raw)
    if portal is not None:
        if report is not None:
            raise KoshtorysError("import_file_or_portal")
        asked = exec_year if year is None else int(year)
        if asked > exec_year:
            raise KoshtorysError("import_year_later", year=asked, exec_year=exec_year)
        if asked < 2000:
            raise KoshtorysError("import_bad_year", year=asked)
        if not portal and not settings.budget_code:  # set, but unusable: say so
            for c in inputs.checks:
                if c.code == "invalid_budget_code":
                    raise FetchError("portal_bad_code", code=c.params.get("value", ""))
        table, name = _fetch(settings, portal, asked, step, lang, out)
        rep = rows_from_table(table, name, year=asked, programs=programs,
                              exec_year=exec_year, error=FetchError)
        if rep.lines == 0:
            raise FetchError("portal_no_data", code=portal or settings.budget_code, year=asked)
    else:
        if report is None:
            raise KoshtorysError("import_file_or_portal")
        if year is not None:
            raise KoshtorysError("import_year_needs_portal")
        step("import_actuals")
        rep = rows_from_table(load_report(Path(report)), Path(report).name, year=exec_year,
                              programs=programs, exec_year=exec_year)
        if rep.lines == 0:
            raise KoshtorysError("report_no_lines", name=Path(report).name)

    now = rep.rows[rep.rows["year"] == exec_year]
    earlier = rep.rows[rep.rows["year"] < exec_year]
    actuals = plan_import(raw["tblActuals"], now, lang)
    totals = year_totals(earlier)
    history, per_year = TableEdit(), {}
    if not totals.empty:
        if "tblHistory" not in raw:
            raise TableMissing("no_table", table="tblHistory", book=book.name)
        for y, grp in totals.groupby("year"):
            edit = plan_history(raw["tblHistory"], grp, lang)
            history.cells.update(edit.cells)
            history.new_rows += edit.new_rows
            per_year[int(y)] = (len(grp), edit.changed, edit.added,
                                int(grp["last_month"].max()))

    step("write")
    if actuals:
        book.update_table("tblActuals", actuals.cells, actuals.new_rows)
    if history:
        book.update_table("tblHistory", history.cells, history.new_rows)
    if actuals or history:
        book.save()

    _say_skips(out, rep, programs)
    if not now.empty:
        out.say("imported", months=", ".join(str(m) for m in sorted(set(now["month"]))),
                cells=actuals.changed, rows=actuals.added)
    for y, (lines, cells, added, last) in per_year.items():
        out.say("imported_history", year=y, lines=lines, cells=cells, rows=added)
        if last < 12:
            out.say("history_partial_year", year=y, month=last)
    out.worst(DONE_WITH_ERRORS if rep.problems else DONE)
    return out

