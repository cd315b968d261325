"""Storing a feed's entries: values that do not fit a column, NUL bytes, and one item
that fails at the insert must never cost the feed its other items (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from monitor.match.entries import EntryTopics
from monitor.match.matcher import Span, TopicMatch
from monitor.parse.entry import Entry, normalise
from monitor.parse.feed import RawEntry
from monitor.storage import Article, ArticleTopic, Database
from monitor.storage.entries import insert_entries, known_entries
from monitor.storage.feeds import add_feed
from monitor.storage.limits import ARTICLE_URL_MAX

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LONG_LINK = "https://news.example/a?" + "x=" + "y" * 3000


def entry(n: int, *, link: str | None = None, title: str | None = None, **raw: str) -> Entry:
    return normalise(
        RawEntry(
            guid=raw.get("guid"),
            link=link if link is not None else f"https://news.example/{n}",
            title=title if title is not None else f"Story {n}",
            summary_html=raw.get("summary", f"Summary {n}."),
            content_html="",
            published=NOW,
            author=raw.get("author"),
        ),
        NOW,
    )


def new_feed(db: Database) -> int:
    with db.session() as session:
        feed, _ = add_feed(session, "https://news.example/rss")
        return feed.id


def store(db: Database, feed_id: int, entries: list[Entry], **kwargs: object) -> list[str]:
    with db.session() as session:
        return insert_entries(session, feed_id, entries, NOW, **kwargs)  # type: ignore[arg-type]


def stored(db: Database) -> list[Article]:
    with db.session() as session:
        return list(session.scalars(select(Article).order_by(Article.title)))


def test_overlong_link_and_nul_bytes_do_not_cost_the_siblings(db: Database) -> None:
    feed_id = new_feed(db)
    batch = [
        entry(1),
        entry(2, link=LONG_LINK),
        entry(3, title="Nul\x00in title", guid="guid\x00three", author="A\x00B", summary="s\x00s"),
        entry(4, guid="g" * 5000),
    ]
    new = store(db, feed_id, batch)
    assert len(new) == 4
    rows = {row.title: row for row in stored(db)}
    assert set(rows) == {"Story 1", "Story 2", "Nul in title", "Story 4"}
    long_row = rows["Story 2"]
    assert long_row.canonical_url is not None and len(long_row.canonical_url) <= ARTICLE_URL_MAX
    assert long_row.canonical_url.startswith("https://news.example/a?x=yyy")
    assert long_row.url is None or len(long_row.url) <= ARTICLE_URL_MAX
    assert rows["Nul in title"].guid == "guidthree" and rows["Nul in title"].author == "AB"
    assert "\x00" not in (rows["Nul in title"].summary or "")
    assert rows["Story 4"].guid is not None and len(rows["Story 4"].guid) <= ARTICLE_URL_MAX

    # Stable: the next poll of the same items stores nothing and finds them all known.
    assert store(db, feed_id, batch) == []
    with db.session() as session:
        assert known_entries(session, feed_id, batch) == {e.entry_key for e in batch}


def test_overlong_links_sharing_a_prefix_stay_distinct(db: Database) -> None:
    feed_id = new_feed(db)
    first, second = entry(1, link=LONG_LINK + "1"), entry(2, link=LONG_LINK + "2")
    assert len(store(db, feed_id, [first, second])) == 2
    urls = {row.canonical_url for row in stored(db)}
    assert len(urls) == 2


def test_an_item_whose_insert_fails_is_skipped_with_one_warning(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever still breaks one row (here a trigger refusing it) costs only that row."""
    feed_id = new_feed(db)
    refuse_title(db, "poison")
    # On SQLite, over a thousand rows: the first page of the batch is written before the
    # refusal and must be kept (and get its topics), not stored twice or counted as old.
    count = 1500 if db.engine.dialect.name == "sqlite" else 300
    batch = [entry(n) for n in range(1, count)] + [entry(0, title="poison")]
    nato = TopicMatch("NATO", ("title",), (Span("title", 0, 5, "Story"),))
    topics = {e.entry_key: EntryTopics("en", (nato,)) for e in batch}
    with caplog.at_level(logging.WARNING, logger="monitor.storage.entries"):
        new = store(db, feed_id, batch, topics=topics)
    assert len(new) == count - 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == count - 1
        assert session.scalar(select(func.count()).select_from(ArticleTopic)) == count - 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "skipped" in warnings[0] and "\n" not in warnings[0]
    assert "INSERT" not in warnings[0]


def test_a_failed_item_does_not_break_the_feeds_all_or_nothing(db: Database) -> None:
    """The per-item fallback stays inside the caller's transaction: a rollback undoes it all."""
    feed_id = new_feed(db)
    refuse_title(db, "poison")
    with pytest.raises(RuntimeError), db.session() as session:
        insert_entries(session, feed_id, [entry(1), entry(2, title="poison")], NOW)
        raise RuntimeError("the feed's state could not be written")
    assert stored(db) == []


def refuse_title(db: Database, title: str) -> None:
    """A trigger that makes the database itself refuse one row, on either backend."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON articles "
                    f"WHEN NEW.title = '{title}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
            return
        conn.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.title = '{title}' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON articles "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )
