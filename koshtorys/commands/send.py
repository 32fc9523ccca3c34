"""``koshtorys send`` (button Надіслати): each budget request by mail, or as .eml drafts,
recorded in the workbook's ``tblSubmissions``.

The requests already in ``outdir`` (``request_<year>_*`` = Форма 20__-2,
``request3_<year>_*`` = Форма 20__-3) are sent as they are (an institution may have
completed the hand-filled sections); only when there are none are they made, from the
same book. Each is compared with the last one sent for its КПКВК and form, from the copy
kept in ``<outdir>/sent/<sent_at>/``; one byte-identical to it is not sent again unless
``force``. Nothing is ever deleted: a failed send leaves every file in place, and each
message — sent, drafted or failed — gets its row in the log.
"""

from __future__ import annotations

import datetime as _dt
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from koshtorys.convert import convert_inputs
from koshtorys.core import classifiers, schema
from koshtorys.core.book import Book
from koshtorys.core.errors import KoshtorysError, MailError
from koshtorys.core.messages import format_money, text
from koshtorys.core.settings import Settings
from koshtorys.documents.mail import (
    Attachment,
    Failure,
    attachments_for,
    build_message,
    can_mail,
    mail_problem,
    one_line,
    read_attachments,
    recipients,
    send_all,
    smtp_password,
    write_drafts,
)
from koshtorys.documents.request import RequestSummary
from koshtorys.documents.submissions import (
    LOG,
    SENT_DIR,
    Change,
    RequestFile,
    Submission,
    append_log,
    compare,
    copy_path,
    last_sent,
    log_rows,
    read_log,
    read_request_file,
    save_copies,
    stamp,
    stamp_time,
)
from koshtorys.parts import require_settings

from .outcome import DONE_WITH_ERRORS, NOTHING_DONE, Outcome, Progress
from .request import require_plan_year

__all__ = ["send", "book_settings", "Confirm"]

Confirm = Callable[[list[str]], bool]
"""Asked with the change warnings before anything goes out (the button asks the user);
``False`` stops the send."""


def book_settings(book: Book) -> Settings:
    """The book's settings (plan_year required: it names the request files)."""
    raw = book.read_tables(["tblSettings"])
    require_settings(book, raw)
    inputs = convert_inputs(raw, ["tblSettings"])
    require_plan_year(inputs.checks, book.name)
    return inputs.settings


@dataclass
class _Planned:
    request: RequestFile
    files: list[Attachment]
    body: list[str]
    """The change lines for the mail body (Ukrainian)."""
    warnings: list[str]
    """The large changes, as the command said them (empty when nothing moved much)."""


def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


def _when(sent_at: str) -> str:
    t = stamp_time(sent_at)
    return t.strftime("%d.%m.%Y %H:%M") if t else sent_at


def _requests(book: Book, settings: Settings, outdir: Path, out: Outcome,
              progress: Progress) -> list[tuple[RequestFile, list[Attachment]]]:
    """This institution's request files in ``outdir`` (made when there are none), each
    with its attachments read once; missing or stale PDFs printed when LibreOffice is
    here."""
    from koshtorys.documents.pdf import soffice_path, to_pdfs

    pdf = soffice_path() is not None
    year = settings.plan_year
    paths = sorted([*outdir.glob(f"request_{year}_*.xlsx"),
                    *outdir.glob(f"request3_{year}_*.xlsx")]) if outdir.is_dir() else []
    found = [read_request_file(p) for p in paths]
    me = one_line(settings.institution)
    # a shared folder may hold other institutions' requests: send only this one's
    mine = [r for r in found if not me or not r.institution or one_line(r.institution) == me]
    for r in found:
        if r not in mine:
            out.say("skipped_other", file=r.path.name, institution=one_line(r.institution))
    if not mine:
        from .request import request

        made = request(book, outdir, pdf=pdf, progress=progress)
        out.lines += made.lines
        out.files += made.files
        out.worst(made.exit_code)
        mine = [read_request_file(f) for f in made.files if f.suffix == ".xlsx"]
    elif pdf:  # a PDF goes with each request when LibreOffice is here to print it
        stale = [r.path for r in mine if len(attachments_for(r.path)) < 2]
        if stale:
            progress("pdf")
            out.files += to_pdfs(stale, outdir)
    mine.sort(key=lambda r: (r.kpkvk, r.form))
    out_list = []
    for r in mine:
        files = read_attachments(attachments_for(r.path))
        # the digest is of the very bytes attached (the file may change meanwhile)
        out_list.append((read_request_file(r.path, files[0].data), files))
    return out_list


