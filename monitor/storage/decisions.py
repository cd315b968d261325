"""The dedup stage's reads and writes: pending articles, feeds' latest items, stories and
signatures.

:mod:`monitor.classify` decides a batch of articles in one transaction; what
it reads for a batch is read here in one query each (never one per
article), and what it writes besides the articles' own columns (new
stories, their ``updated_at``, signatures) is written here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from monitor.storage.models import Article, ArticleSignature, ArticleTopic, Story


def pending_ids(session: Session, limit: int | None = None) -> list[str]:
    """Topic-matched fetched articles not classified yet, in the order they are classified:
    publication time, then the text's hash; never arrival order (fetched_at) nor which feed
    carried it (the id), which vary from run to run."""
    query = (
        select(Article.id)
        .where(
            Article.deduped_at.is_(None),
            ~Article.is_seed,
            exists().where(ArticleTopic.article_id == Article.id),
        )
        .order_by(Article.published_at, Article.content_hash, Article.id)
    )
    return list(session.scalars(query.limit(limit) if limit else query))


def latest_texts(
    session: Session, feed_ids: Collection[int], per_feed: int
) -> dict[int, list[str]]:
    """The texts of each feed's latest ``per_feed`` items (newest first), all feeds in one
    query."""
    if not feed_ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=Article.feed_id, order_by=(Article.published_at.desc(), Article.id))
        .label("rank")
    )
    ranked = (
        select(Article.feed_id, Article.text, rank)
        .where(Article.feed_id.in_(sorted(feed_ids)))
        .subquery()
    )
    texts: dict[int, list[str]] = {f: [] for f in feed_ids}
    for feed_id, text in session.execute(
        select(ranked.c.feed_id, ranked.c.text)
        .where(ranked.c.rank <= per_feed)
        .order_by(ranked.c.feed_id, ranked.c.rank)
    ):
        texts[feed_id].append(text)
    return texts


def stored_signatures(session: Session, ids: Sequence[str]) -> dict[str, ArticleSignature]:
    """The signature rows these articles already have (one query; usually none)."""
    rows = session.scalars(select(ArticleSignature).where(ArticleSignature.article_id.in_(ids)))
    return {row.article_id: row for row in rows}


def store_signature(
    session: Session,
    article_id: str,
    blob: bytes,
    stored: dict[str, ArticleSignature] | None = None,
) -> None:
    """Insert or replace an article's stored signature.  ``stored``: its batch's rows, read
    with :func:`stored_signatures` (None: looked up here)."""
    existing = (
        stored.get(article_id) if stored is not None else session.get(ArticleSignature, article_id)
    )
    if existing is None:
        session.add(ArticleSignature(article_id=article_id, signature=blob))
    else:
        existing.signature = blob


def new_story(session: Session, title: str) -> int:
    """A new story's id (its row inserted now: the id is the database's)."""
    story = Story(title=title)
    session.add(story)
    session.flush()
    return story.id


def touch_stories(session: Session, touched: dict[int, datetime]) -> None:
    """Set each story's ``updated_at`` (the time of its latest decision), in one statement."""
    if touched:
        session.execute(
            update(Story), [{"id": sid, "updated_at": when} for sid, when in touched.items()]
        )


__all__ = [
    "latest_texts",
    "new_story",
    "pending_ids",
    "store_signature",
    "stored_signatures",
    "touch_stories",
]
