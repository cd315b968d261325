"""Queries behind readers' feedback: what :mod:`monitor.feedback.actions` changes, what
``newsmon explain`` and ``export --feedback`` show of it, and what the classifier checks to
follow it.

Feedback rows are few (people write them, one click at a time), so a scan of them in
Python where SQL would need JSON operators that differ between SQLite and PostgreSQL is
fine here; the article and story tables are always queried with indexed columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, defer, selectinload

from monitor.storage.models import (
    Article,
    ArticleSignature,
    Feedback,
    Story,
    StoryMute,
    Unsubscription,
)

# Feedback that changes an article's decision (and so, maybe, its story's membership); the
# others (mute, unsubscribe) change only what digests select.
ARTICLE_ACTIONS = ("new_update", "new_story", "retelling", "not_new")
MAX_MERGES = 50  # merges followed from a story id at most (a loop would be a bug: stop)


def history(session: Session, article_id: str) -> list[Feedback]:
    """The feedback about one article, oldest first (who, when, what, the decision before)."""
    return list(
        session.scalars(
            select(Feedback)
            .where(Feedback.article_id == article_id)
            .order_by(Feedback.created_at, Feedback.id)
        )
    )


def recent(session: Session, limit: int) -> list[Feedback]:
    """The ``limit`` newest feedback rows, newest first."""
    return list(session.scalars(select(Feedback).order_by(Feedback.id.desc()).limit(limit)))


def last_article_feedback(session: Session) -> int:
    """The id of the newest decision-changing feedback row (0: none): the classifier reloads
    its index when this moved since it loaded it."""
    return int(
        session.scalar(
            select(func.coalesce(func.max(Feedback.id), 0)).where(
                Feedback.action.in_(ARTICLE_ACTIONS)
            )
        )
        or 0
    )


def stale_after_feedback(session: Session) -> list[str]:
    """Articles whose stored signature predates the feedback that changed their decision: what
    they teach their story (all sentences, the novel ones, none) depends on the decision, so
    their signature is recomputed before the index loads it."""
    return list(
        session.scalars(
            select(Article.id)
            .join(ArticleSignature, ArticleSignature.article_id == Article.id)
            .where(
                Article.feedback_at.is_not(None),
                Article.feedback_at > ArticleSignature.created_at,
            )
            .order_by(Article.id)
        )
    )


def members(session: Session, story_id: int) -> list[Article]:
    """A story's articles, first reported first (undated ones last), texts not loaded."""
    return list(
        session.scalars(
            select(Article)
            .options(defer(Article.text), defer(Article.summary), defer(Article.summary_html))
            .where(Article.story_id == story_id)
            .order_by(
                Article.published_at.is_(None),
                Article.published_at,
                Article.deduped_at,
                Article.id,
            )
        )
    )


def earliest_other(session: Session, story_id: int, article_id: str) -> Article | None:
    """The story's first reported article other than ``article_id``, or None."""
    return next((a for a in members(session, story_id) if a.id != article_id), None)


def copies_of(session: Session, article_id: str, story_id: int | None) -> list[Article]:
    """The articles the engine found to be copies of this one (exact or near duplicates of it,
    in its story): where the article goes, they go."""
    return list(
        session.scalars(
            select(Article).where(
                Article.duplicate_of_id == article_id,
                Article.story_id == story_id,
                Article.dedup_layer.in_(("exact", "near_duplicate")),
                Article.id != article_id,
            )
        )
    )


def merged_into(session: Session, story_id: int) -> int | None:
    """The story a merged (and so deleted) story's articles went to, or None."""
    rows = session.scalars(
        select(Feedback)
        .where(Feedback.action == "retelling", Feedback.target_story_id.is_not(None))
        .order_by(Feedback.id.desc())
    )
    for row in rows:
        before = row.before or {}
        if before.get("merged") and before.get("story_id") == story_id:
            return row.target_story_id
    return None


def resolve_story(session: Session, story_id: int) -> tuple[Story | None, list[int]]:
    """The story with this id or, when it was merged into another, the one it lives on in
    (a link in an older digest names the old id); with the ids followed on the way."""
    followed: list[int] = []
    current: int | None = story_id
    while current is not None and len(followed) <= MAX_MERGES:
        story = session.get(Story, current)
        if story is not None:
            return story, followed
        followed.append(current)
        current = merged_into(session, current)
    return None, followed


def move_story(session: Session, source: int, target: int) -> int:
    """Every article of ``source`` joins ``target``; the mutes of ``source`` carry over (the
    reader who muted it did not want this event's updates); the empty ``source`` is deleted.
    Returns the number of articles moved."""
    moved = session.scalar(
        select(func.count()).select_from(Article).where(Article.story_id == source)
    )
    session.execute(update(Article).where(Article.story_id == source).values(story_id=target))
    muted = set(
        session.scalars(select(StoryMute.recipient).where(StoryMute.story_id == source))
    ) - set(session.scalars(select(StoryMute.recipient).where(StoryMute.story_id == target)))
    session.add_all(StoryMute(story_id=target, recipient=r) for r in sorted(muted))
    session.flush()
    session.execute(delete(Story).where(Story.id == source))
    return int(moved or 0)


def corrected_articles(session: Session) -> Iterator[tuple[Article, Feedback]]:
    """Each article a reader corrected, with its latest correction, in the order they were
    first corrected; texts not loaded."""
    rows = list(
        session.scalars(
            select(Feedback)
            .where(Feedback.action.in_(ARTICLE_ACTIONS), Feedback.article_id.is_not(None))
            .order_by(Feedback.id)
        )
    )
    latest: dict[str, Feedback] = {}
    for row in rows:
        assert row.article_id is not None
        latest[row.article_id] = row
    order = list(dict.fromkeys(r.article_id for r in rows if r.article_id is not None))
    articles = {
        a.id: a
        for a in session.scalars(
            select(Article)
            .options(
                defer(Article.text),
                defer(Article.summary),
                defer(Article.summary_html),
                defer(Article.dedup_evidence),
                selectinload(Article.topics),
            )
            .where(Article.id.in_(order))
        )
    }
    for article_id in order:
        if article_id in articles:
            yield articles[article_id], latest[article_id]


def article_texts(session: Session, ids: Sequence[str]) -> dict[str, str]:
    """The texts of these articles, by id (for writing them beside an export)."""
    if not ids:
        return {}
    rows = session.execute(select(Article.id, Article.text).where(Article.id.in_(list(ids))))
    return {row.id: row.text for row in rows}


def unsubscribed_recipients(session: Session) -> list[str]:
    """Every unsubscribed address, sorted (the console lists them, to resubscribe)."""
    return list(
        session.scalars(select(Unsubscription.recipient).order_by(Unsubscription.recipient))
    )


__all__ = [
    "ARTICLE_ACTIONS",
    "article_texts",
    "copies_of",
    "corrected_articles",
    "earliest_other",
    "history",
    "last_article_feedback",
    "members",
    "merged_into",
    "move_story",
    "recent",
    "resolve_story",
    "stale_after_feedback",
    "unsubscribed_recipients",
]
