"""Email the budget requests, or leave them as drafts for Outlook.

A failed send loses nothing: files are only attached, never moved or deleted,
and :class:`SendReport` says which messages went and which did not. The SMTP
password never comes from the workbook: it is read from ``KOSHTORYS_SMTP_PASSWORD``
or the OS keyring, and never logged or put in a message.
"""

from __future__ import annotations

import base64
import copy
import email.policy
import mimetypes
import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    "SendReport",
    "smtp_password",
    "build_message",
    "attachments_for",
    "send_all",
    "write_drafts",
]

PASSWORD_ENV = "KOSHTORYS_SMTP_PASSWORD"
KEYRING_SERVICE = "koshtorys"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class SendReport:
    """Which messages went and which did not (labels are the subjects)."""

    sent: list[str] = field(default_factory=list)
    not_sent: list[tuple[str, str]] = field(default_factory=list)
    """(subject, reason) of every message that did not go."""
    error: str | None = None
    """Why nothing at all could be sent (no connection, refused login …)."""

    @property
    def ok(self) -> bool:
        return not self.not_sent

    def lines(self) -> list[str]:
        """One line per message, for the command line."""
        out = [f"sent: {s}" for s in self.sent]
        out += [f"NOT sent: {s} — {why}" for s, why in self.not_sent]
        return out


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


def _recipients(text: str) -> str:
    """``mail_to`` as an address list. Outlook users separate addresses with ``;``,
    which an address header does not: everything after the first ``;`` would be lost
    silently. Semicolons outside quoted display names count as commas."""
    quoted, chars = False, []
    for ch in text:
        quoted = not quoted if ch == '"' else quoted
        chars.append("," if ch == ";" and not quoted else ch)
    return ", ".join(formataddr(p) for p in getaddresses(["".join(chars)]) if p[1])


def attachments_for(xlsx_path: Path) -> list[Path]:
    """The request workbook, and its PDF when one was printed beside it."""
    xlsx_path = Path(xlsx_path)
    pdf = xlsx_path.with_suffix(".pdf")
    return [xlsx_path, pdf] if pdf.is_file() and pdf.stat().st_size > 0 else [xlsx_path]


def build_message(doc_summary: RequestSummary, settings: Settings,
                  attachments: Sequence[Path]) -> EmailMessage:
    """The covering email of one request, with its files attached.

    Raises :class:`KoshtorysError` when an attachment cannot be read.
    """
    s = doc_summary
    institution = s.institution or settings.institution
    subject = (f"Бюджетний запит на {s.plan_year}–{s.plan_year + 2} роки: КПКВК {s.kpkvk}"
               + (f" — {institution}" if institution else ""))
    msg = EmailMessage()
    msg["Subject"] = subject
    if settings.mail_from:
        msg["From"] = settings.mail_from
    if settings.mail_to:
        msg["To"] = _recipients(settings.mail_to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="koshtorys.local")
    program = f"КПКВК {s.kpkvk}" + (f" «{s.kpkvk_name}»" if s.kpkvk_name else "")
    names = ", ".join(Path(p).name for p in attachments)
    msg.set_content(
        "Добрий день!\n\n"
        f"Надсилаємо бюджетний запит на {s.plan_year}–{s.plan_year + 2} роки "
        f"(індивідуальний, форма {s.plan_year}-2) за програмою {program}"
        + (f" від установи «{institution}»" if institution else "") + ".\n\n"
        f"Видатки на {s.plan_year} рік:\n"
        f"  загальний фонд — {format_money(s.totals.get('general', 0), digits=s.rounding)} грн;\n"
        f"  спеціальний фонд — {format_money(s.totals.get('special', 0), digits=s.rounding)} грн;\n"
        f"  разом — {format_money(s.totals.get('total', 0), digits=s.rounding)} грн.\n\n"
        f"Додатки: {names}. Таблиця tblRequest на аркуші «Дані» — для завантаження.\n\n"
        "З повагою\n" + (f"{institution}\n" if institution else "")
    )
    for p in map(Path, attachments):
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise KoshtorysError(f"cannot attach {p.name}: {exc.strerror or exc}") from exc
        ctype = _XLSX if p.suffix.lower() == ".xlsx" else (
            mimetypes.guess_type(p.name)[0] or "application/octet-stream")
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=p.name)
    return msg


