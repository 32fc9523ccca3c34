"""Mail: a real SMTP server on 127.0.0.1 (aiosmtpd), with and without STARTTLS."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from koshtorys.core.errors import KoshtorysError
from koshtorys.core.settings import Settings
from koshtorys.documents import mail
from koshtorys.documents.request import RequestSummary

PASSWORD = "s3cret-пароль"  # non-ASCII: smtplib.login cannot send it, koshtorys must


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collector:
    """Keeps every message; refuses the ones whose number is in ``reject``."""

    def __init__(self, reject: tuple[int, ...] = ()) -> None:
        self.messages: list[email.message.Message] = []
        self.seen = 0
        self.reject = reject

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.seen += 1
        if self.seen in self.reject:
            return "554 Transaction failed: policy"
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


def _auth(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"tc@hromada.ua"
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(days=1))
         .not_valid_after(now + dt.timedelta(days=2))
         .add_extension(x509.SubjectAlternativeName(
             [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
         .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
         .sign(key, hashes.SHA256()))
    d = tmp_path_factory.mktemp("tls")
    (d / "cert.pem").write_bytes(c.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return d / "cert.pem", d / "key.pem"


def _server(handler: Collector, **kw: object) -> Controller:
    port = _free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port, **kw)
    ctl.start()
    return ctl


@pytest.fixture
def plain() -> Iterator[tuple[Collector, int]]:
    h = Collector()
    ctl = _server(h)
    yield h, ctl.port
    ctl.stop()


def _settings(port: int, **kw: object) -> Settings:
    base = dict(institution="ТЦСО", plan_year=2026, mail_from="tc@hromada.ua",
                mail_to="fin@hromada.ua", smtp_host="127.0.0.1", smtp_port=port,
                smtp_starttls=False, smtp_user="")
    return Settings(**(base | kw))  # type: ignore[arg-type]


def _summary(kpkvk: str = "0813104") -> RequestSummary:
    return RequestSummary(2026, kpkvk, "Соціальні послуги вдома", "ТЦСО", 0,
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


def test_message_content(tmp_path: Path) -> None:
    s = _settings(25)
    msg = mail.build_message(_summary(), s, _files(tmp_path))
    assert "2026" in msg["Subject"] and "0813104" in msg["Subject"] and "ТЦСО" in msg["Subject"]
    assert msg["To"] == "fin@hromada.ua" and msg["From"] == "tc@hromada.ua"
    body = msg.get_body(("plain",)).get_content()
    assert "загальний фонд — 1\u00a0234\u00a0567 грн" in body
    assert "спеціальний фонд — 500 грн" in body and "разом — 1\u00a0235\u00a0067 грн" in body
    names = [a.get_filename() for a in msg.iter_attachments()]
    assert names == ["request_2026_0813104.xlsx", "request_2026_0813104.pdf"]
    assert next(msg.iter_attachments()).get_content_type().endswith("spreadsheetml.sheet")


def test_pdf_attached_only_when_present(tmp_path: Path) -> None:
    files = _files(tmp_path, pdf=False)
    assert [p.suffix for p in files] == [".xlsx"]
    with pytest.raises(KoshtorysError):
        mail.build_message(_summary(), _settings(25), [tmp_path / "missing.xlsx"])


def test_messages_arrive_without_tls(plain: tuple[Collector, int], tmp_path: Path) -> None:
    handler, port = plain
    s = _settings(port)
    msgs = _messages(tmp_path, s, 2)
    report = mail.send_all(msgs, s, None)
    assert report.ok and report.error is None and len(report.sent) == 2
    assert [m["Subject"] for m in handler.messages] == [m["Subject"] for m in msgs]
    got = handler.messages[0]
    assert [a.get_filename() for a in got.iter_attachments()] == [
        "request_2026_0813100.xlsx", "request_2026_0813100.pdf"]
    assert next(got.iter_attachments()).get_content() == (tmp_path /
                                                          "request_2026_0813100.xlsx").read_bytes()


def test_starttls_and_login(cert: tuple[Path, Path], tmp_path: Path) -> None:
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(*cert)
    h = Collector()
    ctl = _server(h, tls_context=server_ctx, require_starttls=True, authenticator=_auth,
                  auth_require_tls=True)
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert[0]))  # verifies the server
        s = _settings(ctl.port, smtp_starttls=True, smtp_user="tc@hromada.ua")
        msgs = _messages(tmp_path, s, 1)
        report = mail.send_all(msgs, s, PASSWORD, tls_context=client_ctx)
        assert report.ok, report.lines()
        assert len(h.messages) == 1
        # a wrong password: nothing sent, reported, the password never shown
        bad = mail.send_all(msgs, s, "wrong", tls_context=client_ctx)
        assert bad.sent == [] and bad.error and len(bad.not_sent) == 1
        assert "refused the login" in bad.error and "535" in bad.error
        assert "wrong" not in bad.error and PASSWORD not in " ".join(bad.lines())
        # no STARTTLS against a server that requires it: refused, reported
        plain_try = mail.send_all(msgs, _settings(ctl.port, smtp_user=""), None)
        assert not plain_try.ok
        assert len(h.messages) == 1
    finally:
        ctl.stop()


def test_server_down_nothing_sent_files_kept(tmp_path: Path) -> None:
    s = _settings(_free_port())  # nobody listens there
    msgs = _messages(tmp_path, s, 3)
    before = sorted(p.name for p in tmp_path.iterdir())
    report = mail.send_all(msgs, s, None, timeout=5)
    assert report.sent == [] and report.error and "cannot connect" in report.error
    assert [subj for subj, _ in report.not_sent] == [m["Subject"] for m in msgs]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_mid_batch_failure_reports_which_went(tmp_path: Path) -> None:
    h = Collector(reject=(2,))
    ctl = _server(h)
    try:
        s = _settings(ctl.port)
        msgs = _messages(tmp_path, s, 3)
        report = mail.send_all(msgs, s, None)
    finally:
        ctl.stop()
    # the first went, the second was refused (and said so), the third still went
    assert [subj for subj, _ in report.not_sent] == [msgs[1]["Subject"]]
    assert "554" in report.not_sent[0][1]
    assert report.sent == [msgs[0]["Subject"], msgs[2]["Subject"]]
    assert [m["Subject"] for m in h.messages] == report.sent
    assert report.error is None and not report.ok
    assert any("NOT sent" in line for line in report.lines())
    assert all(p.exists() for p in tmp_path.glob("request_*"))


def test_missing_password_or_host_sends_nothing(tmp_path: Path) -> None:
    msgs = _messages(tmp_path, _settings(25), 2)
    r = mail.send_all(msgs, _settings(25, smtp_user="tc@hromada.ua"), None)
    assert r.sent == [] and len(r.not_sent) == 2 and "KOSHTORYS_SMTP_PASSWORD" in r.error
    r = mail.send_all(msgs, _settings(25, smtp_host=""), None)
    assert r.sent == [] and "smtp_host" in r.error


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


def test_recipients_separated_by_semicolons_all_get_the_message(tmp_path: Path) -> None:
    # Outlook writes "a; b": every address must reach the To header (and so the envelope)
    s = _settings(25, mail_to="fin@hromada.ua; budget@hromada.ua;  oblfin@oda.gov.ua")
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
    assert report.error and "mail_from" in report.error
    assert handler.messages == []
