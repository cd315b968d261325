"""The database schema, as SQLAlchemy 2.0 typed ORM models.

One table per thing a user can point at: feeds (with their fetch state),
articles (fetched entries and seeds alike: a seed is an article with
``is_seed`` set, whose id is its file's stem), stories (clusters of articles
about one event), digests (composed e-mails, stored before they are sent)
and deliveries (which article went out in which digest); and the daemon's
bookkeeping: poll cycles run, each recipient's last digest slot, who
holds a process lock, and the batches sent to queue workers.

Changes to this module need an Alembic revision in ``migrations/versions``;
``tests/monitor/storage/test_migrations.py`` fails when the two disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no time zones and would hand back naive values; storing UTC
    and re-attaching it on the way out keeps comparisons correct everywhere.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: newsmon stores aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Feed(Base):
    """A feed to poll, and what the last polls found out about it."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    # The URL as configured or added; ``url`` follows permanent redirects,
    # this one is how the config file's entry finds its row again.
    origin_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text)  # the feed's own title
    site_url: Mapped[str | None] = mapped_column(String(2048))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where the feed came from: "config" feeds are synced from the file at start.
    origin: Mapped[str] = mapped_column(String(16), default="cli")
    interval_s: Mapped[int | None] = mapped_column(Integer)
    full_text: Mapped[bool] = mapped_column(Boolean, default=False)
    ttl_s: Mapped[int | None] = mapped_column(Integer)  # the feed's own <ttl>/sy:updatePeriod
    # ISO 639-1 codes this feed's entries are kept in; NULL or empty: any language.
    languages: Mapped[list[Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Conditional GET and change detection.
    etag: Mapped[str | None] = mapped_column(String(1024))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    body_hash: Mapped[str | None] = mapped_column(String(64))
    # Health, for backoff and for "which feeds are failing" in digests.
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_fetched_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    consecutive_errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_warning: Mapped[str | None] = mapped_column(Text)  # e.g. XML errors, entries kept
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)

    articles: Mapped[list[Article]] = relationship(back_populates="feed")


class Story(Base):
    """A cluster of articles about one event; an article joins at most one."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    articles: Mapped[list[Article]] = relationship(
        back_populates="story", foreign_keys="Article.story_id"
    )


class Article(Base):
    """One fetched feed entry or one seed.

    ``id`` is a short stable string: a seed's file stem, or for fetched
    entries a hash of the feed and the entry's identity, so storing the
    same entry twice is a primary-key conflict rather than a silent copy.
    """

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("feed_id", "entry_key"),
        Index("ix_articles_published_at", "published_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    # Identity within the feed: guid, else canonical link, else hash of title+date.
    entry_key: Mapped[str | None] = mapped_column(String(2048))
    guid: Mapped[str | None] = mapped_column(String(2048))
    url: Mapped[str | None] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str | None] = mapped_column(Text)
    summary_html: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column()
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    author: Mapped[str | None] = mapped_column(Text)
    # Why the full text could not be extracted (the summary is kept instead).
    extraction_error: Mapped[str | None] = mapped_column(Text)

    is_seed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    seed_path: Mapped[str | None] = mapped_column(Text)

    # Filled in by dedup: new_story | update | duplicate.
    status: Mapped[str | None] = mapped_column(String(16), index=True)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    duplicate_of_id: Mapped[str | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )
    score: Mapped[float | None] = mapped_column(Float)
    novel_sentences: Mapped[list[Any] | None] = mapped_column()
    # Which dedup layer decided (exact | near_duplicate | story | none) and the
    # evidence behind it (candidates, sentence verdicts), for ``newsmon explain``.
    dedup_layer: Mapped[str | None] = mapped_column(String(16))
    dedup_evidence: Mapped[dict[str, Any] | None] = mapped_column()
    deduped_at: Mapped[datetime | None] = mapped_column(index=True)  # decision_mark
    # When a reader's feedback last changed this article's decision (monitor.feedback):
    # classification never decides it again, and a digest sent before this time does not
    # count as having shown it (it is shown again as what it now is).
    feedback_at: Mapped[datetime | None] = mapped_column(index=True)  # decision_mark

    feed: Mapped[Feed | None] = relationship(back_populates="articles")
    topics: Mapped[list[ArticleTopic]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleTopic.topic"
    )
    story: Mapped[Story | None] = relationship(back_populates="articles", foreign_keys=[story_id])


class ArticleSignature(Base):
    """An article's dedup signature (MinHash values, rare terms, quotes), stored so a
    restart rebuilds the dedup index without recomputing anything from text."""

    __tablename__ = "article_signatures"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleTopic(Base):
    """One topic an article matched, where, and the matched spans (for highlighting
    in digests and for ``newsmon explain``)."""

    __tablename__ = "article_topics"
    __table_args__ = (UniqueConstraint("article_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    topic: Mapped[str] = mapped_column(String(200), index=True)
    fields: Mapped[list[Any]] = mapped_column()  # ["title", "text"]
    # [[field, start, end, text], ...] offsets into the stored title / text
    spans: Mapped[list[Any]] = mapped_column()

    article: Mapped[Article] = relationship(back_populates="topics")


class Digest(Base):
    """A composed digest e-mail (outbox pattern: stored before it is sent).

    The Message-ID is derived from the recipient and the items, so a retry
    after a crash re-sends the very same message and a receiving server or
    client can recognise it.
    """

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    message: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="digest", cascade="all, delete-orphan"
    )


class Delivery(Base):
    """One article in one digest; counts as delivered once the digest is sent."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("digest_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(320), index=True)

    digest: Mapped[Digest] = relationship(back_populates="deliveries")


