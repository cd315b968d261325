"""What a poll cycle works on and what it reports: feed snapshots, per-feed results, totals.

Kept apart from :mod:`monitor.cycle` (the I/O) because everyone downstream
reads these: the runner records them, the CLI prints them, the daemon turns
them into log lines and metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from monitor.outcomes import DEDUP_STATUSES, DedupStatus
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

    def summary(self, dedup: DedupCounts) -> CycleSummary:
        """The totals everyone downstream reads, with the dedup stage's counts."""
        return CycleSummary(
            feeds=FeedCounts(
                total=len(self.results),
                ok=self.count("ok"),
                not_modified=self.count("not_modified"),
                failed=self.count("failed"),
                skipped=self.count("skipped"),
            ),
            entries=EntryCounts(
                seen=sum(r.entries_seen for r in self.results),
                new=sum(len(r.new_ids) for r in self.results),
                matched=sum(r.matched for r in self.results),
            ),
            duration_s=round(self.duration_s, 3),
            errors=tuple(FeedNote(r.job.url, r.error) for r in self.results if r.error),
            warnings=tuple(FeedNote(r.job.url, r.warning) for r in self.results if r.warning),
            dedup=dedup,
        )


@dataclass(frozen=True)
class FeedCounts:
    total: int = 0
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class EntryCounts:
    seen: int = 0
    new: int = 0
    matched: int = 0  # new entries about at least one topic


@dataclass(frozen=True)
class DedupCounts:
    """The dedup stage's decisions in one cycle, by status; ``failed``: articles it could
    not decide (one line each), left for the next cycle."""

    new_story: int = 0
    update: int = 0
    duplicate: int = 0
    failed: tuple[str, ...] = ()

    @property
    def decided(self) -> int:
        """Articles decided (the failed ones are not)."""
        return self.new_story + self.update + self.duplicate

    def of(self, status: DedupStatus) -> int:
        return {"new_story": self.new_story, "update": self.update, "duplicate": self.duplicate}[
            status
        ]


@dataclass(frozen=True)
class ClassifyTiming:
    """The dedup stage's own cost in a cycle (index loading included), apart from the
    fetch: what a benchmark or an operator needs to tell a slow classifier from slow feeds."""

    articles: int = 0
    duration_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "duration_s": self.duration_s}

    @classmethod
    def from_dict(cls, data: Any) -> ClassifyTiming | None:
        if not isinstance(data, dict):
            return None
        return cls(int(data.get("articles", 0)), float(data.get("duration_s", 0.0)))


@dataclass(frozen=True)
class FeedNote:
    """A feed's error or warning in a cycle, one line."""

    feed: str
    text: str


@dataclass(frozen=True)
class CycleSummary:
    """What a finished cycle did: one typed value for the runner, the CLI, the daemon's log
    and metrics; :meth:`as_dict` is the stored and ``--json`` form (unchanged since
    these were plain dicts, field for field)."""

    feeds: FeedCounts
    entries: EntryCounts
    duration_s: float
    errors: tuple[FeedNote, ...]
    warnings: tuple[FeedNote, ...]
    dedup: DedupCounts

    def as_dict(self) -> dict[str, Any]:
        f, e, d = self.feeds, self.entries, self.dedup
        dedup: dict[str, Any] = {s: d.of(s) for s in DEDUP_STATUSES}
        if d.failed:
            dedup["failed"] = list(d.failed)
        return {
            "feeds": {
                "total": f.total,
                "ok": f.ok,
                "not_modified": f.not_modified,
                "failed": f.failed,
                "skipped": f.skipped,
            },
            "entries": {"seen": e.seen, "new": e.new, "matched": e.matched},
            "duration_s": self.duration_s,
            "errors": [{"feed": n.feed, "error": n.text} for n in self.errors],
            "warnings": [{"feed": n.feed, "warning": n.text} for n in self.warnings],
            "dedup": dedup,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CycleSummary | None:
        """Back from :meth:`as_dict` (a stored row, a daemon's reply); None for the empty
        report of a cycle that failed or never got that far."""
        if not data or "feeds" not in data:
            return None
        feeds, entries = data["feeds"], data.get("entries") or {}
        dedup = data.get("dedup") or {}
        return cls(
            feeds=FeedCounts(**{k: int(feeds.get(k, 0)) for k in FeedCounts.__dataclass_fields__}),
            entries=EntryCounts(
                **{k: int(entries.get(k, 0)) for k in EntryCounts.__dataclass_fields__}
            ),
            duration_s=float(data.get("duration_s", 0.0)),
            errors=tuple(FeedNote(n["feed"], n["error"]) for n in data.get("errors") or ()),
            warnings=tuple(FeedNote(n["feed"], n["warning"]) for n in data.get("warnings") or ()),
            dedup=DedupCounts(
                **{s: int(dedup.get(s, 0)) for s in DEDUP_STATUSES},
                failed=tuple(dedup.get("failed") or ()),
            ),
        )

    def describe(self) -> str:
        """The cycle's one-line summary, for the daemon's log."""
        f, e, d = self.feeds, self.entries, self.dedup
        return (
            f"{f.total} feeds, {f.ok} ok, {f.not_modified} not modified, {f.failed} failed; "
            f"{e.new} new entries, {e.matched} about your topics: {d.new_story} new stories, "
            f"{d.update} updates, {d.duplicate} duplicates; {self.duration_s:.1f} s"
        )
