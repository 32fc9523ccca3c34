"""Mail: a real SMTP server on 127.0.0.1 (aiosmtpd), with and without STARTTLS and login."""

from __future__ import annotations

import email
import email.policy
import email.utils
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from smtp_loopback import (
    PASSWORD,
    USER,
    Collector,
    free_port,
    make_cert,
    server_context,
    silent_auth,
    start,
    start_tls_auth,
)

from koshtorys.core.errors import KoshtorysError
from koshtorys.core.messages import text
from koshtorys.core.settings import Settings
from koshtorys.documents import mail
from koshtorys.documents.request import RequestSummary

LONG_NAME = "Комунальна установа «Центр надання\nсоціальних послуг»\r\nм. Кремінна"
"""An official name typed on three lines (Alt+Enter in Excel)."""


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("cryptography")
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def plain() -> Iterator[tuple[Collector, int]]:
    h = Collector()
    ctl = start(h)
    yield h, ctl.port
    ctl.stop()


def _settings(port: int, **kw: object) -> Settings:
    base = dict(institution="ТЦСО", plan_year=2026, mail_from="tc@hromada.ua",
                mail_to="fin@hromada.ua", smtp_host="127.0.0.1", smtp_port=port,
                smtp_starttls=False, smtp_user="")
    return Settings(**(base | kw))  # type: ignore[arg-type]


def _summary(kpkvk: str = "0813104", institution: str = "ТЦСО") -> RequestSummary:
    return RequestSummary(2026, kpkvk, "Соціальні послуги вдома", institution, 0,
                          {"general": 1234567.0, "special": 500.0, "total": 1235067.0})


def _files(tmp_path: Path, kpkvk: str = "0813104", pdf: bool = True) -> list[Path]:
    x = tmp_path / f"request_2026_{kpkvk}.xlsx"
    x.write_bytes(b"PK\x03\x04 fake workbook " + kpkvk.encode())
    if pdf:
        x.with_suffix(".pdf").write_bytes(b"%PDF-1.4 fake")
    return mail.attachments_for(x)


def _messages(tmp_path: Path, s: Settings, n: int = 3) -> list[EmailMessage]:
    codes = [f"081310{i}" for i in range(n)]
    return [mail.build_message(_summary(c), s, _files(tmp_path, c)) for c in codes]


def _said(f: mail.Failure | None, lang: str = "en") -> str:
    assert f is not None
    return text(f.key, lang, **f.params)


def test_message_content(tmp_path: Path) -> None:
    s = _settings(25)
    msg = mail.build_message(_summary(), s, _files(tmp_path))
    assert "2026" in msg["Subject"] and "0813104" in msg["Subject"] and "ТЦСО" in msg["Subject"]
    assert "форма 2026-2" in msg["Subject"]
    assert msg["To"] == "fin@hromada.ua" and msg["From"] == "tc@hromada.ua"
    body = msg.get_body(("plain",)).get_content()
    assert "загальний фонд — 1\u00a0234\u00a0567 грн" in body
    assert "спеціальний фонд — 500 грн" in body and "разом — 1\u00a0235\u00a0067 грн" in body
    names = [a.get_filename() for a in msg.iter_attachments()]
    assert names == ["request_2026_0813104.xlsx", "request_2026_0813104.pdf"]
    assert next(msg.iter_attachments()).get_content_type().endswith("spreadsheetml.sheet")


def test_additional_request_says_so(tmp_path: Path) -> None:
    msg = mail.build_message(_summary(), _settings(25), _files(tmp_path), form=3,
                             changes=["Зміни: рядок 1", "  КЕКВ 2111"])
    assert "додатковий, форма 2026-3" in msg["Subject"]
    body = msg.get_body(("plain",)).get_content()
    assert "додатковий бюджетний запит (форма 2026-3)" in body
    assert "Зміни: рядок 1\n  КЕКВ 2111\n" in body


