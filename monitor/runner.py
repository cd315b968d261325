"""Poll cycles one at a time per database: fetch, then classify, recorded.

Whoever runs a cycle (the daemon's tick, a manual trigger, ``newsmon
fetch``) goes through :class:`CycleRunner`, which:

* takes the database-wide cycle lock (:mod:`monitor.storage.locks`), so two
  cycles never overlap, even from two processes.  A cycle asked for while
  another runs does not start a second one: it waits for the running one and
  answers with *its* result (``already_running``);
* runs :class:`~monitor.cycle.PollCycle` on the chosen feeds, then the dedup
  stage (:class:`~monitor.classify.Classifier`, kept warm between cycles);
* records the cycle in ``cycle_runs`` (running, then done, failed or
  interrupted), which is where ``/healthz``, ``newsmon status`` and a waiting
  process read the last result from.  A row a killed process left
  ``running`` is marked ``interrupted`` by the next cycle.

Stopping (:meth:`CycleRunner.request_stop`) starts no more feeds and stops
classifying between two articles; cancelling the task cuts in-flight
requests short.  Either way only whole feeds and whole decisions were
committed, and what is left is picked up by the next cycle.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select, update

from monitor.config import Settings
from monitor.cycle import PollCycle, select_jobs
from monitor.cycle_report import ClassifyTiming, CycleSummary, DedupCounts, FeedResult
from monitor.errors import StorageError
from monitor.fetch.addresses import IPNetwork
from monitor.match import TopicMatcher
from monitor.outcomes import CycleStatus, Trigger
from monitor.storage import CycleRun, Database
from monitor.storage.locks import CYCLE, NamedLock

if TYPE_CHECKING:
    from monitor.classify import Classifier

log = logging.getLogger(__name__)


@dataclass
class CycleOutcome:
    """A cycle's recorded result; ``already_running`` when this call waited for another's.
    ``report`` is None for a cycle that failed (or was cut short before it had one)."""

    run_id: int | None
    trigger: Trigger
    status: CycleStatus
    report: CycleSummary | None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    already_running: bool = False
    error: str | None = None
    classify: ClassifyTiming | None = None  # None: not known (an older row, a failed cycle)

    _FIELDS = (
        "run_id",
        "trigger",
        "status",
        "already_running",
        "started_at",
        "finished_at",
        "error",
        "classify",
    )

    def as_dict(self) -> dict[str, Any]:
        """The wire and ``--json`` form: these fields, then the cycle's report."""
        return {
            "run_id": self.run_id,
            "trigger": self.trigger,
            "status": self.status,
            "already_running": self.already_running,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "error": self.error,
        } | (
            (self.report.as_dict() if self.report is not None else {})
            | ({"classify": self.classify.as_dict()} if self.classify is not None else {})
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CycleOutcome:
        """Back from :meth:`as_dict` (a trigger's reply from the daemon)."""
        return cls(
            run_id=data.get("run_id"),
            trigger=cast(Trigger, str(data.get("trigger"))),
            status=cast(CycleStatus, str(data.get("status"))),
            report=CycleSummary.from_dict({k: v for k, v in data.items() if k not in cls._FIELDS}),
            started_at=_parse_time(data.get("started_at")),
            finished_at=_parse_time(data.get("finished_at")),
            already_running=bool(data.get("already_running")),
            error=data.get("error"),
            classify=ClassifyTiming.from_dict(data.get("classify")),
        )

    @classmethod
    def from_row(cls, row: CycleRun, already_running: bool = False) -> CycleOutcome:
        return cls(
            row.id,
            cast(Trigger, row.trigger),
            cast(CycleStatus, row.status),
            CycleSummary.from_dict(dict(row.report or {})),
            row.started_at,
            row.finished_at,
            already_running,
            row.error,
            ClassifyTiming.from_dict((row.report or {}).get("classify")),
        )


def last_cycle(db: Database, finished: bool = True) -> CycleOutcome | None:
    """The newest recorded cycle (by default the newest that is over)."""
    with db.session() as session:
        query = select(CycleRun).order_by(CycleRun.id.desc()).limit(1)
        if finished:
            query = query.where(CycleRun.status != "running")
        row = session.scalars(query).first()
        return CycleOutcome.from_row(row) if row is not None else None


class CycleRunner:
    """Runs this process's cycles; keep one per process (it holds the warm dedup index)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        matcher: TopicMatcher,
        *,
        classifier: Classifier | None = None,
        allowed_networks: Sequence[IPNetwork] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        wait_poll_s: float = 0.25,
    ) -> None:
        self.db = db
        self.settings = settings
        self.matcher = matcher
        if classifier is None:
            from monitor.classify import Classifier  # the dedup engine is slow to import

            classifier = Classifier(db, settings)
        self.classifier = classifier
        self.allowed_networks = allowed_networks  # pass the public_only gate (tests)
        self.clock = clock
        self.wait_poll_s = wait_poll_s
        self._current: asyncio.Task[CycleOutcome] | None = None
        self._cycle: PollCycle | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current.done()

    def request_stop(self) -> None:
        """Start no more feeds or articles; the running cycle ends at the next safe point."""
        self._stopping = True
        if self._cycle is not None:
            self._cycle.request_stop()

    async def run(
        self,
        trigger: Trigger,
        *,
        urls: Sequence[str] = (),
        due_only: bool = False,
        on_feed_done: Callable[[FeedResult], None] | None = None,
    ) -> CycleOutcome:
        """Run a cycle now, or wait for the one running and return its result."""
        if self._current is not None and not self._current.done():
            # Shielded: a caller giving up waiting must not cancel the cycle itself.
            outcome = await asyncio.shield(self._current)
            return replace(outcome, already_running=True)
        self._current = asyncio.create_task(self._guarded(trigger, urls, due_only, on_feed_done))
        return await asyncio.shield(self._current)

    async def wait(self) -> None:
        """Until the running cycle (if any) is over, however it ends."""
        if self._current is not None:
            await asyncio.gather(self._current, return_exceptions=True)

    def cancel(self) -> None:
        """Cut the running cycle short (in-flight requests are cancelled)."""
        if self._current is not None and not self._current.done():
            self._current.cancel()

    async def _guarded(
        self,
        trigger: Trigger,
        urls: Sequence[str],
        due_only: bool,
        on_feed_done: Callable[[FeedResult], None] | None,
    ) -> CycleOutcome:
        lock = NamedLock(self.db, CYCLE, f"{trigger} poll cycle")
        if not await asyncio.to_thread(lock.try_acquire):
            return await self._wait_for_other(lock)
        try:
            run_id, started = await asyncio.to_thread(self._record_start, trigger)
            try:
                report, timing = await self._cycle_body(urls, due_only, on_feed_done)
            except asyncio.CancelledError:
                await asyncio.shield(
                    asyncio.to_thread(self._record_end, run_id, "interrupted", None, "stopped")
                )
                raise
            except Exception as exc:
                if isinstance(exc, StorageError):  # already one line, no SQL: no traceback
                    error = str(exc)
                    log.error("poll cycle %s failed: %s", run_id, error)
                else:
                    error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    log.exception("poll cycle %s failed", run_id)
                try:
                    await asyncio.to_thread(self._record_end, run_id, "failed", None, error)
                except StorageError as again:  # still full, say; the next cycle marks it
                    log.error("poll cycle %s: not recorded as failed: %s", run_id, again)
                return CycleOutcome(
                    run_id, trigger, "failed", None, started, self.clock(), error=error
                )
            status: CycleStatus = "interrupted" if self._stopping else "done"
            finished = await asyncio.to_thread(
                self._record_end, run_id, status, report, None, timing
            )
            return CycleOutcome(run_id, trigger, status, report, started, finished, classify=timing)
        finally:
            self._cycle = None
            lock.release()

    async def _cycle_body(
        self,
        urls: Sequence[str],
        due_only: bool,
        on_feed_done: Callable[[FeedResult], None] | None,
    ) -> tuple[CycleSummary, ClassifyTiming]:
        due_before = self.clock() if due_only else None
        jobs = await asyncio.to_thread(
            select_jobs, self.db, self.settings, urls=urls, due_before=due_before
        )
        cycle = PollCycle(
            self.db,
            self.settings,
            matcher=self.matcher,
            allowed_networks=self.allowed_networks,
            clock=self.clock,
            on_feed_done=on_feed_done,
        )
        self._cycle = cycle
        if self._stopping:
            cycle.request_stop()
        report = await cycle.run(jobs)
        # Dedup: decide for each new topic-matched article whether it is news.  It runs
        # after every cycle, so articles a killed cycle stored are classified by the next.
        started = time.perf_counter()
        decisions = await asyncio.to_thread(
            self.classifier.classify_pending, None, lambda: self._stopping
        )
        dedup = DedupCounts(
            new_story=decisions.new_story,
            update=decisions.update,
            duplicate=decisions.duplicate,
            failed=tuple(decisions.failed),
        )
        timing = ClassifyTiming(dedup.decided, round(time.perf_counter() - started, 3))
        return report.summary(dedup), timing

    async def _wait_for_other(self, lock: NamedLock) -> CycleOutcome:
        """Another process runs a cycle: wait for it to end, then answer with its result."""
        holder = await asyncio.to_thread(lock.holder)
        log.info(
            "a poll cycle is already running (%s); waiting for its result",
            holder.describe() if holder else "another process",
        )
        while True:
            await asyncio.sleep(self.wait_poll_s)
            if await asyncio.to_thread(lock.try_acquire):
                lock.release()
                break
        outcome = await asyncio.to_thread(last_cycle, self.db)
        if outcome is None:  # the other process died before recording anything
            return CycleOutcome(None, "schedule", "interrupted", None, already_running=True)
        return replace(outcome, already_running=True)

    def _record_start(self, trigger: Trigger) -> tuple[int, datetime]:
        now = self.clock()
        with self.db.session() as session:
            # We hold the cycle lock, so a row still "running" belongs to a dead process.
            session.execute(
                update(CycleRun)
                .where(CycleRun.status == "running")
                .values(status="interrupted", error="the process running it stopped")
            )
            row = CycleRun(
                trigger=trigger,
                status="running",
                started_at=now,
                pid=os.getpid(),
                host=socket.gethostname(),
            )
            session.add(row)
            session.flush()
            return row.id, now

    def _record_end(
        self,
        run_id: int,
        status: CycleStatus,
        report: CycleSummary | None,
        error: str | None,
        timing: ClassifyTiming | None = None,
    ) -> datetime:
        now = self.clock()
        stored = report.as_dict() if report is not None else None
        if stored is not None and timing is not None:
            stored["classify"] = timing.as_dict()
        with self.db.session() as session:
            row = session.get(CycleRun, run_id)
            if row is not None:
                row.status, row.finished_at, row.report, row.error = status, now, stored, error
        return now


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
