"""Email the budget requests, or leave them as drafts for Outlook.

A failed send loses nothing: files are only attached, never moved or deleted, and
:class:`SendReport` says which messages went and which did not, and why (a
:class:`Failure`: a key of :data:`koshtorys.core.messages.TEXTS` and its parameters).
The SMTP password never comes from the workbook: it is read from
``KOSHTORYS_SMTP_PASSWORD`` or the OS keyring, and never logged or put in a message.

Header values never carry a raw line break: an institution's official name is often
typed on two lines (Alt+Enter), and a header with a line break is refused by the email
library (or, worse, would start a new header). Names are folded to one line; address
lists take a line break as a separator.
"""

from __future__ import annotations

import base64
import copy
import email.policy
import mimetypes
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, formatdate, getaddresses, make_msgid
from pathlib import Path

from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import atomic_path, ensure_folder
from koshtorys.core.messages import format_money
from koshtorys.core.settings import Settings

from .request import RequestSummary

__all__ = [
    "can_mail",
    "PASSWORD_ENV",
    "KEYRING_SERVICE",
    "SESSION_TIMEOUT",
    "DATA_TIMEOUT",
    "IMPLICIT_TLS_PORT",
    "Attachment",
    "Failure",
    "SendReport",
    "one_line",
    "recipients",
    "smtp_password",
    "mail_problem",
    "build_message",
    "attachments_for",
    "read_attachments",
    "send_all",
    "write_drafts",
]

PASSWORD_ENV = "KOSHTORYS_SMTP_PASSWORD"
KEYRING_SERVICE = "koshtorys"
SESSION_TIMEOUT = 20.0
"""Seconds to wait for each answer while connecting, greeting, STARTTLS and login. A
server that refuses a login answers 535 at once; one that says nothing for this long is
reported as not answering the login (not as "cannot connect")."""
DATA_TIMEOUT = 120.0
"""Seconds to wait on each step of sending one message: attachments of a few MB on a
slow line take longer than a greeting."""
IMPLICIT_TLS_PORT = 465
"""The port where TLS starts before the greeting (RFC 8314), not with STARTTLS."""
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# every character that ends a line somewhere (str.splitlines), tabs and other controls
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


@dataclass(frozen=True)
class Attachment:
    """A file as attached: its name and the exact bytes read once (the digest, the copy
    kept in ``sent/`` and the mail all hold these)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Failure:
    """Why a message (or the whole session) did not go: a :data:`TEXTS` key and its
    parameters, said in the workbook's language by the command."""

    key: str
    params: dict[str, object] = field(default_factory=dict)
    login: bool = False
    """The server (or the settings) refused the login: nothing can go until it is fixed."""


@dataclass
class SendReport:
    """Which messages went and which did not, by their position in the batch."""

    sent: list[int] = field(default_factory=list)
    not_sent: list[tuple[int, Failure]] = field(default_factory=list)
    error: Failure | None = None
    """Why nothing at all could be sent (no connection, refused login …)."""

    @property
    def ok(self) -> bool:
        return not self.not_sent

    def status(self, i: int) -> str:
        """``sent`` or ``failed`` for message ``i``."""
        return "sent" if i in self.sent else "failed"


def one_line(text: object) -> str:
    """``text`` as one header line: line breaks, tabs and control characters become one
    space.

    >>> one_line("КУ «Центр\\r\\nнадання послуг»\\u2028м. Кремінна ")
    'КУ «Центр надання послуг» м. Кремінна'
    """
    return " ".join(_BREAKS.sub(" ", str(text or "")).split())


def can_mail(settings: Settings) -> bool:
    """Whether the settings say where mail goes and from whom; else drafts are the way."""
    return bool(settings.mail_to and settings.mail_from and settings.smtp_host)


def smtp_password(settings: Settings) -> str | None:
    """The SMTP password: ``KOSHTORYS_SMTP_PASSWORD``, else the OS keyring (service
    ``koshtorys``, user ``smtp_user``) when the ``keyring`` package is installed."""
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if not settings.smtp_user:
        return None
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, settings.smtp_user)
    except KeyringError:
        return None