def _label(msg: EmailMessage) -> str:
    return str(msg.get("Subject", "(no subject)"))


def _connect(settings: Settings, password: str | None, tls_context: ssl.SSLContext | None,
             timeout: float) -> smtplib.SMTP:
    """An open, authenticated SMTP session; raises OSError or SMTPException."""
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    try:
        smtp.ehlo()
        if settings.smtp_starttls:
            smtp.starttls(context=tls_context or ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_user:
            _login(smtp, settings.smtp_user, password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; a non-ASCII password (Cyrillic is common here) goes as UTF-8 AUTH PLAIN
    (RFC 4616), which ``smtplib.login`` cannot send (it encodes ASCII only)."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    offered = (smtp.esmtp_features.get("auth") or "").upper().split()
    if "PLAIN" not in offered:
        raise smtplib.SMTPException("the server offers no AUTH PLAIN for a non-ASCII password")
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode("ascii")
    code, resp = smtp.docmd("AUTH", "PLAIN " + token)
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def _reason(exc: BaseException) -> str:
    """One line about a failure; never the password (smtplib does not echo it)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(exc.recipients)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def send_all(messages: Sequence[EmailMessage], settings: Settings, password: str | None, *,
             tls_context: ssl.SSLContext | None = None, timeout: float = 30) -> SendReport:
    """Send each message over one SMTP session (STARTTLS when ``smtp_starttls``; login
    only when ``smtp_user`` is set). Never raises for a mail problem: a message that
    fails is reported and the rest still go; when the server cannot be reached, nothing
    is sent and every message is reported. ``tls_context`` is for tests."""
    report = SendReport()
    if not messages:
        return report
    problem = None
    if not settings.smtp_host:
        problem = "smtp_host is not set in tblSettings"
    elif not settings.mail_from or not settings.mail_to:
        missing = "mail_from" if not settings.mail_from else "mail_to"
        problem = f"{missing} is not set in tblSettings"
    elif settings.smtp_user and not password:
        problem = (f"no SMTP password: set {PASSWORD_ENV} or store it in the keyring "
                   f"(service '{KEYRING_SERVICE}', user '{settings.smtp_user}')")
    if problem:
        report.error = problem
        report.not_sent = [(_label(m), problem) for m in messages]
        return report
    smtp: smtplib.SMTP | None = None
    try:
        for i, msg in enumerate(messages):
            if smtp is None:
                try:
                    smtp = _connect(settings, password, tls_context, timeout)
                except (OSError, smtplib.SMTPException) as exc:
                    where = f"{settings.smtp_host}:{settings.smtp_port}"
                    why = (f"{where} refused the login of {settings.smtp_user}: {_reason(exc)}"
                           if isinstance(exc, smtplib.SMTPAuthenticationError)
                           else f"cannot connect to {where}: {_reason(exc)}")
                    if not report.sent:
                        report.error = why
                    report.not_sent += [(_label(m), why) for m in messages[i:]]
                    break
            try:
                smtp.send_message(msg)
                report.sent.append(_label(msg))
            except smtplib.SMTPServerDisconnected as exc:
                report.not_sent.append((_label(msg), _reason(exc)))
                smtp = None  # the next message reconnects
            except (smtplib.SMTPException, ValueError) as exc:
                report.not_sent.append((_label(msg), _reason(exc)))
            except OSError as exc:
                report.not_sent.append((_label(msg), _reason(exc)))
                smtp.close()
                smtp = None
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return report


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