def test_pdf_attached_only_when_present_and_not_stale(tmp_path: Path) -> None:
    files = _files(tmp_path, pdf=False)
    assert [p.suffix for p in files] == [".xlsx"]
    with pytest.raises(KoshtorysError):
        mail.build_message(_summary(), _settings(25), [tmp_path / "missing.xlsx"])
    pdf = files[0].with_suffix(".pdf")
    pdf.write_bytes(b"%PDF-1.4 printed before the workbook was written again")
    import os

    st = files[0].stat()
    os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))  # a second older
    assert [p.suffix for p in mail.attachments_for(files[0])] == [".xlsx"]
    os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert [p.suffix for p in mail.attachments_for(files[0])] == [".xlsx", ".pdf"]


def test_messages_arrive_without_tls(plain: tuple[Collector, int], tmp_path: Path) -> None:
    handler, port = plain
    s = _settings(port)
    msgs = _messages(tmp_path, s, 2)
    report = mail.send_all(msgs, s, None)
    assert report.ok and report.error is None and report.sent == [0, 1]
    assert [m["Subject"] for m in handler.messages] == [m["Subject"] for m in msgs]
    got = handler.messages[0]
    assert [a.get_filename() for a in got.iter_attachments()] == [
        "request_2026_0813100.xlsx", "request_2026_0813100.pdf"]
    assert next(got.iter_attachments()).get_content() == (tmp_path /
                                                          "request_2026_0813100.xlsx").read_bytes()


def test_starttls_and_login(cert: tuple[Path, Path], tmp_path: Path) -> None:
    h = Collector()
    ctl = start_tls_auth(h, cert)
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert[0]))  # verifies the server
        s = _settings(ctl.port, smtp_starttls=True, smtp_user=USER)
        msgs = _messages(tmp_path, s, 1)
        report = mail.send_all(msgs, s, PASSWORD, tls_context=client_ctx)
        assert report.ok, report.not_sent
        assert len(h.messages) == 1
        # a wrong password: nothing sent, said as a refused login, the password never shown
        bad = mail.send_all(msgs, s, "wrong", tls_context=client_ctx)
        assert bad.sent == [] and bad.error and bad.error.login
        assert bad.error.key == "mail_login_refused" and [i for i, _ in bad.not_sent] == [0]
        line = _said(bad.error)
        assert "refused the login" in line and "535" in line
        assert "wrong" not in line and PASSWORD not in line
        # without STARTTLS against a server that requires it: refused, nothing sent
        plain_try = mail.send_all(msgs, _settings(ctl.port, smtp_user=""), None)
        assert not plain_try.ok
        assert len(h.messages) == 1
    finally:
        ctl.stop()