def _book_lines(book: Book, plan_year: int) -> dict[tuple[str, int], dict[tuple[str, str], int]]:
    """(КПКВК, form) → the plan-year lines (kekv, fund) → kopiykas the book makes now."""
    from koshtorys import parts
    from koshtorys.core.money import to_units
    from koshtorys.documents.request import build_requests

    from .request import request_inputs

    result = parts.evaluate(book)
    if "costing" not in result.parts:
        return {}
    try:
        docs = build_requests(request_inputs(result))
    except KoshtorysError:
        return {}
    out: dict[tuple[str, int], dict[tuple[str, str], int]] = {}
    for d in docs:
        tables = [(2, d.table)] + ([(3, d.additional.table)] if d.additional else [])
        for form, table in tables:
            rows = table[table["year"] == plan_year]
            lines: dict[tuple[str, str], int] = {}
            for k, f, a in zip(rows["kekv"], rows["fund"], rows["amount"], strict=True):
                lines[(str(k), str(f))] = lines.get((str(k), str(f)), 0) + to_units(float(a), 2)
            out[(d.kpkvk, form)] = {k: v for k, v in lines.items() if v}
    return out


def _not_the_books(book: Book, requests: list[tuple[RequestFile, list[Attachment]]],
                   settings: Settings, out: Outcome) -> list[tuple[Path, str]]:
    """Each request whose plan-year lines are not what the book makes now — made before
    the book changed, or its amounts edited by hand — said (and, by the button, asked
    about before anything is sent). Requests are sent as they are (their hand-filled
    sections may be the point), so this is a warning, never a refusal."""
    made = set(out.files)
    if all(req.path in made for req, _files in requests):  # just made from the book: no
        return []  # second evaluation to compare them with it
    now = _book_lines(book, int(settings.plan_year))
    if not now:  # the book makes no request now (its own errors say why)
        return []
    said = []
    for req, _files in requests:
        theirs = {k: v for k, v in req.lines.items() if v}
        lines = now.get((req.kpkvk, req.form))
        if lines == theirs:
            continue
        mine = lines or {}
        differ = sorted(k for k in {*theirs, *mine} if theirs.get(k, 0) != mine.get(k, 0))
        kekv, fund = differ[0]
        money = functools.partial(format_money, lang=out.lang, digits=req.rounding)
        line = text("send_not_the_books", out.lang, file=req.path.name, count=len(differ),
                    kekv=kekv, old=money(theirs.get(differ[0], 0) / 100),
                    new=money(mine.get(differ[0], 0) / 100), total=money(req.total),
                    book_total="—" if lines is None else money(sum(mine.values()) / 100))
        out.add(line)
        said.append((req.path, line))
    return said


def _amount(units: int, rounding: int, lang: str) -> str:
    return format_money(units / 100, lang, digits=rounding)


def _change_line(c: Change, rounding: int, lang: str) -> str:
    name = classifiers.kekv_name(c.kekv)
    params = {"kekv": c.kekv, "name": (f" «{name}»" if lang == "uk" else f" '{name}'")
              if name else "",
              "fund": schema.enum_label("fund", c.fund, lang),  # type: ignore[arg-type]
              "old": _amount(c.old, rounding, lang), "new": _amount(c.new, rounding, lang)}
    if c.share is not None and c.kind == "moved":
        pct = f"{float(c.share) * 100:+.1f}"
        params["delta"] = pct.replace(".", ",") if lang == "uk" else pct
    return text(f"change_{c.kind}", lang, **params)


