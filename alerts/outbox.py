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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import default
from email.utils import parseaddr

from sqlalchemy import or_, select, update

from alerts.deliver import OutgoingMessage
from monitor.config import EmailSettings
from monitor.storage import Database
from monitor.storage.models import Digest

PENDING, SENT, FAILED = "pending", "sent", "failed"
MIN_LEASE_S = 300.0
MAX_ERROR_CHARS = 500


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


def claim(
    db: Database, digest_id: int, now: datetime, lease_s: float, sender: str
) -> OutgoingMessage | None:
    """Take a due pending digest for one attempt; None if it is not pending, not due, or
    another process took it first.  The envelope recipient is the stored message's To."""
    due = or_(Digest.next_attempt_at.is_(None), Digest.next_attempt_at <= now)
    with db.session() as session:
        result = session.execute(
            update(Digest)
            .where(Digest.id == digest_id, Digest.status == PENDING, due)
            .values(attempts=Digest.attempts + 1, next_attempt_at=now + timedelta(seconds=lease_s))
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
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
) -> tuple[str, int, datetime | None]:
    """Record a failed attempt; return the new status, the attempts so far and when the
    next one is due (None once the digest is given up)."""
    with db.session() as session:
        digest = session.get_one(Digest, digest_id)
        digest.last_error = error[:MAX_ERROR_CHARS]
        if digest.attempts >= email.max_attempts:
            digest.status, digest.next_attempt_at = FAILED, None
        else:
            digest.next_attempt_at = now + timedelta(seconds=backoff(digest.attempts, email))
        return digest.status, digest.attempts, digest.next_attempt_at


def backoff(attempts: int, email: EmailSettings) -> float:
    """Seconds before the next try after ``attempts`` failed ones: 1, 2, 4 ... x retry_delay,
    capped at retry_max_delay."""
    exponent = min(max(attempts - 1, 0), 30)
    return float(min(email.retry_delay * 2**exponent, email.retry_max_delay))


def due_pending(db: Database, now: datetime, recipient_key: str | None = None) -> list[int]:
    """Ids of pending digests whose next attempt is due, oldest first."""
    query = select(Digest.id).where(
        Digest.status == PENDING,
        or_(Digest.next_attempt_at.is_(None), Digest.next_attempt_at <= now),
    )
    if recipient_key is not None:
        query = query.where(Digest.recipient == recipient_key)
    with db.session() as session:
        return list(session.scalars(query.order_by(Digest.id)))


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
