"""Chat and push notifications through Apprise, sent to a real HTTP endpoint on 127.0.0.1
(Apprise's ``json://`` target): one message per channel per round with exactly the digest's
items, stored first, retried after a 500, sent once, and no channel secret anywhere."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from alerts import preview_digest, retry_pending, run_digests
from alerts.compose import DigestContent
from alerts.notify import Channel, compose_notice, url_secrets
from alerts.notify_outbox import claim
from monitor.config import Settings, load_settings
from monitor.errors import ConfigError
from monitor.logs import setup_logging
from monitor.storage.models import Delivery, Digest, Notification
from tests.alerts.conftest import World, make_settings
from tests.alerts.corpus import NOW, ExampleCorpus
from tests.cli_process import newsmon
from tests.conftest import SEEDS

TOKEN = "s3cr3t-t0ken-4242"
PASSWORD = "hunter2-pw-77"
URL_RE = re.compile(r"https?://\S+")


@dataclass
class Hook:
    """A webhook endpoint: records every POST, answers with the next queued status (200
    once the queue is empty)."""

    port: int = 0
    statuses: list[int] = field(default_factory=list)
    received: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def url(self) -> str:
        return f"json://bot:{PASSWORD}@127.0.0.1:{self.port}/hook/{TOKEN}"

    def delivered(self) -> list[dict[str, Any]]:
        return [body for status, body in self.received if status == 200]


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = state.statuses.pop(0) if state.statuses else 200
            state.received.append((status, body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def chat_only(world: World, hook: Hook, **email: Any) -> Settings:
    """A recipient with no address, one channel; nobody gets e-mail."""
    return make_settings(
        world.db_url,
        world.tmp_path,
        email={"to": [], **email},
        recipients=[{"name": "ops-chat", "notify": [hook.url()]}],
    )


def expected_items(content: DigestContent) -> tuple[list[str], set[str]]:
    """The headlines and links of the digest's shown items, in its order."""
    headlines: list[str] = []
    links: set[str] = set()
    for section in content.sections:
        for story in section.new_stories:
            headlines.append(story.headline)
            links.add(story.source.url or "")
        for update in section.updates:
            headlines.append(update.headline)
            links.add(update.lines[0].source.url or "")
    return headlines, links


def notifications(world: World) -> list[Notification]:
    with world.db.session() as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def digests(world: World) -> list[Digest]:
    with world.db.session() as s:
        return list(s.scalars(select(Digest).order_by(Digest.id)))


def delivered_ids(world: World, digest_id: int) -> set[str]:
    with world.db.session() as s:
        query = select(Delivery.article_id).where(Delivery.digest_id == digest_id)
        return set(s.scalars(query))


def test_one_message_per_round_with_exactly_the_digests_items(world: World, hook: Hook) -> None:
    settings = chat_only(world, hook)
    content = preview_digest(world.db, settings, NOW, "ops-chat").content
    headlines, links = expected_items(content)
    assert len(headlines) == 5  # the corpus: 3 new stories, 2 updates

    report = run_digests(world.db, settings, NOW)

    [result] = report.recipients
    assert result.recipient == "ops-chat" and result.delivery is None  # no e-mail
    assert [n.status for n in report.notifications] == ["sent"]
    [message] = hook.delivered()
    assert message["title"] == result.subject
    lines = message["message"].splitlines()
    assert lines[0] == "3 new stories, 2 updates; 6 duplicates suppressed."
    listed = [line for line in lines if line.startswith("- ")]
    for headline, line in zip(headlines, listed, strict=True):
        assert headline in line
    assert set(URL_RE.findall(message["message"])) == links
    # The round's digest row holds exactly the items of the e-mail digest it stands for.
    [digest] = digests(world)
    assert digest.status == "sent" and digest.recipient == "ops-chat" and digest.message == b""
    assert delivered_ids(world, digest.id) == set(content.article_ids)
    c = world.corpus
    assert set(content.article_ids) == {*c.new_stories, *c.updates, *c.duplicates}
    [stored] = notifications(world)
    assert stored.status == "sent" and stored.digest_id == digest.id
    assert stored.body == message["message"] and stored.label == "JSON, notify #1"
    # Nothing new: no second message, ever.
    again = run_digests(world.db, settings, NOW + timedelta(days=1))
    assert again.recipients[0].skipped == "nothing new" and again.notifications == []
    retry_pending(world.db, settings, NOW + timedelta(days=2))
    assert len(hook.received) == 1


