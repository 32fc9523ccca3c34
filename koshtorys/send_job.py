"""``koshtorys send``: each budget request by mail (or as .eml drafts for Outlook).

The requests already in ``outdir`` are sent as they are (an institution may have
completed the hand-filled sections); only when there are none are they made.
Nothing is ever deleted: a failed send leaves every file in place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import KoshtorysError
from .mail import attachments_for, build_message, send_all, smtp_password, write_drafts
from .request_sheet import read_summary
from .requests_job import require_plan_year
from .settings import Settings
from .tables import convert_inputs

__all__ = ["send"]

Say = Callable[[str], None]


def _settings(path: Path) -> Settings:
    from .xlsx import FileBook

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
    files = sorted(outdir.glob(f"request_{settings.plan_year}_*.xlsx"))
    if not files:
        from .pdf import soffice_path
        from .requests_job import make_requests

        made = make_requests(Path(path), outdir, pdf=soffice_path() is not None, say=say)
        files = made.files
    messages = [build_message(read_summary(f), settings, attachments_for(f)) for f in files]
    if draft is not None:
        written = write_drafts(messages, Path(draft))
        for p in written:
            say(f"draft: {p}")
        return 0
    if not settings.mail_to or not settings.mail_from or not settings.smtp_host:
        raise KoshtorysError("set mail_to, mail_from and smtp_host in tblSettings "
                             "(or use --draft DIR)")
    report = send_all(messages, settings, smtp_password(settings))
    for line in report.lines():
        say(line)
    if report.error:
        say(f"nothing was sent: {report.error}; the files stay in {outdir}")
        return 2
    return 0 if report.ok else 1


