"""The state of stored digests: pending -> sent, or pending -> failed after many tries.

Each transition is its own short transaction, so what is recorded never runs
ahead of what happened:

1. *stored* (by :mod:`alerts.run`): Digest ``pending`` with the full message
   and its Delivery rows, in one transaction;
2. :func:`claim`: one atomic ``UPDATE ... WHERE status = 'pending' AND due``
   that counts the attempt and pushes ``next_attempt_at`` out by a lease, so
   two processes never send the same digest at once, and one killed mid-send
   leaves it to be retried once the lease runs out;
3. :func:`mark_sent` after the server accepted it, or :func:`mark_failed`,
   which schedules the next attempt with exponential backoff, or gives the
   digest up (``failed``) after ``[email] max_attempts``; a given-up digest's
   items are due again, so they go into the next digest instead.

A claim clears ``last_error``, so a pending digest with an error is one whose
last attempt *failed* (it waits for its backoff), and one without an error
but with attempts is being sent right now (or its sender died and the lease
must run out).  A manual round (``newsmon digest --send``) retries the first
kind at once (``kept_now``) and never touches the second.

A scheduled round that stores a digest records its slot as served in the
same transaction (:func:`serve_slot`): a process killed after that commit
leaves a served slot and a pending digest, which the retry job sends, so a
restart never composes a second digest for the slot (not even an empty
one with ``[digest] send_empty``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default
from email.utils import parseaddr
from typing import Final, Literal

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from alerts.deliver import OutgoingMessage
from alerts.selection import unsubscription
from monitor.config import EmailSettings
from monitor.storage import Database
from monitor.storage.models import Digest, DigestSchedule, Notification

DigestStatus = Literal["pending", "sent", "failed"]
PENDING: Final = "pending"
SENT: Final = "sent"
FAILED: Final = "failed"
MIN_LEASE_S = 300.0
MAX_ERROR_CHARS = 500
UNSUBSCRIBED_ERROR: Final = "not sent: the recipient unsubscribed"


@dataclass(frozen=True)
class PendingDigest:
    """A stored digest as listed for people (no message bytes)."""

    id: int
    recipient: str
    message_id: str
    subject: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


def lease_seconds(email: EmailSettings) -> float:
    """How long a claimed digest is left alone: longer than any one SMTP exchange can take."""
    return max(MIN_LEASE_S, 4 * email.timeout)


Outgoing = type[Digest] | type[Notification]  # the two outboxes: e-mail, chat messages


def due(model: Outgoing, now: datetime, kept_now: bool) -> ColumnElement[bool]:
    """Due by its schedule; with ``kept_now`` also a row whose last attempt failed."""
    scheduled = or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now)
    if not kept_now:
        return scheduled
    return or_(scheduled, and_(model.attempts > 0, model.last_error.is_not(None)))


def take_lease(
    session: Session, model: Outgoing, row_id: int, now: datetime, lease_s: float, kept_now: bool
) -> bool:
    """Claim one pending, due row of an outbox for an attempt (counted, leased for
    ``lease_s``, its last error cleared); False when another process took it first or it
    is not pending or due.  One UPDATE: two processes cannot both claim it."""
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.status == PENDING, due(model, now, kept_now))
        .values(
            attempts=model.attempts + 1,
            next_attempt_at=now + timedelta(seconds=lease_s),
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def claim(
    db: Database,
    digest_id: int,
    now: datetime,
    lease_s: float,
    sender: str,
    *,
    kept_now: bool = False,
) -> OutgoingMessage | None:
    """Take a due pending digest for one attempt; None if it is not pending, not due, or
    another process took it first.  The envelope recipient is the stored message's To.
    ``kept_now``: a digest whose last attempt failed is due now, whatever its backoff."""
    with db.session() as session:
        if not take_lease(session, Digest, digest_id, now, lease_s, kept_now):
            return None
        row = session.get_one(Digest, digest_id)
        return OutgoingMessage(
            digest_id=row.id,
            message_id=row.message_id,
            sender=sender,
            recipient=_to_address(row.message) or row.recipient,
            data=row.message,
            created=row.created_at,
        )


def _to_address(message: bytes) -> str | None:
    headers = BytesHeaderParser(policy=default).parsebytes(message)
    return parseaddr(str(headers.get("To", "")))[1] or None


def drop_unsubscribed(db: Database, digest_id: int) -> tuple[str, str] | None:
    """Give up a pending digest whose recipient unsubscribed after it was composed (its
    message id and recipient), rather than send one more; None when it is not so.

    It becomes ``failed`` with a last error saying why, which also releases its items:
    should the recipient subscribe again, they are due for the next digest.
    """
    with db.session() as session:
        digest = session.get(Digest, digest_id)
        if digest is None or not give_up_if_unsubscribed(session, digest):
            return None
        return digest.message_id, digest.recipient


def give_up_if_unsubscribed(session: Session, row: Digest | Notification) -> bool:
    """Mark a pending row of either outbox ``failed`` if its recipient unsubscribed since
    it was stored (in the caller's transaction); whether it was."""
    if row.status != PENDING or unsubscription(session, row.recipient) is None:
        return False
    row.status, row.next_attempt_at = FAILED, None
    row.last_error = UNSUBSCRIBED_ERROR
    return True


def mark_sent(db: Database, digest_id: int, now: datetime) -> None:
    with db.session() as session:
        session.execute(
            update(Digest)
            .where(Digest.id == digest_id)
            .values(status=SENT, sent_at=now, next_attempt_at=None, last_error=None)
            .execution_options(synchronize_session=False)
        )


def mark_failed(
    db: Database, digest_id: int, now: datetime, error: str, email: EmailSettings
) -> tuple[DigestStatus, int, datetime | None]:
    """Record a failed attempt; return the new status, the attempts so far and when the
    next one is due (None once the digest is given up)."""
    with db.session() as session:
        return record_failure(session.get_one(Digest, digest_id), now, error, email)


def record_failure(
    row: Digest | Notification,
    now: datetime,
    error: str,
    email: EmailSettings,
    *,
    final: bool = False,
) -> tuple[DigestStatus, int, datetime | None]:
    """A failed attempt on a row of either outbox (in the caller's transaction): pending
    again after a backoff, or ``failed`` once ``[email] max_attempts`` are spent (or
    ``final``).  The new status, the attempts so far, and when the next one is due."""
    row.last_error = error[:MAX_ERROR_CHARS]
    if final or row.attempts >= email.max_attempts:
        row.status, row.next_attempt_at = FAILED, None
        return FAILED, row.attempts, None
    row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts, email))
    return PENDING, row.attempts, row.next_attempt_at


