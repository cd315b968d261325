"""One poll cycle: fetch -> parse -> normalise -> store, for many feeds at once.

This is the I/O pipeline around the pure parts (:mod:`monitor.fetch.decide`
says what a poll's outcome means for the feed and when it is next due,
:mod:`monitor.parse` turns bytes into entries).  ``newsmon fetch`` runs one
cycle by hand; the daemon runs the same code on a schedule.

Each feed is handled on its own: its failure is stored on the feed (one
line) and the cycle goes on.  Its new entries and its new state (ETag,
next due time, health) are committed in one transaction, so a cycle killed
half-way has committed whole feeds only, and re-running it stores nothing
twice (see :mod:`monitor.storage.entries`).

Parsing, normalising and matching run beside the event loop, in a worker
process when the cycle is big enough to use a second core
(:mod:`monitor.cycle_workers`), and database writes in a thread
(:mod:`monitor.storage.group_commit`), so the event loop keeps fetching.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from sqlalchemy.orm import Session

from monitor.config import Settings
from monitor.cycle_report import CycleReport, FeedJob, FeedResult
from monitor.cycle_workers import CycleWorkers, ParsedEntries
from monitor.errors import DatabaseUnavailable, FeedError
from monitor.fetch.addresses import IPNetwork
from monitor.fetch.client import Fetcher, FetcherStopped
from monitor.fetch.conditional import body_hash, conditional_headers
from monitor.fetch.decide import Fetched, after_failure, after_parse, decide_response
from monitor.fetch.fulltext import fetch_full_text
from monitor.match import TopicMatcher, compile_topics
from monitor.match.entries import EntryTopics
from monitor.match.language import release_models
from monitor.parse.entry import Entry
from monitor.storage import Database
from monitor.storage.entries import insert_entries, known_entries
from monitor.storage.feeds import FeedUpdate, apply_feed_update, select_feeds
from monitor.storage.group_commit import GroupCommitter

log = logging.getLogger(__name__)


class PollCycle:
    """Poll a set of feeds concurrently and store what they bring."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        allowed_networks: Sequence[IPNetwork] = (),
        on_feed_done: Callable[[FeedResult], None] | None = None,
        matcher: TopicMatcher | None = None,
        parse_in_process: bool | None = None,
        keep_models: bool = False,
    ) -> None:
        """``parse_in_process``: parse in a worker process (True), in threads (False), or
        by the cycle's size (None).  A Celery worker's child passes False: it is already
        one of several processes, and a daemonic child may not start its own.
        ``keep_models``: keep the language models loaded after the cycle; a queue worker
        polls batch after batch, and loading them again costs ~1.2 s of CPU a batch."""
        self.db = db
        self.settings = settings
        self.matcher = matcher or compile_topics(settings.topics)
        self.rng = rng or random.Random()
        self.clock = clock
        self.allowed_networks = allowed_networks  # pass the public_only gate (tests)
        self.on_feed_done = on_feed_done
        self.parse_in_process = parse_in_process
        self.keep_models = keep_models
        self._stopping = False
        self._fetcher: Fetcher | None = None

    def request_stop(self) -> None:
        """Start no more feeds; those in flight go on (cancel the task to cut them short).

        Feeds not started are reported ``skipped`` and stay due, so the next
        cycle polls them; nothing about them is written.
        """
        self._stopping = True
        if self._fetcher is not None:
            self._fetcher.stop()

    async def run(self, jobs: Sequence[FeedJob]) -> CycleReport:
        started = time.monotonic()
        report = CycleReport()
        writer = GroupCommitter(self.db)
        # Backpressure: at most this many feeds between "fetched" and "stored", so
        # a slow disk makes fetching wait instead of piling parsed feeds up in memory.
        self._in_progress = asyncio.Semaphore(2 * self.settings.fetch.concurrency)
        try:
            async with (
                CycleWorkers(self.matcher, len(jobs), process=self.parse_in_process) as workers,
                Fetcher(self.settings.fetch, allowed_networks=self.allowed_networks) as fetcher,
            ):
                self._fetcher = fetcher
                if self._stopping:
                    fetcher.stop()
                tasks = [
                    asyncio.create_task(self._poll(fetcher, job, workers, writer)) for job in jobs
                ]
                try:
                    for done in asyncio.as_completed(tasks):
                        result = await done
                        report.results.append(result)
                        self._log(result)
                        if self.on_feed_done is not None:
                            self.on_feed_done(result)
                except BaseException:
                    # Cut short (shutdown, or the database failed): stop every feed
                    # where it is, and await them all so none is left to fail unseen.
                    # A feed whose write was already queued is committed whole by the
                    # writer below; any other keeps its old state and is polled again.
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    raise
        finally:
            await writer.close()
            # Matching is over until the next cycle: its language models (~185 MB) would
            # otherwise sit beside the dedup encoder and index, and swell an idle daemon.
            if not self.keep_models:
                release_models()
        report.duration_s = time.monotonic() - started
        return report

    async def _poll(
        self,
        fetcher: Fetcher,
        job: FeedJob,
        workers: CycleWorkers,
        writer: GroupCommitter,
    ) -> FeedResult:
        async with self._in_progress:
            if self._stopping:
                return FeedResult(job=job, outcome="skipped")
            return await self._poll_one(fetcher, job, workers, writer)

    async def _poll_one(
        self,
        fetcher: Fetcher,
        job: FeedJob,
        workers: CycleWorkers,
        writer: GroupCommitter,
    ) -> FeedResult:
        started = time.monotonic()
        result = FeedResult(job=job, outcome="failed")
        try:
            update, parsed = await self._fetch_and_parse(fetcher, job, workers, result)
            entries = parsed.entries if parsed is not None else []
            topics = parsed.topics if parsed is not None else {}
            full_text: dict[str, tuple[str | None, str | None]] = {}
            if entries and job.full_text:
                known = await writer.run_in_thread(self._known, job.id, entries)
                fresh = [e for e in entries if e.entry_key not in known and e.url]
                texts = await asyncio.gather(
                    *(fetch_full_text(fetcher, e.url or "") for e in fresh)
                )
                full_text = {e.entry_key: t for e, t in zip(fresh, texts, strict=True)}
                # Matched on the article pages' text, which is what is stored.
                pages = {key: text for key, (text, _) in full_text.items() if text}
                topics = await workers.match(job.url, entries, pages, job.languages)
            result.new_ids = await writer.submit(
                partial(self._store, job.id, update, entries, full_text, topics)
            )
            new = set(result.new_ids)
            result.matched = sum(
                1 for e in entries if e.entry_key in topics and e.article_id(job.id) in new
            )
        except FetcherStopped:  # the cycle is stopping: this feed was not polled, stays due
            result.outcome = "skipped"
        except DatabaseUnavailable:  # full, locked, gone: not this feed's fault; stop the cycle
            raise
        except Exception as exc:  # one feed must never stop the cycle
            log.exception("feed %s: unexpected error", job.url)
            result.outcome, result.error = "failed", f"internal error: {type(exc).__name__}: {exc}"
            update = after_failure(job, self.clock(), self.rng, result.error)
            await writer.submit(partial(self._store, job.id, update, [], {}, {}))
        result.duration_s = time.monotonic() - started
        return result

    async def _fetch_and_parse(
        self,
        fetcher: Fetcher,
        job: FeedJob,
        workers: CycleWorkers,
        result: FeedResult,
    ) -> tuple[FeedUpdate, ParsedEntries | None]:
        """The I/O of one poll; what each outcome means is :mod:`monitor.fetch.decide`'s."""
        try:
            response = await fetcher.get(job.url, conditional_headers(job.etag, job.last_modified))
        except FeedError as exc:
            result.error = str(exc)
            return after_failure(job, self.clock(), self.rng, exc), None
        now = self.clock()
        result.status = response.status
        fetched = Fetched(
            url=response.url,
            status=response.status,
            headers=response.headers,
            body_hash=body_hash(response.body),
            permanent_url=response.permanent_url,
        )
        decision = decide_response(job, fetched, now, self.rng)
        if decision.update is not None:
            result.outcome = "not_modified" if decision.outcome == "not_modified" else "failed"
            result.error = decision.error
            return decision.update, None
        try:
            # Parsing, normalising (HTML to text, hashes) and matching are CPU work: off the
            # event loop, in one trip (a feed with full text is matched once its pages are in).
            languages = None if job.full_text else job.languages
            parsed = await workers.parse(response.body, response.headers, job.url, now, languages)
        except FeedError as exc:
            result.error = str(exc)
            return after_failure(job, now, self.rng, exc, response.status), None
        result.outcome = "ok"
        result.entries_seen = len(parsed.entries)
        result.warning = "; ".join(parsed.warnings) or None
        update = after_parse(
            job,
            fetched,
            now,
            self.rng,
            ttl_s=parsed.ttl_s,
            warning=result.warning,
            title=parsed.title,
            site_url=parsed.link,
        )
        return update, parsed

    def _known(self, feed_id: int, entries: list[Entry]) -> set[str]:
        with self.db.session() as session:
            return known_entries(session, feed_id, entries)

    @staticmethod
    def _store(
        feed_id: int,
        update: FeedUpdate,
        entries: list[Entry],
        full_text: dict[str, tuple[str | None, str | None]],
        topics: dict[str, EntryTopics],
        session: Session,
    ) -> list[str]:
        new_ids = insert_entries(session, feed_id, entries, update.fetched_at, full_text, topics)
        apply_feed_update(session, feed_id, update)
        return new_ids

    def _log(self, result: FeedResult) -> None:
        """One line per feed per cycle; the fields also go to JSON logs as they are."""
        job = result.job
        extra = {
            "feed": job.url,
            "outcome": result.outcome,
            "status": result.status,
            "entries": result.entries_seen,
            "new": len(result.new_ids),
            "matched": result.matched,
            "duration_s": round(result.duration_s, 3),
        }
        if result.outcome == "skipped":
            log.info("feed %s: skipped, newsmon is stopping", job.url, extra=extra)
            return
        if result.outcome == "failed":
            log.warning("feed %s: failed: %s", job.url, result.error, extra=extra)
            return
        detail = (
            "not modified"
            if result.outcome == "not_modified"
            else f"{result.entries_seen} entries, {len(result.new_ids)} new, "
            f"{result.matched} about your topics"
        )
        level = logging.INFO
        if result.warning:  # the feed was read, with a problem the operator should see
            detail += f"; warning: {result.warning}"
            level = logging.WARNING
        log.log(level, "feed %s: %s in %.2f s", job.url, detail, result.duration_s, extra=extra)


def select_jobs(
    db: Database,
    settings: Settings,
    *,
    urls: Sequence[str] = (),
    due_before: datetime | None = None,
) -> list[FeedJob]:
    """The feeds a cycle polls: the named ones, the due ones, or (neither given) all enabled."""
    with db.session() as session:
        feeds = select_feeds(session, urls=urls, due_before=due_before)
        return [FeedJob.from_feed(f, settings.fetch.interval) for f in feeds]
