"""Storing a feed's new entries: each once, and all of a feed's entries or none.

Entries are unique per (feed, entry identity) and by canonical URL.  Rows
are inserted with ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike),
so a cycle re-run after an interruption, or a manual fetch racing the
daemon, stores nothing twice; RETURNING says which rows were really new.
The caller commits the entries together with the feed's new state (ETag,
next due time): if that commit fails, the next poll fetches the same items
again and nothing is lost.

One odd item must not cost its siblings: values are made to fit their
columns first (:mod:`monitor.storage.limits`), and if the database still
refuses the batch, each item is tried on its own and a refused one is
skipped with one warning line (:mod:`monitor.storage.savepoints`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from monitor.match.entries import EntryTopics
from monitor.parse.entry import Entry
from monitor.storage.database import UNAVAILABLE
from monitor.storage.limits import (
    ARTICLE_CANONICAL_URL_MAX,
    ARTICLE_ENTRY_KEY_MAX,
    ARTICLE_GUID_MAX,
    ARTICLE_LANGUAGE_MAX,
    ARTICLE_URL_MAX,
    fit_key,
    fits,
    shorten,
    storable,
    without_nul,
)
from monitor.storage.models import Article, ArticleTopic
from monitor.storage.savepoints import item_savepoint, one_line, savepoint_is_safe
from monitor.text import content_hash

log = logging.getLogger(__name__)

ARTICLES = cast(Table, Article.__table__)
ARTICLE_TOPICS = cast(Table, ArticleTopic.__table__)


@dataclass
class _Row:
    """One entry as it is stored, and what had to be changed to store it."""

    entry: Entry
    values: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _stored_key(entry: Entry) -> str:
    return fit_key(entry.entry_key, ARTICLE_ENTRY_KEY_MAX)


def _stored_canonical(entry: Entry) -> str | None:
    if entry.canonical_url is None:
        return None
    return fit_key(entry.canonical_url, ARTICLE_CANONICAL_URL_MAX)


def known_entries(session: Session, feed_id: int, entries: Sequence[Entry]) -> set[str]:
    """Entry keys of ``entries`` that are already stored (for this feed, or by URL anywhere)."""
    by_key = {_stored_key(e): e.entry_key for e in entries}
    by_canonical: dict[str, list[str]] = {}
    for e in entries:
        if (canonical := _stored_canonical(e)) is not None:
            by_canonical.setdefault(canonical, []).append(e.entry_key)
    known = {
        by_key[key]
        for key in session.scalars(
            select(Article.entry_key).where(
                Article.feed_id == feed_id, Article.entry_key.in_(list(by_key))
            )
        )
        if key is not None
    }
    if by_canonical:
        for url in session.scalars(
            select(Article.canonical_url).where(Article.canonical_url.in_(list(by_canonical)))
        ):
            known.update(by_canonical.get(url or "", ()))
    return known


def _row(
    feed_id: int,
    entry: Entry,
    fetched_at: datetime,
    full_text: tuple[str | None, str | None],
    found: EntryTopics | None,
) -> _Row:
    text, error = full_text
    notes: list[str] = []
    canonical = _stored_canonical(entry)
    url = without_nul(entry.url)
    if url is not None and len(url) > ARTICLE_URL_MAX:
        # A cut link leads nowhere: keep the canonical form if that fits whole, else none.
        whole = (
            canonical is not None
            and len((entry.canonical_url or "").replace("\x00", "")) <= ARTICLE_CANONICAL_URL_MAX
            and len(canonical) <= ARTICLE_URL_MAX
        )
        url = canonical if whole else None
        kept = "kept in canonical form" if whole else "not kept"
        notes.append(f"link over {ARTICLE_URL_MAX:,} characters {kept}")
    if entry.canonical_url is not None and canonical != entry.canonical_url:
        notes.append("canonical URL kept as prefix and hash")
    if len(entry.entry_key) > ARTICLE_ENTRY_KEY_MAX or len(entry.guid or "") > ARTICLE_GUID_MAX:
        notes.append("identity (guid) kept as prefix and hash")
    if any(
        "\x00" in (value or "") for value in (entry.title, entry.text, entry.guid, entry.author)
    ):
        notes.append("NUL bytes removed")
    language = found.language if found is not None else None
    return _Row(
        entry,
        {
            "id": entry.article_id(feed_id),
            "feed_id": feed_id,
            "entry_key": _stored_key(entry),
            "guid": fit_key(entry.guid, ARTICLE_GUID_MAX) if entry.guid is not None else None,
            "url": url,
            "canonical_url": canonical,
            "title": storable(entry.title),
            "summary": storable(entry.summary),
            "summary_html": storable(entry.summary_html),
            "text": storable(text or entry.text),
            "published_at": entry.published,
            "fetched_at": fetched_at,
            "content_hash": content_hash(f"{entry.title}\n{text}") if text else entry.content_hash,
            "author": without_nul(entry.author),
            "extraction_error": without_nul(error),
            "language": language
            if language is None or fits(language, ARTICLE_LANGUAGE_MAX)
            else None,
            "is_seed": False,
        },
        notes,
    )


def insert_entries(
    session: Session,
    feed_id: int,
    entries: Sequence[Entry],
    fetched_at: datetime,
    full_text: Mapping[str, tuple[str | None, str | None]] | None = None,
    topics: Mapping[str, EntryTopics] | None = None,
) -> list[str]:
    """Insert what is not stored yet, with its topic matches; return the ids really inserted.

    An item the database refuses even so is skipped (one warning line) and the
    others are stored; the next poll tries it again.
    """
    full_text = full_text or {}
    topics = topics or {}
    rows = [
        _row(
            feed_id,
            entry,
            fetched_at,
            full_text.get(entry.entry_key, (None, None)),
            topics.get(entry.entry_key),
        )
        for entry in entries
    ]
    if not rows:
        return []
    try:
        with item_savepoint(session):
            inserted = _insert(session, rows, topics)
    except UNAVAILABLE:  # the database (full, locked, gone), not an item: no use splitting
        raise
    except StatementError:
        inserted = _insert_apart(session, feed_id, fetched_at, rows, topics)
    new = set(inserted)
    for row in rows:
        if row.notes and row.values["id"] in new:
            log.warning(
                "feed %s: entry %s stored with changes: %s",
                feed_id,
                shorten(row.entry.title or row.entry.entry_key),
                "; ".join(row.notes),
            )
    return inserted


def _insert_apart(
    session: Session,
    feed_id: int,
    fetched_at: datetime,
    rows: Sequence[_Row],
    topics: Mapping[str, EntryTopics],
) -> list[str]:
    """The batch was refused: store what can be stored, skip (and name) what cannot."""
    # Without a savepoint (SQLite, no transaction open yet), pages of the batch
    # written before the refusal stay: they are this poll's, by their fetch time.
    kept = list(
        session.scalars(
            select(Article.id).where(
                Article.feed_id == feed_id,
                Article.fetched_at == fetched_at,
                Article.id.in_([row.values["id"] for row in rows]),
            )
        )
    )
    inserted: list[str] = []
    if kept:
        with item_savepoint(session):
            _insert_topics(session, kept, rows, topics)
        inserted.extend(kept)
    done = set(kept)
    inserted.extend(
        _insert_halves(session, feed_id, [r for r in rows if r.values["id"] not in done], topics)
    )
    return inserted


def _insert_halves(
    session: Session, feed_id: int, rows: Sequence[_Row], topics: Mapping[str, EntryTopics]
) -> list[str]:
    """Insert ``rows``; if refused, each half on its own, down to the refused items, which
    are skipped with one warning each: about 2·log2(n) statements for one bad item in n."""
    if len(rows) > 1 and not savepoint_is_safe(session):
        # No way to undo part of a batch here: one row a statement.
        return [i for row in rows for i in _insert_halves(session, feed_id, [row], topics)]
    try:
        with item_savepoint(session):
            return _insert(session, rows, topics)
    except UNAVAILABLE:
        raise
    except StatementError as exc:
        if len(rows) > 1:
            middle = len(rows) // 2
            return _insert_halves(session, feed_id, rows[:middle], topics) + _insert_halves(
                session, feed_id, rows[middle:], topics
            )
        log.warning(
            "feed %s: entry %s skipped, the database refused it: %s",
            feed_id,
            shorten(rows[0].entry.title or rows[0].entry.entry_key),
            one_line(exc),
        )
        return []


def _insert(session: Session, rows: Sequence[_Row], topics: Mapping[str, EntryTopics]) -> list[str]:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # One cached statement executed with a list of parameter sets: SQLAlchemy's
    # "insertmanyvalues" batches it into multi-row INSERT ... RETURNING.  On the
    # tables, not the mapped classes: the ORM's bulk path costs as much again per
    # row and gives nothing here (benchmarks/fetch.py).
    statement = insert(ARTICLES).on_conflict_do_nothing().returning(ARTICLES.c.id)
    inserted = list(session.scalars(statement, [row.values for row in rows]))
    _insert_topics(session, inserted, rows, topics)
    return inserted


def _insert_topics(
    session: Session, ids: Sequence[str], rows: Sequence[_Row], topics: Mapping[str, EntryTopics]
) -> None:
    by_id = {row.values["id"]: row.entry for row in rows}
    matches = [
        {
            "article_id": article_id,
            "topic": match.topic,
            "fields": list(match.fields),
            "spans": [list(span) for span in match.spans],
        }
        for article_id in ids
        if (found := topics.get(by_id[article_id].entry_key)) is not None
        for match in found.matches
    ]
    if matches:
        session.execute(sa_insert(ARTICLE_TOPICS), matches)
