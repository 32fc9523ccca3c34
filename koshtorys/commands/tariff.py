"""``koshtorys tariff`` (button Тариф послуги): the cost and tariff calculation of each
service (or one), ``tariff_<plan_year>_<service_id>.xlsx``.

Computed afresh from the book's inputs by the costing part, exactly as a refresh would;
the live workbook serves as well as the file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from koshtorys import parts
from koshtorys.core.book import Book
from koshtorys.core.checks import Check, ordered
from koshtorys.core.errors import KoshtorysError, TableMissing
from koshtorys.core.fileio import ensure_folder, ensure_not_locked
from koshtorys.documents.tariff import TariffDoc, TariffInputs, build_tariff
from koshtorys.documents.tariff_sheet import write_tariff

from .outcome import DONE_WITH_ERRORS, Outcome, Progress
from .request import print_pdfs, require_plan_year

__all__ = ["tariff", "costed", "pick_services", "tariff_inputs", "say_checks", "finish_documents"]


def costed(book: Book, progress: Progress | None) -> tuple[parts.JobResult, Outcome]:
    """The costing part of ``book`` (exit 2 when its tables are missing) and the outcome
    that starts with its checks."""
    result = parts.evaluate(book, only="costing", progress=progress)
    if "costing" not in result.parts:  # pragma: no cover - evaluate(only=) raises first
        raise TableMissing("part_needs_table", part="costing", table="tblServices")
    out = Outcome(book.language(), result.exit_code, checks=ordered(result.checks))
    require_plan_year(result.checks, book.name)
    return result, out


def tariff_inputs(result: parts.JobResult) -> TariffInputs:
    f = result.inputs.frames if result.inputs else {}
    return TariffInputs(result.settings, result.outputs["tblUnitCosts"], f["tblServices"],
                        f["tblStaff"], f.get("tblTime"), f.get("tblCosts"))


def pick_services(result: parts.JobResult, service: str | None, document: str,
                  out: Outcome) -> list[str]:
    """The service ids to make documents for: every costed service, or ``service``.

    An id nobody has is one line (exit 2); an id whose row was left out for an error is a
    check at that row (exit 1) and no document."""
    uc = result.outputs.get("tblUnitCosts")
    ids = [str(x) for x in uc["service_id"]] if uc is not None else []
    frame = result.inputs.frames.get("tblServices") if result.inputs else None
    if service is None:
        return _priced(ids, uc, frame, document, result, out)
    wanted = str(service).strip()
    if wanted in ids:
        return _priced([wanted], uc, frame, document, result, out)
    folded = [i for i in ids if i.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return _priced(folded, uc, frame, document, result, out)
    invalid: dict[object, int] = frame.attrs.get("invalid_ids", {}) if frame is not None else {}
    if wanted in invalid:
        check = Check("error", "tblServices", invalid[wanted], "service_id",
                      "service_row_invalid", {"value": wanted,
                                              "document": document})
        if result.inputs is not None:
            [check] = result.inputs.locator.fill([check])
        out.checks.append(check)
        out.worst(DONE_WITH_ERRORS)
        return []
    raise KoshtorysError("unknown_service", service=wanted, known=", ".join(ids) or "—")


def _priced(ids: list[str], uc: pd.DataFrame | None, frame: pd.DataFrame | None,
            document: str, result: parts.JobResult, out: Outcome) -> list[str]:
    """``ids`` but the services that cost nothing (the warning service_no_cost says why):
    a tariff or a price of 0 UAH is no document; each is an error check at its row."""
    if uc is None or not ids:
        return ids
    total = dict(zip(uc["service_id"].astype(str), uc["total_cost"], strict=True))
    free = [i for i in ids if not total.get(i)]
    if not free:
        return ids
    rows = {} if frame is None else dict(zip(frame["service_id"].astype(str), frame.index,
                                             strict=True))
    checks = [Check("error", "tblServices", int(rows[i]) if i in rows else None, "service_id",
                    "service_costs_nothing", {"value": i, "document": document})
              for i in free]
    if result.inputs is not None:
        checks = result.inputs.locator.fill(checks)
    out.checks += checks
    out.worst(DONE_WITH_ERRORS)
    return [i for i in ids if i not in free]


SAID_BY_TARIFF = frozenset({"units_look_monthly", "units_are_recipients"})
"""The workbook's warnings about a service that the tariff and procurement commands repeat
for the services they write: the cost of a unit they print follows from them."""


def say_checks(out: Outcome, checks: list[Check], limit: int = 8) -> None:
    """Show the checks a document command added itself (the engine's are in tblChecks):
    errors first, at most ``limit`` lines."""
    shown = ordered(checks)
    for c in shown[:limit]:
        out.say("check_line", severity=c.severity_label(out.lang), message=c.message(out.lang))
    if len(shown) > limit:
        out.say("doc_checks_more", count=len(shown) - limit)


def finish_documents(out: Outcome, before: int, outdir: Path | str, pdf: bool,
                     progress: Progress) -> Outcome:
    """The end the document commands share: the checks this command added since
    ``before`` (errors first), a note when there are errors, the PDFs when asked."""
    say_checks(out, out.checks[before:])
    book = [c for c in out.checks[:before] if c.severity == "error"]
    if book:  # the workbook's own: check lists them (this command's are said above)
        out.say("note_errors", count=len(book))
    if pdf and out.files:
        print_pdfs(out, list(out.files), Path(outdir), progress)
    return out


def tariff(book: Book, outdir: Path, *, service: str | None = None, pdf: bool = False,
           progress: Progress | None = None) -> Outcome:
    """Write ``tariff_<plan_year>_<service_id>.xlsx`` for every service (or ``service``)."""
    step = progress or (lambda _s: None)
    result, out = costed(book, progress)
    before = len(out.checks)
    ids = pick_services(result, service, "tariff", out)
    if not ids and service is None:
        raise KoshtorysError("no_services_costed", book=book.name)
    step("tariff")
    inputs = tariff_inputs(result)
    docs: list[TariffDoc] = [build_tariff(inputs, sid) for sid in ids]
    outdir = ensure_folder(Path(outdir)) if docs else Path(outdir)
    for doc in docs:  # one file open in Excel stops them all, before any is rewritten
        ensure_not_locked(outdir / doc.file_name)
    for doc in docs:
        out.files.append(write_tariff(doc, outdir))
    out.outputs["tblTariff"] = pd.concat([d.table.assign(service_id=d.service_id)
                                          for d in docs]) if docs else pd.DataFrame()
    out.say("wrote_tariffs", count=len(out.files), outdir=outdir)
    out.repeat(SAID_BY_TARIFF, before, [d.service_id for d in docs])
    return finish_documents(out, before, outdir, pdf, step)
