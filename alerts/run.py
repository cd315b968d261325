"""Composing, storing and delivering digests: the entry points the CLI and daemon call.

:func:`run_digests` is one digest round, safe to run at any time and from
several processes at once:

1. pending digests that are due are retried first (oldest first), so a
   recipient gets their digests in order after an outage; a manual round
   (``kept_now``) also retries at once those whose last attempt failed,
   rather than leaving them to their backoff (one whose recipient has
   unsubscribed since is given up instead);
2. for each recipient (but those who unsubscribed: no digest, one INFO
   line), the due items are composed into a digest, which is
   stored (message bytes, Message-ID, Delivery rows) in one transaction under
   a per-recipient lock, *before* anything is sent;
3. the stored digest is claimed, sent, and marked sent only once the server
   accepted it; on failure it stays pending with a backoff.

A scheduled round passes its ``slot``: the transaction that stores the digest
also records the slot as served (:func:`alerts.outbox.serve_slot`), so a
restart after a kill never composes a second digest for that slot.  The
report lists the digests still waiting (``waiting``), with when they go.

See ``docs/delivery.md`` for why this loses nothing and repeats nothing, and
for the one window left (killed after the server accepted, before ``sent``
was recorded: the same message is sent again, with the same Message-ID).

A recipient's ``notify`` channels get one short message each per round,
stored in the transaction that stores the digest and sent after it, through
their own outbox (:mod:`alerts.notify_outbox`; ``docs/notifications.md``);
:func:`retry_pending` retries them with the digests.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from alerts import notify_outbox, outbox
from alerts.compose import DigestContent, compose
from alerts.deliver import DeliveryError, Transport, transport_for
from alerts.links import digest_links
from alerts.message import build_message, envelope_sender, message_id
from alerts.notify_outbox import NoticeAttempt
from alerts.recipients import Recipient, find_recipient, preview_recipient, resolve_recipients
from alerts.render import Rendered, render
from alerts.selection import digest_count, lock_recipient, unsubscription
from alerts.summarize import ExtractiveSummariser, Summariser
from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.storage import Database
from monitor.storage.models import Delivery, Digest

log = logging.getLogger(__name__)

# sent | pending (failed, will be retried) | failed (given up) | busy (not ours now)
AttemptStatus = Literal["sent", "pending", "failed", "busy"]
BUSY: Final = "busy"
NOTHING_NEW: Final = "nothing new"
UNSUBSCRIBED: Final = "unsubscribed"
SkipReason = Literal["nothing new", "unsubscribed"]


@dataclass
class Attempt:
    """What one delivery attempt of a stored digest did."""

    digest_id: int
    message_id: str
    status: AttemptStatus
    attempts: int = 0
    error: str | None = None
    next_attempt_at: datetime | None = None


@dataclass
class RecipientResult:
    """What a round did for one recipient: composed a digest (and tried it), or not."""

    recipient: str
    subject: str | None = None
    digest_id: int | None = None
    message_id: str | None = None
    new_stories: int = 0
    updates: int = 0
    duplicates: int = 0
    more: int = 0
    items: int = 0
    skipped: SkipReason | None = None  # why nothing was composed
    delivery: Attempt | None = None


@dataclass
class DigestRunReport:
    transport: str
    retried: list[Attempt] = field(default_factory=list)
    recipients: list[RecipientResult] = field(default_factory=list)
    # Pending digests this round did not try: their retry is due later, or another
    # process is sending them right now.
    waiting: list[outbox.PendingDigest] = field(default_factory=list)
    # Chat and push messages tried this round: retries first, then this round's.
    notifications: list[NoticeAttempt] = field(default_factory=list)

    @property
    def attempts(self) -> list[Attempt]:
        """Every delivery attempt of the round: retries first, then the new digests."""
        return [*self.retried, *(r.delivery for r in self.recipients if r.delivery)]

    @property
    def failures(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status in (outbox.PENDING, outbox.FAILED)]

    @property
    def notification_failures(self) -> list[NoticeAttempt]:
        return [n for n in self.notifications if n.status in (outbox.PENDING, outbox.FAILED)]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DigestRunReport:
        """Back from :meth:`as_dict` sent as JSON (``newsmon trigger digest``'s reply), so
        the CLI prints a daemon's round exactly as its own."""

        def attempt(a: dict[str, Any]) -> Attempt:
            return Attempt(**{**a, "next_attempt_at": _time(a.get("next_attempt_at"))})

        def result(r: dict[str, Any]) -> RecipientResult:
            delivery = r.get("delivery")
            return RecipientResult(**{**r, "delivery": attempt(delivery) if delivery else None})

        def waiting(w: dict[str, Any]) -> outbox.PendingDigest:
            times = {k: _time(w.get(k)) for k in ("created_at", "next_attempt_at")}
            return outbox.PendingDigest(**{**w, **times})

        def notice(n: dict[str, Any]) -> NoticeAttempt:
            return NoticeAttempt(**{**n, "next_attempt_at": _time(n.get("next_attempt_at"))})

        return cls(
            transport=str(data.get("transport")),
            retried=[attempt(a) for a in data.get("retried") or ()],
            recipients=[result(r) for r in data.get("recipients") or ()],
            waiting=[waiting(w) for w in data.get("waiting") or ()],
            notifications=[notice(n) for n in data.get("notifications") or ()],
        )


def _time(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass
class ComposedDigest:
    """A digest composed for one recipient, stored or (preview, dry run) not."""

    recipient: Recipient
    content: DigestContent
    rendered: Rendered
    message_id: str
    data: bytes
    digest_id: int | None = None

    def result(self) -> RecipientResult:
        c = self.content
        return RecipientResult(
            recipient=self.recipient.email,
            subject=self.rendered.subject,
            digest_id=self.digest_id,
            message_id=self.message_id,
            new_stories=c.new_count,
            updates=c.update_count,
            duplicates=c.duplicates,
            more=c.more,
            items=len(c.article_ids),
        )


def select_recipients(settings: Settings, email: str | None) -> list[Recipient]:
    """Every configured recipient, or the one with this address (a ConfigError if none)."""
    if email is None:
        return resolve_recipients(settings)
    found = find_recipient(settings, email)
    if found is None:
        known = ", ".join(r.email for r in resolve_recipients(settings)) or "none"
        raise ConfigError(
            "--recipient", f"{email!r} is not a configured recipient (configured: {known})"
        )
    return [found]


def run_digests(
    db: Database,
    settings: Settings,
    now: datetime,
    recipient: str | None = None,
    *,
    transport: Transport | None = None,
    summariser: Summariser | None = None,
    slot: datetime | None = None,
    kept_now: bool = False,
) -> DigestRunReport:
    """One round: retry what is due, then compose, store and send a digest per recipient
    (or for the one address given).  ``now`` is an aware datetime.

    ``slot``: the scheduled slot this round serves, recorded with the stored digest.
    ``kept_now``: a manual round; digests kept after a failed attempt are retried now.
    """
    recipients = select_recipients(settings, recipient)
    transport = transport or transport_for(settings)
    summariser = summariser or ExtractiveSummariser()
    report = DigestRunReport(transport=transport.describe())
    key = recipients[0].key if recipient else None
    report.retried = _retry_digests(db, settings, now, key, transport, kept_now)
    report.notifications = notify_outbox.retry_due(db, settings, now, key, kept_now=kept_now)
    for person in recipients:
        if is_unsubscribed(db, person):
            report.recipients.append(RecipientResult(person.email, skipped=UNSUBSCRIBED))
            continue
        composed = compose_digest(db, settings, person, now, summariser, store=True, slot=slot)
        if composed is None:
            report.recipients.append(RecipientResult(person.email, skipped=NOTHING_NEW))
            continue
        result = composed.result()
        assert composed.digest_id is not None
        if person.has_address:
            result.delivery = deliver(db, settings, transport, composed.digest_id, now)
        report.recipients.append(result)
        if person.notify:
            sent = notify_outbox.send_for_digest(db, settings, composed.digest_id, now)
            report.notifications.extend(sent)
    tried = {a.digest_id for a in report.attempts if a.status != BUSY}
    report.waiting = [p for p in outbox.pending(db, key) if p.id not in tried]
    return report


def is_unsubscribed(db: Database, recipient: Recipient) -> bool:
    """Whether ``recipient`` asked for no more digests (a one-click link or their mail
    client's List-Unsubscribe); says so in one INFO line, since nothing else will."""
    with db.session() as session:
        row = unsubscription(session, recipient.key)
        if row is None:
            return False
        log.info(
            "no digest for %s: unsubscribed on %s (via %s)",
            recipient.email,
            f"{row.created_at:%Y-%m-%d %H:%M} UTC",
            row.via,
        )
        return True


def retry_pending(
    db: Database,
    settings: Settings,
    now: datetime,
    recipient: str | None = None,
    *,
    transport: Transport | None = None,
    kept_now: bool = False,
) -> list[Attempt]:
    """Try again every pending digest whose next attempt is due (``recipient``: a stored
    recipient key, i.e. the address case-folded; ``kept_now``: see :func:`run_digests`),
    and every pending notification (logged; the attempts returned are the digests').

    A digest whose recipient unsubscribed while it waited is given up, not sent (and is
    no attempt: nothing failed)."""
    transport = transport or transport_for(settings)
    attempts = _retry_digests(db, settings, now, recipient, transport, kept_now)
    notify_outbox.retry_due(db, settings, now, recipient, kept_now=kept_now)
    return attempts


def _retry_digests(
    db: Database,
    settings: Settings,
    now: datetime,
    recipient: str | None,
    transport: Transport,
    kept_now: bool,
) -> list[Attempt]:
    attempts: list[Attempt] = []
    for digest_id in outbox.due_pending(db, now, recipient, kept_now=kept_now):
        dropped = outbox.drop_unsubscribed(db, digest_id)
        if dropped is not None:
            log.info("digest %s to %s not sent: the recipient unsubscribed", digest_id, dropped[1])
            continue
        attempts.append(deliver(db, settings, transport, digest_id, now, kept_now=kept_now))
    return attempts


def compose_digest(
    db: Database,
    settings: Settings,
    recipient: Recipient,
    now: datetime,
    summariser: Summariser | None = None,
    *,
    store: bool,
    force: bool = False,
    slot: datetime | None = None,
) -> ComposedDigest | None:
    """Compose what is due for ``recipient``; with ``store``, keep it as a pending digest
    whose items are then no longer due (and, given a ``slot``, record that slot as served
    in the same transaction).  None when nothing is new and neither ``[digest]
    send_empty`` nor ``force`` asks for an empty digest."""
    summariser = summariser or ExtractiveSummariser()
    with db.session() as session:
        if store:
            lock_recipient(session, recipient.key)
        content = compose(session, recipient, now, summariser, settings.digest.max_stories)
        if content.is_empty and not (settings.digest.send_empty or force):
            return None
        links = digest_links(settings, recipient)
        rendered = render(content, links)
        sequence = digest_count(session, recipient.key)
        # The links are not part of the Message-ID: it must not depend on when they were signed.
        mid = message_id(recipient.key, content.article_ids, sequence, settings.email.sender)
        # A recipient without an address gets no e-mail: the row holds the round's items
        # for its notifications, and no message.
        data = (
            build_message(
                rendered,
                sender=settings.email.sender,
                to=recipient.email,
                message_id=mid,
                date=now,
                unsubscribe_url=links.unsubscribe if links else None,
            )
            if recipient.has_address
            else b""
        )
        composed = ComposedDigest(recipient, content, rendered, mid, data)
        if store:
            digest = Digest(
                recipient=recipient.key,
                message_id=mid,
                subject=rendered.subject,
                status=outbox.PENDING if recipient.has_address else notify_outbox.NOTIFYING,
                message=data,
                created_at=now,
                attempts=0,
            )
            digest.deliveries = [
                Delivery(article_id=article_id, recipient=recipient.key)
                for article_id in content.article_ids
            ]
            session.add(digest)
            if slot is not None:
                outbox.serve_slot(session, recipient.key, slot, now)
            session.flush()
            composed.digest_id = digest.id
            if recipient.notify:
                notify_outbox.store(session, digest.id, recipient, content, now)
        return composed


def deliver(
    db: Database,
    settings: Settings,
    transport: Transport,
    digest_id: int,
    now: datetime,
    *,
    kept_now: bool = False,
) -> Attempt:
    """Claim a stored digest, send its stored bytes, record the outcome."""
    lease = outbox.lease_seconds(settings.email)
    sender = envelope_sender(settings.email.sender)
    message = outbox.claim(db, digest_id, now, lease, sender, kept_now=kept_now)
    if message is None:
        return Attempt(digest_id, "", BUSY)
    try:
        transport.send(message)
    except DeliveryError as exc:
        status, attempts, next_at = outbox.mark_failed(db, digest_id, now, str(exc), settings.email)
        log.warning(
            "digest %s to %s not delivered (attempt %d, %s): %s",
            digest_id,
            message.recipient,
            attempts,
            f"next at {next_at:%Y-%m-%d %H:%M} UTC" if next_at else "given up",
            exc,
        )
        return Attempt(digest_id, message.message_id, status, attempts, str(exc), next_at)
    outbox.mark_sent(db, digest_id, now)
    log.info("digest %s sent to %s via %s", digest_id, message.recipient, transport.describe())
    return Attempt(digest_id, message.message_id, outbox.SENT)


def preview_digest(
    db: Database,
    settings: Settings,
    now: datetime,
    recipient: str | None = None,
    summariser: Summariser | None = None,
) -> ComposedDigest:
    """The digest the recipient (default: the first configured, else someone following
    every topic) would get now, even if empty; nothing is stored."""
    if recipient is not None:
        person = select_recipients(settings, recipient)[0]
    else:
        configured = resolve_recipients(settings)
        person = configured[0] if configured else preview_recipient(settings)
    composed = compose_digest(db, settings, person, now, summariser, store=False, force=True)
    assert composed is not None  # force=True always composes
    return composed


@dataclass
class DigestPlan:
    """What ``run_digests`` would do now, without doing it."""

    transport: str
    waiting: list[outbox.PendingDigest]
    recipients: list[RecipientResult]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_digests(
    db: Database,
    settings: Settings,
    now: datetime,
    recipient: str | None = None,
    summariser: Summariser | None = None,
) -> DigestPlan:
    recipients = select_recipients(settings, recipient)
    transport = transport_for(settings)
    results: list[RecipientResult] = []
    for person in recipients:
        if is_unsubscribed(db, person):
            results.append(RecipientResult(person.email, skipped=UNSUBSCRIBED))
            continue
        composed = compose_digest(db, settings, person, now, summariser, store=False)
        if composed is None:
            results.append(RecipientResult(person.email, skipped=NOTHING_NEW))
        else:
            results.append(composed.result())
    key = recipients[0].key if recipient else None
    return DigestPlan(transport.describe(), outbox.pending(db, key), results)
