"""``koshtorys request`` (button Бюджетний запит): the budget request workbooks (and PDFs)
of one program workbook.

The numbers are computed afresh from the book's inputs, exactly as a refresh would, so a
request never carries stale results; the live workbook serves as well as the file.
"""

from __future__ import annotations

from pathlib import Path

from koshtorys import parts
from koshtorys.core.book import Book
from koshtorys.core.checks import Check, ordered
from koshtorys.core.errors import KoshtorysError, SettingsError, TableMissing
from koshtorys.core.fileio import ensure_folder, ensure_not_locked
from koshtorys.documents.request import RequestInputs, build_requests
from koshtorys.documents.request_sheet import write_request

from .outcome import DONE_WITH_ERRORS, Outcome, Progress

__all__ = ["request", "request_inputs", "require_plan_year", "require_parts", "print_pdfs"]


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
    )


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


def request(book: Book, outdir: Path, *, kpkvk: str | None = None, pdf: bool = False,
            progress: Progress | None = None) -> Outcome:
    """Write ``request_<plan_year>_<kpkvk>.xlsx`` per program into ``outdir``."""
    step = progress or (lambda _s: None)
    result = parts.evaluate(book, progress=progress)
    out = Outcome(book.language(), result.exit_code, checks=ordered(result.checks))
    require_plan_year(result.checks, book.name)
    require_parts(result, ("costing",))
    step("request")
    docs = build_requests(request_inputs(result), kpkvk=kpkvk)
    if not docs:
        raise KoshtorysError("no_programs", book=book.name)
    outdir = ensure_folder(Path(outdir))
    for doc in docs:  # a request open in Excel stops them all, before any is rewritten
        ensure_not_locked(outdir / doc.file_name)
    for doc in docs:
        out.files.append(write_request(doc, outdir))
    out.say("wrote_requests", count=len(out.files), outdir=outdir)
    if out.errors:
        out.say("note_errors", count=len(out.errors))
    if pdf:
        print_pdfs(out, list(out.files), outdir, step)
    return out
