"""The queue-mode side of ``newsmon run``: send the work to Celery workers, do none of it.

With ``[queue] broker_url`` set, the daemon (:mod:`monitor.daemon.service`) keeps
its schedule, control endpoint and digest timing, but its jobs call this instead
of polling and composing in-process:

* each tick (:meth:`QueueScheduler.tick`): batches whose lease expired are sent
  again (same dispatch id: a worker died, the broker lost them); then the due
  feeds of hosts with nothing in flight are planned into batches
  (:func:`~monitor.queue.batches.plan_batches`), recorded
  (:func:`~monitor.queue.dispatch.create_dispatch`, committed) and only then sent
  as ``poll_batch`` tasks; ``classify`` is sent when articles wait to be
  classified and no ``classify`` task is already queued;
* a digest slot or the retry job sends a ``digest`` / ``retry_digests`` task;
* ``newsmon trigger fetch`` dispatches the named (or all) feeds now, due or not,
  and a caller that waits gets its answer once those dispatches are done
  (:mod:`monitor.queue.trigger`, reading the ``dispatches`` table).

Nothing is lost when a part goes away.  The schedule and what is in flight are in
the database, so a broker that is down at a tick costs one WARNING line and the
feeds stay due (nothing is recorded before the broker answered, and a batch whose
send failed is handed back); a scheduler that goes down stops new work, while the
batches already queued are polled by the workers all the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from celery import Celery
from sqlalchemy import delete, func, select, update

from alerts.outbox import due_ids, due_pending
from alerts.recipients import Recipient
from alerts.run import select_recipients
from monitor.config import Settings
from monitor.errors import StorageError
from monitor.queue.app import (
    CLASSIFY,
    DIGEST,
    POLL_BATCH,
    RETRY_DIGESTS,
    broker_url,
    celery_app,
    queue_name,
    queue_names,
    require_shared_database,
)
from monitor.queue.batches import Batch, plan_batches
from monitor.queue.dispatch import busy_hosts, create_dispatch, renew_expired
from monitor.queue.dispatch import in_flight as flying_now
from monitor.queue.status import (
    CONNECT_TIMEOUT_S,
    QueueStatus,
    StatusCache,
    broker_error,
    declare_passive,
)
from monitor.queue.status import queue_status as ask_broker
from monitor.storage import Database
from monitor.storage.decisions import pending_ids
from monitor.storage.feeds import select_feeds
from monitor.storage.models import Dispatch, Feed, Notification
from monitor.urls_display import mask_url

log = logging.getLogger(__name__)


class BrokerDown(Exception):
    """The broker did not answer: nothing was recorded or sent (one line, no password)."""


@dataclass(frozen=True)
class Sent:
    """A batch on its way to the workers: its dispatch row and its feeds."""

    dispatch_id: int
    feed_ids: tuple[int, ...]


@dataclass(frozen=True)
class Dispatched:
    """What :meth:`QueueScheduler.dispatch_now` did with the feeds it was given."""

    in_flight: list[int]  # dispatches already in flight with some of them: waited for
    sent: list[int]  # dispatches sent now
    left: list[int]  # feeds whose host is busy: for a later round

    @property
    def waits(self) -> list[int]:
        return self.in_flight + self.sent


@dataclass
class TickReport:
    """What one tick sent (for the log and the tests)."""

    sent: list[Sent] = field(default_factory=list)  # new batches
    resent: list[Sent] = field(default_factory=list)  # expired leases, sent again
    classify: bool = False

    @property
    def feeds(self) -> int:
        return sum(len(s.feed_ids) for s in self.sent)

    def describe(self) -> str:
        return (
            f"{len(self.sent)} batch(es) of {self.feeds} due feed(s) sent"
            + (f", {len(self.resent)} expired batch(es) sent again" if self.resent else "")
            + ("; classify sent" if self.classify else "")
        )


class QueueScheduler:
    """One per daemon.  Its methods block (broker and database round trips): the daemon
    calls them in its worker threads, never on the event loop."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        app: Celery | None = None,
    ) -> None:
        require_shared_database(settings)  # a ConfigError (one line) before anything starts
        self.settings = settings
        self.db = db
        self.clock = clock
        self.app = app or celery_app(settings)
        self.status_cache = StatusCache(lambda: ask_broker(settings, self.app))
        # One dispatch round at a time (tick, triggers): two rounds reading the busy hosts
        # at once would both send a batch for the same host.
        self._round = threading.Lock()
        self._broker_down = False
        # Digest rounds whose task could not be sent (broker down): sent at the next tick.
        self._unsent_digests: dict[str, tuple[Recipient, datetime]] = {}

    # -- the broker ----------------------------------------------------------------------

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A live broker connection, or :class:`BrokerDown` (logged once per outage)."""
        conn = self.app.connection_for_write(connect_timeout=CONNECT_TIMEOUT_S)
        try:
            try:
                conn.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0, timeout=CONNECT_TIMEOUT_S
                )
                self._declare_queues(conn)
            except Exception as exc:
                reason = broker_error(exc)
                if not self._broker_down:
                    log.warning(
                        "broker unreachable (%s): nothing sent; due feeds stay due and go "
                        "once it answers",
                        reason,
                    )
                self._broker_down = True
                raise BrokerDown(f"the broker is unreachable: {reason}") from exc
            if self._broker_down:
                log.info("broker reachable again")
                self._broker_down = False
            yield conn
        finally:
            conn.release()

    def _declare_queues(self, conn: Any) -> None:
        """The workers' queues, as they declare them: a message sent before any worker
        started (or after a broker lost its definitions) is kept, not dropped unrouted."""
        with conn.channel() as channel:
            for queue in self.app.conf.task_queues or ():
                queue.bind(channel).declare()

    def _send(self, conn: Any, task: str, args: Sequence[Any]) -> None:
        """Publish one task (persistent, to a durable queue); BrokerDown if that fails."""
        try:
            self.app.send_task(task, args=list(args), connection=conn)
        except Exception as exc:  # the transports raise their own errors
            reason = broker_error(exc)
            log.warning("sending %s failed (%s)", task, reason)
            raise BrokerDown(f"sending failed: {reason}") from exc

    @property
    def queue_names(self) -> list[str]:
        return queue_names(self.settings)

    def describe(self) -> str:
        """Where the work goes, for the start line (the broker's password masked)."""
        broker = mask_url(broker_url(self.settings))
        return f"{broker} (queues {', '.join(self.queue_names)})"

    def status(self) -> QueueStatus:
        """Queue depths and workers (cached a few seconds: a ping takes a while)."""
        return self.status_cache.get()

    def in_flight(self) -> int | None:
        """Batches sent and not done whose lease runs; None if the database does not answer."""
        try:
            with self.db.session() as session:
                return int(
                    session.scalar(
                        select(func.count()).select_from(Dispatch).where(flying_now(self.clock()))
                    )
                    or 0
                )
        except StorageError:
            return None

    def health(self) -> dict[str, Any]:
        """The ``queue`` key of ``/healthz``."""
        return self.status().as_dict() | {"batches_in_flight": self.in_flight()}

    # -- the tick ------------------------------------------------------------------------

    def tick(self) -> TickReport | None:
        """Send what is due; None when the broker is down (one WARNING per outage)."""
        try:
            with self.connection() as conn:
                report = TickReport()
                with self._round:
                    report.resent = self._resend_expired(conn)
                    now = self.clock()
                    with self.db.session() as session:
                        due = select_feeds(session, due_before=now)
                    report.sent = self._dispatch(conn, due)
                report.classify = self._classify_if_pending(conn)
                self._send_unsent_digests(conn)
        except BrokerDown:
            return None
        except StorageError as exc:  # one line, as a cycle says it; the next tick tries again
            log.error("tick: nothing sent: %s", exc)
            return None
        if report.sent or report.resent:
            log.info("tick: %s", report.describe())
        return report

    def _resend_expired(self, conn: Any) -> list[Sent]:
        """Batches not done within their lease, sent again under the same id (a worker that
        finds its dispatch done polls nothing, so a late original costs nothing twice)."""
        with self.db.session() as session:
            expired = renew_expired(session, self.clock(), self.settings.queue.lease)
            batches = [Sent(row.id, tuple(int(i) for i in row.feed_ids)) for row in expired]
        for sent in batches:
            log.warning(
                "batch %d (%d feeds) not done within its lease: sent again",
                sent.dispatch_id,
                len(sent.feed_ids),
            )
            self._send(conn, POLL_BATCH, [sent.dispatch_id, list(sent.feed_ids)])
        return batches

    def _dispatch(self, conn: Any, feeds: Sequence[Feed]) -> list[Sent]:
        """Plan ``feeds`` (hosts in flight left out), record the batches, then send them.

        Call with the round lock held.  A batch whose send fails is handed back (its row
        deleted, its feeds due now), so the next round sends it: nothing waits for a lease.
        """
        if not feeds:
            return []
        now = self.clock()
        with self.db.session() as session:
            batches: list[Batch] = plan_batches(
                feeds, self.settings.queue.batch_size, busy_hosts(session, now)
            )
            rows = [create_dispatch(session, b, now, self.settings.queue.lease) for b in batches]
            planned = [Sent(row.id, b.feed_ids) for row, b in zip(rows, batches, strict=True)]
        sent: list[Sent] = []
        try:
            for batch in planned:
                self._send(conn, POLL_BATCH, [batch.dispatch_id, list(batch.feed_ids)])
                sent.append(batch)
        except BrokerDown:
            self._hand_back(planned[len(sent) :], now)
            raise
        return sent

    def _hand_back(self, batches: Sequence[Sent], now: datetime) -> None:
        log.warning("%d batch(es) not sent (the broker went away): due again", len(batches))
        ids = [b.dispatch_id for b in batches]
        feed_ids = [i for b in batches for i in b.feed_ids]
        with self.db.session() as session:
            session.execute(delete(Dispatch).where(Dispatch.id.in_(ids)))
            session.execute(
                update(Feed)
                .where(Feed.id.in_(feed_ids))
                .values(next_due_at=now)
                .execution_options(synchronize_session=False)
            )

    def _classify_if_pending(self, conn: Any) -> bool:
        """Send ``classify`` when articles wait and no classify task is queued already (one
        queued is enough: the worker holding the classify lock works until none waits)."""
        with self.db.session() as session:
            if not pending_ids(session, limit=1):
                return False
        if self._queued(conn, "classify"):
            return False
        self._send(conn, CLASSIFY, [])
        return True

    def _queued(self, conn: Any, role: str) -> int:
        """Messages waiting in a queue (declared by :meth:`connection`)."""
        return declare_passive(conn, queue_name(self.settings, role))[0]

    # -- dispatching named feeds (triggers) ----------------------------------------------

    def dispatch_now(self, feed_ids: Sequence[int]) -> Dispatched:
        """Dispatch these feeds now, due or not.  Feeds already in flight are not sent
        again: their dispatch is waited for.  Feeds whose host has another batch in flight
        are left for a later round (politeness holds for triggers too)."""
        wanted = set(feed_ids)
        with self.connection() as conn, self._round:
            now = self.clock()
            with self.db.session() as session:
                flying = session.execute(
                    select(Dispatch.id, Dispatch.feed_ids).where(flying_now(now))
                ).all()
                in_flight = [row.id for row in flying if wanted & {int(i) for i in row.feed_ids}]
                covered = {int(i) for row in flying for i in row.feed_ids} & wanted
                feeds = [f for f in _feeds_by_id(session, wanted) if f.id not in covered]
            sent = self._dispatch(conn, feeds)
        done = covered | {i for s in sent for i in s.feed_ids}
        left = sorted(f.id for f in feeds if f.id not in done)
        return Dispatched(in_flight, [s.dispatch_id for s in sent], left)

    # -- digests -------------------------------------------------------------------------

    def send_digest(self, person: Recipient, slot: datetime) -> bool:
        """Send the ``digest`` task for a recipient's slot; False if the broker is down (it
        is sent at the next tick that reaches it)."""
        try:
            with self.connection() as conn:
                self._send_digest(conn, person, slot)
        except BrokerDown:
            self._unsent_digests[person.key] = (person, slot)
            return False
        return True

    def _send_digest(self, conn: Any, person: Recipient, slot: datetime) -> None:
        # The worker records the slot as served (with the digest it stores, or after a
        # round that composed nothing), as the in-process round does, and composes
        # nothing for a slot already served (the task delivered twice).
        self._send(conn, DIGEST, [person.email, slot.isoformat()])
        self._unsent_digests.pop(person.key, None)

    def _send_unsent_digests(self, conn: Any) -> None:
        for person, slot in list(self._unsent_digests.values()):
            self._send_digest(conn, person, slot)

    def send_manual_digest(self, recipient: str | None) -> None:
        """A triggered round (``--no-wait``) for one recipient or all; BrokerDown if down."""
        if recipient is not None:
            select_recipients(self.settings, recipient)  # a ConfigError for a stranger
        with self.connection() as conn:
            self._send(conn, DIGEST, [recipient])

    def send_retry(self) -> bool:
        """Send ``retry_digests`` when a kept digest's or chat message's next attempt is
        due; False if none is or the broker is down (the next retry job looks again)."""
        now = self.clock()
        if not (due_pending(self.db, now) or due_ids(self.db, Notification, now)):
            return False
        try:
            with self.connection() as conn:
                if self._queued(conn, "digest"):  # the workers are behind: not one more
                    return False
                self._send(conn, RETRY_DIGESTS, [])
        except BrokerDown:
            return False
        return True


def _feeds_by_id(session: Any, ids: set[int]) -> list[Feed]:
    if not ids:
        return []
    return list(session.scalars(select(Feed).where(Feed.id.in_(sorted(ids))).order_by(Feed.id)))