def mail_problem(settings: Settings, password: str | None) -> Failure | None:
    """What in the settings stops any mail from going (checked before anything is
    attempted); ``None`` when nothing does."""
    for key in ("smtp_host", "mail_from", "mail_to"):
        if not str(getattr(settings, key) or "").strip():
            return Failure("mail_setting_missing", {"setting": key})
    if not recipients(settings.mail_to):
        return Failure("mail_bad_recipients", {"value": one_line(settings.mail_to)})
    if settings.smtp_user and not password:
        return Failure("mail_no_password", {"env": PASSWORD_ENV, "service": KEYRING_SERVICE,
                                            "user": settings.smtp_user}, login=True)
    return None


def recipients(text: str) -> str:
    """``mail_to`` as an address list. Outlook users separate addresses with ``;`` and
    Excel users with a line break, neither of which an address header takes: everything
    after the first would be lost silently. Both count as commas outside quoted names.

    >>> recipients("a@x.ua;\\nb@x.ua")
    'a@x.ua, b@x.ua'
    """
    quoted, chars = False, []
    for ch in str(text or ""):
        quoted = not quoted if ch == '"' else quoted
        chars.append("," if ch in ";\r\n\u2028\u2029\x85" and not quoted else ch)
    return ", ".join(formataddr((one_line(n), a.strip()))
                     for n, a in getaddresses([one_line("".join(chars))]) if a.strip())


def _sender(text: str) -> str:
    """The first address of ``mail_from``, on one line."""
    pairs = [(one_line(n), a.strip()) for n, a in getaddresses([one_line(text)]) if a.strip()]
    return formataddr(pairs[0]) if pairs else one_line(text)


def attachments_for(xlsx_path: Path) -> list[Path]:
    """The request workbook, and its PDF when one was printed from this version of it (a
    PDF older than the workbook shows other figures and is left out)."""
    xlsx_path = Path(xlsx_path)
    pdf = xlsx_path.with_suffix(".pdf")
    try:
        fresh = pdf.is_file() and pdf.stat().st_size > 0 and \
            pdf.stat().st_mtime_ns >= xlsx_path.stat().st_mtime_ns
    except OSError:
        fresh = False
    return [xlsx_path, pdf] if fresh else [xlsx_path]


def read_attachments(paths: Sequence[Path]) -> list[Attachment]:
    """Each file's name and bytes; :class:`KoshtorysError` when one cannot be read."""
    out = []
    for p in map(Path, paths):
        try:
            out.append(Attachment(p.name, p.read_bytes()))
        except OSError as exc:
            raise KoshtorysError("mail_cannot_attach", file=p.name,
                                 error=exc.strerror or str(exc)) from exc
    return out


