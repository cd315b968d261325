"""Queries behind the web console's pages (:mod:`monitor.web.pages`).

The pages render; what they read is chosen here, next to the schema.  Like the
audit commands' queries (:mod:`monitor.storage.stories`), none of them loads an
article's text or summaries: a page of stories costs a handful of column selects
however large the seeds are, and what a page does not show is never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, selectinload

from monitor.storage.models import (
    Article,
    ArticleTopic,
    Delivery,
    Digest,
    Feed,
    Feedback,
    Story,
    StoryMute,
    Unsubscription,
)

PAGE_SIZE = 20  # stories per page of the list
STATUSES = ("new_story", "update", "duplicate", "seed")  # what the list filters by


@dataclass(frozen=True)
class Shown:
    """One digest that carried an article: to whom, when, and where to look at it."""

    digest_id: int
    recipient: str
    status: str
    sent_at: datetime | None


@dataclass
class StoryArticle:
    """An article as the stories pages list it."""

    id: str
    title: str
    url: str | None
    status: str | None
    is_seed: bool
    language: str | None
    outlet: str | None
    published_at: datetime | None
    seen_at: datetime
    topics: list[str]
    shown: list[Shown] = field(default_factory=list)


@dataclass
class StorySummary:
    """A story with what the list shows about it."""

    id: int
    title: str
    created_at: datetime
    updated_at: datetime
    articles: list[StoryArticle]
    muted_for: list[str]

    @property
    def is_seed(self) -> bool:
        """A story a seed article belongs to: known before newsmon started."""
        return any(a.is_seed for a in self.articles)

    @property
    def outlets(self) -> list[str]:
        return sorted({a.outlet for a in self.articles if a.outlet})

    @property
    def languages(self) -> list[str]:
        return sorted({a.language for a in self.articles if a.language})

    @property
    def topics(self) -> list[str]:
        return sorted({t for a in self.articles for t in a.topics})


@dataclass(frozen=True)
class StoryPage:
    """One page of the stories list, and whether there is a next one."""

    stories: list[StorySummary]
    page: int
    has_next: bool


def _outlet(feed: Feed | None) -> str | None:
    return (feed.name or feed.title or feed.url) if feed is not None else None


def _story_filter(topic: str | None, status: str | None) -> list[ColumnElement[bool]]:
    """WHERE clauses on Story: it has an article on ``topic`` / with ``status`` (or a seed)."""
    clauses: list[ColumnElement[bool]] = []
    if topic:
        clauses.append(
            exists()
            .where(Article.story_id == Story.id)
            .where(ArticleTopic.article_id == Article.id, ArticleTopic.topic == topic)
        )
    if status == "seed":
        clauses.append(exists().where(Article.story_id == Story.id, Article.is_seed))
    elif status:
        clauses.append(exists().where(Article.story_id == Story.id, Article.status == status))
    return clauses


def story_page(
    session: Session, *, topic: str | None = None, status: str | None = None, page: int = 1
) -> StoryPage:
    """Stories newest first (by last update), ``PAGE_SIZE`` at a time, filtered."""
    page = max(page, 1)
    query = (
        select(Story.id)
        .where(*_story_filter(topic, status))
        .order_by(Story.updated_at.desc(), Story.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    ids = list(session.scalars(query))
    has_next = len(ids) > PAGE_SIZE
    return StoryPage(stories_by_id(session, ids[:PAGE_SIZE]), page, has_next)


def stories_by_id(session: Session, ids: Sequence[int]) -> list[StorySummary]:
    """These stories (in this order) with their articles, deliveries and mutes."""
    if not ids:
        return []
    members = (
        selectinload(Story.articles)
        .load_only(
            Article.id,
            Article.title,
            Article.url,
            Article.status,
            Article.is_seed,
            Article.language,
            Article.published_at,
            Article.fetched_at,
            Article.deduped_at,
            Article.feed_id,
        )
        .options(
            selectinload(Article.feed).load_only(Feed.name, Feed.title, Feed.url),
            selectinload(Article.topics).load_only(ArticleTopic.topic),
        )
    )
    rows = {
        s.id: s for s in session.scalars(select(Story).options(members).where(Story.id.in_(ids)))
    }
    article_ids = [a.id for s in rows.values() for a in s.articles]
    shown = shown_in_digests(session, article_ids)
    mutes: dict[int, list[str]] = {}
    for story_id, recipient in session.execute(
        select(StoryMute.story_id, StoryMute.recipient)
        .where(StoryMute.story_id.in_(list(rows)))
        .order_by(StoryMute.recipient)
    ):
        mutes.setdefault(story_id, []).append(recipient)
    out: list[StorySummary] = []
    for story_id in ids:
        story = rows.get(story_id)
        if story is None:
            continue
        articles = [
            StoryArticle(
                id=a.id,
                title=a.title,
                url=a.url,
                status=a.status,
                is_seed=a.is_seed,
                language=a.language,
                outlet=_outlet(a.feed),
                published_at=a.published_at,
                seen_at=a.deduped_at or a.fetched_at,
                topics=[t.topic for t in a.topics],
                shown=shown.get(a.id, []),
            )
            for a in story.articles
        ]
        articles.sort(key=lambda a: (a.seen_at, a.id))
        out.append(
            StorySummary(
                story.id,
                story.title,
                story.created_at,
                story.updated_at,
                articles,
                mutes.get(story.id, []),
            )
        )
    return out


def shown_in_digests(session: Session, article_ids: Sequence[str]) -> dict[str, list[Shown]]:
    """For each article, the digests that carried it (sent or not yet), oldest first."""
    if not article_ids:
        return {}
    rows = session.execute(
        select(Delivery.article_id, Digest.id, Digest.recipient, Digest.status, Digest.sent_at)
        .join(Digest, Digest.id == Delivery.digest_id)
        .where(Delivery.article_id.in_(list(article_ids)))
        .order_by(Digest.created_at, Digest.id)
    )
    out: dict[str, list[Shown]] = {}
    for article_id, digest_id, recipient, status, sent_at in rows:
        out.setdefault(article_id, []).append(Shown(digest_id, recipient, status, sent_at))
    return out


def known_topics(session: Session) -> list[str]:
    """Every topic some article matched (configured topics may have been renamed since)."""
    return list(session.scalars(select(ArticleTopic.topic).distinct().order_by(ArticleTopic.topic)))


def story_feedback(session: Session, story_id: int) -> Sequence[Feedback]:
    """The feedback given on a story or its articles, oldest first (the story page's history,
    in the order of the article page's)."""
    return session.scalars(
        select(Feedback)
        .where(
            (Feedback.story_id == story_id)
            | (Feedback.target_story_id == story_id)
            | Feedback.article_id.in_(select(Article.id).where(Article.story_id == story_id))
        )
        .order_by(Feedback.created_at, Feedback.id)
    ).all()


@dataclass(frozen=True)
class DigestRow:
    """A digest as the list shows it: everything but the message itself."""

    id: int
    recipient: str
    subject: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    articles: int


def digests(session: Session, limit: int = 200) -> list[DigestRow]:
    """The newest digests with their article counts, without their messages."""
    count = (
        select(func.count())
        .where(Delivery.digest_id == Digest.id)
        .correlate(Digest)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Digest.id,
            Digest.recipient,
            Digest.subject,
            Digest.status,
            Digest.created_at,
            Digest.sent_at,
            Digest.attempts,
            Digest.last_error,
            count,
        )
        .order_by(Digest.created_at.desc(), Digest.id.desc())
        .limit(limit)
    )
    return [DigestRow(*row) for row in rows]


def digest_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Digest)) or 0


def unsubscribed(session: Session) -> Sequence[Unsubscription]:
    """Recipients who asked for no more digests, most recent first."""
    return session.scalars(select(Unsubscription).order_by(Unsubscription.created_at.desc())).all()


__all__ = [
    "PAGE_SIZE",
    "STATUSES",
    "DigestRow",
    "Shown",
    "StoryArticle",
    "StoryPage",
    "StorySummary",
    "digest_count",
    "digests",
    "known_topics",
    "shown_in_digests",
    "stories_by_id",
    "story_feedback",
    "story_page",
    "unsubscribed",
]
