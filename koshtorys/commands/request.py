"""``koshtorys request`` (button Бюджетний запит): the budget request workbooks (and PDFs)
of one program workbook — Форма 20__-2 per program and, where the expenditure is above a
ceiling, Форма 20__-3.

The numbers are computed afresh from the book's inputs, exactly as a refresh would, so a
request never carries stale results; the live workbook serves as well as the file. A
request is never made without the institution, its ЄДРПОУ and the budget code (nor a
main spending unit's ЄДРПОУ when one is named): those are error checks pointing at the
setting, and no request is written (exit 1). The files of one run are written all or
nothing; if a rename fails half-way the command says exactly which files are in place.
"""

from __future__ import annotations

from pathlib import Path

from koshtorys import parts
from koshtorys.core import schema
from koshtorys.core.book import Book
from koshtorys.core.checks import Check, ordered
from koshtorys.core.errors import KoshtorysError, SettingsError, TableMissing
from koshtorys.core.fileio import ensure_folder
from koshtorys.core.messages import format_money, text
from koshtorys.documents.fileset import PartlyWritten
from koshtorys.documents.request import FUNDS, RequestDoc, RequestInputs, build_requests
from koshtorys.documents.request_sheet import write_requests

from .outcome import DONE_WITH_ERRORS, Outcome, Progress

__all__ = ["request", "request_inputs", "require_plan_year", "require_parts", "print_pdfs",
           "document_settings", "SAID_BY_REQUEST", "SAID_BY_REPORT"]

_NEEDED = ("institution", "edrpou", "budget_code")


SAID_BY_REQUEST = frozenset({"ceiling_year_unused", "ceiling_program_unknown",
                             "history_year_unused", "history_no_report_year",
                             "program_texts_unknown", "plan_in_thousands",
                             "plan_looks_cumulative", "cost_looks_monthly",
                             "history_in_thousands"})
"""Input checks the request command repeats: rows it leaves out of the form (a ceiling, a
year's cash or program texts it cannot use) and a plan that looks typed in other units
(its затверджено column is the plan), which a user running only ``request`` must see."""

SAID_BY_REPORT = frozenset({"plan_in_thousands", "plan_looks_cumulative",
                            "actuals_in_thousands", "actuals_look_cumulative"})
"""The engine's warnings the passport report repeats: its planned and actual columns are
tblPlan and tblActuals as typed."""


def require_plan_year(checks: list[Check], name: str) -> None:
    """Raise when tblSettings has no usable plan_year: it names the documents and heads the
    forms, so a default year would make them for the wrong year."""
    if any(c.code == "setting_missing" and c.params.get("key") == "plan_year" for c in checks):
        raise SettingsError("no_plan_year", book=name)


def require_parts(result: parts.JobResult, needed: tuple[str, ...]) -> None:
    """Raise when a part a document is made of could not be computed (a table it needs is
    missing): a document is never made from partial inputs, nor with zeros instead."""
    for name in needed:
        if name in result.skipped:
            raise TableMissing("part_needs_table", part=name,
                               table=", ".join(result.skipped[name]))


def request_inputs(result: parts.JobResult) -> RequestInputs:
    f = result.inputs.frames if result.inputs else {}
    out = result.outputs
    return RequestInputs(
        settings=result.settings,
        cost_by_kekv=out.get("tblCostByKekv"),
        unit_costs=out.get("tblUnitCosts"),
        services=f.get("tblServices"),
        staff=f.get("tblStaff"),
        plan=f.get("tblPlan"),
        variance=out.get("tblVariance"),
        funding_split=out.get("tblFundingSplit"),
        needs=f.get("tblNeeds"),
        programs=f.get("tblPrograms"),
        history=f.get("tblHistory"),
        ceilings=f.get("tblCeilings"),
    )


def document_settings(result: parts.JobResult, lang: str,
                      document: str = "request") -> list[Check]:
    """Error checks for the settings a document cannot be signed without: institution,
    edrpou, budget_code, and grk_edrpou when a main spending unit (grk) is named. A
    setting that already has an error check (an invalid ЄДРПОУ, say) is not named twice.
    """
    s = result.settings
    inputs = result.inputs
    rows = inputs.setting_rows if inputs else {}
    flagged = {c.row for c in result.checks if c.table == "tblSettings" and c.row
               and c.severity == "error"}
    keys = list(_NEEDED) + (["grk_edrpou"] if str(s.grk or "").strip() else [])
    prompts = {st.key: (st.uk if lang == "uk" else st.en) for st in schema.SETTINGS}
    out: list[Check] = []
    for key in keys:
        value = str(getattr(s, key) or "").strip()
        if value and (key != "institution" or any(ch.isalpha() for ch in value)):
            continue
        row = rows.get(key)
        if row is not None and row in flagged:
            continue  # already an error (invalid code): said once
        where = inputs.locator.where("tblSettings", row, "value") if inputs else "tblSettings"
        out.append(Check("error", "tblSettings", row, "value", "document_setting_missing",
                         {"where": where, "key": key, "what": prompts.get(key, key),
                          "document": document}))
    return out


