"""Where a stored digest goes: an SMTP server, or an ``.eml`` file in the outbox folder.

Both are a :class:`Transport`: ``send`` either returns (the message was
accepted: the server said 250, or the file is in place) or raises
:class:`DeliveryError` with one line that is safe to log and store (never a
password).  The outbox pattern in :mod:`alerts.run` relies on exactly that.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from monitor.config import Settings
from monitor.errors import DeliveryError as DeliveryError  # defined with the error tree


@dataclass(frozen=True)
class OutgoingMessage:
    """A stored digest as it is sent: the exact bytes, every time."""

    digest_id: int
    message_id: str
    sender: str  # envelope MAIL FROM
    recipient: str  # envelope RCPT TO
    data: bytes
    created: datetime


class Transport(Protocol):
    def describe(self) -> str:
        """Where messages go, safe to print (no password)."""
        ...

    def send(self, message: OutgoingMessage) -> None:
        """Hand the message over, or raise :class:`DeliveryError`."""
        ...


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class EmlTransport:
    """Writes each digest to ``<outbox>/<date>-<id>.eml`` (open it with any mail client).

    The file name comes from the digest's creation time and Message-ID, and the
    file is written under a temporary name and renamed into place, so a retry
    after a crash replaces the same file: never a half file, never two copies.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def describe(self) -> str:
        return f"outbox folder {self.folder}"

    def path_for(self, message: OutgoingMessage) -> Path:
        token = _UNSAFE_NAME.sub("-", message.message_id.strip("<>").split("@", 1)[0])
        return self.folder / f"{message.created:%Y%m%d-%H%M%S}-{token}.eml"

    def send(self, message: OutgoingMessage) -> None:
        target = self.path_for(message)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(message.data)
                    fh.flush()
                    os.fsync(fh.fileno())
                Path(tmp).replace(target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            reason = f"cannot write {target.name}: {exc.strerror or exc}"
            raise DeliveryError(self.describe(), reason) from exc


def transport_for(settings: Settings) -> Transport:
    """SMTP when ``[email] smtp_url`` is set, else the outbox folder."""
    email = settings.email
    if email.smtp_url is None or not email.smtp_url.get_secret_value().strip():
        return EmlTransport(email.outbox.expanduser())
    from alerts.smtp import SmtpTarget, SmtpTransport

    password = email.password.get_secret_value() if email.password is not None else None
    target = SmtpTarget.parse(email.smtp_url.get_secret_value(), password)
    return SmtpTransport(
        target, timeout=email.timeout, tls_verify=email.tls_verify, ca_file=email.ca_file
    )