def _pct(threshold: float, lang: str) -> str:
    p = f"{threshold * 100:g}"
    return p.replace(".", ",") if lang == "uk" else p


def _compare(out: Outcome, outdir: Path, prev: Submission | None, req: RequestFile,
             threshold: float) -> tuple[list[str], list[str]]:
    """Say what moved against the last request sent; (the lines for the mail body, the
    warnings as said)."""
    name = req.path.name
    if prev is None:
        out.say("change_first", file=name)
        return [], []
    when = _when(prev.sent_at)
    copy = copy_path(outdir, prev)
    try:
        old = read_request_file(copy)
    except (KoshtorysError, OSError):
        old = None
    if old is None or not copy.is_file():
        key = "change_no_copy" if not copy.is_file() else "change_copy_unreadable"
        out.say(key, file=name, when=when, path=copy)
        return [], []
    if prev.sha256 and old.sha256 != prev.sha256:
        out.say("change_copy_differs", file=name, when=when, path=copy)
        return [], []
    changes = compare(old.lines, req.lines, threshold)
    pct = {"uk": _pct(threshold, "uk"), out.lang: _pct(threshold, out.lang)}
    if not changes:
        out.say("change_none", file=name, when=when, pct=pct[out.lang])
        return [text("change_none_body", "uk", when=when, pct=pct["uk"])], []
    said = [text("change_header", out.lang, file=name, when=when, pct=pct[out.lang],
                 count=len(changes))] + [_change_line(c, req.rounding, out.lang)
                                         for c in changes]
    for line in said:
        out.add(line)
    return ([text("change_header_body", "uk", when=when, pct=pct["uk"])]
            + [_change_line(c, req.rounding, "uk") for c in changes]), said


def _summary(r: RequestFile, settings: Settings) -> RequestSummary:
    totals = {f: r.fund_total(f) for f in ("general", "special")} | {"total": r.total}
    return RequestSummary(r.plan_year, r.kpkvk, r.kpkvk_name,
                          r.institution or settings.institution, r.rounding, totals)


def _new_stamp(outdir: Path, clock: Callable[[], _dt.datetime]) -> str:
    """A ``sent_at`` whose ``sent/`` folder is not taken (two sends in one second wait for
    the next: the time stays true)."""
    while True:
        s = stamp(clock())
        if not (outdir / SENT_DIR / s).exists():
            return s
        time.sleep(0.1)


def _plan(out: Outcome, outdir: Path, requests: Sequence[tuple[RequestFile, list[Attachment]]],
          log: list[Submission], threshold: float, force: bool) -> list[_Planned]:
    planned = []
    for req, files in requests:
        prev = last_sent(log, req.kpkvk, req.form)
        if prev is not None and prev.sha256 == req.sha256:
            if not force:
                out.say("send_identical", file=req.path.name, when=_when(prev.sent_at))
                continue
            out.say("send_forced", file=req.path.name, when=_when(prev.sent_at))
            body = [text("resend_body", "uk", when=_when(prev.sent_at))]
            planned.append(_Planned(req, files, body, []))
            continue
        planned.append(_Planned(req, files, *_compare(out, outdir, prev, req, threshold)))
    return planned


def _record(book: Book, out: Outcome, rows: list[dict[str, object]]) -> None:
    """Append the rows to tblSubmissions and save; when that fails the messages have
    already gone, so say so with what should have been recorded. The rows are also the
    outcome's ``tblSubmissions`` (codes as values)."""
    import pandas as pd

    out.outputs[LOG] = pd.DataFrame(rows, columns=schema.table(LOG).column_keys)
    try:
        how = append_log(book, rows, book.language())
        book.save()
    except KoshtorysError as exc:
        out.say("send_log_failed", book=book.name, error=exc.message(out.lang))
        for r in rows:
            out.say("send_log_row", **{k: r[k] for k in ("sent_at", "file", "sha256")},
                    status=schema.enum_label("status", r["status"], out.lang))  # type: ignore[arg-type]
        out.worst(DONE_WITH_ERRORS)
        return
    out.say(f"send_logged_{how}", count=len(rows), table=LOG)


