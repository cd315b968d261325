"""Delivery through an SMTP server (``smtp://``, ``smtp+starttls://``, ``smtps://``).

Standard library ``smtplib``, one connection per digest, with a timeout on
connecting and on every reply.  The message counts as delivered when the
server answers 250 to the end of DATA, and only then: whatever happens after
that (QUIT failing, the connection dropping) is ignored, and anything before
it is a :class:`~alerts.deliver.DeliveryError`.

The password never leaves this module except into ``AUTH``: the target
renders as ``smtp+starttls://user@host:587`` in logs, reports and stored
errors, and server replies are scrubbed of it just in case one echoes it.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from alerts.deliver import DeliveryError, OutgoingMessage
from monitor.errors import ConfigError

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
SMTP_URL_KEY = "[email] smtp_url"


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str, password: str | None = None) -> SmtpTarget:
        """Read ``scheme://[user[:password]@]host[:port]``; ``password`` is used when the URL
        has none.  A bad URL is a ConfigError that does not repeat the password."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise ConfigError(SMTP_URL_KEY, f"not a valid URL: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise ConfigError(
                SMTP_URL_KEY,
                f"unsupported scheme {scheme!r} (use smtp://, smtp+starttls:// or smtps://)",
            )
        if not parts.hostname:
            raise ConfigError(SMTP_URL_KEY, "the URL names no host")
        if parts.path not in ("", "/") or parts.query:
            raise ConfigError(SMTP_URL_KEY, "the URL must not have a path or query")
        username = unquote(parts.username) if parts.username else None
        url_password = unquote(parts.password) if parts.password is not None else None
        return cls(
            scheme=scheme,
            host=parts.hostname,
            port=port or DEFAULT_PORTS[scheme],
            username=username,
            password=url_password if url_password is not None else password,
        )

    def display(self) -> str:
        """The URL without the password: safe to print, log and store."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{host}:{self.port}"


class SmtpTransport:
    def __init__(
        self,
        target: SmtpTarget,
        timeout: float = 30.0,
        tls_verify: bool = True,
        ca_file: Path | None = None,
    ) -> None:
        self.target = target
        self.timeout = timeout
        self.tls_verify = tls_verify
        self.ca_file = ca_file

    def describe(self) -> str:
        return self.target.display()

    def send(self, message: OutgoingMessage) -> None:
        try:
            self._send(message)
        except DeliveryError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(self.describe(), self._scrub(describe_error(exc, self))) from None

    def _send(self, message: OutgoingMessage) -> None:
        t = self.target
        context = self.tls_context() if t.scheme != "smtp" else None
        client: smtplib.SMTP
        if t.scheme == "smtps":
            client = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
        try:
            client.ehlo()
            if t.scheme == "smtp+starttls":
                if not client.has_extn("starttls"):
                    raise DeliveryError(self.describe(), "the server does not offer STARTTLS")
                client.starttls(context=context)
                client.ehlo()
            if t.username:
                client.login(t.username, t.password or "")
            refused = client.sendmail(message.sender, [message.recipient], message.data)
            if refused:  # only possible with several recipients; kept for completeness
                raise DeliveryError(self.describe(), f"recipient refused: {refused}")
        finally:
            _close_quietly(client)

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        if not self.tls_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _scrub(self, text: str) -> str:
        password = self.target.password
        if password and len(password) >= 3:
            text = text.replace(password, "***")
        return text


def describe_error(exc: BaseException, transport: SmtpTransport) -> str:
    """One line saying what went wrong, in the server's words where there are some."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentication failed: {_reply(exc)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = "; ".join(f"{code} {_text(msg)}" for code, msg in exc.recipients.values())
        return f"recipient refused: {replies}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender refused: {_reply(exc)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection" + (f" ({exc})" if str(exc) else "")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return str(exc) or "the server does not support a command newsmon needs"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"TLS certificate not trusted ({exc.verify_message}); set [email] ca_file to trust it"
        )
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"no answer within {transport.timeout:g} s"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host {transport.target.host}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc) or type(exc).__name__


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}".strip()


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())


def _close_quietly(client: smtplib.SMTP) -> None:
    """QUIT, or at least close: the outcome was decided before this and must not change."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
