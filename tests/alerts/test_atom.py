"""The Atom feed of new developments: exactly a digest's items less its duplicates, per topic
and for all, newest first, valid Atom (read back by feedparser), stable ids, feedback
honoured, and tokens that open one feed only."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import select

from alerts.atom import (
    MAX_ENTRIES,
    AtomEntry,
    FeedCache,
    FeedScope,
    feed_entries,
    feed_token,
    render_feed,
    token_opens,
)
from alerts.compose import DigestContent, compose
from alerts.recipients import Recipient
from alerts.summarize import ExtractiveSummariser
from monitor.feedback.actions import Actor, mark_new, mark_not_new
from monitor.storage.models import Article, Feed
from tests.alerts.conftest import World
from tests.alerts.corpus import NOW, add_article, add_feed, add_story

SUMMARISER = ExtractiveSummariser()
TOPICS = ("NATO", "Marco Rubio", "Mark Rutte")
SELF = "http://127.0.0.1:8765/atom/all.xml"
SITE = "http://127.0.0.1:8765/"
ACTOR = Actor("test", "cli")


def reader(*topics: str) -> Recipient:
    return Recipient("reader@example.org", topics, "0 7 * * *", "UTC", TOPICS)


def digest(world: World, *topics: str) -> DigestContent:
    with world.db.session() as s:
        return compose(s, reader(*topics), NOW, SUMMARISER, 1000)


def entries(world: World, scope: FeedScope) -> list[AtomEntry]:
    with world.db.session() as s:
        return feed_entries(s, scope, TOPICS, SUMMARISER)


def statuses(world: World, ids: list[str]) -> dict[str, str | None]:
    with world.db.session() as s:
        rows = s.scalars(select(Article).where(Article.id.in_(ids)))
        return {a.id: a.status for a in rows}


def add_new_story(
    world: World, outlet: tuple[str, str], article_id: str, title: str, text: str, hours: float
) -> None:
    """A story started by one article of ``outlet`` (name, feed URL), published ``hours``
    after the world's news."""
    name, feed_url = outlet
    with world.db.session() as s:
        feed = s.query(Feed).filter_by(url=feed_url).one_or_none() or add_feed(s, name, feed_url)
        add_article(
            s,
            world.settings,
            feed=feed,
            title=title,
            text=text,
            status="new_story",
            story=add_story(s, title),
            url=f"{feed_url.rsplit('/', 1)[0]}/{article_id}",
            published=NOW + timedelta(hours=hours),
            article_id=article_id,
        )


@pytest.mark.parametrize("topic", [None, *TOPICS])
def test_the_feed_carries_the_digests_items_less_the_duplicates(
    world: World, topic: str | None
) -> None:
    content = digest(world, *([topic] if topic else []))
    by_status = statuses(world, content.article_ids)
    expected = {a for a, status in by_status.items() if status != "duplicate"}
    assert expected, "the digest shows nothing: the comparison would be empty"
    got = [e.article_id for e in entries(world, FeedScope(topic))]
    assert len(got) == len(set(got))  # each item once
    assert set(got) == expected
    if topic is None:  # the world has all three kinds, so "less the duplicates" is tested
        assert set(by_status.values()) == {"new_story", "update", "duplicate"}


