"""A real SMTP server (aiosmtpd on 127.0.0.1) for tests, that can misbehave as servers do.

The ``smtp_server`` fixture (tests/conftest.py) starts one per call: plain,
with AUTH, with STARTTLS or SMTPS (a self-signed certificate made on the
spot); its :class:`Recorder` keeps what it accepted and can answer 451 or
cut the connection in the middle of DATA.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SMTP_USER = "digest-bot"
SMTP_PASSWORD = "s3cr3t-Pa55"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The server's handler: keeps what it accepted; ``replies`` are answers to the end of
    DATA to give first (e.g. a 451), in order, before accepting again."""

    received: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    drop_data: int = 0  # connections to cut in the middle of DATA

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.replies:
            return self.replies.pop(0)
        data = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), data))
        return "250 2.0.0 OK queued"

    def message_ids(self) -> list[str]:
        return [str(r.message["Message-ID"]) for r in self.received]


class _DroppingSMTP(SMTP):
    """Reads the first line of the message after 354, then cuts the connection: the
    server never got the message, the client never got an answer."""

    recorder: Recorder

    async def smtp_DATA(self, arg: str) -> None:
        if self.recorder.drop_data > 0 and self.envelope is not None and self.envelope.rcpt_tos:
            self.recorder.drop_data -= 1
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readuntil(b"\r\n")
            assert self.transport is not None
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class _Controller(Controller):
    def factory(self) -> SMTP:
        smtp = _DroppingSMTP(self.handler, **self.SMTP_kwargs)
        smtp.recorder = self.handler
        return smtp


def _check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == SMTP_USER and auth_data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    recorder: Recorder
    port: int
    cert_file: Path | None = None

    def url(self, scheme: str = "smtp", user: str | None = None) -> str:
        who = f"{user}@" if user else ""
        return f"{scheme}://{who}127.0.0.1:{self.port}"


ServerFactory = Callable[..., SmtpServer]


def start_smtp_servers(tmp_path: Path, controllers: list[Controller]) -> ServerFactory:
    """Start aiosmtpd on 127.0.0.1: ``smtp_server()`` plain; ``auth=True`` requires AUTH;
    ``tls="starttls"`` requires STARTTLS, ``tls="smtps"`` is TLS from the start (both with
    a self-signed certificate for 127.0.0.1, whose PEM is ``cert_file``)."""

    def start(auth: bool = False, tls: str | None = None) -> SmtpServer:
        recorder = Recorder()
        port = free_port()
        kwargs: dict[str, Any] = {}
        cert_file: Path | None = None
        if tls is not None:
            cert_file, context = _self_signed(tmp_path)
            if tls == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs.update(ssl_context=context)
        if auth:
            # Plain-text AUTH is allowed only for the plain test server.
            kwargs.update(
                authenticator=_check_login, auth_required=True, auth_require_tls=tls is not None
            )
        controller = _Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return SmtpServer(recorder, port, cert_file)

    return start


def _self_signed(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 and localhost, made now, and the server's TLS context."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsmon test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = folder / "smtp-cert.pem"
    key_file = folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context