def test_certificate_not_trusted_is_a_tls_failure(cert: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    h = Collector()
    ctl = start_tls_auth(h, cert)
    try:
        s = _settings(ctl.port, smtp_starttls=True, smtp_user=USER)
        report = mail.send_all(_messages(tmp_path, s, 1), s, PASSWORD)  # system CAs only
        assert report.error is not None and report.error.key == "mail_tls_failed"
        assert "CERTIFICATE_VERIFY_FAILED" in _said(report.error) and h.messages == []
    finally:
        ctl.stop()


def test_starttls_set_but_not_offered_sends_nothing_in_plain_text(
        plain: tuple[Collector, int], tmp_path: Path) -> None:
    handler, port = plain
    s = _settings(port, smtp_starttls=True)
    report = mail.send_all(_messages(tmp_path, s, 2), s, None)
    assert report.sent == [] and report.error is not None
    assert report.error.key == "mail_no_starttls" and handler.messages == []


def test_silent_login_is_a_login_problem_not_a_connection_one(cert: tuple[Path, Path],
                                                             tmp_path: Path) -> None:
    # issue 9.7: a login the server never answers came out, after 30 s, as "cannot connect
    # … timed out"; it is the login that failed, said with the time waited
    h = Collector()
    ctl = start_tls_auth(h, cert, authenticator=silent_auth)
    try:
        ctx = ssl.create_default_context(cafile=str(cert[0]))
        s = _settings(ctl.port, smtp_starttls=True, smtp_user=USER)
        report = mail.send_all(_messages(tmp_path, s, 2), s, PASSWORD, tls_context=ctx,
                               timeout=1.5)
    finally:
        ctl.stop()
    assert report.error is not None and report.error.login
    assert report.error.key == "mail_login_silent"
    assert _said(report.error) == (f"127.0.0.1:{ctl.port} did not answer the login of {USER} "
                                   "within 1.5 s")
    assert [i for i, _ in report.not_sent] == [0, 1]


def test_one_login_attempt_per_wrong_password(cert: tuple[Path, Path], tmp_path: Path) -> None:
    # smtplib.login tries PLAIN, then LOGIN: one typo, two failed logins on the account
    attempts: list[str] = []

    def counting(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        from smtp_loopback import auth

        attempts.append(mechanism)
        return auth(server, session, envelope, mechanism, auth_data)

    h = Collector()
    ctl = start_tls_auth(h, cert, authenticator=counting)
    try:
        ctx = ssl.create_default_context(cafile=str(cert[0]))
        s = _settings(ctl.port, smtp_starttls=True, smtp_user=USER)
        mail.send_all(_messages(tmp_path, s, 1), s, "wrong", tls_context=ctx)
    finally:
        ctl.stop()
    assert attempts == ["PLAIN"]


def test_implicit_tls_on_its_port(cert: tuple[Path, Path], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # port 465 speaks TLS from the first byte (RFC 8314); a loopback test cannot bind 465,
    # so the free port stands for it
    h = Collector()
    from smtp_loopback import auth

    ctl = start(h, ssl_context=server_context(cert), authenticator=auth,
                auth_require_tls=False)
    try:
        monkeypatch.setattr(mail, "IMPLICIT_TLS_PORT", ctl.port)
        ctx = ssl.create_default_context(cafile=str(cert[0]))
        s = _settings(ctl.port, smtp_starttls=True, smtp_user=USER)
        report = mail.send_all(_messages(tmp_path, s, 1), s, PASSWORD, tls_context=ctx)
    finally:
        ctl.stop()
    assert report.ok, report.not_sent
    assert len(h.messages) == 1


def test_server_down_nothing_sent_files_kept(tmp_path: Path) -> None:
    s = _settings(free_port())  # nobody listens there
    msgs = _messages(tmp_path, s, 3)
    before = sorted(p.name for p in tmp_path.iterdir())
    report = mail.send_all(msgs, s, None, timeout=5)
    assert report.sent == [] and report.error is not None
    assert report.error.key == "mail_cannot_connect" and not report.error.login
    assert "cannot connect" in _said(report.error)
    assert [i for i, _ in report.not_sent] == [0, 1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_mid_batch_failure_reports_which_went(tmp_path: Path) -> None:
    h = Collector(reject=(2,))
    ctl = start(h)
    try:
        s = _settings(ctl.port)
        msgs = _messages(tmp_path, s, 3)
        report = mail.send_all(msgs, s, None)
    finally:
        ctl.stop()
    # the first went, the second was refused (and said so), the third still went
    assert [i for i, _ in report.not_sent] == [1]
    assert "554" in _said(report.not_sent[0][1])
    assert report.sent == [0, 2] and [report.status(i) for i in range(3)] == [
        "sent", "failed", "sent"]
    assert [m["Subject"] for m in h.messages] == [msgs[0]["Subject"], msgs[2]["Subject"]]
    assert report.error is None and not report.ok
    assert all(p.exists() for p in tmp_path.glob("request_*"))


def test_missing_password_or_host_sends_nothing(tmp_path: Path) -> None:
    msgs = _messages(tmp_path, _settings(25), 2)
    r = mail.send_all(msgs, _settings(25, smtp_user="tc@hromada.ua"), None)
    assert r.sent == [] and len(r.not_sent) == 2 and "KOSHTORYS_SMTP_PASSWORD" in _said(r.error)
    r = mail.send_all(msgs, _settings(25, smtp_host=""), None)
    assert r.sent == [] and "smtp_host" in _said(r.error)


def test_password_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(mail.PASSWORD_ENV, "from-env")
    assert mail.smtp_password(_settings(25, smtp_user="u")) == "from-env"
    monkeypatch.delenv(mail.PASSWORD_ENV)
    # without the env variable: the keyring when installed, else nothing
    got = mail.smtp_password(_settings(25, smtp_user=""))
    assert got is None


def test_drafts_for_outlook(tmp_path: Path) -> None:
    s = _settings(25)
    msgs = _messages(tmp_path, s, 2)
    drafts = mail.write_drafts(msgs, tmp_path / "drafts")
    assert [p.name for p in drafts] == ["request_2026_0813100.eml", "request_2026_0813101.eml"]
    raw = drafts[0].read_bytes()
    assert b"X-Unsent: 1\r\n" in raw
    back = email.message_from_bytes(raw, policy=email.policy.default)
    assert back["Subject"] == msgs[0]["Subject"]
    assert len(list(back.iter_attachments())) == 2
    assert "X-Unsent" not in msgs[0]  # the message to send is left as it was


def _header_lines(raw: bytes) -> list[bytes]:
    """The header block's physical lines (folded continuations start with a space)."""
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def test_name_on_several_lines_goes_by_smtp(plain: tuple[Collector, int],
                                            tmp_path: Path) -> None:
    # issue 9.7: an institution typed with Alt+Enter was an internal error
    handler, port = plain
    s = _settings(port, institution=LONG_NAME,
                  mail_from="Центр\nсоціальних послуг <tc@hromada.ua>")
    msg = mail.build_message(_summary(institution=LONG_NAME), s, _files(tmp_path))
    report = mail.send_all([msg], s, None)
    assert report.ok, report.not_sent
    [got] = handler.messages
    one = "Комунальна установа «Центр надання соціальних послуг» м. Кремінна"
    assert got["Subject"].endswith("КПКВК 0813104 — " + one)
    assert got["From"].addresses[0].display_name == "Центр соціальних послуг"
    assert got["From"].addresses[0].addr_spec == "tc@hromada.ua"
    body = got.get_body(("plain",)).get_content()
    assert f"від установи «{one}»" in body


def test_name_on_several_lines_makes_a_draft(tmp_path: Path) -> None:
    s = _settings(25, institution=LONG_NAME)
    msg = mail.build_message(_summary(institution=LONG_NAME), s, _files(tmp_path))
    [draft] = mail.write_drafts([msg], tmp_path / "drafts")
    raw = draft.read_bytes()
    for line in _header_lines(raw):  # every header line is a header or a fold, never a stray
        assert b":" in line or line[:1] in (b" ", b"\t"), line
        assert len(line) <= 78, line  # RFC 5322 2.1.1, and so RFC 2047's 75-character words
    back = email.message_from_bytes(raw, policy=email.policy.default)
    # every space kept: readers drop whitespace between two encoded words (RFC 2047 6.2)
    assert back["Subject"] == ("Бюджетний запит на 2026–2028 роки (форма 2026-2): КПКВК "
                               "0813104 — Комунальна установа «Центр надання соціальних "
                               "послуг» м. Кремінна")
    assert set(back.keys()) == {"Subject", "From", "To", "Date", "Message-ID", "X-Unsent",
                                "Content-Type", "MIME-Version"}


def test_recipients_separated_by_semicolons_or_lines_all_get_the_message(
        tmp_path: Path) -> None:
    # Outlook writes "a; b", Excel users Alt+Enter: every address must reach the To header
    s = _settings(25, mail_to="fin@hromada.ua; budget@hromada.ua\n  oblfin@oda.gov.ua")
    msg = mail.build_message(_summary(), s, _files(tmp_path))
    got = [addr for _name, addr in email.utils.getaddresses([str(msg["To"])])]
    assert got == ["fin@hromada.ua", "budget@hromada.ua", "oblfin@oda.gov.ua"]


def test_recipients_with_display_names_keep_them(tmp_path: Path) -> None:
    s = _settings(25, mail_to='"Фінуправління, бюджетний відділ" <fin@hromada.ua>, b@h.ua')
    msg = mail.build_message(_summary(), s, _files(tmp_path))
    assert [a.addr_spec for a in msg["To"].addresses] == ["fin@hromada.ua", "b@h.ua"]
    assert msg["To"].addresses[0].display_name == "Фінуправління, бюджетний відділ"


def test_no_sender_address_sends_nothing(plain: tuple[Collector, int], tmp_path: Path) -> None:
    handler, port = plain
    s = _settings(port, mail_from="")
    report = mail.send_all(_messages(tmp_path, s, 2), s, None)
    assert report.sent == [] and len(report.not_sent) == 2
    assert report.error and "mail_from" in _said(report.error)
    assert handler.messages == []
