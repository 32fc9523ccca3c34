"""``koshtorys passport`` (buttons Паспорт програми, Звіт про виконання паспорта): the
budget program passport of each КПКВК for the plan year, or with ``report`` the report
on the execution year's passport.

Both are read off the budget request of the same program (built by the same function
the request command uses), so the passport's figures are the request's plan-year column
and the report's planned figures are its execution-year (``затверджено``) column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from koshtorys import parts
from koshtorys.convert import convert_table
from koshtorys.core import classifiers, schema
from koshtorys.core.book import Book
from koshtorys.core.checks import Check, ordered
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import ensure_folder, ensure_not_locked
from koshtorys.documents.formsheet import blank
from koshtorys.documents.passport import (
    PassportDoc,
    build_passport,
    local_programs,
    program_texts,
)
from koshtorys.documents.passport_report import (
    ReportDoc,
    actual_sums,
    build_report,
    last_month,
)
from koshtorys.documents.passport_report_sheet import write_report
from koshtorys.documents.passport_sheet import write_passport
from koshtorys.documents.request import FUNDS, RequestDoc, RequestInputs, build_requests

from .outcome import DONE_WITH_ERRORS, Outcome, Progress
from .request import print_pdfs, request_inputs, require_parts, require_plan_year
from .tariff import say_checks

__all__ = ["passport", "passports", "reports"]


def _programs_frame(book: Book, result: parts.JobResult) -> pd.DataFrame | None:
    """tblPrograms (the programs' texts): from the evaluation when it read it, else read
    here; ``None`` when the workbook has none."""
    frames = result.inputs.frames if result.inputs else {}
    if "tblPrograms" in frames:
        return frames["tblPrograms"]
    raw = book.read_tables(["tblPrograms"]).get("tblPrograms")
    if raw is None or result.inputs is None:
        return None
    df, _checks = convert_table(raw, schema.table("tblPrograms"), result.inputs.locator)
    return df


def _of_program(df: pd.DataFrame | None, kpkvk: str, single: bool) -> pd.DataFrame:
    if df is None or df.empty or "kpkvk" not in df.columns:
        return df if df is not None else pd.DataFrame()
    codes = df["kpkvk"].astype(object)
    mine = codes.astype(str) == kpkvk
    if single:
        mine = mine | codes.map(blank).astype(bool)
    return df[mine.to_numpy(dtype=bool)]


def _services(inputs: RequestInputs, kpkvk: str, single: bool) -> list[tuple[str, str, float]]:
    """The program's services with their full cost: the weights of its directions."""
    services = _of_program(inputs.services, kpkvk, single)
    uc = inputs.unit_costs if inputs.unit_costs is not None else pd.DataFrame()
    cost = {str(k): float(v) for k, v in zip(uc.get("service_id", []), uc.get("total_cost", []),
                                             strict=True) if not blank(v)}
    return [(str(r["service_id"]), str(r["name"]), cost.get(str(r["service_id"]), 0.0))
            for r in services.to_dict("records") if str(r["service_id"]) in cost]


def _select(docs: list[RequestDoc], kpkvk: str | None) -> list[RequestDoc]:
    if kpkvk is None:
        return docs
    code = classifiers.code("kpkvk", kpkvk) or str(kpkvk).strip()
    chosen = [d for d in docs if d.kpkvk == code]
    if not chosen:
        raise KoshtorysError("unknown_program", kpkvk=code,
                             known=", ".join(d.kpkvk for d in docs) or "—")
    return chosen


def passports(result: parts.JobResult, programs: pd.DataFrame | None, *,
              kpkvk: str | None = None) -> list[PassportDoc]:
    """The plan-year passports of the evaluated workbook (pure: frames in, content out)."""
    inputs = request_inputs(result)
    every = build_requests(inputs)
    single = len(every) == 1
    requests = _select(every, kpkvk)
    frames = result.inputs.frames if result.inputs else {}
    s = result.settings
    return [build_passport(
        r, column="plan", services=_services(inputs, r.kpkvk, single),
        texts=program_texts(programs, r.kpkvk),
        programs=local_programs(frames.get("tblNeeds"), result.outputs.get("tblFundingSplit"),
                                r.kpkvk, s.plan_year, single, s.rounding))
        for r in requests]


def reports(result: parts.JobResult, programs: pd.DataFrame | None, *,
            kpkvk: str | None = None, book_name: str = "") -> tuple[list[ReportDoc],
                                                                   list[Check]]:
    """The execution-year reports and the checks of the programs that could not have one."""
    inputs = request_inputs(result)
    s = result.settings
    frames = result.inputs.frames if result.inputs else {}
    actuals = frames.get("tblActuals")
    every = build_requests(inputs)
    single = len(every) == 1
    if not any(actual_sums(actuals, r.kpkvk, single) for r in every):
        raise KoshtorysError("no_actuals_at_all", book=book_name, year=s.exec_year)
    docs: list[ReportDoc] = []
    checks: list[Check] = []
    chosen = _select(every, kpkvk)
    if kpkvk is None:  # a program with neither a plan nor cash in that year has no report
        chosen = [r for r in chosen if r.totals.amount("approved", "total")
                  or any(actual_sums(actuals, r.kpkvk, single).values())]
    for r in chosen:
        exact = actual_sums(actuals, r.kpkvk, single)
        if not any(exact.values()):
            if kpkvk is not None:
                raise KoshtorysError("no_actuals_program", kpkvk=r.kpkvk, year=s.exec_year)
            checks.append(Check("error", "tblActuals", None, None, "report_no_actuals",
                                {"kpkvk": r.kpkvk, "year": s.exec_year}))
            continue
        services = _of_program(inputs.services, r.kpkvk, single)
        weights = _services(inputs, r.kpkvk, single)
        services = services[services["service_id"].astype(str).isin([w[0] for w in weights])]
        texts = program_texts(programs, r.kpkvk)
        planned = build_passport(r, column="approved", services=weights, texts=texts)
        by_kekv = {(row.kekv, f): row.amount("approved", f) for row in r.rows for f in FUNDS
                   if row.kekv}
        doc, found = build_report(planned, by_kekv, exact,
                                  last_month(actuals, r.kpkvk, single), services,
                                  inputs.unit_costs, texts)
        docs.append(doc)
        checks += found
    return docs, checks


def passport(book: Book, outdir: Path, *, kpkvk: str | None = None, pdf: bool = False,
             report: bool = False, progress: Progress | None = None) -> Outcome:
    """Write ``passport_<plan_year>_<kpkvk>.xlsx`` (or, with ``report``,
    ``passport_report_<execution_year>_<kpkvk>.xlsx``) per program into ``outdir``."""
    step = progress or (lambda _s: None)
    result = parts.evaluate(book, progress=progress)
    out = Outcome(book.language(), result.exit_code, checks=ordered(result.checks))
    require_plan_year(result.checks, book.name)
    require_parts(result, ("costing", "execution") if report else ("costing",))
    programs = _programs_frame(book, result)
    step("passport_report" if report else "passport")
    before = len(out.checks)
    docs: list[PassportDoc] | list[ReportDoc]
    if report:
        docs, found = reports(result, programs, kpkvk=kpkvk, book_name=book.name)
        if result.inputs is not None:
            found = result.inputs.locator.fill(found)
        out.checks += found
        if any(c.severity == "error" for c in found):
            out.worst(DONE_WITH_ERRORS)
    else:
        docs = passports(result, programs, kpkvk=kpkvk)
    if not docs and not out.checks[before:]:
        raise KoshtorysError("no_programs", book=book.name)
    outdir = ensure_folder(Path(outdir))
    for doc in docs:  # one file open in Excel stops them all, before any is rewritten
        ensure_not_locked(outdir / doc.file_name)
    write = write_report if report else write_passport
    for doc in docs:
        out.files.append(write(doc, outdir))  # type: ignore[arg-type]
    table = "tblPassportReport" if report else "tblPassport"
    if docs:
        out.outputs[table] = pd.concat([d.table.assign(kpkvk=d.kpkvk) for d in docs])
    out.say("wrote_passport_reports" if report else "wrote_passports", count=len(out.files),
            outdir=outdir)
    say_checks(out, out.checks[before:])
    if out.errors:
        out.say("note_errors", count=len(out.errors))
    if pdf and out.files:
        print_pdfs(out, list(out.files), outdir, step)
    return out
