"""The article page on a real database, through a real server: what ``newsmon explain``
shows, hostile feed text kept as text, and the feedback forms changing the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from monitor.storage import Database
from monitor.storage.models import Article, ArticleTopic, Feedback, Story
from tests.monitor.web.pages_support import (
    HOSTILE_SENTENCE,
    HOSTILE_TITLE,
    HOSTILE_URL,
    add_story,
    assert_forms_carry_csrf,
    console,
    notice,
    text_of,
)


def _explained(db: Database) -> tuple[int, list[str]]:
    """A story whose second article was held back as a retelling, with its evidence."""
    story_id, ids = add_story(db, "Rutte meets allies", articles=2)
    with db.session() as session:
        row = session.get_one(Article, ids[1])
        row.title = HOSTILE_TITLE
        row.url = HOSTILE_URL
        start = HOSTILE_TITLE.index("Rutte")
        row.topics[0].spans = [["title", start, start + 5, "Rutte"]]
        row.dedup_evidence = {
            "candidates": [
                {
                    "article_id": ids[0],
                    "story_id": story_id,
                    "resemblance": {"jaccard": 0.81, "containment": 0.93},
                    "story": {"score": 0.77},
                }
            ],
            "sentences": [
                {"text": HOSTILE_SENTENCE, "novel": False, "reason": f"said in {ids[0]}"},
                {"text": "A new pledge of 2%.", "novel": True, "reason": "no known match"},
            ],
            "links": [
                {
                    "story_id": story_id,
                    "score": 0.77,
                    "centroid": 0.61,
                    "best_member": 0.84,
                    "entities": 0.5,
                    "shared_entities": ["NATO", "<b>Rutte</b>"],
                    "lexical": 0.42,
                    "days_apart": 0.1,
                    "seed": False,
                }
            ],
            "furniture": [{"text": "Subscribe <iframe src=x>", "reason": "boilerplate"}],
        }
    return story_id, ids


def test_the_page_shows_what_explain_shows_and_keeps_feed_text_inert(
    db: Database, tmp_path: Path
) -> None:
    story_id, ids = _explained(db)
    with console(db, tmp_path) as client:
        reply = client.get(f"/articles/{ids[1]}")
        page = client.page(f"/articles/{ids[1]}")  # inert: no script, handlers, js: URLs
    text = text_of(reply)
    for shown in (
        "duplicate, decided by the near_duplicate layer",
        f"#{story_id} Rutte meets allies",
        "(score 0.91)",
        "0.81",  # jaccard
        "0.93",  # containment
        "0.61 / 0.84",  # meaning
        "NATO, <b>Rutte</b>",  # shared entities, as text
        HOSTILE_SENTENCE,
        f"said in {ids[0]}",
        "A new pledge of 2%.",
        "Subscribe <iframe src=x> (boilerplate)",
        HOSTILE_URL,  # shown as text ...
    ):
        assert shown in text, shown
    assert HOSTILE_URL not in page.links()  # ... never as a link
    assert f"/articles/{ids[0]}" in page.links() and f"/stories/{story_id}" in page.links()
    # The topic's span is highlighted: the mark holds the matched word, built from escaped text.
    assert '<img src=x onerror="window.pwned=2"><mark>Rutte</mark>' not in reply.text
    assert "&gt;<mark>Rutte</mark></h1>" in reply.text
    assert not page.all("iframe") and not page.all("img")


def test_feedback_forms_carry_the_token_and_seeds_have_none(db: Database, tmp_path: Path) -> None:
    _, ids = _explained(db)
    _, seeds = add_story(db, "Seed story", seed=True, articles=1)
    with console(db, tmp_path) as client:
        page = client.page(f"/articles/{ids[1]}")
        seed = client.page(f"/articles/{seeds[0]}")
    actions = sorted(f.fields["action"] for f in page.forms if f.method == "post")
    assert actions == ["new_story", "new_update", "retelling"]
    assert_forms_carry_csrf(page, client.csrf)
    assert not [f for f in seed.forms if f.method == "post" and "/feedback" in f.action]
    assert "seed" in seed.text


def test_this_is_new_makes_it_an_update(db: Database, tmp_path: Path) -> None:
    story_id, ids = _explained(db)
    with console(db, tmp_path) as client:
        client.page(f"/articles/{ids[1]}")
        page = client.submit(f"/articles/{ids[1]}/feedback", {"action": "new_update"})
        assert notice(page)
        text = " ".join(page.text.split())
        assert f"marked new: an update of story {story_id}; was duplicate" in text  # history
        assert "by console via console" in text
    with db.session() as session:
        row = session.get_one(Article, ids[1])
        feedback = session.scalars(select(Feedback)).one()
    assert (row.status, row.story_id, row.feedback_at is not None) == ("update", story_id, True)
    assert (feedback.action, feedback.actor, feedback.via) == ("new_update", "console", "console")
    assert feedback.before and feedback.before["status"] == "duplicate"


def test_this_is_a_new_story_moves_it_out(db: Database, tmp_path: Path) -> None:
    story_id, ids = _explained(db)
    with console(db, tmp_path) as client:
        client.page(f"/articles/{ids[1]}")
        client.submit(f"/articles/{ids[1]}/feedback", {"action": "new_story"})
    with db.session() as session:
        row = session.get_one(Article, ids[1])
        assert row.status == "new_story" and row.story_id not in (None, story_id)
        assert session.get_one(Article, ids[0]).story_id == story_id


def test_retelling_of_story_n_merges_and_bad_numbers_change_nothing(
    db: Database, tmp_path: Path
) -> None:
    target, _ = add_story(db, "The real story", articles=1, outlet="Herald")
    story_id, ids = add_story(db, "Seems new", articles=1)
    with console(db, tmp_path) as client:
        client.page(f"/articles/{ids[0]}")
        refusals = [
            client.post(f"/articles/{ids[0]}/feedback", {"action": "retelling", "story": story})
            for story in ("", "abc", "-3", "99999")
        ]
        own = client.post(
            f"/articles/{ids[0]}/feedback", {"action": "retelling", "story": str(story_id)}
        )
        unknown = client.post(f"/articles/{ids[0]}/feedback", {"action": "explode"})
        missing = client.post("/articles/nope/feedback", {"action": "new_update"})
        no_token = client.post(
            f"/articles/{ids[0]}/feedback",
            {"action": "retelling", "story": str(target)},
            csrf=False,
        )
        with db.session() as session:
            assert session.scalars(select(Feedback)).all() == []
            assert session.get_one(Article, ids[0]).story_id == story_id
        page = client.submit(
            f"/articles/{ids[0]}/feedback", {"action": "retelling", "story": f"#{target}"}
        )
    assert [r.status_code for r in refusals] == [400, 400, 400, 400]
    assert "a story number" in text_of(refusals[0])
    assert own.status_code == 400 and unknown.status_code == 400 and missing.status_code == 400
    assert "unknown feedback 'explode'" in text_of(unknown)
    assert no_token.status_code == 403
    assert notice(page)
    with db.session() as session:
        row = session.get_one(Article, ids[0])
        assert (row.status, row.story_id) == ("duplicate", target)
        assert session.scalars(select(Feedback.action)).all() == ["retelling"]
        assert session.get(Story, target) is not None


def test_unknown_article_is_404(db: Database, tmp_path: Path) -> None:
    with console(db, tmp_path) as client:
        reply = client.get("/articles/nothing-here", status=404)
    assert "no article nothing-here" in text_of(reply)


def test_title_spans_from_stored_topics(db: Database, tmp_path: Path) -> None:
    _, ids = add_story(db, "NATO and NATO again", articles=1)
    with db.session() as session:
        topic = session.scalars(select(ArticleTopic)).one()
        topic.spans = [["title", 0, 4, "NATO"], ["title", 9, 13, "NATO"], ["text", 0, 4, "NATO"]]
    with console(db, tmp_path) as client:
        reply = client.get(f"/articles/{ids[0]}")
    assert "<h1><mark>NATO</mark> and <mark>NATO</mark> again (0)</h1>" in reply.text
