"""The dedup stage over the database: seeds clustered at start, fetched articles
classified against them, decisions stored, and the index rebuilt from signatures."""

from __future__ import annotations

import asyncio
import email.utils
import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from monitor.app import open_database
from monitor.classify import BATCH, Classifier
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
        groups: dict[int | None, set[str]] = {}
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


def pending_articles(db: Database, count: int) -> list[str]:
    """``count`` topic-matched articles waiting for dedup, from the labeled texts, in the order
    the classifier takes them (by publication time)."""
    rows = list(LABELED.values())[:count]
    ids = [f"pending-{n:02d}" for n in range(len(rows))]
    with db.session() as session:
        for n, (article_id, row) in enumerate(zip(ids, rows, strict=True)):
            session.add(
                Article(
                    id=article_id,
                    title=row["title"],
                    text=row["text"],
                    content_hash=f"h{n:02d}",
                    published_at=datetime(2025, 3, 1, 0, n, tzinfo=UTC),
                )
            )
            session.add(ArticleTopic(article_id=article_id, topic="t", fields=["title"], spans=[]))
    return ids


def refuse_decision_on(db: Database, article_id: str) -> None:
    """The database itself refuses to record a decision on one article (a trigger), the way a
    full disk or a constraint would refuse a write in the middle of a batch."""
    with db.session() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE UPDATE OF deduped_at ON articles "
                    f"WHEN NEW.id = '{article_id}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            session.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
                )
            )
            session.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE UPDATE OF deduped_at ON articles FOR EACH ROW "
                    f"WHEN (NEW.id = '{article_id}') EXECUTE FUNCTION refuse()"
                )
            )


def classified(db: Database) -> dict[str, int]:
    """Article id -> story, of every article the database says is decided (seeds included)."""
    with db.session() as session:
        return dict(
            session.execute(  # type: ignore[arg-type]
                select(Article.id, Article.story_id).where(Article.deduped_at.is_not(None))
            ).all()
        )


def known(classifier: Classifier) -> dict[str, int]:
    return {a: s for s, members in classifier.index.stories().items() for a in members}


def test_a_refused_write_in_a_batch_loses_nothing_and_classifies_nothing_twice(
    seeded: tuple[Database, Settings],
) -> None:
    """Decisions are committed a batch at a time; when the database refuses one write, the
    batch is rolled back and redone one article per transaction: the refused article stays
    pending (and is classified by the next run), every other one is decided exactly once,
    and the index knows exactly what the database holds."""
    db, settings = seeded
    ids = pending_articles(db, BATCH + 8)
    refused = ids[BATCH + 3]  # in the second batch, after others of it were decided
    refuse_decision_on(db, refused)
    classifier = Classifier(db, settings)
    report = classifier.classify_pending()
    assert [line.split(":")[0] for line in report.failed] == [refused]
    assert sum(report.as_dict().values()) == len(ids) - 1
    decided = classified(db)
    assert refused not in decided and set(ids) - {refused} <= set(decided)
    with db.session() as session:
        assert session.get(ArticleSignature, refused) is None
    assert known(classifier) == decided  # nothing the database lacks is known
    with db.session() as session:
        session.execute(
            text(
                "DROP TRIGGER refuse ON articles" if "postgres" in db.url else "DROP TRIGGER refuse"
            )
        )
    again = classifier.classify_pending()
    assert sum(again.as_dict().values()) == 1 and not again.failed  # only the refused one
    assert set(classified(db)) == set(decided) | {refused}
    assert known(classifier) == classified(db)
    assert sum(classifier.classify_pending().as_dict().values()) == 0


def test_stopping_in_the_middle_of_a_batch_commits_whole_decisions_only(
    seeded: tuple[Database, Settings],
) -> None:
    """A stop asked between two articles of a batch: the decided ones are committed, the rest
    stay pending, and a fresh process (a new index, from the database) takes them up."""
    db, settings = seeded
    ids = pending_articles(db, BATCH + 8)
    asked = iter(range(1_000))
    stop_after = BATCH + 5  # articles decided before the stop

    def should_stop() -> bool:
        return next(asked) > stop_after + 1  # asked once per batch and once per article

    classifier = Classifier(db, settings)
    report = classifier.classify_pending(should_stop=should_stop)
    assert report.stopped and not report.failed
    first = sum(report.as_dict().values())
    assert 0 < first < len(ids)
    decided = classified(db)
    assert len(set(ids) & set(decided)) == first
    assert known(classifier) == decided
    rest = Classifier(db, settings).classify_pending()
    assert sum(rest.as_dict().values()) == len(ids) - first
    assert set(ids) <= set(classified(db))