def _settings_in_error(result: parts.JobResult) -> list[str]:
    """The keys of the needed settings whose value has an error check (dropped)."""
    inputs = result.inputs
    if inputs is None:
        return []
    bad_rows = {c.row for c in result.checks if c.table == "tblSettings"
                and c.severity == "error" and c.row}
    keys = list(_NEEDED) + ["grk_edrpou"]
    return [k for k in keys if inputs.setting_rows.get(k) in bad_rows]


def print_pdfs(out: Outcome, files: list[Path], outdir: Path, progress: Progress) -> None:
    """PDFs of ``files`` with LibreOffice when it is here; says what happened."""
    from koshtorys.documents.pdf import soffice_path, to_pdfs

    if soffice_path() is None:
        out.say("no_soffice")
        out.worst(DONE_WITH_ERRORS)
        return
    progress("pdf")
    try:
        pdfs = to_pdfs(files, outdir)
    except KoshtorysError as exc:
        out.say("pdf_failed", error=exc.message(out.lang))
        out.worst(DONE_WITH_ERRORS)
        return
    out.files += pdfs
    out.say("wrote_pdfs", count=len(pdfs))


def _excess_total(doc: RequestDoc) -> float:
    add = doc.additional
    if add is None:
        return 0.0
    units = sum(e.excess for e in add.lines if e.column == "plan")
    return units / 10**doc.digits


def request(book: Book, outdir: Path, *, kpkvk: str | None = None, pdf: bool = False,
            progress: Progress | None = None) -> Outcome:
    """Write ``request_<plan_year>_<kpkvk>.xlsx`` (and ``request3_…`` above a ceiling) per
    program into ``outdir``."""
    step = progress or (lambda _s: None)
    result = parts.evaluate(book, progress=progress)
    lang = book.language()
    out = Outcome(lang, result.exit_code, checks=ordered(result.checks))
    require_plan_year(result.checks, book.name)
    require_parts(result, ("costing",))
    step("request")
    docs = build_requests(request_inputs(result), kpkvk=kpkvk)
    if not docs:
        raise KoshtorysError("no_programs", book=book.name)
    missing = document_settings(result, lang)
    refused = [c.params["key"] for c in missing] + _settings_in_error(result)
    if refused:
        names = ", ".join(dict.fromkeys(str(k) for k in refused))
        not_made = [Check("error", "tblSettings", None, None, "document_not_made",
                          {"document": "request", "kpkvk": d.kpkvk,
                           "reason": text("settings_not_set", lang, names=names)})
                    for d in docs]
        out.checks = ordered([*out.checks, *missing, *not_made])
        for c in [*missing, *not_made]:
            out.add(c.message(lang))
        out.worst(DONE_WITH_ERRORS)
        return out
    out.repeat(SAID_BY_REQUEST)  # the inputs' own warnings about what the request prints
    for d in docs:
        out.checks += d.checks
        for c in d.checks:
            out.add("  " + c.message(lang))
    outdir = ensure_folder(Path(outdir))
    try:
        written = write_requests(docs, outdir)
    except PartlyWritten as exc:
        out.files += exc.written
        out.say("requests_partly_written", count=len(exc.written),
                files=", ".join(p.name for p in exc.written) or "—", failed=exc.failed.name,
                error=exc.error)
        out.worst(DONE_WITH_ERRORS)
        return out
    out.files += written
    out.say("wrote_requests", count=len(docs), outdir=outdir)
    for d in docs:
        if d.additional is not None:
            out.say("wrote_request3", file=d.file_name3, kpkvk=d.kpkvk,
                    excess=format_money(_excess_total(d), lang, d.digits))
    book_errors = [c for c in result.checks if c.severity == "error"]
    if book_errors:  # the workbook's own: check lists them
        out.say("note_errors", count=len(book_errors))
    if pdf:
        print_pdfs(out, list(out.files), outdir, step)
    return out


assert FUNDS == ("general", "special")
