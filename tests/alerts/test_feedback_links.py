"""Digests and readers' feedback, through a real SMTP server (aiosmtpd) and a real database:
the one-click links and List-Unsubscribe headers (only with ``[web] base_url``), and
selection honouring unsubscriptions, story mutes and corrections (``feedback_at``)."""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts import plan_digests, resolve_recipients, run_digests
from alerts.outbox import UNSUBSCRIBED_ERROR
from alerts.run import compose_digest
from monitor.config import DaemonSettings, Settings
from monitor.config.settings import WebSettings
from monitor.daemon.token import SECRET_FILE, ensure_secret
from monitor.feedback import actions
from monitor.feedback.actions import Actor
from monitor.feedback.links import LinkClaim, verify_link
from monitor.storage.models import Article, Delivery, Digest, Story
from tests.alerts.conftest import ServerFactory, SmtpServer, World
from tests.alerts.corpus import NOW, add_article, add_feed
from tests.alerts.test_delivery import parts

BASE = "https://news.example.org/newsmon"
READER = "reader@example.org"
EDITOR = "editor@example.org"
TTL = 30 * 86400
LINK = re.compile(re.escape(BASE) + r"/l/[A-Za-z0-9_.-]+")


def with_web(settings: Settings, tmp_path: Path, base_url: str | None = BASE) -> Settings:
    """``settings`` with ``[web] base_url`` and the daemon's data folder in ``tmp_path``."""
    return settings.model_copy(
        update={
            "web": WebSettings(base_url=base_url),
            "daemon": DaemonSettings(data_dir=tmp_path / "data"),
        }
    )


def claims(urls: list[str], secret: str) -> list[LinkClaim]:
    return [verify_link(secret, url.rsplit("/", 1)[1], TTL) for url in urls]