def send(book: Book, outdir: Path, *, draft: Path | None = None, force: bool = False,
         progress: Progress | None = None, confirm: Confirm | None = None,
         clock: Callable[[], _dt.datetime] = _now, **smtp_options: object) -> Outcome:
    """Send (or draft) every request of the book; the exit status per the SPEC: 0 when all
    went (or nothing new needed to), 1 when some did not, 2 when none could (the server
    unreachable, the login refused, the settings incomplete). ``smtp_options`` go to
    :func:`~koshtorys.documents.mail.send_all` (tests: ``tls_context``, timeouts)."""
    step = progress or (lambda _s: None)
    settings = book_settings(book)
    out = Outcome(book.language())
    outdir = Path(outdir)
    password = None
    if draft is None:
        if not can_mail(settings):
            raise MailError("mail_not_set")
        password = smtp_password(settings)
        problem = mail_problem(settings, password)
        if problem is not None:  # nothing attempted: nothing to record
            raise MailError(problem.key, **problem.params)
    requests = _requests(book, settings, outdir, out, step)
    stale = _not_the_books(book, requests, settings, out)
    log, bad = read_log(book.read_tables([LOG]).get(LOG))
    if bad:
        out.say("send_log_unreadable", count=bad, table=LOG)
    planned = _plan(out, outdir, requests, log, settings.change_threshold, force)
    if not planned:
        out.say("send_nothing_new")
        return out
    sending = {p.request.path for p in planned}
    warnings = [line for path, line in stale if path in sending] + \
        [line for p in planned for line in p.warnings]
    if confirm is not None and warnings and not confirm(warnings):
        out.say("send_cancelled")
        return out
    sent_at = _new_stamp(outdir, clock)
    to = recipients(settings.mail_to)
    messages = [build_message(_summary(p.request, settings), settings, p.files,
                              form=p.request.form, changes=p.body) for p in planned]
    if draft is not None:
        for path in write_drafts(messages, Path(draft)):
            out.files.append(path)
            out.say("draft_written", path=path)
        _record(book, out, log_rows(sent_at, [(p.request, to, "draft") for p in planned]))
        return out
    # the copies first: a message that leaves always has its copy in sent/
    folder = outdir / SENT_DIR / sent_at
    copies = save_copies(folder, [(a.name, a.data) for p in planned for a in p.files])
    step("send")
    report = send_all(messages, settings, password, **smtp_options)  # type: ignore[arg-type]
    for i, p in enumerate(planned):
        if report.status(i) != "sent":  # not sent: no copy of what was "sent"
            for a in p.files:
                try:
                    (folder / a.name).unlink(missing_ok=True)
                except OSError:  # a stray copy is no loss; the log must still be written
                    pass
    if not report.sent:
        _remove_empty(folder)
    out.files += [c for c in copies if c.exists()]
    failures = dict(report.not_sent)
    for i, p in enumerate(planned):
        if i in failures:
            out.say("mail_not_sent", file=p.request.path.name,
                    reason=_failure(failures[i], out.lang))
        else:
            out.say("mail_sent", file=p.request.path.name, to=to)
    if report.sent:
        out.say("send_copies", path=folder)
    _record(book, out, log_rows(sent_at, [(p.request, to, report.status(i))
                                          for i, p in enumerate(planned)]))
    if report.error is not None:
        out.say("nothing_sent", error=_failure(report.error, out.lang), outdir=outdir)
        out.worst(NOTHING_DONE)
    elif not report.ok:
        out.worst(DONE_WITH_ERRORS)
    return out


def _failure(f: Failure, lang: str) -> str:
    return text(f.key, lang, **f.params)


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
