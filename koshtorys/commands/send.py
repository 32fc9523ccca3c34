"""``koshtorys send``: each budget request by mail (or as .eml drafts for Outlook).

The requests already in ``outdir`` are sent as they are (an institution may have
completed the hand-filled sections); only when there are none are they made.
Nothing is ever deleted: a failed send leaves every file in place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from koshtorys.convert import convert_inputs
from koshtorys.core.errors import KoshtorysError
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

from .request import require_plan_year

__all__ = ["send"]

Say = Callable[[str], None]


def _settings(path: Path) -> Settings:
    from koshtorys.xlsx import FileBook

    raw = FileBook.open(path, check_lock=False).read_tables(["tblSettings"])
    if "tblSettings" not in raw:
        raise KoshtorysError(f"{path.name} has no table tblSettings")
    inputs = convert_inputs(raw, ["tblSettings"])
    require_plan_year(inputs.checks, path.name)
    return inputs.settings


def send(path: Path, outdir: Path, *, draft: Path | None = None, say: Say = print) -> int:
    """Send (or draft) every request of the workbook; the exit status per the SPEC."""
    settings = _settings(Path(path))
    outdir = Path(outdir)
    if draft is None and not can_mail(settings):
        raise KoshtorysError("set mail_to, mail_from and smtp_host in tblSettings "
                             "(or use --draft DIR)")
    from koshtorys.documents.pdf import soffice_path

    pdf = soffice_path() is not None
    found = [(f, read_summary(f)) for f in
             sorted(outdir.glob(f"request_{settings.plan_year}_*.xlsx"))]
    # a shared folder may hold other institutions' requests: send only this one's
    mine = [(f, s) for f, s in found if not settings.institution or not s.institution
            or s.institution == settings.institution]
    for f, s in found:
        if (f, s) not in mine:
            say(f"skipped {f.name}: it is the request of {s.institution}")
    if not mine:
        from .request import make_requests

        made = make_requests(Path(path), outdir, pdf=pdf, say=say)
        mine = [(f, read_summary(f)) for f in made.files]
    elif pdf:  # a PDF goes with each request when LibreOffice is here to print it
        from koshtorys.documents.pdf import to_pdfs

        missing = [f for f, _ in mine if not f.with_suffix(".pdf").exists()]
        if missing:
            to_pdfs(missing, outdir)
    messages = [build_message(s, settings, attachments_for(f)) for f, s in mine]
    if draft is not None:
        written = write_drafts(messages, Path(draft))
        for p in written:
            say(f"draft: {p}")
        return 0
    report = send_all(messages, settings, smtp_password(settings))
    for line in report.lines():
        say(line)
    if report.error:
        say(f"nothing was sent: {report.error}; the files stay in {outdir}")
        return 2
    return 0 if report.ok else 1


