"""Queries behind the audit commands: ``newsmon explain``, ``stories`` and ``export``.

The commands render; what they read is chosen here, next to the schema.
None of them shows an article's text, so none loads it (a seed's text can be
megabytes): rows come with the text deferred, and the lists they show are
column selects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, defer, selectinload

from monitor.parse.urls import canonical_url
from monitor.storage.models import Article, Story

EXPORT_BATCH = 500  # rows fetched at a time by export: memory stays flat on any database

# An article as explain and export show it: everything but the text (and the summaries).
_WITHOUT_TEXT = (
    defer(Article.text),
    defer(Article.summary),
    defer(Article.summary_html),
    selectinload(Article.topics),
    selectinload(Article.feed),
)


def find_article(session: Session, key: str) -> Article | None:
    """The article with this id, else the one at this URL (as given or canonical)."""
    found = session.get(Article, key, options=_WITHOUT_TEXT)
    if found is None:
        found = session.scalars(
            select(Article)
            .options(*_WITHOUT_TEXT)
            .where(or_(Article.url == key, Article.canonical_url == canonical_url(key)))
        ).first()
    return found


def story_title(session: Session, story_id: int | None) -> str | None:
    """The title of a story, or None when there is no such story."""
    if story_id is None:
        return None
    return session.scalar(select(Story.title).where(Story.id == story_id))


def article_titles(session: Session, ids: Sequence[str]) -> dict[str, str]:
    """Titles of the given articles, by id (the missing ones left out)."""
    if not ids:
        return {}
    rows = session.execute(select(Article.id, Article.title).where(Article.id.in_(list(ids))))
    return {row.id: row.title for row in rows}


def recent_stories(session: Session, limit: int) -> Sequence[Story]:
    """The ``limit`` most recently updated stories, with the columns of their articles that
    ``newsmon stories`` shows."""
    members = selectinload(Story.articles).load_only(
        Article.id,
        Article.title,
        Article.status,
        Article.is_seed,
        Article.url,
        Article.published_at,
        Article.deduped_at,
        Article.fetched_at,
    )
    return session.scalars(
        select(Story)
        .options(members)
        .order_by(Story.updated_at.desc(), Story.id.desc())
        .limit(limit)
    ).all()


def articles_for_export(session: Session, since: datetime | None = None) -> Iterator[Article]:
    """Every article (fetched, or for seeds loaded, on or after ``since``), oldest first,
    without texts, fetched in batches."""
    query = (
        select(Article)
        .options(*_WITHOUT_TEXT, defer(Article.dedup_evidence))
        .order_by(Article.fetched_at, Article.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    if since is not None:
        query = query.where(Article.fetched_at >= since)
    yield from session.scalars(query)


__all__ = [
    "article_titles",
    "articles_for_export",
    "find_article",
    "recent_stories",
    "story_title",
]
