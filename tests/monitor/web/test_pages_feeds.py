"""The feeds page on a real database, through a real server: health, add (checked against
a real feed server), remove, OPML upload, and poll now through the daemon's handlers."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from monitor.daemon.triggers import FetchRequest, NotFound, TriggerRequest
from monitor.storage import Database
from monitor.storage.models import Feed
from tests.feedserver import FeedServer, rss, rss_items, static
from tests.monitor.web.pages_support import (
    HOSTILE_TITLE,
    T0,
    assert_forms_carry_csrf,
    console,
    notice,
    text_of,
)


class Daemon:
    """The daemon's side of ``ControlHandlers`` (the real one is tested with the daemon):
    records what the page asks, answers as the daemon does for ``wait=False``."""

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.asked: list[TriggerRequest] = []
        self.thread: str | None = None

    def health(self, detailed: bool) -> tuple[int, dict[str, Any]]:
        return 200, {}

    def metrics(self) -> tuple[bytes, str]:
        return b"", "text/plain"

    def trigger(self, request: TriggerRequest) -> dict[str, Any]:
        self.thread = threading.current_thread().name
        assert isinstance(request, FetchRequest)
        if not set(request.feeds) <= self.known:
            raise NotFound(f"no such feed: {', '.join(request.feeds)}")
        self.asked.append(request)
        return {"accepted": True, "already_running": False}


def _feeds(db: Database) -> list[tuple[str, str | None, bool]]:
    with db.session() as session:
        rows = session.scalars(select(Feed).order_by(Feed.id))
        return [(f.url, f.name, f.enabled) for f in rows]


def test_health_table_masks_credentials_and_keeps_text_inert(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        session.add(
            Feed(
                url="https://reader:s3cret@private.example/feed",
                title=HOSTILE_TITLE,
                last_status=500,
                consecutive_errors=3,
                last_error="HTTP 500 from https://reader:s3cret@private.example/feed <b>x</b>",
                last_success_at=T0,
                next_due_at=T0 + timedelta(hours=1),
            )
        )
        session.add(Feed(url="https://ok.example/rss", name="Fine", enabled=False))
    with console(db, tmp_path) as client:
        reply = client.get("/feeds")
        page = client.page("/feeds")
    text = text_of(reply)
    assert "s3cret" not in reply.text
    assert "reader:***@private.example" in text
    assert HOSTILE_TITLE in text and "<b>x</b>" in text  # as text
    assert "2026-11-30 09:00" in text and "2026-11-30 10:00" in text  # last success, next due
    assert "500" in text and "disabled" in text
    assert_forms_carry_csrf(page, client.csrf)
    assert "the daemon is not running here" in text.lower()
    assert not [f for f in page.forms if f.action.endswith("/poll")]  # nothing would poll


def test_add_checks_the_feed_and_refuses_what_the_cli_refuses(db: Database, tmp_path: Path) -> None:
    with FeedServer() as server, console(db, tmp_path) as client:
        feed_url = server.route("/feed.xml", static(rss(rss_items("a", 2), title="Served feed")))
        page_url = server.route(
            "/page",
            static(
                f'<html><head><link rel="alternate" type="application/rss+xml" '
                f'href="{feed_url}"></head></html>'.encode(),
                "text/html",
            ),
        )
        client.page("/feeds")
        added = client.submit("/feeds/add", {"url": page_url, "name": "Mine", "check": "1"})
        assert f"found on {page_url}" in notice(added) and "Served feed" in notice(added)
        unchecked = client.submit("/feeds/add", {"url": "https://unchecked.example/rss"})
        assert "Added feed" in notice(unchecked)
        again = client.submit("/feeds/add", {"url": feed_url, "check": "1"})
        assert "Already subscribed" in notice(again)
        refused = {
            url: client.post("/feeds/add", {"url": url, "check": "1"})
            for url in ("javascript:alert(1)", "ftp://x.example/f", server.url("/missing"), "")
        }
        long_name = client.post("/feeds/add", {"url": "https://n.example/", "name": "n" * 400})
    assert _feeds(db) == [(feed_url, "Mine", True), ("https://unchecked.example/rss", None, True)]
    assert all(r.status_code == 400 for r in refused.values())
    assert "not an http(s) URL" in text_of(refused["javascript:alert(1)"])
    assert "HTTP 404" in text_of(refused[server.url("/missing")])
    assert "give the feed's URL" in text_of(refused[""])
    assert long_name.status_code == 400 and "400 characters" in text_of(long_name)


def test_remove_a_feed(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        session.add_all([Feed(url="https://a.example/rss"), Feed(url="https://b.example/rss")])
    with console(db, tmp_path) as client:
        client.page("/feeds")
        page = client.submit("/feeds/1/remove")
        missing = client.post("/feeds/99/remove")
        no_token = client.post("/feeds/2/remove", csrf=False)
    assert "Removed feed 1: https://a.example/rss" in notice(page)
    assert missing.status_code == 404 and no_token.status_code == 403
    assert _feeds(db) == [("https://b.example/rss", None, True)]


def test_import_an_opml_upload(db: Database, tmp_path: Path) -> None:
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body>
      <outline text="One" xmlUrl="https://one.example/rss"/>
      <outline text="Folder"><outline title="Two" xmlUrl="https://two.example/rss"/></outline>
      <outline text="Bad" xmlUrl="javascript:alert(1)"/>
    </body></opml>"""
    with console(db, tmp_path) as client:
        page = client.page("/feeds")
        form = page.form_to("/feeds/import")
        assert form.enctype == "multipart/form-data" and "opml" in form.fields
        done = client.submit("/feeds/import", files={"opml": ("mine.opml", opml, "text/xml")})
        broken = client.post("/feeds/import", files={"opml": ("broken.opml", b"<opml", "text/xml")})
        none = client.post("/feeds/import", {"x": "y"})
    assert "3 feeds in mine.opml, 2 new, 1 skipped" in notice(done)
    assert "not an http(s) URL" in notice(done)
    assert broken.status_code == 400 and "broken.opml: not a readable OPML file" in text_of(broken)
    assert "/tmp" not in text_of(broken)
    assert none.status_code == 400 and "choose an OPML file" in text_of(none)
    assert _feeds(db) == [
        ("https://one.example/rss", "One", True),
        ("https://two.example/rss", "Two", True),
    ]


def test_poll_now_hands_the_feed_to_the_daemon(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        session.add(Feed(url="https://a.example/rss", name="A"))
    daemon = Daemon({"https://a.example/rss"})
    with console(db, tmp_path, handlers=daemon) as client:
        page = client.page("/feeds")
        assert "/feeds/1/poll" in [f.action for f in page.forms]
        done = client.submit("/feeds/1/poll")
        missing = client.post("/feeds/7/poll")
    assert "Polling started for feed 1" in notice(done)
    assert daemon.asked == [FetchRequest(("https://a.example/rss",), wait=False)]
    assert daemon.thread != "test-web-loop"  # not on the server's event loop
    assert missing.status_code == 404


def test_poll_now_without_a_daemon_says_so(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        session.add(Feed(url="https://a.example/rss"))
    with console(db, tmp_path) as client:
        client.page("/feeds")
        reply = client.post("/feeds/1/poll")
    assert reply.status_code == 503 and "the daemon is not running" in text_of(reply)