def _with_subject(subject: str) -> EmailMessage:
    """A new message whose Subject is encoded once, here (RFC 2047, at most 76 characters a
    line, every space inside an encoded word), and kept as it is on output.

    The email package's own folding of a long non-ASCII Subject puts the space between
    two words outside the encoded words, where RFC 2047 (6.2) tells every reader to drop
    it: "соціальних послуг" arrived as "соціальнихпослуг" (seen with Python 3.11). A
    header read from source text whose lines are short enough is never refolded."""
    encoded = subject if subject.isascii() else Header(
        subject, "utf-8", header_name="Subject").encode(linesep="\n")
    msg = email.message_from_string(f"Subject: {encoded}\n\n", _class=EmailMessage,
                                    policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _subject(s: RequestSummary, institution: str, form: int) -> str:
    kind = "додатковий, " if form == 3 else ""
    return one_line(f"Бюджетний запит на {s.plan_year}–{s.plan_year + 2} роки "
                    f"({kind}форма {s.plan_year}-{form}): КПКВК {s.kpkvk}"
                    + (f" — {institution}" if institution else ""))


def build_message(doc_summary: RequestSummary, settings: Settings,
                  attachments: Sequence[Path | Attachment], *, form: int = 2,
                  changes: Sequence[str] = ()) -> EmailMessage:
    """The covering email of one request, with its files attached; ``changes`` are the
    lines about what moved since the last request sent (Ukrainian, already worded).

    Raises :class:`KoshtorysError` when an attachment cannot be read.
    """
    s = doc_summary
    institution = one_line(s.institution or settings.institution)
    files = [a if isinstance(a, Attachment) else read_attachments([a])[0] for a in attachments]
    msg = _with_subject(_subject(s, institution, form))
    if settings.mail_from:
        msg["From"] = _sender(settings.mail_from)
    to = recipients(settings.mail_to)
    if to:
        msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="koshtorys.local")
    program = f"КПКВК {s.kpkvk}" + (f" «{one_line(s.kpkvk_name)}»" if s.kpkvk_name else "")
    names = ", ".join(a.name for a in files)
    what = (f"додатковий бюджетний запит (форма {s.plan_year}-3)" if form == 3 else
            f"бюджетний запит (індивідуальний, форма {s.plan_year}-2)")
    money = {k: format_money(s.totals.get(k, 0), digits=s.rounding)
             for k in ("general", "special", "total")}
    body = (
        "Добрий день!\n\n"
        f"Надсилаємо {what} на {s.plan_year}–{s.plan_year + 2} роки за програмою {program}"
        + (f" від установи «{institution}»" if institution else "") + ".\n\n"
        f"Видатки на {s.plan_year} рік:\n"
        f"  загальний фонд — {money['general']} грн;\n"
        f"  спеціальний фонд — {money['special']} грн;\n"
        f"  разом — {money['total']} грн.\n\n"
    )
    if changes:
        body += "\n".join(changes) + "\n\n"
    body += (f"Додатки: {names}. Таблиця tblRequest на аркуші «Дані» — для завантаження.\n\n"
             "З повагою\n" + (f"{institution}\n" if institution else ""))
    msg.set_content(body)
    for a in files:
        ctype = _XLSX if a.name.lower().endswith(".xlsx") else (
            mimetypes.guess_type(a.name)[0] or "application/octet-stream")
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype,
                           filename=one_line(a.name))
    return msg


# --------------------------------------------------------------------------- SMTP

class _SessionFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.key)
        self.failure = failure