def test_500_then_recovery_stored_retried_sent_exactly_once(world: World, hook: Hook) -> None:
    hook.statuses.append(500)
    settings = chat_only(world, hook, retry_delay=600)
    content = preview_digest(world.db, settings, NOW, "ops-chat").content

    first = run_digests(world.db, settings, NOW)

    [failed] = first.notifications
    assert failed.status == "pending" and failed.attempts == 1
    assert failed.error is not None and "error=500" in failed.error
    assert failed.next_attempt_at == NOW + timedelta(seconds=600)
    assert hook.delivered() == []
    [stored] = notifications(world)
    assert stored.status == "pending" and stored.last_error == failed.error
    [digest] = digests(world)
    assert digest.status == "notifying"  # holds its items while the message waits
    # Before the backoff is over: nothing composed (the items are taken), nothing resent.
    early = run_digests(world.db, settings, NOW + timedelta(minutes=5))
    assert early.recipients[0].skipped == "nothing new" and early.notifications == []
    assert len(hook.received) == 1

    retry_pending(world.db, settings, NOW + timedelta(minutes=11))

    [message] = hook.delivered()
    assert message["message"] == hook.received[0][1]["message"]  # the stored text, again
    _, links = expected_items(content)
    assert set(URL_RE.findall(message["message"])) == links
    [stored] = notifications(world)
    assert stored.status == "sent" and stored.attempts == 2 and stored.last_error is None
    [digest] = digests(world)
    assert digest.status == "sent"
    assert delivered_ids(world, digest.id) == set(content.article_ids)
    retry_pending(world.db, settings, NOW + timedelta(days=1))
    late = run_digests(world.db, settings, NOW + timedelta(days=1), kept_now=True)
    assert late.notifications == [] and late.recipients[0].skipped == "nothing new"
    assert len(hook.received) == 2 and len(hook.delivered()) == 1


def test_email_and_chat_carry_the_same_items(world: World, hook: Hook) -> None:
    settings = make_settings(
        world.db_url,
        world.tmp_path,
        email={"to": []},
        recipients=[{"email": "Reader@Example.org", "notify": [hook.url()]}],
    )
    report = run_digests(world.db, settings, NOW)
    [result] = report.recipients
    assert result.delivery is not None and result.delivery.status == "sent"
    [digest] = digests(world)
    assert digest.recipient == "reader@example.org" and digest.status == "sent"
    assert len(list((world.tmp_path / "outbox").glob("*.eml"))) == 1
    [stored] = notifications(world)
    assert stored.digest_id == digest.id and stored.status == "sent"
    assert stored.recipient == "reader@example.org"
    [message] = hook.delivered()
    assert message["title"] == digest.subject
    email = BytesParser(policy=default).parsebytes(digest.message)
    html = email.get_body(preferencelist=("html",))
    assert isinstance(html, EmailMessage)
    links = URL_RE.findall(message["message"])
    assert len(links) == 5  # 3 new stories, 2 updates, as in the e-mail
    for link in links:
        assert f'href="{link}"' in html.get_content()  # each is one of the e-mail's


def test_given_up_message_releases_the_items_to_the_next_round(world: World, hook: Hook) -> None:
    hook.statuses.append(500)
    settings = chat_only(world, hook, max_attempts=1)
    first = run_digests(world.db, settings, NOW)
    assert [n.status for n in first.notifications] == ["failed"]
    [digest] = digests(world)
    assert digest.status == "failed"
    second = run_digests(world.db, settings, NOW + timedelta(hours=1))
    assert [n.status for n in second.notifications] == ["sent"]
    old, new = digests(world)
    assert delivered_ids(world, new.id) == delivered_ids(world, old.id)
    assert len(hook.delivered()) == 1


def test_two_processes_cannot_claim_one_message(world: World, hook: Hook) -> None:
    hook.statuses.append(500)
    settings = chat_only(world, hook)
    run_digests(world.db, settings, NOW)
    [stored] = notifications(world)
    due = NOW + timedelta(hours=1)
    assert claim(world.db, stored.id, due, 300) is not None
    assert claim(world.db, stored.id, due, 300) is None
    assert retry_pending(world.db, settings, due) == []
    assert len(hook.received) == 1


