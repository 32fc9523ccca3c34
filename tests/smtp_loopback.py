"""A real SMTP server on 127.0.0.1 for the mail and send tests (aiosmtpd), with a
self-signed certificate for STARTTLS and a login that knows one user."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "tc@hromada.ua"
PASSWORD = "s3cret-пароль"  # non-ASCII: smtplib.login cannot send it, koshtorys must


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Collector:
    """Keeps every message; refuses the ones whose number is in ``reject``."""

    def __init__(self, reject: tuple[int, ...] = ()) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.seen = 0
        self.reject = reject

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.seen += 1
        if self.seen in self.reject:
            return "554 Transaction failed: policy"
        self.messages.append(email.message_from_bytes(  # type: ignore[arg-type]
            envelope.content, policy=email.policy.default))
        return "250 OK"


def auth(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


def silent_auth(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    """A server that never answers a login (aiosmtpd's ``handled=True`` without a reply):
    what a tarpit or a hung authentication backend looks like to the client."""
    return AuthResult(success=False, handled=True)


def make_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem) in ``folder``."""
    from cryptography import x509
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
    (folder / "cert.pem").write_bytes(c.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def server_context(cert: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*cert)
    return ctx


def start(handler: Collector, **kw: object) -> Controller:
    """A server on a free loopback port (``kw`` go to aiosmtpd's Controller)."""
    ctl = Controller(handler, hostname="127.0.0.1", port=free_port(), **kw)
    ctl.start()
    return ctl


def start_tls_auth(handler: Collector, cert: tuple[Path, Path],
                   authenticator: object = auth) -> Controller:
    """STARTTLS required, login required (and only after TLS) before any mail."""
    return start(handler, tls_context=server_context(cert), require_starttls=True,
                 authenticator=authenticator, auth_require_tls=True, auth_required=True)
