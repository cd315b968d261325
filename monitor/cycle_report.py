"""What a poll cycle works on and what it reports: feed snapshots, per-feed results, totals.

Kept apart from :mod:`monitor.cycle` (the I/O) because everyone downstream
reads these: the runner records them, the CLI prints them, the daemon turns
them into log lines and metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from monitor.storage import Feed

# skipped: not polled because the cycle was asked to stop first; the feed stays due.
Outcome = Literal["ok", "not_modified", "failed", "skipped"]


@dataclass(frozen=True)
class FeedJob:
    """What a poll needs to know about a feed: a snapshot, not a live ORM row."""

    id: int
    url: str
    label: str
    interval_s: int
    full_text: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    consecutive_errors: int
    ttl_s: int | None
    languages: tuple[str, ...] = ()

    @classmethod
    def from_feed(cls, feed: Feed, default_interval_s: int) -> FeedJob:
        return cls(
            id=feed.id,
            url=feed.url,
            label=feed.name or feed.title or feed.url,
            interval_s=feed.interval_s or default_interval_s,
            full_text=feed.full_text,
            etag=feed.etag,
            last_modified=feed.last_modified,
            body_hash=feed.body_hash,
            consecutive_errors=feed.consecutive_errors,
            ttl_s=feed.ttl_s,
            languages=tuple(feed.languages or ()),
        )


@dataclass
class FeedResult:
    job: FeedJob
    outcome: Outcome
    status: int | None = None
    error: str | None = None
    warning: str | None = None
    entries_seen: int = 0
    new_ids: list[str] = field(default_factory=list)
    matched: int = 0  # new entries about at least one topic
    duration_s: float = 0.0


@dataclass
class CycleReport:
    results: list[FeedResult] = field(default_factory=list)
    duration_s: float = 0.0

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def new_ids(self) -> list[str]:
        return [i for r in self.results for i in r.new_ids]

    def as_dict(self) -> dict[str, Any]:
        """The ``newsmon fetch --json`` document."""
        return {
            "feeds": {
                "total": len(self.results),
                "ok": self.count("ok"),
                "not_modified": self.count("not_modified"),
                "failed": self.count("failed"),
                "skipped": self.count("skipped"),
            },
            "entries": {
                "seen": sum(r.entries_seen for r in self.results),
                "new": sum(len(r.new_ids) for r in self.results),
                "matched": sum(r.matched for r in self.results),
            },
            "duration_s": round(self.duration_s, 3),
            "errors": [{"feed": r.job.url, "error": r.error} for r in self.results if r.error],
            "warnings": [
                {"feed": r.job.url, "warning": r.warning} for r in self.results if r.warning
            ],
        }
