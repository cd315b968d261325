"""What a ``newsmon worker`` does: the task bodies, runnable without a broker.

Four tasks, registered by name on the deployment's app (:mod:`monitor.queue.app`):

* ``poll_batch(dispatch_id, feed_ids)``: poll one batch with the existing
  engine (:class:`~monitor.cycle.PollCycle`, parsing in threads: a Celery
  child is a daemonic process and may not start its own), record it in
  ``cycle_runs`` (trigger ``worker``), mark its dispatch done, then ask for
  classification;
* ``classify()``: classify what is pending, by one process at a time per
  database (the named lock ``classify``, taken without waiting: if another
  process holds it, this task returns at once and the holder goes on until
  nothing is pending);
* ``digest(recipient, slot)`` and ``retry_digests()``: the digest rounds of
  :mod:`alerts.run`.

Each is idempotent, since acknowledged late a task may run twice: a batch
whose dispatch is done polls nothing, entries are unique anyway, a slot
already served composes no second digest, and deliveries are claimed under
a per-recipient lock.  The functions are plain: tests call them directly
after :func:`configure`; :func:`register` makes them Celery tasks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from monitor.config import Settings
from monitor.cycle import PollCycle
from monitor.cycle_report import DedupCounts, FeedJob
from monitor.fetch.addresses import IPNetwork
from monitor.match import TopicMatcher, compile_topics
from monitor.queue import dispatch
from monitor.queue.app import CLASSIFY, DIGEST, POLL_BATCH, RETRY_DIGESTS
from monitor.storage import CycleRun, Database
from monitor.storage.articles import DecisionMark, decision_mark
from monitor.storage.decisions import pending_ids
from monitor.storage.locks import NamedLock
from monitor.storage.models import DigestSchedule, Feed

if TYPE_CHECKING:
    from celery import Celery

    from alerts.run import DigestRunReport
    from monitor.classify import Classifier

log = logging.getLogger(__name__)

CLASSIFY_LOCK = "classify"  # the named process lock held while classifying
CLASSIFY_ROUNDS = 100  # a holder re-checks for pending articles at most this often


class WorkerContext:
    """What the tasks of one worker process share: settings, database, warm classifier.

    The database is opened on first use, so a prefork child opens its own
    connections after the fork (:meth:`after_fork` drops any it inherited).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        app: Celery | None = None,
        allowed_networks: Sequence[IPNetwork] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.app = app  # None (tests): poll_batch sends no classify task
        self.allowed_networks = allowed_networks  # pass the public_only gate (tests)
        self.clock = clock
        self.matcher: TopicMatcher = compile_topics(settings.topics)
        self._db: Database | None = None
        self._classifier: Classifier | None = None
        self._decided: DecisionMark | None = None  # see decision_mark

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = Database.from_url(
                self.settings.database.url, busy_timeout=self.settings.database.busy_timeout
            )
        return self._db

    @property
    def classifier(self) -> Classifier:
        """Kept warm between classify tasks in this process (its index is costly to load),
        unless another process classified since: then its index is rebuilt, since every
        decision must see all those before it.  Call it holding the classify lock."""
        from monitor.classify import Classifier  # the dedup engine is slow to import

        mark = _decided_mark(self.db)
        if self._classifier is not None and mark != self._decided:
            log.info("dedup: another process classified since; reloading the index")
            self._classifier = Classifier(self.db, self.settings, self._classifier.encoder)
        if self._classifier is None:
            self._classifier = Classifier(self.db, self.settings)
        return self._classifier

    def classified(self) -> None:
        """This process has classified (holding the lock): its index is up to date."""
        self._decided = _decided_mark(self.db)

    def after_fork(self) -> None:
        """In a new child: forget the parent's connections without closing them under it."""
        if self._db is not None:
            self._db.engine.dispose(close=False)
        self._db = None
        self._classifier = None

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
        self._db = None
        self._classifier = None


def _decided_mark(db: Database) -> DecisionMark:
    with db.session() as session:
        return decision_mark(session)


_context: WorkerContext | None = None