def test_entries_read_as_the_digest_shows_them(world: World) -> None:
    content = digest(world)
    shown = {n.article_id: n for sec in content.sections for n in sec.new_stories}
    lines = {ln.article_id: ln.text for s in content.sections for u in s.updates for ln in u.lines}
    feed = entries(world, FeedScope())
    parsed = feedparser.parse(render_feed(feed, FeedScope(), SELF, SITE).body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    by_id = {e.id: e for e in parsed.entries}
    assert len(by_id) == len(feed)
    for entry in feed:
        out = by_id[entry.id]
        html = out.content[0].value
        if entry.kind == "new_story":
            story = shown[entry.article_id]
            assert out.title == story.headline
            assert out.link == story.source.url
            assert all(sentence in html for sentence in story.summary)
            if story.also_count:
                assert f"Also reported by {story.also_count} outlet" in html
        else:
            assert out.title.startswith("Update: ")
            if entry.article_id in lines:  # not folded into a new story of the same digest
                assert lines[entry.article_id] in html
    assert any(e.kind == "update" for e in feed) and any(e.kind == "new_story" for e in feed)
    assert any("Also reported by" in e.content[0].value for e in parsed.entries)


def test_ids_and_body_are_stable_and_newest_comes_first(world: World) -> None:
    first = render_feed(entries(world, FeedScope()), FeedScope(), SELF, SITE)
    again = render_feed(entries(world, FeedScope()), FeedScope(), SELF, SITE)
    assert first.body == again.body and first.etag == again.etag
    dates = [e.updated for e in entries(world, FeedScope())]
    assert dates == sorted(dates, reverse=True)
    add_new_story(
        world,
        ("Late Wire", "https://late.example.net/rss"),
        "late-arctic",
        "NATO opens a new command in the Arctic",
        "NATO opened a new command in the Arctic on Thursday, its secretary general said.",
        hours=1,
    )
    later = render_feed(entries(world, FeedScope()), FeedScope(), SELF, SITE)
    assert later.etag != first.etag and later.updated > first.updated
    old_ids = [e.id for e in feedparser.parse(first.body).entries]
    new_ids = [e.id for e in feedparser.parse(later.body).entries]
    assert new_ids == ["tag:newsmon,2026:article/late-arctic", *old_ids]


def test_feedback_takes_an_entry_out_and_brings_one_in(world: World) -> None:
    before = entries(world, FeedScope())
    leaving = next(e for e in before if e.kind == "update").article_id
    content = digest(world)
    coming = next(a for a, st in statuses(world, content.article_ids).items() if st == "duplicate")
    with world.db.session() as s:
        mark_not_new(s, leaving, ACTOR)
        mark_new(s, coming, ACTOR)
    after = [e.article_id for e in entries(world, FeedScope())]
    assert leaving not in after
    assert after[0] == coming  # entered at the time of the correction: the newest
    assert set(after) == {e.article_id for e in before} - {leaving} | {coming}


def test_the_newest_hundred_only(world: World) -> None:
    for n in range(MAX_ENTRIES + 20):
        add_new_story(
            world,
            ("Busy Wire", "https://busy.example.net/rss"),
            f"busy-{n:03d}",
            f"NATO convoy number {n} crosses the border",
            f"NATO said convoy {n} crossed the border on Thursday morning.",
            hours=n / 60,
        )
    got = [e.article_id for e in entries(world, FeedScope("NATO"))]
    assert len(got) == MAX_ENTRIES
    assert got[:3] == ["busy-119", "busy-118", "busy-117"]
    assert got[-1] == "busy-020"


def test_characters_xml_forbids_cannot_break_the_document(world: World) -> None:
    add_new_story(
        world,
        ("Noisy\x01 Wire\x0b", "https://noisy.example.net/rss"),
        "noisy",
        "NATO\x02 drill <b>starts</b> \ufffe today",
        # (no NUL: no database stores one)
        "NATO said the drill\x1f starts today & runs < a week.\x08",
        hours=2,
    )
    parsed = feedparser.parse(
        render_feed(entries(world, FeedScope()), FeedScope(), SELF, SITE).body
    )
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert " ".join(parsed.entries[0].title.split()) == "NATO drill starts today"


def test_a_token_opens_its_own_feed_only() -> None:
    secret = "a-secret-of-this-deployment-0123456789"
    nato, everything = FeedScope("NATO"), FeedScope()
    token = feed_token(secret, nato)
    assert token_opens(secret, nato, token)
    assert not token_opens(secret, everything, token)
    assert not token_opens(secret, FeedScope("Mark Rutte"), token)
    assert not token_opens("another-secret-0123456789-abcdef", nato, token)
    for bad in ("", "x", token[:-1], token + "A", "é" * 40):
        assert not token_opens(secret, nato, bad)
    assert FeedScope("Marco Rubio").path == "/atom/topic/Marco%20Rubio.xml"


def test_the_cache_builds_again_only_when_a_decision_changes(world: World) -> None:
    built: list[int] = []

    def summariser() -> ExtractiveSummariser:
        built.append(1)
        return SUMMARISER

    cache = FeedCache()

    def get(scope: FeedScope = FeedScope()) -> bytes:
        return cache.feed(world.db, scope, TOPICS, SELF, SITE, summariser).body

    first = get()
    assert get() == first and len(built) == 1  # nothing decided since: the same document
    get(FeedScope("NATO"))
    assert len(built) == 2  # another feed
    update = next(e for e in entries(world, FeedScope()) if e.kind == "update").article_id
    with world.db.session() as s:
        mark_not_new(s, update, ACTOR)  # a correction: no new decision time, a feedback one
    corrected = get()
    assert len(built) == 3 and corrected != first
    assert f"article/{update}<" not in corrected.decode()
