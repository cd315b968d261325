"""Classification honours readers' feedback from then on, with the real engine on a real
database: a corrected article is never decided again, and the warm index follows a story
change, so later copies of an article join the story a reader moved it to."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from monitor.classify import Classifier
from monitor.config import Settings
from monitor.dedup import ArticleText
from monitor.dedup.signatures import Signature
from monitor.feedback.actions import Actor, mark_new, mark_not_new
from monitor.storage import Article, ArticleSignature, ArticleTopic, Database
from tests.conftest import DATA

LABELED = {
    row["id"]: row
    for row in map(json.loads, (DATA / "dedup_labeled.jsonl").read_text("utf-8").splitlines())
}
SUMMIT = LABELED["c01-hague-summit"]  # a new story
COST = LABELED["c03-hague-new-paragraph"]  # the same text plus one paragraph: an update of it
ADMIN = Actor("admin", "console")
T0 = datetime(2025, 6, 25, 15, 30, tzinfo=UTC)


def store(db: Database, article_id: str, title: str, text: str, hours: float) -> None:
    """A fetched, topic-matched article waiting to be classified."""
    with db.session() as session:
        session.add(
            Article(
                id=article_id,
                title=title,
                text=text,
                content_hash=article_id,
                published_at=T0 + timedelta(hours=hours),
                language="en",
            )
        )
        session.add(
            ArticleTopic(
                article_id=article_id,
                topic="NATO",
                fields=["text"],
                spans=[["text", 0, 4, "NATO"]],
            )
        )


def decision(db: Database, article_id: str) -> tuple[str | None, int | None]:
    with db.session() as session:
        row = session.get(Article, article_id)
        assert row is not None
        return row.status, row.story_id


def signature(db: Database, article_id: str) -> Signature:
    with db.session() as session:
        blob = session.scalar(
            select(ArticleSignature.signature).where(ArticleSignature.article_id == article_id)
        )
    assert blob is not None
    return Signature.from_bytes(bytes(blob))


@pytest.fixture
def classifier(db: Database, db_url: str) -> Classifier:
    """A classifier with nothing known yet, which (as the daemon's) stays warm across runs."""
    settings = Settings.model_validate({"database": {"url": db_url}, "feeds": []})
    return Classifier(db, settings)


def without_last_paragraph(text: str) -> str:
    return text.rsplit("\n\n", 1)[0]


@pytest.mark.parametrize(
    "copy_text",
    [COST["text"], without_last_paragraph(COST["text"])],
    ids=["exact-copy", "near-copy"],
)
def test_later_copies_follow_an_article_to_the_story_a_reader_gave_it(
    db: Database, classifier: Classifier, copy_text: str
) -> None:
    store(db, "summit", SUMMIT["title"], SUMMIT["text"], 0)
    store(db, "cost", COST["title"], COST["text"], 4)
    assert classifier.classify_pending().as_dict() == {"new_story": 1, "update": 1, "duplicate": 0}
    summit_story = decision(db, "summit")[1]
    assert decision(db, "cost") == ("update", summit_story)
    warm = classifier.index
    taught_before = len(signature(db, "cost").sentence_vectors)

    # A reader: the cost to Belgium is a story of its own.
    with db.session() as session:
        mark_new(session, "cost", ADMIN, as_story=True)
    cost_story = decision(db, "cost")[1]
    assert cost_story not in (None, summit_story)

    store(db, "reprint", "Belgium counts the cost of NATO's 5% target", copy_text, 6)
    # The index as it was before the feedback still puts a copy in the summit's story: what
    # follows is the reload's doing, not the engine's own judgement.
    stale = warm.classify(
        ArticleText(id="probe", text=copy_text, title="x", published=T0 + timedelta(hours=6))
    )
    assert stale.story_id == summit_story

    report = classifier.classify_pending()
    assert report.duplicate == 1
    assert decision(db, "reprint") == ("duplicate", cost_story)
    assert classifier.index is not warm  # reloaded once the feedback was seen
    assert set(classifier.index.stories()[cost_story]) == {"cost", "reprint"}
    # A story's first article teaches it what it says: more sentences than an update's novel.
    assert len(signature(db, "cost").sentence_vectors) > taught_before


def test_a_corrected_article_is_never_decided_again(db: Database, classifier: Classifier) -> None:
    store(db, "summit", SUMMIT["title"], SUMMIT["text"], 0)
    store(db, "cost", COST["title"], COST["text"], 4)
    classifier.classify_pending()
    with db.session() as session:
        mark_not_new(session, "cost", ADMIN)
        # Something (an operator, a future "reclassify") marks it undecided again.
        row = session.get(Article, "cost")
        assert row is not None
        row.deduped_at = None
    corrected = decision(db, "cost")
    assert classifier.classify_pending().as_dict() == {"new_story": 0, "update": 0, "duplicate": 0}
    assert classifier.classify_one("cost") is None
    assert decision(db, "cost") == corrected == ("duplicate", decision(db, "summit")[1])


def test_no_feedback_no_reload(db: Database, classifier: Classifier) -> None:
    """The check before each batch is one query; the index stays warm without feedback."""
    store(db, "summit", SUMMIT["title"], SUMMIT["text"], 0)
    classifier.classify_pending()
    warm = classifier.index
    store(db, "cost", COST["title"], COST["text"], 4)
    assert classifier.classify_pending().update == 1
    assert classifier.index is warm
    assert not classifier.follow_feedback()
