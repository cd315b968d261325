"""Storing a feed's new entries: each once, and all of a feed's entries or none.

Entries are unique per (feed, entry identity) and by canonical URL.  Rows
are inserted with ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike),
so a cycle re-run after an interruption, or a manual fetch racing the
daemon, stores nothing twice; RETURNING says which rows were really new.
The caller commits the entries together with the feed's new state (ETag,
next due time): if that commit fails, the next poll fetches the same items
again and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert as sa_insert
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from monitor.match.entries import EntryTopics
from monitor.parse.entry import Entry
from monitor.storage.models import Article, ArticleTopic
from monitor.text import content_hash


def known_entries(session: Session, feed_id: int, entries: Sequence[Entry]) -> set[str]:
    """Entry keys of ``entries`` that are already stored (for this feed, or by URL anywhere)."""
    keys = [e.entry_key for e in entries]
    urls = [e.canonical_url for e in entries if e.canonical_url]
    known = {
        key
        for key in session.scalars(
            select(Article.entry_key).where(Article.feed_id == feed_id, Article.entry_key.in_(keys))
        )
        if key is not None
    }
    if urls:
        by_url = set(
            session.scalars(select(Article.canonical_url).where(Article.canonical_url.in_(urls)))
        )
        known.update(e.entry_key for e in entries if e.canonical_url in by_url)
    return known


def insert_entries(
    session: Session,
    feed_id: int,
    entries: Sequence[Entry],
    fetched_at: datetime,
    full_text: Mapping[str, tuple[str | None, str | None]] | None = None,
    topics: Mapping[str, EntryTopics] | None = None,
) -> list[str]:
    """Insert what is not stored yet, with its topic matches; return the ids really inserted."""
    full_text = full_text or {}
    topics = topics or {}
    rows: list[dict[str, Any]] = []
    for entry in entries:
        text, error = full_text.get(entry.entry_key, (None, None))
        rows.append(
            {
                "id": entry.article_id(feed_id),
                "feed_id": feed_id,
                "entry_key": entry.entry_key,
                "guid": entry.guid,
                "url": entry.url,
                "canonical_url": entry.canonical_url,
                "title": entry.title,
                "summary": entry.summary,
                "summary_html": entry.summary_html,
                "text": text or entry.text,
                "published_at": entry.published,
                "fetched_at": fetched_at,
                "content_hash": content_hash(f"{entry.title}\n{text}")
                if text
                else entry.content_hash,
                "author": entry.author,
                "extraction_error": error,
                "language": topics[entry.entry_key].language if entry.entry_key in topics else None,
                "is_seed": False,
            }
        )
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # One cached statement executed with a list of parameter sets: SQLAlchemy's
    # "insertmanyvalues" batches it into multi-row INSERT ... RETURNING.
    statement = insert(Article).on_conflict_do_nothing().returning(Article.id)
    inserted = list(session.scalars(statement, rows))
    by_id = {entry.article_id(feed_id): entry for entry in entries}
    matches = [
        {
            "article_id": article_id,
            "topic": match.topic,
            "fields": list(match.fields),
            "spans": [list(span) for span in match.spans],
        }
        for article_id in inserted
        if (found := topics.get(by_id[article_id].entry_key)) is not None
        for match in found.matches
    ]
    if matches:
        session.execute(sa_insert(ArticleTopic), matches)
    return inserted