def configure(
    settings: Settings,
    *,
    app: Celery | None = None,
    allowed_networks: Sequence[IPNetwork] = (),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> WorkerContext:
    """Set the context the tasks of this process run in (closing any previous one)."""
    global _context
    if _context is not None:
        _context.close()
    _context = WorkerContext(settings, app=app, allowed_networks=allowed_networks, clock=clock)
    return _context


def current() -> WorkerContext:
    if _context is None:
        raise RuntimeError("monitor.queue.tasks.configure(settings) was not called")
    return _context


# -- the tasks ------------------------------------------------------------------------------


def poll_batch(dispatch_id: int, feed_ids: list[int]) -> dict[str, Any]:
    """Poll one dispatched batch, store it, mark the dispatch done, ask for classification.

    A dispatch already done (the batch delivered again after it was stored)
    polls nothing.  Feeds removed or disabled since the batch was planned are
    left out.  Returns the counts (for logs and tests; there is no result backend).
    """
    ctx = current()
    db = ctx.db
    with db.session() as session:
        state = dispatch.is_done(session, dispatch_id)
        if state is None:
            log.warning("batch %s: no such dispatch; nothing polled", dispatch_id)
            return {"dispatch": dispatch_id, "status": "unknown"}
        if state:
            log.info("batch %s: already done (delivered again); nothing polled", dispatch_id)
            return {"dispatch": dispatch_id, "status": "already_done"}
        feeds = session.scalars(
            select(Feed).where(Feed.id.in_([int(i) for i in feed_ids]), Feed.enabled)
        )
        jobs = [FeedJob.from_feed(f, ctx.settings.fetch.interval) for f in feeds]
    started = ctx.clock()
    cycle = PollCycle(
        db,
        ctx.settings,
        matcher=ctx.matcher,
        allowed_networks=ctx.allowed_networks,
        clock=ctx.clock,
        parse_in_process=False,
        keep_models=True,
    )
    try:
        report = asyncio.run(cycle.run(jobs))
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        log.error("batch %s failed: %s", dispatch_id, error)
        try:
            _record_run(db, started, ctx.clock(), "failed", None, error, None)
        except Exception as again:  # the database is what failed, most likely
            log.error("batch %s: not recorded as failed: %s", dispatch_id, again)
        raise  # not marked done: sent again once its lease expires
    summary = report.summary(DedupCounts()).as_dict()
    _record_run(db, started, ctx.clock(), "done", summary, None, dispatch_id)
    matched = int(summary.get("entries", {}).get("matched", 0))
    if matched and ctx.app is not None:
        ctx.app.send_task(CLASSIFY)
    log.info(
        "batch %s: %s feeds polled, %s new entries, %s about your topics",
        dispatch_id,
        len(jobs),
        summary.get("entries", {}).get("new", 0),
        matched,
    )
    # Counts only (Celery logs what a task returns): the details are in cycle_runs.
    return {
        "dispatch": dispatch_id,
        "status": "done",
        "feeds": summary.get("feeds", {}),
        "entries": summary.get("entries", {}),
    }


def _record_run(
    db: Database,
    started: datetime,
    finished: datetime,
    status: str,
    report: dict[str, Any] | None,
    error: str | None,
    dispatch_id: int | None,
) -> None:
    """One ``cycle_runs`` row per batch, written whole at its end (a row left "running" by a
    killed worker would be marked interrupted by any cycle, while others still run); with
    the dispatch marked done in the same transaction."""
    with db.session() as session:
        session.add(
            CycleRun(
                trigger="worker",
                status=status,
                started_at=started,
                finished_at=finished,
                pid=os.getpid(),
                host=socket.gethostname(),
                report=report,
                error=error,
            )
        )
        if dispatch_id is not None:
            dispatch.mark_done(session, dispatch_id, finished)


def classify() -> dict[str, Any]:
    """Classify every pending article, one process at a time per database.

    The lock is taken without waiting: when another process holds it, this
    returns at once (``busy``); the holder re-checks for pending articles
    after each round and once more after releasing the lock, so articles
    stored meanwhile are not left behind.
    """
    ctx = current()
    totals = {"new_story": 0, "update": 0, "duplicate": 0, "failed": 0}
    started = time.perf_counter()
    for _ in range(CLASSIFY_ROUNDS):
        lock = NamedLock(ctx.db, CLASSIFY_LOCK, "classifying (newsmon worker)")
        if not lock.try_acquire():
            return {"status": "busy"} | totals
        try:
            classifier = ctx.classifier
            while True:
                report = classifier.classify_pending()
                for key, value in report.as_dict().items():
                    totals[key] += value
                totals["failed"] += len(report.failed)
                if not sum(report.as_dict().values()):
                    break
            ctx.classified()
        finally:
            lock.release()
        with ctx.db.session() as session:
            if not pending_ids(session, 1):
                break
    decided = totals["new_story"] + totals["update"] + totals["duplicate"]
    if decided:
        log.info(
            "classified %s articles in %.1f s: %s new stories, %s updates, %s duplicates",
            decided,
            time.perf_counter() - started,
            totals["new_story"],
            totals["update"],
            totals["duplicate"],
        )
    return {"status": "done"} | totals


def digest(recipient: str | None = None, slot: str | None = None) -> dict[str, Any]:
    """A digest round for ``recipient`` (None: every recipient, manual rounds only).

    ``slot``: the scheduled slot (ISO 8601, aware) this round serves; it is
    recorded with the stored digest and after the round, as the daemon does, and
    a slot already served composes nothing again (the task delivered twice).
    Without a slot it is a manual round: digests kept after a failed attempt are
    retried now.  Returns what it did: digests stored, recipients skipped, attempts.
    """
    from alerts import run_digests
    from alerts.recipients import find_recipient
    from monitor.daemon.slots import record_served

    ctx = current()
    if slot is None:
        report = run_digests(ctx.db, ctx.settings, ctx.clock(), recipient, kept_now=True)
        return _digest_summary(report)
    when = datetime.fromisoformat(slot)
    if when.tzinfo is None or recipient is None:
        raise ValueError(f"a scheduled digest needs a recipient and an aware slot, not {slot!r}")
    person = find_recipient(ctx.settings, recipient)
    if person is None:
        log.warning("digest for %s: not a configured recipient; nothing sent", recipient)
        return {"status": "unknown_recipient", "recipient": recipient}
    if _served(ctx.db, person.key, when):
        log.info("digest slot %s for %s already served; nothing composed", slot, recipient)
        return {"status": "already_served", "recipient": recipient, "slot": slot}
    report = run_digests(ctx.db, ctx.settings, when, person.email, slot=when)
    record_served(ctx.db, person, when, ctx.clock())
    return _digest_summary(report)


def _digest_summary(report: DigestRunReport) -> dict[str, Any]:
    """What a round did, in counts and ids (Celery logs what a task returns)."""
    return {
        "status": "done",
        "digests": [r.digest_id for r in report.recipients if r.digest_id is not None],
        "skipped": {r.recipient: r.skipped for r in report.recipients if r.skipped},
        "attempts": [a.status for a in report.attempts],
    }


def _served(db: Database, recipient_key: str, slot: datetime) -> bool:
    with db.session() as session:
        row = session.get(DigestSchedule, recipient_key)
        return row is not None and row.last_slot_at >= slot


def retry_digests() -> dict[str, Any]:
    """Retry the pending digests and chat messages whose next attempt is due (the daemon's
    retry job)."""
    from alerts import retry_pending

    ctx = current()
    attempts = retry_pending(ctx.db, ctx.settings, ctx.clock())
    return {"attempts": [a.status for a in attempts]}


# -- Celery ---------------------------------------------------------------------------------


def register(app: Celery) -> None:
    """Make the functions above tasks of ``app``, under their fixed names."""
    app.task(name=POLL_BATCH)(poll_batch)
    app.task(name=CLASSIFY)(classify)
    app.task(name=DIGEST)(digest)
    app.task(name=RETRY_DIGESTS)(retry_digests)
