"""Notifications through the outbox: stored with their digest, claimed, sent, marked.

The same four steps as a digest (:mod:`alerts.outbox`), per channel:

1. *stored*: :func:`store` adds one ``pending`` Notification per channel,
   with the exact title and text, in the transaction that stores the digest
   and its Delivery rows, so the message carries the digest's items, and
   nothing is sent that is not recorded first;
2. :func:`claim`: one atomic ``UPDATE ... WHERE status = 'pending' AND due``
   that counts the attempt and pushes ``next_attempt_at`` out by a lease, so
   two processes never send the same message at once;
3. the message goes to Apprise (:func:`alerts.notify.send_notice`);
4. ``sent`` once the service accepted it, or the error (secrets masked) and a
   next attempt after ``[email] retry_delay``, doubling up to ``[email]
   retry_max_delay``; after ``[email] max_attempts`` it is ``failed``.

A recipient without an address has no e-mail to hold the round's items, so
their digest row is stored as ``notifying`` (which holds its items like
``pending``) and :func:`_settle` turns it ``sent`` once its messages are all
done and one was sent, or ``failed`` when all were given up, which releases
its items to the next round, as a given-up e-mail digest does.

The window that remains is the e-mail one: killed after the service accepted
a message and before ``sent`` was committed, the message is sent again once
the lease runs out (chat services have no Message-ID to recognise it by).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import outbox
from alerts.compose import DigestContent
from alerts.notify import (
    Channel,
    Notice,
    NotifyError,
    channels_for,
    compose_notice,
    send_notice,
    url_secrets,
)
from alerts.recipients import Recipient, resolve_recipients
from monitor.config import Settings
from monitor.storage import Database
from monitor.storage.models import Digest, Notification

# The status of the digest row of a recipient without an address while its messages go.
NOTIFYING: Final = "notifying"
NO_CHANNEL_ERROR: Final = "not sent: the channel is no longer in the recipient's notify list"
NoticeStatus = Literal["sent", "pending", "failed", "busy"]

log = logging.getLogger(__name__)


@dataclass
class NoticeAttempt:
    """What one attempt to send one stored notification did."""

    notification_id: int
    digest_id: int
    recipient: str
    channel: str  # the label, never the URL
    status: NoticeStatus
    attempts: int = 0
    error: str | None = None
    next_attempt_at: datetime | None = None


def store(
    session: Session, digest_id: int, recipient: Recipient, content: DigestContent, now: datetime
) -> None:
    """One pending message per channel of ``recipient``, in the caller's transaction (the
    one storing digest ``digest_id``)."""
    for channel in channels_for(recipient):
        notice = compose_notice(content, channel)
        session.add(
            Notification(
                digest_id=digest_id,
                recipient=recipient.key,
                channel=channel.key,
                label=channel.label,
                title=notice.title,
                body=notice.body,
                status=outbox.PENDING,
                created_at=now,
                attempts=0,
            )
        )


@dataclass(frozen=True)
class _Claimed:
    id: int
    digest_id: int
    recipient: str
    channel: str
    label: str
    notice: Notice


def claim(
    db: Database, notification_id: int, now: datetime, lease_s: float, *, kept_now: bool = False
) -> _Claimed | None:
    """Take a due pending message for one attempt; None if another process has it, or it
    is not pending or not due (``kept_now``: one whose last attempt failed is due now)."""
    with db.session() as session:
        if not outbox.take_lease(session, Notification, notification_id, now, lease_s, kept_now):
            return None
        row = session.get_one(Notification, notification_id)
        notice = Notice(row.title, row.body)
        return _Claimed(row.id, row.digest_id, row.recipient, row.channel, row.label, notice)


def _mark_sent(db: Database, notification_id: int, now: datetime) -> None:
    with db.session() as session:
        row = session.get_one(Notification, notification_id)
        row.status, row.sent_at, row.next_attempt_at, row.last_error = outbox.SENT, now, None, None
        session.flush()
        _settle(session, row.digest_id, now)


def _mark_failed(
    db: Database,
    notification_id: int,
    now: datetime,
    error: str,
    settings: Settings,
    *,
    final: bool,
) -> tuple[NoticeStatus, int, datetime | None]:
    """Record a failed attempt: pending with a backoff, or failed (given up, or ``final``)."""
    with db.session() as session:
        row = session.get_one(Notification, notification_id)
        outcome = outbox.record_failure(row, now, error, settings.email, final=final)
        session.flush()
        _settle(session, row.digest_id, now)
        return outcome


def _settle(session: Session, digest_id: int, now: datetime) -> None:
    """A ``notifying`` digest whose messages are all done becomes ``sent`` (one was sent)
    or ``failed`` (none was: its items are due again)."""
    digest = session.get(Digest, digest_id)
    if digest is None or digest.status != NOTIFYING:
        return
    statuses = set(
        session.scalars(select(Notification.status).where(Notification.digest_id == digest_id))
    )
    if outbox.PENDING in statuses:
        return
    digest.next_attempt_at = None
    if outbox.SENT in statuses:
        digest.status, digest.sent_at = outbox.SENT, now
    else:
        digest.status, digest.last_error = outbox.FAILED, "no notification could be sent"


def _drop_unsubscribed(db: Database, notification_id: int, now: datetime) -> bool:
    """Give up a pending message whose recipient unsubscribed since it was stored."""
    with db.session() as session:
        row = session.get(Notification, notification_id)
        if row is None or not outbox.give_up_if_unsubscribed(session, row):
            return False
        session.flush()
        _settle(session, row.digest_id, now)
        return True


class Channels:
    """Every configured channel by (recipient key, channel key), and all their secrets."""

    def __init__(self, settings: Settings) -> None:
        self.by_key: dict[tuple[str, str], Channel] = {}
        self.secrets: list[str] = []
        for recipient in resolve_recipients(settings):
            for channel in channels_for(recipient):
                self.by_key[(recipient.key, channel.key)] = channel
                self.secrets.extend(url_secrets(channel.url))


def send_stored(
    db: Database,
    settings: Settings,
    notification_id: int,
    now: datetime,
    *,
    channels: Channels | None = None,
    kept_now: bool = False,
) -> NoticeAttempt:
    """Claim one stored message, send it, record the outcome."""
    channels = channels or Channels(settings)
    lease = outbox.lease_seconds(settings.email)
    claimed = claim(db, notification_id, now, lease, kept_now=kept_now)
    if claimed is None:
        return NoticeAttempt(notification_id, 0, "", "", "busy")
    c = claimed
    channel = channels.by_key.get((c.recipient, c.channel))
    if channel is None:
        status, attempts, _ = _mark_failed(db, c.id, now, NO_CHANNEL_ERROR, settings, final=True)
        log.warning(
            "notification %s to %s (%s) given up: %s", c.id, c.recipient, c.label, NO_CHANNEL_ERROR
        )
        return NoticeAttempt(
            c.id, c.digest_id, c.recipient, c.label, status, attempts, NO_CHANNEL_ERROR
        )
    try:
        send_notice(channel, c.notice, channels.secrets)
    except NotifyError as exc:
        error = str(exc)
        status, attempts, next_at = _mark_failed(db, c.id, now, error, settings, final=False)
        log.warning(
            "notification %s to %s not delivered (attempt %d, %s): %s",
            c.id,
            c.recipient,
            attempts,
            f"next at {next_at:%Y-%m-%d %H:%M} UTC" if next_at else "given up",
            error,
        )
        return NoticeAttempt(
            c.id, c.digest_id, c.recipient, c.label, status, attempts, error, next_at
        )
    _mark_sent(db, c.id, now)
    log.info("notification %s sent to %s (%s)", c.id, c.recipient, c.label)
    return NoticeAttempt(c.id, c.digest_id, c.recipient, c.label, outbox.SENT)


def send_for_digest(
    db: Database, settings: Settings, digest_id: int, now: datetime
) -> list[NoticeAttempt]:
    """Send the messages stored with a digest that was just composed."""
    query = select(Notification.id).where(
        Notification.digest_id == digest_id, Notification.status == outbox.PENDING
    )
    with db.session() as session:
        ids = list(session.scalars(query.order_by(Notification.id)))
    if not ids:
        return []
    channels = Channels(settings)
    return [send_stored(db, settings, i, now, channels=channels) for i in ids]


def retry_due(
    db: Database,
    settings: Settings,
    now: datetime,
    recipient_key: str | None = None,
    *,
    kept_now: bool = False,
) -> list[NoticeAttempt]:
    """Try again every pending message that is due, oldest first; one whose recipient
    unsubscribed meanwhile is given up instead."""
    ids = outbox.due_ids(db, Notification, now, recipient_key, kept_now=kept_now)
    if not ids:
        return []
    channels = Channels(settings)
    attempts: list[NoticeAttempt] = []
    for notification_id in ids:
        if _drop_unsubscribed(db, notification_id, now):
            log.info("notification %s not sent: the recipient unsubscribed", notification_id)
            continue
        attempts.append(
            send_stored(db, settings, notification_id, now, channels=channels, kept_now=kept_now)
        )
    return attempts