class CycleRun(Base):
    """One poll cycle (fetch, then classify): when, why, and what it did.

    Written by whoever runs the cycle (the daemon, ``newsmon fetch``), so
    ``/healthz``, ``newsmon status`` and a trigger that finds a cycle already
    running can all report the same result.  A row left ``running`` by a
    killed process is marked ``interrupted`` by the next cycle.
    """

    __tablename__ = "cycle_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | manual | cli
    status: Mapped[str] = mapped_column(String(16), index=True)  # running|done|failed|interrupted
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    report: Mapped[dict[str, Any] | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


class DigestSchedule(Base):
    """The last digest slot served for a recipient, so a restart neither repeats nor skips one."""

    __tablename__ = "digest_schedules"

    recipient: Mapped[str] = mapped_column(String(320), primary_key=True)
    last_slot_at: Mapped[datetime] = mapped_column()
    last_run_at: Mapped[datetime] = mapped_column()


class ProcessLock(Base):
    """Who holds a named process lock, for the message another process shows.

    The lock itself is a PostgreSQL advisory lock or a lock file next to the
    SQLite database (:mod:`monitor.storage.locks`), which the operating system
    or the server releases when the holder dies; a row left by a killed
    holder is overwritten by the next one and never read while the lock is free.
    """

    __tablename__ = "process_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(Text)
    acquired_at: Mapped[datetime] = mapped_column()


class Feedback(Base):
    """One correction or preference a reader gave (``monitor.feedback``): who, when, what.

    Kept as history: the rows that carry the current state are the article's own
    columns, :class:`StoryMute` and :class:`Unsubscription`; this table says how
    they came to be, for ``newsmon explain``, the console and ``export --feedback``.
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # new_update | new_story | retelling | not_new | mute | unmute | unsubscribe | resubscribe
    action: Mapped[str] = mapped_column(String(16), index=True)
    # Who: "console" (loopback), the console's user, or the recipient of a signed link.
    actor: Mapped[str] = mapped_column(String(320))
    via: Mapped[str] = mapped_column(String(16))  # console | link | list-unsubscribe | cli
    article_id: Mapped[str | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    target_story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL")
    )
    recipient: Mapped[str | None] = mapped_column(String(320))
    # The decision before the feedback (status, story, layer), to show and to export.
    before: Mapped[dict[str, Any] | None] = mapped_column()


class StoryMute(Base):
    """A recipient gets no more updates of this story (until they unmute it)."""

    __tablename__ = "story_mutes"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    recipient: Mapped[str] = mapped_column(String(320), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Unsubscription(Base):
    """A recipient who asked for no more digests (one-click link or List-Unsubscribe)."""

    __tablename__ = "unsubscriptions"

    recipient: Mapped[str] = mapped_column(String(320), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    via: Mapped[str] = mapped_column(String(16))


class Dispatch(Base):
    """A batch of feeds sent to the Celery workers (queue mode, ``monitor.queue``).

    Written by the scheduler before the task goes to the broker and marked done
    by the worker once the batch is stored.  The database, not the broker, is
    the record of what is in flight: the hosts of an undone dispatch whose
    lease has not expired are busy (no second batch for them, so the per-host
    limit holds across workers), and a batch lost with a worker or the broker
    is sent again once its lease expires.
    """

    __tablename__ = "dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_ids: Mapped[list[Any]] = mapped_column()
    hosts: Mapped[list[Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class Notification(Base):
    """One chat or push message (Apprise) of one digest round, to one channel.

    Stored with its digest, before anything is sent, with the exact text it
    carries, and then pending -> sent (or failed after ``[email]
    max_attempts``) like the digest.  The channel's URL holds a secret and is
    never stored: ``channel`` is a hash of it that finds the URL again in the
    recipient's ``notify`` list, and ``label`` names it for people
    (``ntfy, notify #2``).  The items are the digest's Delivery rows.
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("digest_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    channel: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
