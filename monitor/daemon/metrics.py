"""Prometheus metrics of one daemon, served at ``/metrics`` by the control endpoint.

The metrics live in a :class:`~prometheus_client.CollectorRegistry` of their own rather
than the process-wide default one: tests (and a CLI that imports the daemon) can create
several :class:`Metrics` without "duplicated timeseries" errors, and ``/metrics`` shows
newsmon's series only.

Every labelled series is created at zero up front: a rate() over a series that appears
only at its first increment misses that increment, and dashboards should show 0, not
"no data", for "no feed has failed".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

from monitor import __version__
from monitor.outcomes import DEDUP_STATUSES

if TYPE_CHECKING:
    from alerts import Attempt
    from monitor.queue.status import QueueStatus
    from monitor.runner import CycleOutcome

TRIGGERS = ("schedule", "manual")  # the daemon's own cycles; "cli" ones are not its own
FEED_OUTCOMES = ("ok", "not_modified", "failed")
CLASSIFICATIONS = DEDUP_STATUSES
DIGEST_SENT = ("sent",)
DIGEST_FAILED = ("pending", "failed")  # "pending": the attempt failed, a retry is due
DIGEST_IGNORED = ("busy",)  # another process was sending it: no attempt was made

# A cycle is usually seconds; a cold start over a thousand feeds takes minutes.
CYCLE_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class Metrics:
    """The daemon's counters, updated once per cycle and per digest attempt.

    Updating per cycle (rather than per feed deep in the pipeline) keeps the pipeline
    free of metrics code; the cycle's summary already has every number.  Unknown label
    values raise :class:`ValueError`: a misspelt key would otherwise become a new series
    that no dashboard looks at.
    """

    def __init__(self, queues: Sequence[str] = ()) -> None:
        """``queues``: queue mode's queue names (their depth series exist only then)."""
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.cycles = Counter(
            "newsmon_cycles_total", "Fetch cycles finished, by trigger.", ["trigger"], registry=r
        )
        self.cycle_duration = Histogram(
            "newsmon_cycle_duration_seconds",
            "Wall time of finished fetch cycles.",
            buckets=CYCLE_BUCKETS,
            registry=r,
        )
        self.feeds_polled = Counter(
            "newsmon_feeds_polled_total", "Feed polls, by outcome.", ["outcome"], registry=r
        )
        self.entries_new = Counter(
            "newsmon_entries_new_total", "Feed entries not seen before.", registry=r
        )
        self.entries_matched = Counter(
            "newsmon_entries_matched_total", "New entries matching at least one topic.", registry=r
        )
        self.duplicates_suppressed = Counter(
            "newsmon_duplicates_suppressed_total",
            "Matching articles dropped as duplicates of known ones.",
            registry=r,
        )
        self.articles_classified = Counter(
            "newsmon_articles_classified_total",
            "Matching articles, by classification.",
            ["status"],
            registry=r,
        )
        self.digests_sent = Counter("newsmon_digests_sent_total", "Digests delivered.", registry=r)
        self.digests_failed = Counter(
            "newsmon_digests_failed_total",
            "Digest delivery attempts that did not succeed (each retry counts).",
            registry=r,
        )
        self.last_cycle = Gauge(
            "newsmon_last_cycle_timestamp_seconds",
            "Unix time the last fetch cycle ran to its end (even if feeds failed in it).",
            registry=r,
        )
        self.cycle_running = Gauge(
            "newsmon_cycle_running", "1 while a fetch cycle runs, else 0.", registry=r
        )
        self.info = Info("newsmon", "The newsmon build serving these metrics.", registry=r)
        self.info.info({"version": __version__})

        self.queues = tuple(queues)
        if self.queues:
            self._queue_gauges()

        for trigger in TRIGGERS:
            self.cycles.labels(trigger=trigger)
        for outcome in FEED_OUTCOMES:
            self.feeds_polled.labels(outcome=outcome)
        for status in CLASSIFICATIONS:
            self.articles_classified.labels(status=status)

    def observe_cycle(self, outcome: CycleOutcome) -> None:
        """Count a cycle this daemon ran, however it ended (a failed one only stops the
        running flag, so the last-success timestamp goes stale and alerts can fire)."""
        report = outcome.report
        if outcome.status == "failed" or report is None:
            self.cycle_failed()
            return
        feeds = report.feeds
        self.record_cycle(
            trigger="manual" if outcome.trigger == "manual" else "schedule",
            duration_s=report.duration_s,
            feeds={"ok": feeds.ok, "not_modified": feeds.not_modified, "failed": feeds.failed},
            entries_new=report.entries.new,
            entries_matched=report.entries.matched,
            classified={status: report.dedup.of(status) for status in CLASSIFICATIONS},
            finished_at=outcome.finished_at or datetime.now(UTC),
        )

    def _queue_gauges(self) -> None:
        r = self.registry
        self.queue_depth = Gauge(
            "newsmon_queue_depth",
            "Tasks waiting in each queue (queue mode); growing: the workers do not keep up.",
            ["queue"],
            registry=r,
        )
        self.queue_workers = Gauge(
            "newsmon_queue_workers", "Workers that answered the last ping (queue mode).", registry=r
        )
        self.queue_broker_up = Gauge(
            "newsmon_queue_broker_up",
            "1 if the broker answered the last check, else 0.",
            registry=r,
        )
        self.queue_in_flight = Gauge(
            "newsmon_queue_batches_in_flight",
            "Batches sent to the workers, not done, within their lease (queue mode).",
            registry=r,
        )
        for name in self.queues:
            self.queue_depth.labels(queue=name)

    def observe_queue(self, status: QueueStatus, in_flight: int | None) -> None:
        """Set the queue gauges from the broker's last answer (queue mode only).  A broker
        that did not answer leaves depths and workers as last seen and says so (up=0)."""
        if not self.queues:
            raise ValueError("these metrics were made without queues (not queue mode)")
        self.queue_broker_up.set(1 if status.ok else 0)
        if status.ok:
            for name in self.queues:
                self.queue_depth.labels(queue=name).set(status.depths.get(name, 0))
            self.queue_workers.set(len(status.workers))
        if in_flight is not None:
            self.queue_in_flight.set(in_flight)

    def observe_digests(self, attempts: Iterable[Attempt]) -> None:
        """Count a digest round's delivery attempts."""
        for attempt in attempts:
            self.record_digest(attempt.status)

    def cycle_started(self) -> None:
        """Mark a cycle as running, so a stuck cycle shows as running=1 with a stale timestamp."""
        self.cycle_running.set(1)

    def record_cycle(
        self,
        *,
        trigger: str,
        duration_s: float,
        feeds: Mapping[str, int],
        entries_new: int,
        entries_matched: int,
        classified: Mapping[str, int],
        finished_at: datetime,
    ) -> None:
        """Count a finished cycle.

        ``feeds`` maps ok/not_modified/failed and ``classified`` maps
        new_story/update/duplicate to counts; missing keys count 0.  A naive
        ``finished_at`` is taken as UTC (as the database hands times back).  Everything
        is checked before anything is counted, so a bad call leaves the metrics as they were.
        """
        _check(trigger, TRIGGERS, "trigger")
        _check_keys(feeds, FEED_OUTCOMES, "feed outcome")
        _check_keys(classified, CLASSIFICATIONS, "classification")
        if min(entries_new, entries_matched, *feeds.values(), *classified.values()) < 0:
            raise ValueError("cycle counts cannot be negative")
        self.cycles.labels(trigger=trigger).inc()
        self.cycle_duration.observe(duration_s)
        for outcome, count in feeds.items():
            self.feeds_polled.labels(outcome=outcome).inc(count)
        self.entries_new.inc(entries_new)
        self.entries_matched.inc(entries_matched)
        for status, count in classified.items():
            self.articles_classified.labels(status=status).inc(count)
        self.duplicates_suppressed.inc(classified.get("duplicate", 0))
        if finished_at.tzinfo is None:
            finished_at = finished_at.replace(tzinfo=UTC)
        self.last_cycle.set(finished_at.timestamp())
        self.cycle_running.set(0)

    def cycle_failed(self) -> None:
        """A cycle ended with an error: no longer running, and the timestamp stays old.

        Leaving ``newsmon_last_cycle_timestamp_seconds`` alone is what lets a
        "no successful cycle for an hour" alert fire.
        """
        self.cycle_running.set(0)

    def record_digest(self, status: str) -> None:
        """Count a delivery attempt by its outcome: sent, pending/failed, or busy (ignored)."""
        if status in DIGEST_SENT:
            self.digests_sent.inc()
        elif status in DIGEST_FAILED:
            self.digests_failed.inc()
        elif status not in DIGEST_IGNORED:
            raise ValueError(f"unknown digest status {status!r}")

    def render(self) -> tuple[bytes, str]:
        """The body and content type of a ``/metrics`` reply."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _check(value: str, allowed: Iterable[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}")


def _check_keys(counts: Mapping[str, int], allowed: Iterable[str], what: str) -> None:
    for key in counts:
        _check(key, allowed, what)