@pytest.fixture
def newsmon_log() -> Iterator[io.StringIO]:
    """newsmon's own log handler, as ``newsmon run -vv`` sets it up (DEBUG, libraries
    included, secrets masked by the handler), writing to a buffer instead of stderr."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    setup_logging(verbose=2, daemon=True)
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)


def test_channel_secrets_are_never_logged_stored_or_reported(
    world: World, hook: Hook, newsmon_log: io.StringIO
) -> None:
    closed = f"json://bot:{PASSWORD}@127.0.0.1:9/hook/{TOKEN}"  # nothing listens on port 9
    hook.statuses.append(500)
    settings = make_settings(
        world.db_url,
        world.tmp_path,
        email={"to": []},
        recipients=[{"name": "ops-chat", "notify": [closed, hook.url()]}],
    )
    report = run_digests(world.db, settings, NOW)
    refused, failed = report.notifications
    assert refused.status == failed.status == "pending"
    assert refused.error is not None and "Connection error" in refused.error
    assert failed.error is not None and "error=500" in failed.error
    assert hook.received  # the request with the token in its path was made, and logged
    stored = " ".join(
        f"{n.channel} {n.label} {n.title} {n.body} {n.last_error}" for n in notifications(world)
    )
    logged = newsmon_log.getvalue()
    assert "notification 1 to ops-chat not delivered" in logged
    assert "POST /hook/***" in logged  # urllib3's DEBUG line, masked
    shown = f"{logged} {json.dumps(report.as_dict(), default=str)} {stored} {settings!r}"
    for secret in (TOKEN, PASSWORD):
        assert secret not in shown


def test_message_fits_the_channels_limit_without_cutting_a_link(world: World) -> None:
    content = preview_digest(world.db, world.settings, NOW).content
    headlines, links = expected_items(content)
    sms = Channel("twilio://x", 1, "Twilio", body_max=420, title_max=0)
    notice = compose_notice(content, sms)
    assert notice.title == "" and len(notice.body) <= 420
    lines = notice.body.splitlines()
    assert lines[0].startswith("NATO, Marco Rubio, Mark Rutte: 3 new stories, 2 updates")
    listed = [line for line in lines if line.startswith("- ")]
    assert 0 < len(listed) < len(headlines)
    assert lines[-1] == f"+{len(headlines) - len(listed)} more."
    assert set(URL_RE.findall(notice.body)) <= links  # whole links only
    roomy = compose_notice(content, Channel("json://x", 1, "JSON", 32768, 250))
    assert set(URL_RE.findall(roomy.body)) == links
    assert not roomy.body.endswith("more.")


def test_url_secrets_cover_tokens_in_host_path_and_password() -> None:
    found = url_secrets("slack://T1234ABCD/B5678EFGH/abcdefghijklmnop/#general")
    assert {"T1234ABCD", "B5678EFGH", "abcdefghijklmnop"} <= set(found)
    found = url_secrets(f"ntfys://user:{PASSWORD}@ntfy.sh/{TOKEN}")
    assert PASSWORD in found and TOKEN in found and "ntfy.sh" not in found


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            f'name = "ops"\nnotify = ["slak://{TOKEN}"]\n',
            r"notify #1 \(slak://\.\.\.\) is not a URL Apprise can send to",
        ),
        ('name = "ops"\n', r"\[\[recipients\]\] #1: give an email address, or a name and"),
        (f'name = "ops"\nnotify = ["{TOKEN}"]\n', r"notify.0: not an Apprise URL"),
        (f'name = "a@b"\nnotify = ["json://h/{TOKEN}"]\n', r"name: not a recipient name"),
    ],
)
def test_bad_notify_configuration_is_one_line_without_the_secret(
    tmp_path: Path, table: str, expected: str
) -> None:
    config = tmp_path / "newsmon.toml"
    config.write_text(f"[email]\nto = []\n\n[[recipients]]\n{table}", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        from alerts.recipients import resolve_recipients

        resolve_recipients(load_settings(config))
    text = str(caught.value)
    assert re.search(expected, text), text
    assert TOKEN not in text and "\n" not in text


def test_digest_send_command_reports_a_failed_message_then_sends_it_once(
    tmp_path: Path, hook: Hook, _sqlite_world: tuple[Path, ExampleCorpus]
) -> None:
    """``newsmon digest --send`` with the channel in the environment, as the docs advise."""
    shutil.copyfile(_sqlite_world[0], tmp_path / "newsmon.db")
    (tmp_path / "newsmon.toml").write_text(
        "feeds = []\n"
        f'[database]\nurl = "sqlite:///{tmp_path / "newsmon.db"}"\n'
        f'[seeds]\ndir = "{SEEDS}"\ninclude_bundled = false\n'
        "[email]\nto = []\n",
        encoding="utf-8",
    )
    env = {"NEWSMON_RECIPIENTS": json.dumps([{"name": "ops-chat", "notify": [hook.url()]}])}
    hook.statuses.append(500)

    first = newsmon(tmp_path, "digest", "--send", "--recipient", "ops-chat", env=env)

    assert first.returncode == 1
    assert "notification 1 to ops-chat (JSON, notify #1): pending, retry at" in first.stdout
    assert (
        "newsmon: error: 1 notification not delivered (kept; retried later): JSON, notify #1: "
        in first.stderr
    )
    second = newsmon(tmp_path, "digest", "--send", "--recipient", "OPS-chat", env=env)
    assert second.returncode == 0, second.stderr
    assert "notification 1 to ops-chat (JSON, notify #1): sent" in second.stdout
    assert "ops-chat: nothing new, nothing sent" in second.stdout
    assert len(hook.received) == 2 and len(hook.delivered()) == 1
    for output in (first.stdout, first.stderr, second.stdout, second.stderr):
        assert TOKEN not in output and PASSWORD not in output
