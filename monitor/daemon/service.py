"""``newsmon run``: the scheduler, the control endpoint and console, and a clean shutdown.

The scheduler (APScheduler 3, on this process's event loop) keeps no state
of its own; its jobs are rebuilt from the configuration and the database at
every start:

* ``tick`` (every ``[daemon] tick``): poll the feeds whose stored next-due
  time has passed, then classify (:class:`~monitor.runner.CycleRunner`);
* ``retry`` (same interval): re-send digests whose delivery failed;
* ``digest:<address>``: one cron job per recipient, in their time zone.  A
  slot missed while the daemon was down is served once at start
  (:mod:`.slots`).

With ``[queue] broker_url`` set (queue mode), the same jobs and triggers send the
work to Celery workers instead of doing it here (:mod:`monitor.queue.scheduler`).

All jobs coalesce, run one instance at a time and tolerate a late start
(``misfire_grace_time``).  Digest work runs in threads; poll cycles run on
the loop, one at a time per database, whoever asks (tick, trigger,
``newsmon fetch`` in another process).

Stopping (SIGTERM or SIGINT): no new jobs or triggers; the running cycle
starts no more feeds and may finish the ones in flight until two seconds
before ``[daemon] shutdown_timeout``, when they are cancelled; digest
rounds get the rest of that time.  Whatever was cut short was not
committed and is picked up at the next start.  A second signal exits at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from alerts import Attempt, resolve_recipients, retry_pending, run_digests
from alerts.recipients import Recipient
from monitor import __version__
from monitor.config import Settings
from monitor.cron import cron_trigger
from monitor.cycle import select_jobs
from monitor.daemon.health import DaemonState, health_report
from monitor.daemon.metrics import Metrics
from monitor.daemon.slots import due_catch_up, record_served
from monitor.daemon.token import ensure_secret, ensure_token
from monitor.daemon.triggers import FetchRequest, NotFound, TriggerRequest, Unavailable
from monitor.errors import ConfigError
from monitor.errors import DaemonAlreadyRunning as DaemonAlreadyRunning  # with the error tree
from monitor.logs import mask_secrets
from monitor.match import TopicMatcher
from monitor.outcomes import Trigger
from monitor.runner import CycleOutcome, CycleRunner
from monitor.storage import Database
from monitor.storage.feeds import next_fetch_time
from monitor.storage.locks import DAEMON, NamedLock
from monitor.web.access import login_needed
from monitor.web.app import build_app
from monitor.web.context import WebContext
from monitor.web.server import SHUTDOWN_GRACE_S, WebServer

if TYPE_CHECKING:
    from monitor.queue.scheduler import QueueScheduler

log = logging.getLogger(__name__)

CANCEL_MARGIN_S = 2.0  # cancel in-flight feeds this long before the shutdown deadline


class Daemon:
    """One daemon per database: call :meth:`claim`, then run :meth:`serve` on an event loop.

    It is the :class:`~monitor.web.context.ControlHandlers` of its web app (the control
    routes and the console, served on the control port in the same loop).
    """

    def __init__(
        self,
        settings: Settings,
        db: Database,
        matcher: TopicMatcher,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.runner = CycleRunner(db, settings, matcher, clock=clock)
        # Queue mode: the jobs below send the work to Celery workers instead of doing it.
        self.queue: QueueScheduler | None = None
        if settings.queue.broker_url is not None:
            from monitor.queue.scheduler import QueueScheduler  # Celery: only in queue mode

            self.queue = QueueScheduler(settings, db, clock=clock)
        self.meter = Metrics(queues=self.queue.queue_names if self.queue else ())
        self.recipients = resolve_recipients(settings)
        self.started_at = clock()
        # Refuse to start (ConfigError, exit 2) bound off the loopback without a password.
        self.login_required = login_needed(settings) if settings.daemon.control_port else False
        self._lock = NamedLock(db, DAEMON, "newsmon run")
        self._work = ThreadPoolExecutor(2, thread_name_prefix="newsmon-digest")
        self._threads: set[Future[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._server: WebServer | None = None
        self._first_tick = True
        self._cycle_task: asyncio.Task[CycleOutcome] | None = None  # the scheduled one
        self.stopping = False
        self.stop_by: float | None = None  # time.monotonic() the whole stop must end by

    # -- lifecycle ---------------------------------------------------------------------

    def claim(self) -> None:
        """Take the database's daemon lock, or say which process has it."""
        if not self._lock.try_acquire():
            holder = self._lock.holder()
            who = holder.describe() if holder else "another process"
            raise DaemonAlreadyRunning(
                f"another newsmon daemon already runs on {self.db.url}: {who}; "
                "stop it first (one daemon per database)"
            )

    async def serve(self) -> None:
        """Run until a signal (or :meth:`request_stop`), then shut down cleanly."""
        loop = asyncio.get_running_loop()
        self._loop, self._stop = loop, asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, signum)
        try:
            await self._start_endpoint()
            self._start_scheduler()
            log.info(
                "newsmon %s running (pid %d): %s; every %d s; %d recipient(s)%s%s",
                __version__,
                os.getpid(),
                self.db.url,
                self.settings.daemon.tick,
                len(self.recipients),
                f"; queue mode, work sent to {self.queue.describe()}" if self.queue else "",
                f"; control endpoint http://{self._server.address}; console {self._console_url()}"
                if self._server
                else "",
            )
            await self._stop.wait()
            await self._shutdown()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            try:
                if self._server is not None:  # it answered until now: /healthz says "stopping"
                    left = (self.stop_by or time.monotonic()) - time.monotonic()
                    await self._server.stop(min(SHUTDOWN_GRACE_S, max(0.2, left)))
            finally:
                self._work.shutdown(wait=False, cancel_futures=True)
                self._lock.release()

    def request_stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    def _on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.stopping:
            log.warning("%s again: exiting now", name)
            logging.shutdown()
            os._exit(128 + signum)
        log.info(
            "%s received: stopping within %d s (send it again to exit at once)",
            name,
            self.settings.daemon.shutdown_timeout,
        )
        self.stopping = True
        assert self._stop is not None
        self._stop.set()

    async def _start_endpoint(self) -> None:
        daemon = self.settings.daemon
        if daemon.control_port == 0:
            return
        token = ensure_token(daemon.data_dir)
        secret = ensure_secret(daemon.data_dir)
        mask_secrets([token, secret])
        ctx = WebContext(
            self.settings, self.db, secret, token, self, login_required=self.login_required
        )
        server = WebServer(build_app(ctx), daemon.control_host, daemon.control_port)
        await server.start()
        self._server = server

    def _console_url(self) -> str:
        assert self._server is not None
        local = f"http://{self._server.address}/"
        base = self.settings.web.base_url
        return f"{base}/ (here {local})" if base else local

    def _start_scheduler(self) -> None:
        daemon = self.settings.daemon
        now = self.clock()
        scheduler = AsyncIOScheduler(event_loop=self._loop, timezone=UTC)
        every = IntervalTrigger(seconds=daemon.tick, timezone=UTC)
        common: dict[str, Any] = {"coalesce": True, "max_instances": 1}
        scheduler.add_job(
            self._tick,
            every,
            id="tick",
            name="poll due feeds",
            next_run_time=now,
            misfire_grace_time=daemon.tick,
            **common,
        )
        scheduler.add_job(
            self._retry,
            every,
            id="retry",
            name="retry failed digests",
            misfire_grace_time=daemon.tick,
            **common,
        )
        for person in self.recipients:
            scheduler.add_job(
                self._digest,
                cron_trigger(person.schedule, person.timezone),
                args=[person],
                id=f"digest:{person.key}",
                name=f"digest to {person.email}",
                misfire_grace_time=daemon.misfire_grace_time,
                **common,
            )
        for person in due_catch_up(self.db, self.recipients, now):
            log.info(
                "digest to %s: a scheduled slot passed while newsmon was down; sending now",
                person.email,
            )
            scheduler.add_job(
                self._digest,
                args=[person],
                id=f"catch-up:{person.key}",
                name=f"missed digest to {person.email}",
                next_run_time=now,
                **common,
            )
        scheduler.start()
        self._scheduler = scheduler

    async def _shutdown(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.daemon.shutdown_timeout
        self.stop_by = time.monotonic() + self.settings.daemon.shutdown_timeout
        if self._scheduler is not None:
            # Paused, not shut down: shutting down would cancel the running jobs' tasks;
            # they get the time below instead, and the scheduler goes at the end.
            self._scheduler.pause()
        self.runner.request_stop()
        grace = max(0.0, deadline - CANCEL_MARGIN_S - loop.time())
        try:
            await asyncio.wait_for(asyncio.shield(self.runner.wait()), grace)
        except TimeoutError:
            log.warning("poll cycle still running after %.0f s: cancelling its requests", grace)
            self.runner.cancel()
            try:
                await asyncio.wait_for(self.runner.wait(), max(0.1, deadline - loop.time()))
            except TimeoutError:
                log.warning("poll cycle did not stop in time; its feeds are polled next start")
        pending = [asyncio.wrap_future(f) for f in self._threads if not f.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=max(0.1, deadline - loop.time()))
            if late:
                log.warning(
                    "%d digest round(s) still running at the deadline; a digest being sent "
                    "is sent again once its claim expires",
                    len(late),
                )
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        log.info("newsmon stopped")

    # -- jobs --------------------------------------------------------------------------

    async def _tick(self) -> None:
        """Start a cycle if feeds are due, and return: the job never outlives the tick, so
        a cycle longer than the tick is not reported as a missed or skipped job."""
        if self.queue is not None:  # the workers poll; the tick only sends
            if not self.stopping:
                await self._in_thread(self.queue.tick)
            return
        if self.stopping or self.runner.running:
            return
        if not self._first_tick:  # the first tick always runs: it classifies leftovers
            upcoming = await asyncio.to_thread(self._next_due)
            if upcoming is None or upcoming > self.clock():
                return
        self._first_tick = False
        self._cycle_task = asyncio.create_task(self._cycle("schedule"))
        self._cycle_task.add_done_callback(_log_crash)

    def _next_due(self) -> datetime | None:
        """One aggregate query: the tick runs every few seconds, whatever the feed count."""
        with self.db.session() as session:
            return next_fetch_time(session, self.clock())

    async def _cycle(self, trigger: Trigger, feeds: list[str] | None = None) -> CycleOutcome:
        if not self.runner.running:
            self.meter.cycle_started()
        outcome = await self.runner.run(trigger, urls=feeds or (), due_only=trigger == "schedule")
        if not outcome.already_running:
            self._observe(outcome)
        elif not self.runner.running:  # waited for another process's cycle: none runs here
            self.meter.cycle_running.set(0)
        return outcome

    def _observe(self, outcome: CycleOutcome) -> None:
        self.meter.observe_cycle(outcome)
        if outcome.report is not None and outcome.status != "failed":
            log.info(
                "cycle %s (%s): %s",
                outcome.run_id,
                outcome.trigger,
                outcome.report.describe(),
                extra={"cycle": outcome.run_id, "trigger": outcome.trigger},
            )

    async def _in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        future = self._work.submit(fn, *args)
        self._threads.add(future)
        future.add_done_callback(self._threads.discard)
        return await asyncio.wrap_future(future)

    async def _digest(self, person: Recipient) -> None:
        if not self.stopping:
            await self._in_thread(self._digest_round, person)

    def _digest_round(self, person: Recipient) -> None:
        """A scheduled round: the stored digest records its slot as served (so a restart
        after a kill does not compose another for it); a round that composed nothing
        records the slot afterwards.  Kept digests wait for the retry job."""
        slot = self.clock()
        if self.queue is not None:  # a worker runs the round and records the slot
            self.queue.send_digest(person, slot)
            return
        report = run_digests(self.db, self.settings, slot, person.email, slot=slot)
        self._count(report.attempts)
        record_served(self.db, person, slot, self.clock())

    async def _retry(self) -> None:
        if not self.stopping:
            await self._in_thread(self._retry_round)

    def _retry_round(self) -> None:
        if self.queue is not None:
            self.queue.send_retry()
            return
        self._count(retry_pending(self.db, self.settings, self.clock()))

    def _count(self, attempts: list[Attempt]) -> None:
        self.meter.observe_digests(attempts)

    # -- control endpoint (ControlHandlers: called from worker threads) -------------------

    def health(self, detailed: bool) -> tuple[int, dict[str, Any]]:
        state = DaemonState(self.started_at, self._scheduler, self.stopping, self.runner.running)
        queue = self.queue.health() if self.queue is not None else None
        return health_report(self.db, self.recipients, state, detailed=detailed, queue=queue)

    def metrics(self) -> tuple[bytes, str]:
        if self.queue is not None:
            self.meter.observe_queue(self.queue.status(), self.queue.in_flight())
        return self.meter.render()

    def trigger(self, request: TriggerRequest) -> dict[str, Any]:
        """Do a trigger's work (the control endpoint has parsed and checked the request)."""
        if self.stopping or self._loop is None:
            raise Unavailable("newsmon is shutting down")
        if self.queue is not None and (isinstance(request, FetchRequest) or not request.wait):
            from monitor.queue.trigger import queue_trigger

            return queue_trigger(self.queue, request, stopping=lambda: self.stopping)
        if isinstance(request, FetchRequest):
            feeds = list(request.feeds)
            if feeds and not select_jobs(self.db, self.settings, urls=feeds):
                raise NotFound(f"no such feed: {', '.join(feeds)} (see newsmon feeds list)")
            running = self.runner.running
            if running:
                log.info("trigger: a poll cycle is already running; the trigger gets its result")
            future = asyncio.run_coroutine_threadsafe(self._cycle("manual", feeds), self._loop)
            if not request.wait:
                return {"accepted": True, "already_running": running}
            return future.result().as_dict()
        done = asyncio.run_coroutine_threadsafe(
            self._in_thread(self._manual_digest, request.recipient), self._loop
        )
        if not request.wait:
            return {"accepted": True}
        try:
            result: dict[str, Any] = done.result()
        except ConfigError as exc:
            raise NotFound(str(exc)) from exc
        return result

    def _manual_digest(self, recipient: str | None) -> dict[str, Any]:
        """A triggered round: like ``newsmon digest --send``, kept digests are retried now."""
        report = run_digests(self.db, self.settings, self.clock(), recipient, kept_now=True)
        self._count(report.attempts)
        return report.as_dict()


def _log_crash(task: asyncio.Task[CycleOutcome]) -> None:
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        log.error("scheduled poll cycle crashed: %s: %s", type(exc).__name__, exc)
