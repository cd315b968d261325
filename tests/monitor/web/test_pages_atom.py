"""The Atom feeds served by the console over a real server: conditional GET, the access rules
and the feed's own token, the subscribe addresses on the topics page, and newsmon's own
poll cycle subscribing to the feed (newsmon as a filter in front of any feed reader)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import unescape
from pathlib import Path
from urllib.parse import quote

import feedparser
import httpx
from sqlalchemy import select

from alerts.atom import FeedScope, feed_token
from monitor.config import Settings
from monitor.cycle import PollCycle, select_jobs
from monitor.cycle_report import DedupCounts
from monitor.storage import Database, migrate
from monitor.storage.feeds import add_feed
from monitor.storage.models import Article
from monitor.web.app import build_app
from monitor.web.pages.atom import MEDIA_TYPE
from tests.monitor.web.pages_support import (
    HOSTILE_TITLE,
    T0,
    add_story,
    assert_inert,
    console,
)
from tests.monitor.web.serving import SECRET, served, web_context

TOPICS = [{"name": "NATO", "query": "nato"}, {"name": "Mark Rutte", "query": '"mark rutte"'}]


def test_conditional_get_answers_304_until_an_entry_comes(db: Database, tmp_path: Path) -> None:
    add_story(db, "NATO summit opens", articles=3)
    with console(db, tmp_path, settings={"topics": TOPICS}) as client:
        first = client.get("/atom/all.xml")
        assert first.headers["content-type"] == MEDIA_TYPE
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert modified == format_datetime(T0, usegmt=True)
        parsed = feedparser.parse(first.content)
        assert parsed.bozo == 0 and [e.title for e in parsed.entries] == ["NATO summit opens (0)"]
        assert parsed.feed.title == "newsmon: all topics"
        assert "Also reported by 2 outlets" not in parsed.entries[0].content[0].value  # one feed
        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
            again = client.http.get("/atom/all.xml", headers=headers)
            assert again.status_code == 304 and again.content == b""
            assert again.headers["etag"] == etag
        add_story(db, "NATO drill ends", articles=1, updated=T0 + timedelta(hours=1))
        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
            changed = client.http.get("/atom/all.xml", headers=headers)
            assert changed.status_code == 200 and changed.headers["etag"] != etag
        titles = [e.title for e in feedparser.parse(changed.content).entries]
        assert titles == ["NATO drill ends (0)", "NATO summit opens (0)"]


def test_topic_feeds_and_feed_text_stays_inert(db: Database, tmp_path: Path) -> None:
    add_story(db, "NATO summit opens", articles=1, topic="NATO")
    add_story(db, HOSTILE_TITLE, articles=1, topic="Mark Rutte", outlet="Other")
    with console(db, tmp_path, settings={"topics": TOPICS}) as client:
        nato = feedparser.parse(client.get("/atom/topic/NATO.xml").content)
        rutte_reply = client.get(f"/atom/topic/{quote('Mark Rutte')}.xml")
        client.get("/atom/topic/Nobody.xml", status=404)
    assert [e.title for e in nato.entries] == ["NATO summit opens (0)"]
    assert nato.feed.title == "newsmon: NATO"
    rutte = feedparser.parse(rutte_reply.content)
    assert rutte.bozo == 0 and len(rutte.entries) == 1
    assert b"<script" not in rutte_reply.content  # escaped once as XML text, at least
    # What a reader renders: the entry's HTML, unescaped once by the XML parser.
    raw = rutte_reply.text
    content = raw[raw.index('<content type="html">') + 20 : raw.index("</content>")]
    assert_inert(unescape(content))


def test_off_the_loopback_a_feed_needs_a_login_or_its_token(db: Database, tmp_path: Path) -> None:
    add_story(db, "NATO summit opens", articles=1)
    settings = {"database": {"url": db.url}, "topics": TOPICS}
    ctx = web_context(tmp_path, db=db, login_required=True, settings=settings)
    nato = FeedScope("NATO")
    good = feed_token(SECRET, nato)
    with served(build_app(ctx)) as srv, httpx.Client(base_url=srv.base) as http:
        assert http.get("/atom/all.xml").status_code == 303  # to the login page
        assert http.get(f"{nato.path}?token={good}").status_code == 200
        for bad in (feed_token(SECRET, FeedScope()), good[:-2], "nonsense"):
            reply = http.get(f"{nato.path}?token={bad}")
            assert reply.status_code == 403, bad
            assert "token is not valid" in reply.json()["error"]
        assert http.get(f"/atom/all.xml?token={good}").status_code == 403  # NATO's, not all
        wrong_secret = feed_token("another-secret-0123456789abcdef", nato)
        assert http.get(f"{nato.path}?token={wrong_secret}").status_code == 403


def test_the_topics_page_lists_working_subscribe_addresses(db: Database, tmp_path: Path) -> None:
    add_story(db, "NATO summit opens", articles=1)
    with console(db, tmp_path, settings={"topics": TOPICS}) as client:
        page = client.page("/topics")
        addresses = [link for link in page.links() if "/atom/" in link]
        assert len(addresses) == 3  # all topics, NATO, Mark Rutte
        for address in addresses:
            assert "token=" in address
            reply = client.http.get(address)
            assert reply.status_code == 200, address
            assert feedparser.parse(reply.content).bozo == 0


def test_newsmon_subscribes_to_its_own_feed(db: Database, tmp_path: Path) -> None:
    """Another newsmon polls the feed: it stores each entry once, and nothing on a re-poll."""
    for n in range(3):
        add_story(db, f"NATO story {n}", articles=2, updated=T0 + timedelta(hours=n))
    with console(db, tmp_path, settings={"topics": TOPICS}) as client:
        served_feed = feedparser.parse(client.get("/atom/all.xml").content)
        url = str(client.http.base_url.join("/atom/all.xml"))
        reader = Database.from_url(f"sqlite:///{tmp_path / 'reader.db'}")
        migrate.upgrade(reader.engine)
        settings = Settings.model_validate(
            {"database": {"url": reader.url}, "feeds": [], "topics": TOPICS}
        )
        with reader.session() as session:
            add_feed(session, url)
        reports = [
            asyncio.run(
                PollCycle(reader, settings, clock=lambda: datetime.now(UTC)).run(
                    select_jobs(reader, settings)
                )
            )
            for _ in range(2)
        ]
    with reader.session() as session:
        stored = {(a.guid, a.title) for a in session.scalars(select(Article))}
    reader.dispose()
    assert stored == {(e.id, e.title) for e in served_feed.entries}
    assert len(stored) == 3
    first, second = (r.summary(DedupCounts()).as_dict() for r in reports)
    assert first["entries"]["new"] == 3 and first["feeds"]["failed"] == 0
    assert second["entries"]["new"] == 0 and second["feeds"]["not_modified"] == 1  # a 304
