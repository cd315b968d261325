"""Readers' feedback on a real database: each action changes the decision that digests and
classification read, records who/when/what with the decision before, does nothing (and
records nothing) when it already is so, and refuses with one line (changing nothing) when it
cannot apply."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.errors import FeedbackError
from monitor.feedback.actions import (
    Actor,
    Outcome,
    mark_new,
    mark_not_new,
    mark_retelling,
    mute_story,
    resubscribe,
    unmute_story,
    unsubscribe,
)
from monitor.storage import Article, Database, Story
from monitor.storage.feedback import history, resolve_story, unsubscribed_recipients
from monitor.storage.models import Feedback, StoryMute, Unsubscription

ADMIN = Actor("admin", "console")
READER = Actor("reader@example.org", "link")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def story(db: Database, title: str) -> int:
    with db.session() as session:
        row = Story(title=title)
        session.add(row)
        session.flush()
        return row.id


def article(
    db: Database,
    article_id: str,
    story_id: int | None,
    status: str | None,
    hours: int = 0,
    **columns: Any,
) -> None:
    values: dict[str, Any] = {
        "title": f"Title of {article_id}",
        "text": f"Things happened to {article_id} today. Second one here. Third one. Fourth one.",
        "content_hash": article_id,
        "published_at": T0 + timedelta(hours=hours),
        "status": status,
        "story_id": story_id,
        "dedup_layer": "story" if status else None,
        "deduped_at": T0 + timedelta(hours=hours) if status else None,
        "novel_sentences": [],
    }
    values.update(columns)
    with db.session() as session:
        session.add(Article(id=article_id, **values))


def state(db: Database, article_id: str) -> tuple[str | None, int | None, str | None]:
    with db.session() as session:
        row = session.get(Article, article_id)
        assert row is not None
        return row.status, row.story_id, row.duplicate_of_id


def apply(db: Database, action: Callable[..., Outcome], *args: Any, **kwargs: Any) -> Outcome:
    with db.session() as session:
        return action(session, *args, **kwargs)


def feedback_rows(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Feedback)) or 0)


@pytest.fixture
def world(db: Database) -> dict[str, int]:
    """Story S (a leads; b an update; c a duplicate of a; d an exact copy of c), story X (x1
    first, x2 later), a seed story and an article not classified yet."""
    s, x, seeds = story(db, "S"), story(db, "X"), story(db, "seed story")
    article(db, "a", s, "new_story", 0)
    article(db, "b", s, "update", 1, duplicate_of_id="a", novel_sentences=["Second one here."])
    article(db, "c", s, "duplicate", 2, duplicate_of_id="a")
    article(db, "d", s, "duplicate", 3, duplicate_of_id="c", dedup_layer="exact")
    # Written in another order than published: "first" is by publication, not by row.
    article(db, "x2", x, "update", 5)
    article(db, "x1", x, "new_story", 4)
    article(db, "seed", seeds, "new_story", -100, is_seed=True)
    article(db, "pending", None, None, 6)
    return {"S": s, "X": x, "seeds": seeds}


def test_this_is_new_makes_a_duplicate_an_update_once(db: Database, world: dict[str, int]) -> None:
    done = apply(db, mark_new, "c", ADMIN)
    assert done.changed and done.feedback is not None
    assert done.message == f"article c is now an update of story {world['S']}"
    with db.session() as session:
        row = session.get(Article, "c")
        assert row is not None
        assert (row.status, row.story_id, row.dedup_layer) == ("update", world["S"], "feedback")
        # It had no novel sentence: its lead is what is new (a digest shows updates by them).
        assert row.novel_sentences == [
            "Things happened to c today.",
            "Second one here.",
            "Third one.",
        ]
        assert row.feedback_at is not None and row.feedback_at > T0
        [record] = history(session, "c")
        assert (record.action, record.actor, record.via) == ("new_update", "admin", "console")
        assert record.before == {
            "status": "duplicate",
            "story_id": world["S"],
            "layer": "story",
            "duplicate_of": "a",
        }
        assert (record.story_id, record.target_story_id) == (world["S"], world["S"])
    again = apply(db, mark_new, "c", READER)
    assert not again.changed and again.feedback is None
    assert "already new" in again.message
    assert feedback_rows(db) == 1


def test_this_is_new_keeps_an_update_s_own_novel_sentences(
    db: Database, world: dict[str, int]
) -> None:
    apply(db, mark_not_new, "b", ADMIN)
    apply(db, mark_new, "b", ADMIN)
    with db.session() as session:
        row = session.get(Article, "b")
        assert row is not None and row.status == "update"
        assert row.novel_sentences == ["Second one here."]
        assert [f.action for f in history(session, "b")] == ["not_new", "new_update"]


def test_a_story_of_its_own_takes_its_copies_along(db: Database, world: dict[str, int]) -> None:
    done = apply(db, mark_new, "c", READER, as_story=True)
    assert done.changed
    status, new_story, duplicate_of = state(db, "c")
    assert (status, duplicate_of) == ("new_story", None)
    assert new_story not in (world["S"], world["X"], None)
    assert done.message == f"article c is now story {new_story}, with 1 copy of it"
    assert state(db, "d") == ("duplicate", new_story, "c")  # its exact copy follows it
    assert state(db, "b") == ("update", world["S"], "a")  # the others stay
    assert state(db, "a") == ("new_story", world["S"], None)
    with db.session() as session:
        created = session.get(Story, new_story)
        assert created is not None and created.title == "Title of c"
        [record] = history(session, "c")
        assert (record.action, record.story_id, record.target_story_id) == (
            "new_story",
            world["S"],
            new_story,
        )
        assert record.actor == "reader@example.org" and record.via == "link"
    again = apply(db, mark_new, "c", READER, as_story=True)
    assert not again.changed and "already starts story" in again.message
    assert feedback_rows(db) == 1


def test_a_retelling_joins_the_other_story_as_a_copy_of_its_first_article(
    db: Database, world: dict[str, int]
) -> None:
    done = apply(db, mark_retelling, "c", world["X"], ADMIN)
    assert done.changed
    assert done.message == f"article c is now a retelling in story {world['X']}"
    # x1 is X's first report (published first), whatever order the rows were written in.
    assert state(db, "c") == ("duplicate", world["X"], "x1")
    assert state(db, "d") == ("duplicate", world["X"], "c")
    assert state(db, "a")[1] == world["S"] and state(db, "b")[1] == world["S"]
    again = apply(db, mark_retelling, "c", world["X"], ADMIN)
    assert not again.changed and "already a retelling" in again.message
    assert feedback_rows(db) == 1


def test_a_story_s_first_article_retold_merges_the_whole_story(
    db: Database, world: dict[str, int]
) -> None:
    s, x = world["S"], world["X"]
    apply(db, mute_story, s, "reader@example.org", READER)
    done = apply(db, mark_retelling, "a", x, ADMIN)
    assert done.message == f"story {s} (3 more articles) merged into story {x}"
    assert state(db, "a") == ("duplicate", x, "x1")
    assert [state(db, i)[1] for i in "bcd"] == [x, x, x]
    assert state(db, "b")[0] == "update"  # the others keep their decisions
    with db.session() as session:
        assert session.get(Story, s) is None  # the emptied story is gone
        # Who muted S does not get its articles back under X.
        assert session.get(StoryMute, (x, "reader@example.org")) is not None
        merged = history(session, "a")[-1]
        assert merged.before is not None and merged.before["story_id"] == s
        assert merged.target_story_id == x
        # A link in an older digest names S: it is followed to X.
        found, followed = resolve_story(session, s)
        assert found is not None and found.id == x and followed == [s]
    muted_again = apply(db, mute_story, s, "reader@example.org", READER)
    assert not muted_again.changed and f"story {x} is already muted" in muted_again.message


def test_not_new_makes_an_article_a_retelling_within_its_story(
    db: Database, world: dict[str, int]
) -> None:
    done = apply(db, mark_not_new, "b", READER)
    assert done.changed and done.message == "article b is now marked as not new"
    assert state(db, "b") == ("duplicate", world["S"], "a")
    # A story's first article retells the story's first other one.
    apply(db, mark_not_new, "a", READER)
    assert state(db, "a") == ("duplicate", world["S"], "b")
    again = apply(db, mark_not_new, "a", READER)
    assert not again.changed
    assert again.message == f"article a is already not new (a retelling in story {world['S']})"
    assert feedback_rows(db) == 2


def test_not_new_about_an_article_alone_in_its_story_marks_it_known(db: Database) -> None:
    alone = story(db, "alone")
    article(db, "only", alone, "new_story")
    apply(db, mark_not_new, "only", READER)
    assert state(db, "only") == ("duplicate", alone, None)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s, w: mark_new(s, "seed", ADMIN), "article seed is a seed"),
        (lambda s, w: mark_not_new(s, "nope", ADMIN), "no article 'nope'"),
        (lambda s, w: mark_new(s, "pending", ADMIN), "article pending is not classified yet"),
        (lambda s, w: mark_retelling(s, "seed", w["X"], ADMIN), "is a seed"),
        (lambda s, w: mark_retelling(s, "b", w["S"], ADMIN), "is already in story"),
        (lambda s, w: mark_retelling(s, "b", 9999, ADMIN), "no story 9999"),
        (lambda s, w: mute_story(s, 9999, "r@example.org", ADMIN), "no story 9999"),
        (lambda s, w: mute_story(s, w["S"], "not an address", ADMIN), "not an e-mail address"),
        (lambda s, w: unsubscribe(s, "", READER), "not an e-mail address"),
    ],
)
def test_feedback_that_cannot_apply_is_refused_and_changes_nothing(
    db: Database,
    world: dict[str, int],
    call: Callable[[Any, dict[str, int]], Outcome],
    error: str,
) -> None:
    before = {i: state(db, i) for i in ("a", "b", "c", "seed", "pending")}
    with pytest.raises(FeedbackError, match=error) as raised, db.session() as session:
        call(session, world)
    assert "\n" not in str(raised.value)
    assert {i: state(db, i) for i in before} == before
    assert feedback_rows(db) == 0
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoryMute)) == 0


def test_mute_and_unmute_are_recorded_once_each(db: Database, world: dict[str, int]) -> None:
    s = world["S"]
    assert apply(db, mute_story, s, "r@example.org", READER).changed
    assert not apply(db, mute_story, s, " r@example.org ", READER).changed
    with db.session() as session:
        assert session.get(StoryMute, (s, "r@example.org")) is not None
        assert session.get(StoryMute, (s, "other@example.org")) is None
    assert apply(db, unmute_story, s, "r@example.org", ADMIN).changed
    undone = apply(db, unmute_story, s, "r@example.org", ADMIN)
    assert not undone.changed and undone.message == f"story {s} is not muted for r@example.org"
    with db.session() as session:
        assert session.get(StoryMute, (s, "r@example.org")) is None
        rows = list(session.scalars(select(Feedback).order_by(Feedback.id)))
    assert [(r.action, r.story_id, r.recipient, r.article_id) for r in rows] == [
        ("mute", s, "r@example.org", None),
        ("unmute", s, "r@example.org", None),
    ]


def test_unsubscribe_and_resubscribe(db: Database) -> None:
    one_click = Actor("r@example.org", "list-unsubscribe")
    assert apply(db, unsubscribe, "r@example.org", one_click).changed
    again = apply(db, unsubscribe, "r@example.org", READER)
    assert not again.changed and again.message == "r@example.org is already unsubscribed"
    with db.session() as session:
        row = session.get(Unsubscription, "r@example.org")
        assert row is not None and row.via == "list-unsubscribe"
        assert unsubscribed_recipients(session) == ["r@example.org"]
    assert apply(db, resubscribe, "r@example.org", ADMIN).message == (
        "r@example.org is subscribed again"
    )
    assert not apply(db, resubscribe, "r@example.org", ADMIN).changed
    with db.session() as session:
        assert unsubscribed_recipients(session) == []
        actions = list(session.scalars(select(Feedback.action).order_by(Feedback.id)))
    assert actions == ["unsubscribe", "resubscribe"]