def _detail(exc: BaseException) -> str:
    """One line about a failure; never the password (smtplib does not echo it)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        return one_line(f"{exc.smtp_code} {text}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(exc.recipients)
    return one_line(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _silent(exc: BaseException) -> bool:
    """The server stopped answering (a timeout, or smtplib's report of one)."""
    return isinstance(exc, TimeoutError | socket.timeout) or (
        isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """One login attempt with one mechanism (PLAIN, else LOGIN), in UTF-8 (RFC 4616; a
    Cyrillic password is common here and ``smtplib.login`` encodes ASCII only).

    ``smtplib.login`` tries every mechanism the server offers in turn, so one wrong
    password counts as two or three failed logins against the account's lockout.
    """
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("the server offers no login (AUTH)")
    offered = (smtp.esmtp_features.get("auth") or "").upper().split()
    if "PLAIN" in offered:
        code, resp = smtp.docmd("AUTH", "PLAIN " + _b64(
            b"\0" + user.encode() + b"\0" + password.encode()))
    elif "LOGIN" in offered:
        code, resp = smtp.docmd("AUTH", "LOGIN")
        if code == 334:
            code, resp = smtp.docmd(_b64(user.encode()))
        if code == 334:
            code, resp = smtp.docmd(_b64(password.encode()))
    else:  # CRAM-MD5 only: smtplib knows it (ASCII)
        smtp.login(user, password)
        return
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, resp)


def _connect(settings: Settings, password: str | None, tls_context: ssl.SSLContext | None,
             timeout: float) -> smtplib.SMTP:
    """An open, authenticated SMTP session; raises :class:`_SessionFailed` saying at which
    step and why."""
    host, port = settings.smtp_host, settings.smtp_port
    where = f"{host}:{port}"
    context = tls_context or ssl.create_default_context()
    step = "connect"
    smtp: smtplib.SMTP | None = None
    try:
        if port == IMPLICIT_TLS_PORT:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        smtp.ehlo()
        if settings.smtp_starttls and port != IMPLICIT_TLS_PORT:
            step = "starttls"
            if not smtp.has_extn("starttls"):
                raise _SessionFailed(Failure("mail_no_starttls", {"where": where}))
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.smtp_user:
            step = "login"
            _login(smtp, settings.smtp_user, password or "")
    except _SessionFailed:
        if smtp is not None:
            smtp.close()
        raise
    except (OSError, smtplib.SMTPException) as exc:
        if smtp is not None:
            smtp.close()
        user = settings.smtp_user
        if step == "login" and isinstance(exc, smtplib.SMTPAuthenticationError):
            failure = Failure("mail_login_refused", {"where": where, "user": user,
                                                     "detail": _detail(exc)}, login=True)
        elif step == "login" and _silent(exc):
            failure = Failure("mail_login_silent", {"where": where, "user": user,
                                                    "seconds": f"{timeout:g}"}, login=True)
        elif step == "login":
            failure = Failure("mail_login_failed", {"where": where, "user": user,
                                                    "detail": _detail(exc)}, login=True)
        elif step == "starttls" or isinstance(exc, ssl.SSLError):
            failure = Failure("mail_tls_failed", {"where": where, "detail": _detail(exc)})
        else:
            failure = Failure("mail_cannot_connect", {"where": where, "detail": _detail(exc)})
        raise _SessionFailed(failure) from exc
    return smtp


def send_all(messages: Sequence[EmailMessage], settings: Settings, password: str | None, *,
             tls_context: ssl.SSLContext | None = None, timeout: float = SESSION_TIMEOUT,
             data_timeout: float = DATA_TIMEOUT) -> SendReport:
    """Send each message over one SMTP session (TLS from the start on port 465, else
    STARTTLS when ``smtp_starttls``, never falling back to plain text; login only when
    ``smtp_user`` is set). Never raises for a mail problem: a message that fails is
    reported and the rest still go; when the server cannot be reached or refuses the
    login, nothing is sent and every message is reported. ``tls_context`` is for tests."""
    report = SendReport()
    if not messages:
        return report
    problem = mail_problem(settings, password)
    if problem:
        report.error = problem
        report.not_sent = [(i, problem) for i in range(len(messages))]
        return report
    smtp: smtplib.SMTP | None = None
    try:
        for i, msg in enumerate(messages):
            if smtp is None:
                try:
                    smtp = _connect(settings, password, tls_context, timeout)
                except _SessionFailed as exc:
                    if not report.sent:
                        report.error = exc.failure
                    report.not_sent += [(j, exc.failure) for j in range(i, len(messages))]
                    break
            try:
                if smtp.sock is not None:
                    smtp.sock.settimeout(data_timeout)
                smtp.send_message(msg)
                report.sent.append(i)
            except smtplib.SMTPServerDisconnected as exc:
                report.not_sent.append((i, Failure("mail_refused", {"detail": _detail(exc)})))
                smtp = None  # the next message reconnects
            except (smtplib.SMTPException, ValueError) as exc:
                report.not_sent.append((i, Failure("mail_refused", {"detail": _detail(exc)})))
            except OSError as exc:
                report.not_sent.append((i, Failure("mail_refused", {"detail": _detail(exc)})))
                smtp.close()
                smtp = None
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return report


# --------------------------------------------------------------------------- drafts

def _draft_name(msg: EmailMessage, i: int, used: set[str]) -> str:
    stems = [Path(f).stem for f in (p.get_filename() for p in msg.iter_attachments()) if f]
    stem = stems[0] if stems else f"message_{i + 1}"
    name, n = f"{stem}.eml", 1
    while name in used:
        n += 1
        name = f"{stem}_{n}.eml"
    used.add(name)
    return name


def write_drafts(messages: Sequence[EmailMessage], draft_dir: Path) -> list[Path]:
    """Write each message as ``<request>.eml`` with ``X-Unsent: 1`` (Outlook opens it
    as a draft to review and send). The messages themselves are not changed."""
    draft_dir = ensure_folder(Path(draft_dir))
    used: set[str] = set()
    out = []
    for i, msg in enumerate(messages):
        draft = copy.deepcopy(msg)
        del draft["X-Unsent"]
        draft["X-Unsent"] = "1"
        target = draft_dir / _draft_name(msg, i, used)
        with atomic_path(target) as tmp:
            tmp.write_bytes(draft.as_bytes(policy=email.policy.SMTP))
        out.append(target)
    return out