def html_links(part: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', part) if "/l/" in h]


def only_message(server: SmtpServer) -> EmailMessage:
    [received] = server.recorder.received
    return received.message


def story_id(world: World, title: str) -> int:
    with world.db.session() as s:
        return s.scalars(select(Story.id).where(Story.title == title)).one()


def test_with_base_url_every_item_has_links_and_the_message_one_click_headers(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    settings = with_web(world.with_email(smtp_url=server.url()), world.tmp_path)
    report = run_digests(world.db, settings, NOW)
    assert report.failures == []
    msg = only_message(server)
    secret = (world.tmp_path / "data" / SECRET_FILE).read_text().strip()

    # RFC 8058: the header is one unbroken <URL> (not RFC 2047 words), POST one-click.
    raw = server.recorder.received[0].data.decode("ascii")
    header = re.search(r"^List-Unsubscribe: <(.+)>\r$", raw, re.M)
    assert header is not None and LINK.fullmatch(header.group(1))
    assert str(msg["List-Unsubscribe"]) == f"<{header.group(1)}>"
    assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert claims([header.group(1)], secret) == [LinkClaim("unsubscribe", READER)]

    text, body = parts(msg)
    in_html, in_text = html_links(body), LINK.findall(text)
    assert set(in_html) == set(in_text)  # the same signed links in both parts
    assert header.group(1) in in_html  # the footer's unsubscribe is the header's
    got = claims(in_html, secret)
    c = world.corpus
    shown = {*c.new_stories, *c.updates}
    assert {x.article_id for x in got if x.action == "not_new"} == shown
    with world.db.session() as s:
        stories = set(s.scalars(select(Article.story_id).where(Article.id.in_(shown))))
    assert {x.story_id for x in got if x.action == "mute"} == stories and len(stories) == 5
    assert {x.recipient for x in got} == {READER}
    assert [x.action for x in got].count("unsubscribe") == 1
    assert "Not new" in body and "Mute story" in body and ">Unsubscribe</a>" in body
    assert "Not new: " + BASE in text and "Unsubscribe: " + BASE in text
    # Only the reader's own items are offered: no link names a duplicate.
    assert not {x.article_id for x in got} & set(c.duplicates)


def test_without_base_url_no_link_no_header_no_secret(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    settings = with_web(world.with_email(smtp_url=server.url()), world.tmp_path, base_url=None)
    run_digests(world.db, settings, NOW)
    msg = only_message(server)
    assert msg["List-Unsubscribe"] is None and msg["List-Unsubscribe-Post"] is None
    text, body = parts(msg)
    for part in (text, body):
        assert "/l/" not in part and "Unsubscribe" not in part and "Not new" not in part
        assert "Mute story" not in part
    assert not (world.tmp_path / "data" / SECRET_FILE).exists()


def test_links_change_neither_the_message_id_nor_what_a_retry_sends(
    world: World, smtp_server: ServerFactory
) -> None:
    plain = with_web(world.settings, world.tmp_path, base_url=None)
    linked = with_web(world.settings, world.tmp_path)
    [recipient] = resolve_recipients(plain)
    a = compose_digest(world.db, plain, recipient, NOW, store=False)
    b = compose_digest(world.db, linked, recipient, NOW, store=False)
    assert a is not None and b is not None
    assert a.message_id == b.message_id and a.data != b.data
    # A retry sends the stored bytes: the same links, the same Message-ID.
    server = smtp_server()
    server.recorder.replies.append("451 4.3.0 try again later")
    settings = with_web(world.with_email(smtp_url=server.url(), retry_delay=60), world.tmp_path)
    first = run_digests(world.db, settings, NOW)
    assert [f.status for f in first.failures] == ["pending"]
    later = run_digests(world.db, settings, NOW + timedelta(minutes=5))
    assert [r.status for r in later.retried] == ["sent"]
    with world.db.session() as s:
        stored = s.scalars(select(Digest)).one()
        assert stored.message_id == b.message_id
        assert server.recorder.received[0].data.replace(b"\r\n", b"\n") == stored.message.replace(
            b"\r\n", b"\n"
        )


def test_an_unsubscribed_recipient_gets_nothing_until_resubscribed(
    world: World, smtp_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = smtp_server()
    settings = world.with_email(smtp_url=server.url(), to=[READER, EDITOR])
    with world.db.session() as s:
        actions.unsubscribe(s, READER, Actor(READER, "list-unsubscribe"))
    plan = plan_digests(world.db, settings, NOW)
    assert [(r.recipient, r.skipped) for r in plan.recipients] == [
        (READER, "unsubscribed"),
        (EDITOR, None),
    ]
    with caplog.at_level(logging.INFO, logger="alerts.run"):
        report = run_digests(world.db, settings, NOW)
    assert [(r.recipient, r.skipped) for r in report.recipients] == [
        (READER, "unsubscribed"),
        (EDITOR, None),
    ]
    assert [r.rcpt_tos for r in server.recorder.received] == [[EDITOR]]
    lines = [r.getMessage() for r in caplog.records if "unsubscribed" in r.getMessage()]
    assert len(lines) == 1 and lines[0].startswith(f"no digest for {READER}: unsubscribed on ")
    assert lines[0].endswith("(via list-unsubscribe)")
    with world.db.session() as s:
        assert not list(s.scalars(select(Digest).where(Digest.recipient == READER)))
        actions.resubscribe(s, READER, Actor("console", "console"))
    # Nothing was lost meanwhile: everything due comes in the next digest.
    again = run_digests(world.db, settings, NOW + timedelta(hours=1))
    assert [(r.recipient, r.skipped) for r in again.recipients] == [
        (READER, None),
        (EDITOR, "nothing new"),
    ]
    assert again.recipients[0].new_stories == 3 and again.recipients[0].updates == 2


def test_a_digest_waiting_for_a_retry_is_not_sent_after_an_unsubscribe(
    world: World, smtp_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = smtp_server()
    server.recorder.replies.append("451 4.3.0 try again later")
    settings = world.with_email(smtp_url=server.url(), retry_delay=60)
    [failed] = run_digests(world.db, settings, NOW).failures
    with world.db.session() as s:
        actions.unsubscribe(s, READER, Actor(READER, "link"))
    with caplog.at_level(logging.INFO, logger="alerts.run"):
        later = run_digests(world.db, settings, NOW + timedelta(minutes=5))
    assert later.retried == [] and later.waiting == []
    assert later.recipients[0].skipped == "unsubscribed"
    assert server.recorder.received == []
    with world.db.session() as s:
        digest = s.get_one(Digest, failed.digest_id)
        assert (digest.status, digest.last_error) == ("failed", UNSUBSCRIBED_ERROR)
    assert f"digest {failed.digest_id} to {READER} not sent: the recipient unsubscribed" in [
        r.getMessage() for r in caplog.records
    ]


def _late_news(world: World, rutte: int) -> tuple[str, str]:
    """An update to the muted story and a new story elsewhere, after the first digest."""
    with world.db.session() as s:
        feed = add_feed(s, "Late Wire", "https://late.example.com/rss")
        update = add_article(
            s,
            world.settings,
            feed=feed,
            story=s.get(Story, rutte),
            status="update",
            url="https://late.example.com/rutte-landau-call",
            published=NOW + timedelta(minutes=30),
            title="Rutte and Landau speak again on NATO",
            text="Mark Rutte spoke to Christopher Landau about NATO on Thursday.",
            novel=["Mark Rutte spoke to Christopher Landau about NATO on Thursday."],
        )
        new = add_article(
            s,
            world.settings,
            feed=feed,
            story=Story(title="NATO office in Kyiv", created_at=NOW, updated_at=NOW),
            status="new_story",
            url="https://late.example.com/nato-kyiv-office",
            published=NOW + timedelta(minutes=40),
            title="NATO opens a new office in Kyiv",
            text="NATO opened a liaison office in Kyiv on Thursday, officials said.",
        )
        return update.id, new.id


def test_a_muted_story_is_left_out_for_that_recipient_only(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    settings = world.with_email(smtp_url=server.url(), to=[READER, EDITOR])
    run_digests(world.db, settings, NOW)
    assert len(server.recorder.received) == 2
    rutte = story_id(world, "Rutte dismisses concerns over US commitment to NATO")
    with world.db.session() as s:
        outcome = actions.mute_story(s, rutte, READER, Actor(READER, "link"))
        assert outcome.changed
    update, new = _late_news(world, rutte)
    later = NOW + timedelta(hours=2)
    report = run_digests(world.db, settings, later)
    by = {r.recipient: r for r in report.recipients}
    assert (by[READER].new_stories, by[READER].updates) == (1, 0)
    assert (by[EDITOR].new_stories, by[EDITOR].updates) == (1, 1)
    reader_mail, editor_mail = (r.message for r in server.recorder.received[2:])
    assert "Rutte and Landau speak" not in " ".join(parts(reader_mail))
    assert "Christopher Landau about NATO" in " ".join(parts(editor_mail))
    with world.db.session() as s:
        reader_items = set(
            s.scalars(select(Delivery.article_id).where(Delivery.recipient == READER))
        )
    assert new in reader_items and update not in reader_items
    # Unmuted, the update the reader missed comes in their next digest.
    with world.db.session() as s:
        actions.unmute_story(s, rutte, READER, Actor("console", "console"))
    back = run_digests(world.db, settings, later + timedelta(hours=1))
    assert [(r.recipient, r.updates) for r in back.recipients] == [(READER, 1), (EDITOR, 0)]


def test_an_article_corrected_after_its_digest_is_due_again_once(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    settings = world.with_email(smtp_url=server.url())
    first = run_digests(world.db, settings, NOW)
    assert first.recipients[0].duplicates == 6
    with world.db.session() as s:
        retelling = s.scalars(
            select(Article).where(Article.title == "Rutte dismisses concerns over US commitment")
        ).one()
        article_id = retelling.id
        actions.mark_new(s, article_id, Actor("console", "console"))
    after = datetime.now(UTC) + timedelta(minutes=1)
    report = run_digests(world.db, settings, after)
    [result] = report.recipients
    assert (result.new_stories, result.updates, result.duplicates) == (0, 1, 0)
    _, body = parts(server.recorder.received[-1].message)
    assert "Rutte dismisses concerns over US commitment to NATO" in body  # its story
    with world.db.session() as s:
        digests = list(
            s.scalars(select(Delivery.digest_id).where(Delivery.article_id == article_id))
        )
    assert len(digests) == 2  # once as a duplicate, once as what it now is
    # Once: the next round has nothing for it.
    assert run_digests(world.db, settings, after + timedelta(hours=1)).recipients[0].skipped == (
        "nothing new"
    )


def test_an_article_never_shown_to_a_recipient_is_unaffected_by_feedback_at(world: World) -> None:
    """feedback_at only re-opens what a digest showed: before any digest, it is simply due."""
    with world.db.session() as s:
        [dup, *_] = world.corpus.duplicates
        actions.mark_new(s, dup, Actor("console", "console"))
    [reader] = resolve_recipients(world.settings)
    composed = compose_digest(world.db, world.settings, reader, datetime.now(UTC), store=True)
    assert composed is not None and dup in composed.content.article_ids
    assert composed.content.article_ids.count(dup) == 1


def test_the_secret_is_the_daemons(world: World, smtp_server: ServerFactory) -> None:
    """`newsmon digest --send` and `newsmon run` sign with the same key in [daemon] data_dir."""
    data = world.tmp_path / "data"
    secret = ensure_secret(data)
    server = smtp_server()
    run_digests(world.db, with_web(world.with_email(smtp_url=server.url()), world.tmp_path), NOW)
    url = str(only_message(server)["List-Unsubscribe"]).strip("<>")
    assert claims([url], secret) == [LinkClaim("unsubscribe", READER)]
