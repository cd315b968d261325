"""The stories pages on a real database, through a real server: list, filters, digests
shown, seed stories, hostile titles, and mute/unmute per recipient."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from monitor.storage import Database
from monitor.storage.console import PAGE_SIZE
from monitor.storage.models import Article, Delivery, Digest, Feedback, StoryMute
from tests.monitor.web.pages_support import (
    HOSTILE_TITLE,
    HOSTILE_URL,
    T0,
    add_story,
    assert_forms_carry_csrf,
    console,
    notice,
    text_of,
)

RECIPIENTS = {"email": {"to": ["Ann@example.org", "bob@example.org"]}}


def _deliver(db: Database, article_id: str, recipient: str) -> int:
    with db.session() as session:
        digest = Digest(
            recipient=recipient,
            message_id=f"<{article_id}.{recipient}@test>",
            subject="newsmon: 1 new story",
            status="sent",
            message=b"Subject: x\r\n\r\nbody",
            created_at=T0,
            sent_at=T0 + timedelta(minutes=5),
            attempts=1,
        )
        session.add(digest)
        session.flush()
        session.add(Delivery(digest_id=digest.id, article_id=article_id, recipient=recipient))
        return digest.id


def test_list_shows_stories_newest_first_with_articles_outlets_and_digests(
    db: Database, tmp_path: Path
) -> None:
    old, _ = add_story(db, "Older story", outlet="Wire", updated=T0)
    new, new_ids = add_story(db, "Newer story", outlet="Herald", updated=T0 + timedelta(hours=1))
    seed, _ = add_story(db, "Known before", seed=True, articles=1, updated=T0 - timedelta(days=9))
    digest_id = _deliver(db, new_ids[0], "ann@example.org")
    with console(db, tmp_path) as client:
        page = client.page("/")
    text = " ".join(page.text.split())
    assert text.index("Newer story") < text.index("Older story") < text.index("Known before")
    assert "Herald" in text and "Wire" in text and "en" in text
    assert "new_story" in text and "duplicate" in text
    assert f"/digests/{digest_id}" in page.links()
    assert f"digest #{digest_id} to ann@example.org, sent 2026-11-30 09:05 UTC" in text
    for story_id in (old, new, seed):
        assert f"/stories/{story_id}" in page.links()
    for article_id in new_ids:
        assert f"/articles/{article_id}" in page.links()
    assert text.count("seed story") == 1  # only the seed's story is marked


def test_filters_by_topic_and_status_and_refuses_an_unknown_status(
    db: Database, tmp_path: Path
) -> None:
    nato, _ = add_story(db, "Alliance meets", topic="NATO", articles=1)
    rubio, _ = add_story(db, "Rubio travels", topic="Marco Rubio", articles=2)
    with console(db, tmp_path) as client:
        by_topic = client.page("/?topic=Marco+Rubio").links()
        by_status = client.page("/?status=duplicate").links()
        both = client.page("/?topic=NATO&status=duplicate")
        refused = client.get("/?status=bogus", status=400)
    assert f"/stories/{rubio}" in by_topic and f"/stories/{nato}" not in by_topic
    assert f"/stories/{rubio}" in by_status and f"/stories/{nato}" not in by_status
    assert not [link for link in both.links() if link.startswith("/stories/")]
    assert "unknown status 'bogus'" in text_of(refused)


def test_pages_of_stories(db: Database, tmp_path: Path) -> None:
    for n in range(PAGE_SIZE + 1):
        add_story(db, f"Story number {n}", articles=1, updated=T0 + timedelta(minutes=n))
    with console(db, tmp_path) as client:
        first = client.page("/")
        second = client.page("/?page=2")
    first_titles = [t for t in first.text.split("\n") if "Story number" in t]
    assert "Story number 20" in first.text and "Story number 0 " not in first.text
    assert "?page=2" in first.links() and len(first_titles) >= PAGE_SIZE
    assert "Story number 0" in second.text and "Story number 20" not in second.text
    assert "?page=1" in second.links()


def test_hostile_titles_and_links_stay_text(db: Database, tmp_path: Path) -> None:
    story_id, ids = add_story(db, HOSTILE_TITLE, articles=2)
    with db.session() as session:
        session.get_one(Article, ids[1]).url = HOSTILE_URL
    with console(db, tmp_path) as client:
        for path in ("/", f"/stories/{story_id}"):
            reply = client.get(path)
            page = client.page(path)  # assert_inert: no script, handlers, javascript: URLs
            assert HOSTILE_TITLE in page.text  # shown, as text
            assert "<script>" not in reply.text and "&lt;script&gt;" in reply.text
            assert not [h for h in page.links() if "pwned" in h]


def test_mute_and_unmute_per_recipient(db: Database, tmp_path: Path) -> None:
    story_id, _ = add_story(db)
    with console(db, tmp_path, settings=RECIPIENTS) as client:
        page = client.page(f"/stories/{story_id}")
        assert_forms_carry_csrf(page, client.csrf)
        form = page.form_to(f"/stories/{story_id}/mute")
        assert form.fields["recipient"] == "ann@example.org"
        done = client.submit(f"/stories/{story_id}/mute", {"recipient": "ann@example.org"})
        assert "muted" in notice(done).lower()
        assert f"/stories/{story_id}/unmute" in [f.action for f in done.forms]
        with db.session() as session:
            mutes = session.execute(select(StoryMute.story_id, StoryMute.recipient)).all()
            history = session.scalars(select(Feedback.action)).all()
        assert mutes == [(story_id, "ann@example.org")]
        assert history == ["mute"]
        assert "muted for 1" in client.page("/").text
        assert f"muted story {story_id} for ann@example.org" in done.text  # its history

        client.submit(f"/stories/{story_id}/unmute", {"recipient": "ann@example.org"})
        with db.session() as session:
            assert session.scalars(select(StoryMute)).all() == []


def test_mute_refuses_bad_input_and_a_missing_token(db: Database, tmp_path: Path) -> None:
    story_id, _ = add_story(db)
    with console(db, tmp_path, settings=RECIPIENTS) as client:
        client.page(f"/stories/{story_id}")
        no_token = client.post(
            f"/stories/{story_id}/mute", {"recipient": "ann@example.org"}, csrf=False
        )
        stranger = client.post(f"/stories/{story_id}/mute", {"recipient": "eve@example.org"})
        no_story = client.post("/stories/999/mute", {"recipient": "ann@example.org"})
        client.get("/stories/999", status=404)
    assert no_token.status_code == 403
    assert stranger.status_code == 400 and "not a configured recipient" in text_of(stranger)
    assert no_story.status_code == 400 and "no story #999" in text_of(no_story)
    with db.session() as session:
        assert session.scalars(select(StoryMute)).all() == []
        assert session.scalars(select(Feedback)).all() == []
