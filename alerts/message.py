"""The e-mail itself: a deterministic Message-ID and the MIME bytes that are stored.

The message is built once, when the digest is composed, and stored whole in
the Digest row; every delivery attempt sends those stored bytes.  A retry
after a crash therefore sends the very same message, Date and Message-ID
included, which mail servers and clients can recognise as one message.

The Message-ID is derived from the recipient, the ids of the articles the
digest delivers and the recipient's digest sequence number: two processes
composing the same digest at once compute the same id, and the unique
constraint on ``digests.message_id`` lets only one of them store it.  The one-click
links (:mod:`alerts.links`) are not part of it: they carry the time they were signed,
and two composers of the same digest must still agree on its id.

With ``[web] base_url`` set, the message also carries ``List-Unsubscribe`` (the signed
unsubscribe link) and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058),
so a mail client's own "unsubscribe" button works without opening a page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import format_datetime, formataddr, parseaddr
from typing import Final

from alerts.render import Rendered

DEFAULT_DISPLAY_NAME = "newsmon"
ONE_CLICK: Final = "List-Unsubscribe=One-Click"  # RFC 8058's List-Unsubscribe-Post value
MAX_HEADER_LINE: Final = 998  # RFC 5322's hard limit on a line


class _URLHeader(UnstructuredHeader, BaseHeader):
    """A header holding ``<url>``: folded only at the hard line limit.

    The SMTP policy folds at 78 characters, and a link token has no space to fold at,
    so the default would turn it into RFC 2047 encoded words that clients do not read
    as a URL.  RFC 5322 allows lines of up to 998 characters; a link is far shorter.
    """

    def fold(self, *, policy: Policy) -> str:
        return str(super().fold(policy=policy.clone(max_line_length=MAX_HEADER_LINE)))


def _policy() -> Policy:
    registry = HeaderRegistry()
    registry.map_to_type("list-unsubscribe", _URLHeader)
    return SMTP.clone(header_factory=registry)


_POLICY: Final = _policy()


def message_id(recipient_key: str, article_ids: Iterable[str], sequence: int, sender: str) -> str:
    """``<digest.<hash>@<sender's domain>>``, the same for the same inputs."""
    material = "\n".join([recipient_key, str(sequence), *sorted(set(article_ids))])
    token = hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
    return f"<digest.{token}@{sender_domain(sender)}>"


def sender_domain(sender: str) -> str:
    address = parseaddr(sender)[1] or sender
    _, at, domain = address.rpartition("@")
    domain = domain.strip().strip(".>")
    return domain if at and domain else "newsmon.invalid"


def build_message(
    rendered: Rendered,
    *,
    sender: str,
    to: str,
    message_id: str,
    date: datetime,
    unsubscribe_url: str | None = None,
) -> bytes:
    """multipart/alternative (plain text first, HTML last: the preferred part goes last),
    quoted-printable so it passes any server, CRLF line ends as SMTP wants them;
    ``unsubscribe_url`` adds the RFC 8058 one-click unsubscribe headers."""
    name, address = parseaddr(sender)
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = formataddr((name or DEFAULT_DISPLAY_NAME, address or sender))
    msg["To"] = to
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    if unsubscribe_url is not None:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = ONE_CLICK
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg.as_bytes(policy=SMTP)


def envelope_sender(sender: str) -> str:
    """The bare address for MAIL FROM."""
    return parseaddr(sender)[1] or sender
