"""``koshtorys passport`` (buttons Паспорт програми, Звіт про виконання паспорта): the
budget program passport of each КПКВК for the plan year, or with ``report`` the report
on the execution year's passport.

Both are read off the budget request of the same program, built by the very function the
request command uses: the passport's figures are the request's plan-year column and the
report's planned figures its execution-year (``затверджено``) column. Like the request, a
passport is never made without the institution, its ЄДРПОУ and the budget code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from koshtorys import parts
from koshtorys.core import classifiers
from koshtorys.core.book import Book
from koshtorys.core.checks import Check, ordered
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import ensure_folder, ensure_not_locked
from koshtorys.documents.passport import PassportDoc, build_passport
from koshtorys.documents.passport_report import ReportDoc, actual_sums, build_report, last_month
from koshtorys.documents.passport_report_sheet import write_report
from koshtorys.documents.passport_sheet import write_passport
from koshtorys.documents.request import RequestDoc, build_requests

from .outcome import DONE_WITH_ERRORS, Outcome, Progress
from .request import (
    SAID_BY_REPORT,
    document_settings,
    request_inputs,
    require_parts,
    require_plan_year,
)
from .tariff import finish_documents

__all__ = ["passport", "passports", "reports"]


def _select(docs: list[RequestDoc], kpkvk: str | None) -> list[RequestDoc]:
    if kpkvk is None:
        return docs
    code = classifiers.pick_program(kpkvk, [d.kpkvk for d in docs])
    chosen = [d for d in docs if d.kpkvk == code]
    if not chosen:
        raise KoshtorysError("unknown_program", kpkvk=code,
                             known=", ".join(d.kpkvk for d in docs) or "—")
    return chosen


def _services(services: pd.DataFrame | None, request: RequestDoc) -> pd.DataFrame:
    """The program's services, in the order of the request's directions."""
    ids = [d.service_id for d in request.directions if d.service_id]
    if services is None or services.empty or not ids:
        return pd.DataFrame(columns=list(services.columns) if services is not None else [])
    by_id = {str(r): i for i, r in enumerate(services["service_id"])}
    return services.iloc[[by_id[i] for i in ids if i in by_id]]


def passports(result: parts.JobResult, *, kpkvk: str | None = None) -> list[PassportDoc]:
    """The plan-year passports of the evaluated workbook (frames in, content out)."""
    return [build_passport(r, "plan")
            for r in _select(build_requests(request_inputs(result)), kpkvk)]


def reports(result: parts.JobResult, *, kpkvk: str | None = None, book_name: str = ""
            ) -> tuple[list[ReportDoc], list[Check]]:
    """The execution-year reports, and the checks of the programs that cannot have one."""
    inputs = request_inputs(result)
    s = result.settings
    frames = result.inputs.frames if result.inputs else {}
    actuals = frames.get("tblActuals")
    every = build_requests(inputs)
    single = len(every) == 1
    cash = {r.kpkvk: actual_sums(actuals, r.kpkvk, single) for r in every}
    if not any(any(c.values()) for c in cash.values()):
        raise KoshtorysError("no_actuals_at_all", book=book_name, year=s.exec_year)
    chosen = _select(every, kpkvk)
    if kpkvk is None:  # a program with neither a plan nor cash in that year has no report
        chosen = [r for r in chosen if r.totals.amount("approved", "total")
                  or any(cash[r.kpkvk].values())]
    docs: list[ReportDoc] = []
    checks: list[Check] = []
    for r in chosen:
        if not any(cash[r.kpkvk].values()):
            if kpkvk is not None:
                raise KoshtorysError("no_actuals_program", kpkvk=r.kpkvk, year=s.exec_year)
            checks.append(Check("error", "tblActuals", None, None, "report_no_actuals",
                                {"kpkvk": r.kpkvk, "year": s.exec_year}))
            continue
        doc, found = build_report(build_passport(r, "approved"), cash[r.kpkvk],
                                  last_month(actuals, r.kpkvk, single),
                                  _services(inputs.services, r), inputs.unit_costs)
        docs.append(doc)
        checks += found + [c for c in r.checks if c.code == "program_texts_missing"]
    return docs, checks


def passport(book: Book, outdir: Path, *, kpkvk: str | None = None, pdf: bool = False,
             report: bool = False, progress: Progress | None = None) -> Outcome:
    """Write ``passport_<plan_year>_<kpkvk>.xlsx`` (or, with ``report``,
    ``passport_report_<execution_year>_<kpkvk>.xlsx``) per program into ``outdir``."""
    step = progress or (lambda _s: None)
    result = parts.evaluate(book, progress=progress)
    lang = book.language()
    out = Outcome(lang, result.exit_code, checks=ordered(result.checks))
    require_plan_year(result.checks, book.name)
    require_parts(result, ("costing", "execution") if report else ("costing",))
    step("passport_report" if report else "passport")
    before = len(out.checks)
    docs: list[PassportDoc] | list[ReportDoc]
    if report:
        docs, found = reports(result, kpkvk=kpkvk, book_name=book.name)
    else:
        docs = passports(result, kpkvk=kpkvk)
        found = [c for d in docs for c in d.request.checks if c.code == "program_texts_missing"]
    if not docs and not found:
        raise KoshtorysError("no_programs", book=book.name)
    missing = document_settings(result, lang, "report" if report else "passport")
    if missing:  # never signed without them: no file at all
        out.checks += missing
        for c in missing:
            out.add(c.message(lang))
        out.worst(DONE_WITH_ERRORS)
        return out
    if report:  # the workbook's own warnings about what the report's columns hold
        out.repeat(SAID_BY_REPORT, before)
    if result.inputs is not None:
        found = result.inputs.locator.fill(found)
    out.checks += found
    if any(c.severity == "error" for c in found):
        out.worst(DONE_WITH_ERRORS)
    outdir = ensure_folder(Path(outdir))
    for doc in docs:  # one file open in Excel stops them all, before any is rewritten
        ensure_not_locked(outdir / doc.file_name)
    write = write_report if report else write_passport
    for doc in docs:
        out.files.append(write(doc, outdir))  # type: ignore[arg-type]
    if docs:
        table = "tblPassportReport" if report else "tblPassport"
        out.outputs[table] = pd.concat([d.table.assign(kpkvk=d.kpkvk) for d in docs])
    out.say("wrote_passport_reports" if report else "wrote_passports", count=len(out.files),
            outdir=outdir)
    return finish_documents(out, before, outdir, pdf, step)

