"""The queries behind ``status``, ``seeds list``, ``explain``, ``stories`` and ``export``
(moved out of the CLI into storage): right rows, and never an article's text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from monitor.storage import Article, ArticleTopic, Database, Digest, Feed, Story
from monitor.storage.seeds import count_seeds, seed_summaries
from monitor.storage.status import holdings
from monitor.storage.stories import (
    article_titles,
    articles_for_export,
    find_article,
    recent_stories,
    story_title,
)

T0 = datetime(2025, 6, 1, 12, tzinfo=UTC)
BIG = "Rutte said the alliance stands united. " * 20_000  # ~780 KB


@pytest.fixture
def world(db: Database) -> Database:
    with db.session() as session:
        feed = Feed(url="https://news.example/feed", name="Example")
        old, new = Story(title="Old story", updated_at=T0), Story(title="New story", updated_at=T0)
        session.add_all([feed, old, new])
        session.flush()
        new.updated_at = T0 + timedelta(days=1)
        session.add_all(
            [
                Article(
                    id="seed-1",
                    is_seed=True,
                    seed_path="seeds/seed-1.txt",
                    title="A seed",
                    text=BIG,
                    content_hash="h1",
                    published_at=T0,
                    fetched_at=T0,
                    story_id=old.id,
                ),
                Article(
                    id="a-1",
                    feed_id=feed.id,
                    url="https://news.example/a-1?utm_source=x",
                    canonical_url="https://news.example/a-1",
                    title="An update",
                    text=BIG,
                    content_hash="h2",
                    fetched_at=T0 + timedelta(hours=1),
                    status="update",
                    story_id=new.id,
                    dedup_evidence={"candidates": [{"article_id": "seed-1"}]},
                ),
                Article(
                    id="a-2",
                    title="Unrelated",
                    text="short",
                    content_hash="h3",
                    fetched_at=T0 + timedelta(days=2),
                ),
            ]
        )
        session.add(ArticleTopic(article_id="a-1", topic="NATO", fields=["title"], spans=[]))
        session.add(Digest(recipient="r@x.org", message_id="<m@x>", subject="s", message=b"m"))
    return db


def test_status_counts_and_seed_listing(world: Database, fetched_columns: list[str]) -> None:
    with world.session() as session:
        held = holdings(session, T0)
        summaries = seed_summaries(session, with_chars=True)
        assert count_seeds(session) == 1
    assert (held.feeds, held.articles, held.seeds, held.stories, held.digests_pending) == (
        1,
        2,
        1,
        2,
        1,
    )
    assert [(s.id, s.title, s.published_at) for s in held.seed_list] == [("seed-1", "A seed", T0)]
    assert held.seed_list[0].chars is None  # not asked for
    assert held.next_fetch == T0  # a feed never fetched is due now
    assert [(s.id, s.seed_path, s.chars) for s in summaries] == [
        ("seed-1", "seeds/seed-1.txt", len(BIG))
    ]
    assert fetched_columns and "text" not in fetched_columns


def test_explain_queries(world: Database, fetched_columns: list[str]) -> None:
    with world.session() as session:
        by_id = find_article(session, "a-1")
        by_url = find_article(session, "https://news.example/a-1?utm_source=x")
        by_canonical = find_article(session, "https://news.example/a-1?utm_medium=y")
        assert by_id is not None and by_id is by_url is by_canonical
        assert find_article(session, "nope") is None
        assert [t.topic for t in by_id.topics] == ["NATO"]
        assert by_id.feed is not None and by_id.feed.name == "Example"
        assert "text" in inspect(by_id).unloaded
        assert story_title(session, by_id.story_id) == "New story"
        assert story_title(session, None) is None
        assert story_title(session, 10_000) is None
        assert article_titles(session, ["seed-1", "gone"]) == {"seed-1": "A seed"}
        assert article_titles(session, []) == {}
    assert "text" not in fetched_columns


def test_recent_stories_newest_first_without_texts(
    world: Database, fetched_columns: list[str]
) -> None:
    with world.session() as session:
        stories = recent_stories(session, limit=5)
        assert [s.title for s in stories] == ["New story", "Old story"]
        assert [a.id for a in stories[0].articles] == ["a-1"]
        assert [a.id for a in stories[1].articles] == ["seed-1"]
        assert [s.title for s in recent_stories(session, limit=1)] == ["New story"]
    assert "text" not in fetched_columns


def test_export_all_or_since_oldest_first_without_texts(
    world: Database, fetched_columns: list[str]
) -> None:
    with world.session() as session:
        assert [a.id for a in articles_for_export(session)] == ["seed-1", "a-1", "a-2"]
        since = list(articles_for_export(session, T0 + timedelta(hours=1)))
        assert [a.id for a in since] == ["a-1", "a-2"]
        assert [t.topic for t in since[0].topics] == ["NATO"]
    assert "text" not in fetched_columns
