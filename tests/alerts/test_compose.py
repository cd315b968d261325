"""What a digest holds: what is due, per recipient and topic, capped, nothing lost or repeated."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts import run_digests
from alerts.compose import compose
from alerts.recipients import Recipient, resolve_recipients
from alerts.run import compose_digest, preview_digest
from alerts.summarize import ExtractiveSummariser
from monitor.config import load_settings
from monitor.errors import ConfigError
from monitor.storage.models import Article, Delivery, Digest
from tests.alerts.conftest import World
from tests.alerts.corpus import NOW, add_article, add_feed, add_story

SUMMARISER = ExtractiveSummariser()


def person(*topics: str, email: str = "reader@example.org") -> Recipient:
    return Recipient(email, topics, "0 7 * * *", "UTC", ("NATO", "Marco Rubio", "Mark Rutte"))


def headlines(content: object) -> list[str]:
    sections = content.sections  # type: ignore[attr-defined]
    return [item.headline for s in sections for item in [*s.new_stories, *s.updates]]


def test_sections_per_topic_and_most_reported_first(world: World) -> None:
    with world.db.session() as s:
        content = compose(s, person(), NOW, SUMMARISER, 30)
    assert [sec.topic for sec in content.sections] == ["NATO", "Marco Rubio", "Mark Rutte"]
    nato = content.sections[0]
    assert [n.headline[:28] for n in nato.new_stories] == [
        "NATO ministers back more air",  # 4 outlets
        "Eleven NATO allies sign join",  # 1 outlet
    ]
    air = nato.new_stories[0]
    assert air.also_count == 3 and air.source.outlet == "Brussels Briefing"
    assert [a.outlet for a in air.also] == ["Harbour Post", "Northern Ledger", "Continental Daily"]
    assert air.summary[0].startswith("NATO foreign ministers meeting in Brussels")
    assert 2 <= len(air.summary) <= 3
    assert "Mark Rutte" in air.terms and "allies" not in air.terms  # names, not NEAR context
    rutte = content.sections[2].updates[0]
    assert rutte.headline == "Rutte dismisses concerns over US commitment to NATO"
    assert [line.text[:24] for line in rutte.lines] == [
        "Deputy Secretary of Stat",
        "Rutte said he had spoken",
    ]
    assert content.duplicates == 6 and content.more == 0
    assert [f.name for f in content.failing_feeds] == ["Evening Dispatch", "Morning Gazette"]


def test_only_the_recipients_topics_count(world: World) -> None:
    with world.db.session() as s:
        content = compose(s, person("Marco Rubio"), NOW, SUMMARISER, 30)
    assert [sec.topic for sec in content.sections] == [None]  # one topic: no section titles
    assert "Eleven NATO allies sign joint deal to buy artillery ammunition" not in headlines(
        content
    )
    assert "Rubio plans first visit to Kyiv and Warsaw next week" in headlines(content)
    with world.db.session() as s:
        ids = set(content.article_ids)
        matched = {
            a.id
            for a in s.scalars(select(Article).where(Article.id.in_(ids)))
            if "Marco Rubio" in {t.topic for t in a.topics}
        }
    assert matched == ids


def test_cap_leaves_the_rest_for_the_next_digest(world: World) -> None:
    settings = world.settings.model_copy(
        update={"digest": world.settings.digest.model_copy(update={"max_stories": 2})}
    )
    first = compose_digest(world.db, settings, person(), NOW, store=True)
    assert first is not None and first.content.more == 3
    assert "3 more items did not fit" in first.rendered.text
    second = compose_digest(world.db, settings, person(), NOW, store=True)
    assert second is not None and second.content.more == 1
    third = compose_digest(world.db, settings, person(), NOW, store=True)
    assert third is not None and third.content.more == 0
    shown = [*headlines(first.content), *headlines(second.content), *headlines(third.content)]
    assert len(shown) == len(set(shown)) == 5
    ids = [*first.content.article_ids, *second.content.article_ids, *third.content.article_ids]
    assert len(ids) == len(set(ids))
    assert compose_digest(world.db, settings, person(), NOW, store=True) is None


def test_pending_items_are_not_due_and_new_ones_are(world: World) -> None:
    stored = compose_digest(world.db, world.settings, person(), NOW, store=True)
    assert stored is not None and stored.digest_id is not None
    assert compose_digest(world.db, world.settings, person(), NOW, store=True) is None
    with world.db.session() as s:
        feed = add_feed(s, "Late Wire", "https://late.example.com/rss")
        add_article(
            s,
            world.settings,
            feed=feed,
            story=add_story(s, "NATO late story"),
            status="new_story",
            url="https://late.example.com/nato-late",
            title="NATO opens a new office in Kyiv",
            text="NATO opened a liaison office in Kyiv on Thursday, officials said.",
        )
        add_article(s, world.settings, feed=feed, status=None, title="NATO undecided", text="x")
    later = compose_digest(world.db, world.settings, person(), NOW, store=True)
    assert later is not None
    assert headlines(later.content) == ["NATO opens a new office in Kyiv"]  # not the undecided
    assert later.content.duplicates == 0


def test_recipients_are_independent(world: World) -> None:
    run_digests(world.db, world.settings, NOW)
    other = person("Mark Rutte", email="Editor@Example.org")
    content = compose_digest(world.db, world.settings, other, NOW, store=True)
    assert content is not None and content.content.new_count == 1
    with world.db.session() as s:
        rows = s.scalars(select(Delivery).where(Delivery.recipient == "editor@example.org"))
        assert {d.article_id for d in rows} == set(content.content.article_ids)


def test_nothing_new_is_not_sent_unless_send_empty(world: World) -> None:
    run_digests(world.db, world.settings, NOW)
    assert run_digests(world.db, world.settings, NOW).recipients[0].skipped == "nothing new"
    # A duplicate alone is not news: not sent, but counted in the next digest.
    with world.db.session() as s:
        feed = add_feed(s, "Copy Desk", "https://copy.example.com/rss")
        add_article(
            s,
            world.settings,
            feed=feed,
            status="duplicate",
            url="https://copy.example.com/nato-copy",
            title="NATO copy",
            text="NATO Secretary General Mark Rutte said allies would send more air defence.",
        )
    assert run_digests(world.db, world.settings, NOW).recipients[0].skipped == "nothing new"
    empty = world.settings.model_copy(
        update={"digest": world.settings.digest.model_copy(update={"send_empty": True})}
    )
    first = run_digests(world.db, empty, NOW + timedelta(days=1)).recipients[0]
    second = run_digests(world.db, empty, NOW + timedelta(days=2)).recipients[0]
    assert first.subject == "NATO, Marco Rubio, Mark Rutte: nothing new (5 Dec)"
    assert first.duplicates == 1 and second.duplicates == 0
    assert first.message_id != second.message_id
    with world.db.session() as s:
        assert s.scalar(select(Digest.status).where(Digest.message_id == second.message_id)) == (
            "sent"
        )


def test_preview_stores_nothing(world: World) -> None:
    composed = preview_digest(world.db, world.settings, NOW)
    assert composed.digest_id is None and composed.content.new_count == 3
    with world.db.session() as s:
        assert s.scalars(select(Digest)).first() is None
        assert s.scalars(select(Delivery)).first() is None


def test_new_story_folds_in_its_own_updates(world: World) -> None:
    with world.db.session() as s:
        feed = add_feed(s, "Fold Wire", "https://fold.example.com/rss")
        other = add_feed(s, "Fold Post", "https://foldpost.example.com/rss")
        story = add_story(s, "NATO summit date set")
        add_article(
            s,
            world.settings,
            feed=feed,
            story=story,
            status="new_story",
            url="https://fold.example.com/summit",
            title="NATO sets date for next summit",
            text="NATO allies agreed on the date of their next summit, officials said.",
        )
        add_article(
            s,
            world.settings,
            feed=other,
            story=story,
            status="update",
            url="https://foldpost.example.com/summit",
            title="NATO summit: leaders to meet in June",
            text="NATO leaders will meet in June.",
            novel=["NATO leaders will meet in June, a spokesperson said."],
        )
    with world.db.session() as s:
        content = compose(s, person("NATO"), NOW, SUMMARISER, 30)
    [section] = content.sections
    summit = next(n for n in section.new_stories if n.headline.startswith("NATO sets date"))
    assert [a.outlet for a in summit.also] == ["Fold Post"]
    assert all(u.headline != "NATO summit date set" for u in section.updates)


def test_recipients_from_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "newsmon.toml"
    config.write_text(
        '[email]\nto = ["a@example.org", "B@example.org"]\n'
        '[digest]\ntimezone = "Europe/Brussels"\n'
        '[[recipients]]\nemail = "b@example.org"\ntopics = ["NATO"]\n'
        'schedule = "0 18 * * 1-5"\n',
        encoding="utf-8",
    )
    recipients = resolve_recipients(load_settings(config))
    assert [(r.email, r.topics, r.schedule, r.timezone) for r in recipients] == [
        ("b@example.org", ("NATO",), "0 18 * * 1-5", "Europe/Brussels"),
        ("a@example.org", (), "0 7 * * *", "Europe/Brussels"),
    ]
    config.write_text('[[recipients]]\nemail = "b@example.org"\ntopics = ["Natto"]\n')
    with pytest.raises(ConfigError, match=r"\[\[recipients\]\] #1 topics: unknown topic 'Natto'"):
        load_settings(config)
    config.write_text('[email]\nto = ["a@example.org>, evil@example.org"]\n')
    with pytest.raises(ConfigError, match=r"\[email\] to.*not an e-mail address"):
        load_settings(config)


def test_two_composers_at_once_share_nothing(world: World) -> None:
    """The per-recipient lock: a second composer waits for the first to commit, then finds
    its items taken (without it both would compose the same items)."""
    import threading
    import time

    class Slow:
        def summarise(self, title: str, text: str, max_sentences: int = 3) -> list[str]:
            time.sleep(0.1)
            return SUMMARISER.summarise(title, text, max_sentences)

    results: dict[str, object] = {}

    def run(name: str) -> None:
        composed = compose_digest(world.db, world.settings, person(), NOW, Slow(), store=True)
        results[name] = composed.content.article_ids if composed else None

    first = threading.Thread(target=run, args=("first",))
    first.start()
    time.sleep(0.1)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    first.join(30)
    second.join(30)
    assert sorted(results) == ["first", "second"]
    # Whichever got the lock first composed everything; the other found nothing due.
    composed = [ids for ids in results.values() if ids]
    assert len(composed) == 1 and None in results.values()
