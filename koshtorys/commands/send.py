"""``koshtorys send`` (button Надіслати): each budget request by mail, or as .eml drafts.

The requests already in ``outdir`` are sent as they are (an institution may have
completed the hand-filled sections); only when there are none are they made, from the
same book. Nothing is ever deleted: a failed send leaves every file in place.
"""

from __future__ import annotations

from pathlib import Path

from koshtorys.convert import convert_inputs
from koshtorys.core.book import Book
from koshtorys.core.errors import MailError, TableMissing
from koshtorys.core.settings import Settings
from koshtorys.documents.mail import (
    attachments_for,
    build_message,
    can_mail,
    send_all,
    smtp_password,
    write_drafts,
)
from koshtorys.documents.request_sheet import read_summary

from .outcome import DONE_WITH_ERRORS, NOTHING_DONE, Outcome, Progress
from .request import require_plan_year

__all__ = ["send", "book_settings"]


def book_settings(book: Book) -> Settings:
    """The book's settings (plan_year required: it names the request files)."""
    raw = book.read_tables(["tblSettings"])
    if "tblSettings" not in raw:
        raise TableMissing("no_settings_table")
    inputs = convert_inputs(raw, ["tblSettings"])
    require_plan_year(inputs.checks, book.name)
    return inputs.settings


def send(book: Book, outdir: Path, *, draft: Path | None = None,
         progress: Progress | None = None) -> Outcome:
    """Send (or draft) every request of the book; the exit status per the SPEC."""
    from koshtorys.documents.pdf import soffice_path, to_pdfs

    step = progress or (lambda _s: None)
    settings = book_settings(book)
    out = Outcome(book.language())
    outdir = Path(outdir)
    if draft is None and not can_mail(settings):
        raise MailError("mail_not_set")
    pdf = soffice_path() is not None
    found = [(f, read_summary(f)) for f in
             sorted(outdir.glob(f"request_{settings.plan_year}_*.xlsx"))]
    # a shared folder may hold other institutions' requests: send only this one's
    mine = [(f, s) for f, s in found if not settings.institution or not s.institution
            or s.institution == settings.institution]
    for f, s in found:
        if (f, s) not in mine:
            out.say("skipped_other", file=f.name, institution=s.institution)
    if not mine:
        from .request import request

        made = request(book, outdir, pdf=pdf, progress=progress)
        out.lines += made.lines
        out.files += made.files
        out.worst(made.exit_code)
        mine = [(f, read_summary(f)) for f in made.files if f.suffix == ".xlsx"]
    elif pdf:  # a PDF goes with each request when LibreOffice is here to print it
        missing = [f for f, _ in mine if not f.with_suffix(".pdf").exists()]
        if missing:
            step("pdf")
            out.files += to_pdfs(missing, outdir)
    messages = [build_message(s, settings, attachments_for(f)) for f, s in mine]
    if draft is not None:
        for p in write_drafts(messages, Path(draft)):
            out.files.append(p)
            out.say("draft_written", path=p)
        return out
    step("send")
    report = send_all(messages, settings, smtp_password(settings))
    for line in report.lines():
        out.add(line)
    if report.error:
        out.say("nothing_sent", error=report.error, outdir=outdir)
        out.worst(NOTHING_DONE)
    elif not report.ok:
        out.worst(DONE_WITH_ERRORS)
    return out


