"""The dedup stage over the database: seeds clustered at start, fetched articles
classified against them, decisions stored, and the index rebuilt from signatures."""

from __future__ import annotations

import asyncio
import email.utils
import html
import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, select

from monitor.app import open_database
from monitor.classify import Classifier
from monitor.config import Settings
from monitor.cycle import PollCycle, select_jobs
from monitor.storage import Article, ArticleSignature, ArticleTopic, Database, Story
from monitor.storage.feeds import add_feed
from tests.conftest import DATA, SEEDS
from tests.feedserver import FeedServer, rss, static

LABELED = {
    row["id"]: row
    for row in map(json.loads, (DATA / "dedup_labeled.jsonl").read_text("utf-8").splitlines())
}
STORY_A = {"000_14f31ae37a60d0e6", "003_d883f1d9eef1d452"}
STORY_B = {"001_dce1bc862176b9c6", "002_76d5a2639c59ecbe", "004_98dfb2a54679fe9f"}


def settings_for(db_url: str) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": db_url},
            "seeds": {"dir": SEEDS, "include_bundled": False},
            "feeds": [],
        }
    )


@pytest.fixture
def seeded(db_url: str) -> Iterator[tuple[Database, Settings]]:
    settings = settings_for(db_url)
    db, _ = open_database(settings)
    yield db, settings
    db.dispose()


def stories_of(db: Database) -> list[set[str]]:
    with db.session() as session:
        groups: dict[int, set[str]] = {}
        for article_id, story_id in session.execute(select(Article.id, Article.story_id)):
            groups.setdefault(story_id, set()).add(article_id)
        return list(groups.values())


def test_seeds_form_exactly_two_stories(seeded: tuple[Database, Settings]) -> None:
    db, settings = seeded
    assert sorted(stories_of(db), key=len) == [STORY_A, STORY_B]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Story)) == 2
        assert session.scalar(select(func.count()).select_from(ArticleSignature)) == 5
    # A second start clusters nothing again.
    again, report = open_database(settings)
    again.dispose()
    assert report.seeds_clustered == 0
    assert sorted(stories_of(db), key=len) == [STORY_A, STORY_B]


def item(label: str) -> dict[str, str]:
    row = LABELED[label]
    stamp = datetime.fromisoformat(row["published"].replace("Z", "+00:00"))
    return {
        "guid": label,
        "link": f"https://news.example/{label}",
        "title": html.escape(row["title"]),
        "description": html.escape(row["text"]),
        "pubDate": email.utils.format_datetime(stamp),
    }


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def test_fetched_articles_are_classified_against_the_seeds(
    seeded: tuple[Database, Settings], server: FeedServer
) -> None:
    db, settings = seeded
    labels = ["b01-syndicated-new-intro", "b08-retelling-new-paragraph-004", "f01-rubio-panama"]
    url = server.route("/feed", static(rss([item(label) for label in labels])))
    with db.session() as session:
        add_feed(session, url)
    asyncio.run(PollCycle(db, settings).run(select_jobs(db, settings)))
    classifier = Classifier(db, settings)
    report = classifier.classify_pending()
    assert report.as_dict() == {"new_story": 1, "update": 1, "duplicate": 1}
    with db.session() as session:
        rows = {a.guid: a for a in session.scalars(select(Article).where(~Article.is_seed))}
        seed_story = session.get(Article, "004_98dfb2a54679fe9f").story_id  # type: ignore[union-attr]
    syndicated, retold, panama = (rows[label] for label in labels)
    assert (syndicated.status, syndicated.story_id) == ("duplicate", seed_story)
    assert syndicated.duplicate_of_id is not None and syndicated.dedup_layer is not None
    assert (retold.status, retold.story_id) == ("update", seed_story)
    assert retold.novel_sentences == LABELED[labels[1]]["novel"]
    assert panama.status == "new_story" and panama.story_id not in (None, seed_story)
    assert panama.dedup_evidence is not None and "candidates" in panama.dedup_evidence
    # Nothing is classified twice.
    assert classifier.classify_pending().as_dict() == {"new_story": 0, "update": 0, "duplicate": 0}


def test_restart_loads_signatures_instead_of_recomputing(
    seeded: tuple[Database, Settings],
) -> None:
    db, settings = seeded
    classifier = Classifier(db, settings)
    index = classifier.index
    assert len(index) == 5
    assert sorted((set(members) for members in index.stories().values()), key=len) == [
        STORY_A,
        STORY_B,
    ]
    with db.session() as session:
        stored = {s.article_id: s.signature for s in session.scalars(select(ArticleSignature))}
    assert all(index.signature(i).to_bytes() == blob for i, blob in stored.items())


def test_an_unclassified_article_waits_for_the_next_run(seeded: tuple[Database, Settings]) -> None:
    """A crash between storing and classifying loses nothing: the article stays pending."""
    db, settings = seeded
    with db.session() as session:
        session.add(
            Article(
                id="pending",
                title="Rubio warns Panama",
                text=LABELED["f01-rubio-panama"]["text"],
                content_hash="h",
            )
        )
        session.add(
            ArticleTopic(
                article_id="pending",
                topic="Marco Rubio",
                fields=["title"],
                spans=[["title", 0, 5, "Rubio"]],
            )
        )
    report = Classifier(db, settings).classify_pending()
    assert report.new_story == 1
    with db.session() as session:
        assert session.get(Article, "pending").deduped_at is not None  # type: ignore[union-attr]
