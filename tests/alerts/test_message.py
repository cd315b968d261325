"""The stored message: multipart/alternative, deterministic Message-ID, and the .eml outbox."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy import select

from alerts import run_digests
from alerts.deliver import EmlTransport, OutgoingMessage
from alerts.message import build_message, message_id
from alerts.outbox import claim
from alerts.render import Rendered
from monitor.storage.models import Digest
from tests.alerts.conftest import World
from tests.alerts.corpus import NOW


def test_message_id_is_deterministic() -> None:
    a = message_id("r@example.org", ["b", "a", "c"], 0, "newsmon <n@news.example>")
    assert a == message_id("r@example.org", ["c", "a", "b"], 0, "n@news.example")
    assert a.endswith("@news.example>") and a.startswith("<digest.")
    assert a != message_id("r@example.org", ["a", "b", "c"], 1, "n@news.example")
    assert a != message_id("s@example.org", ["a", "b", "c"], 0, "n@news.example")
    assert message_id("r", [], 0, "localhost-only").endswith("@newsmon.invalid>")


def test_build_message_parts_and_headers() -> None:
    rendered = Rendered("NATO: 1 update (4 Dec)", "plain ü\n", "<p>html ü</p>")
    data = build_message(
        rendered, sender="n@news.example", to="r@example.org", message_id="<x@y>", date=NOW
    )
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    assert str(msg["From"]) == "newsmon <n@news.example>"
    assert msg["Auto-Submitted"] == "auto-generated"
    plain, html = msg.iter_parts()
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    assert plain.get_content().replace("\r\n", "\n") == "plain ü\n"
    assert "html ü" in html.get_content()


def test_without_smtp_digests_go_to_the_outbox_folder_once(world: World) -> None:
    report = run_digests(world.db, world.settings, NOW)
    assert report.transport == f"outbox folder {world.tmp_path / 'outbox'}"
    [result] = report.recipients
    assert result.delivery is not None and result.delivery.status == "sent"
    [eml] = (world.tmp_path / "outbox").glob("*.eml")
    assert eml.name.startswith("20251204-060000-digest.")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["Message-ID"] == result.message_id and msg["To"] == "reader@example.org"
    # Re-sending the stored digest (a retry after a crash) replaces the same file.
    with world.db.session() as s:
        digest = s.scalars(select(Digest)).one()
        message = OutgoingMessage(
            digest.id, digest.message_id, "x", "y", digest.message, digest.created_at
        )
    EmlTransport(world.tmp_path / "outbox").send(message)
    assert list((world.tmp_path / "outbox").glob("*")) == [eml]
    assert run_digests(world.db, world.settings, NOW).recipients[0].skipped == "nothing new"


def test_unwritable_outbox_keeps_the_digest_pending(world: World) -> None:
    blocked = world.tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    settings = world.with_email(outbox=blocked)
    [failed] = run_digests(world.db, settings, NOW).failures
    assert failed.status == "pending" and failed.error is not None
    assert failed.error.startswith(f"outbox folder {blocked}: cannot write")
    assert claim(world.db, failed.digest_id, NOW, 300, "x") is None  # backing off
    later = run_digests(world.db, world.settings, NOW + timedelta(hours=1))
    assert [a.status for a in later.retried] == ["sent"]
