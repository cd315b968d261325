"""The one-click link pages, ``/l/<token>``, on a real server (uvicorn on 127.0.0.1) with a
real database: the links of a digest received by a real SMTP server (aiosmtpd) are opened
(GET: a page, nothing changes) and used (POST: done, once), the RFC 8058 one-click POST
unsubscribes, and a wrong or expired link gets a clear page and changes nothing."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import func, select

from alerts import run_digests
from monitor.config import EmailSettings, Settings
from monitor.daemon.token import ensure_secret
from monitor.feedback.links import LinkClaim, link_url, sign_link
from monitor.storage import Database
from monitor.storage.models import Article, Feedback, StoryMute, Unsubscription
from monitor.web.app import build_app
from monitor.web.context import WebContext
from tests.alerts.corpus import NOW, add_article, add_feed, add_story
from tests.monitor.web.serving import Served, served
from tests.smtpserver import ServerFactory

READER = "reader@example.org"
HOSTILE = 'NATO <script>alert("x")</script> update'


@dataclass
class Site:
    served: Served
    ctx: WebContext
    db: Database
    settings: Settings  # with [web] base_url = the server's address
    story_id: int
    lead_id: str
    update_id: str

    def link(self, claim: LinkClaim, *, now: float | None = None, secret: str | None = None) -> str:
        token = sign_link(secret or self.ctx.secret, claim, now=now)
        return link_url(self.served.base, token)

    def feedback_rows(self) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(Feedback)) or 0)


def _settings(db_url: str, tmp_path: Path, base_url: str | None, smtp_url: str | None) -> Settings:
    email: dict[str, object] = {
        "from": "newsmon <digest@newsmon.example>",
        "to": [READER],
        "outbox": str(tmp_path / "outbox"),
    }
    if smtp_url:
        email["smtp_url"] = smtp_url
    return Settings.model_validate(
        {
            "database": {"url": db_url},
            "seeds": {"include_bundled": False, "dir": str(tmp_path / "no-seeds")},
            "feeds": [],
            "email": email,
            "web": {"base_url": base_url},
            "daemon": {"data_dir": str(tmp_path / "data")},
        }
    )


@pytest.fixture
def site(
    db: Database, db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Site]:
    """A story (a lead and an update) in a real database, and the console serving it on a
    real socket, logins required (links need none)."""
    settings = _settings(db_url, tmp_path, None, None)
    with db.session() as s:
        feed = add_feed(s, "Capital Wire", "https://wire.example.net/rss")
        story = add_story(s, "NATO air defence for Ukraine")
        lead = add_article(
            s,
            settings,
            feed=feed,
            story=story,
            status="new_story",
            url="https://wire.example.net/nato-air-defence",
            # No topic word: not due, so the story is one the reader knows of and the
            # digest shows the update as an update (with its own links).
            title="Ministers back more air defence for Ukraine",
            text="Ministers agreed on Wednesday to send more air defence to Ukraine.",
        )
        update = add_article(
            s,
            settings,
            feed=feed,
            story=story,
            status="update",
            url="https://wire.example.net/nato-interceptors",
            published=NOW - timedelta(hours=1),
            title=HOSTILE,
            text="NATO allies will send interceptors within weeks, Mark Rutte said.",
            novel=["NATO allies will send interceptors within weeks, Mark Rutte said."],
        )
        ids = (story.id, lead.id, update.id)
    ctx = WebContext(
        settings=settings,
        db=db,
        secret=ensure_secret(settings.daemon.data_dir),
        token="test-token-0123456789",
        login_required=True,
    )
    with served(build_app(ctx)) as running:
        linked = settings.model_copy(
            update={"web": settings.web.model_copy(update={"base_url": running.base})}
        )
        yield Site(running, ctx, db, linked, *ids)


def _digest_links(site: Site, smtp_server: ServerFactory) -> tuple[dict[str, str], str]:
    """Send the digest through a real SMTP server: its links by label, and the
    List-Unsubscribe URL."""
    server = smtp_server()
    email = {**site.settings.email.model_dump(), "smtp_url": server.url()}
    settings = site.settings.model_copy(update={"email": EmailSettings.model_validate(email)})
    report = run_digests(site.db, settings, NOW)
    assert report.failures == [] and report.recipients[0].skipped is None
    [received] = server.recorder.received
    msg = received.message
    body = msg.get_body(preferencelist=("html",))
    assert body is not None
    content = body.get_content()
    found = re.findall(r'<a[^>]*href="([^"]+/l/[^"]+)"[^>]*>([^<]+)</a>', content)
    by_label = {label: html.unescape(href) for href, label in found}
    assert len(by_label) == len(found)  # one update: one link of each kind
    return by_label, str(msg["List-Unsubscribe"]).strip("<>")


def test_a_digests_links_open_a_page_then_do_their_one_thing(
    site: Site, smtp_server: ServerFactory
) -> None:
    links, unsubscribe = _digest_links(site, smtp_server)
    assert set(links) == {"Not new", "Mute story", "Unsubscribe"}
    assert links["Unsubscribe"] == unsubscribe
    with httpx.Client(timeout=10) as client:
        # GET (a mail scanner, a preview, the reader's click) explains and changes nothing.
        page = client.get(links["Not new"])
        assert page.status_code == 200
        assert "Not new?" in page.text and '<form method="post">' in page.text
        assert str(escape(HOSTILE)) in page.text and "<script>" not in page.text
        assert "set-cookie" not in page.headers  # no session for a reader
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert 'href="/feeds"' not in page.text  # no console navigation
        assert site.feedback_rows() == 0
        with site.db.session() as s:
            assert s.get_one(Article, site.update_id).status == "update"

        # POST (the button): done, no login and no CSRF token needed.
        done = client.post(links["Not new"])
        assert done.status_code == 200 and "Marked as not new" in done.text
        assert "Done: " in done.text
        with site.db.session() as s:
            article = s.get_one(Article, site.update_id)
            assert article.status == "duplicate" and article.feedback_at is not None
            row = s.scalars(select(Feedback)).one()
            assert (row.action, row.actor, row.via) == ("not_new", READER, "link")
        again = client.post(links["Not new"])
        assert again.status_code == 200 and "Already done" in again.text
        assert site.feedback_rows() == 1
        assert "already marked as not new" in client.get(links["Not new"]).text

        # Mute: the page names the story; the POST records the mute for this reader.
        page = client.get(links["Mute story"])
        assert "Mute this story?" in page.text and "NATO air defence for Ukraine" in page.text
        assert client.post(links["Mute story"]).status_code == 200
        with site.db.session() as s:
            assert s.get(StoryMute, (site.story_id, READER)) is not None


def test_rfc_8058_one_click_post_unsubscribes_and_stops_digests(
    site: Site, smtp_server: ServerFactory
) -> None:
    _, unsubscribe = _digest_links(site, smtp_server)
    with httpx.Client(timeout=10) as client:
        # What a mail client sends: no cookie, no page, just this body.
        reply = client.post(
            unsubscribe,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert reply.status_code == 200 and "Unsubscribed" in reply.text
        # Some clients send it as multipart/form-data.
        repeat = client.post(unsubscribe, files={"List-Unsubscribe": (None, "One-Click")})
        assert repeat.status_code == 200 and "Already done" in repeat.text
    with site.db.session() as s:
        row = s.get_one(Unsubscription, READER)
        assert row.via == "list-unsubscribe"
        feedback = s.scalars(select(Feedback)).one()
        assert (feedback.action, feedback.via) == ("unsubscribe", "list-unsubscribe")
    with site.db.session() as s:
        add_article(
            s,
            site.settings,
            feed=None,
            story=add_story(s, "NATO later"),
            status="new_story",
            title="NATO opens an office in Kyiv",
            text="NATO opened an office in Kyiv.",
        )
    report = run_digests(site.db, site.settings, NOW + timedelta(hours=1))
    assert report.recipients[0].skipped == "unsubscribed"


def test_the_pages_button_unsubscribes_as_a_link(site: Site) -> None:
    url = site.link(LinkClaim("unsubscribe", READER))
    with httpx.Client(timeout=10) as client:
        page = client.get(url)
        assert "Unsubscribe?" in page.text and READER in page.text
        assert client.post(url).status_code == 200
    with site.db.session() as s:
        assert s.get_one(Unsubscription, READER).via == "link"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_wrong_or_expired_links_get_a_clear_page_and_change_nothing(
    site: Site, method: str
) -> None:
    claim = LinkClaim("not_new", READER, article_id=site.update_id)
    good = site.link(claim)
    token = good.rsplit("/", 1)[1]
    altered = good[:-8] + ("A" if good[-8] != "A" else "B") + good[-7:]
    other_secret = site.link(claim, secret="not-this-newsmons-secret")
    expired = site.link(claim, now=time.time() - site.settings.web.link_ttl - 60)
    cases = [
        (altered, 400, "Link not valid"),
        (other_secret, 400, "Link not valid"),
        (site.served.url("/l/nonsense"), 400, "Link not valid"),
        (expired, 410, "Link expired"),
    ]
    with httpx.Client(timeout=10) as client:
        for url, status, heading in cases:
            reply = client.request(method, url, content=b"List-Unsubscribe=One-Click")
            assert reply.status_code == status, url
            assert heading in reply.text and "Nothing happens" not in reply.text
            assert token not in reply.text and url.rsplit("/", 1)[1] not in reply.text
    assert site.feedback_rows() == 0
    with site.db.session() as s:
        assert s.get_one(Article, site.update_id).status == "update"


def test_a_link_to_what_is_gone_says_so(site: Site) -> None:
    story = site.link(LinkClaim("mute", READER, story_id=999_999))
    article = site.link(LinkClaim("not_new", READER, article_id="no-such-article"))
    with httpx.Client(timeout=10) as client:
        for url in (story, article):
            page = client.get(url)
            assert page.status_code == 404 and "no longer in newsmon" in page.text
            post = client.post(url)
            assert post.status_code == 409 and "Nothing was changed" in post.text
    assert site.feedback_rows() == 0