def backoff(attempts: int, email: EmailSettings) -> float:
    """Seconds before the next try after ``attempts`` failed ones: 1, 2, 4 ... x retry_delay,
    capped at retry_max_delay."""
    exponent = min(max(attempts - 1, 0), 30)
    return float(min(email.retry_delay * 2**exponent, email.retry_max_delay))


def due_pending(
    db: Database, now: datetime, recipient_key: str | None = None, *, kept_now: bool = False
) -> list[int]:
    """Ids of pending digests whose next attempt is due, oldest first (``kept_now``: see
    :func:`claim`)."""
    return due_ids(db, Digest, now, recipient_key, kept_now=kept_now)


def due_ids(
    db: Database,
    model: Outgoing,
    now: datetime,
    recipient_key: str | None = None,
    *,
    kept_now: bool = False,
) -> list[int]:
    """Ids of the pending rows of an outbox whose next attempt is due, oldest first."""
    query = select(model.id).where(model.status == PENDING, due(model, now, kept_now))
    if recipient_key is not None:
        query = query.where(model.recipient == recipient_key)
    with db.session() as session:
        return list(session.scalars(query.order_by(model.id)))


def pending(db: Database, recipient_key: str | None = None) -> list[PendingDigest]:
    """Every pending digest, due or not, oldest first."""
    query = select(
        Digest.id,
        Digest.recipient,
        Digest.message_id,
        Digest.subject,
        Digest.created_at,
        Digest.attempts,
        Digest.next_attempt_at,
        Digest.last_error,
    ).where(Digest.status == PENDING)
    if recipient_key is not None:
        query = query.where(Digest.recipient == recipient_key)
    with db.session() as session:
        return [PendingDigest(*row) for row in session.execute(query.order_by(Digest.id))]


def serve_slot(session: Session, recipient_key: str, slot: datetime, now: datetime) -> None:
    """Record the recipient's scheduled slot ``slot`` as served, in the caller's transaction
    (the one storing the slot's digest, or a separate one when nothing was composed)."""
    row = session.get(DigestSchedule, recipient_key)
    if row is None:
        session.add(DigestSchedule(recipient=recipient_key, last_slot_at=slot, last_run_at=now))
        return
    row.last_slot_at = max(row.last_slot_at, slot)
    row.last_run_at = now
