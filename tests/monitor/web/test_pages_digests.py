"""The digests pages on a real database, through a real server: the list, one digest as
sent (its HTML framed under its own CSP, its text part), and resubscribing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from alerts.message import build_message
from alerts.render import Rendered
from monitor.storage import Database
from monitor.storage.models import Delivery, Digest, Feedback, Unsubscription
from monitor.web.pages.digests import DIGEST_CSP
from tests.monitor.web.pages_support import (
    HOSTILE_TITLE,
    T0,
    add_story,
    assert_forms_carry_csrf,
    console,
    notice,
    text_of,
)

HTML = f"<html><body><h1 style='color:red'>Digest</h1><p>{HOSTILE_TITLE}</p></body></html>"
TEXT = f"Digest\n\n{HOSTILE_TITLE}\nhttps://wire.example/a\n"


def _digest(db: Database, *, status: str = "sent", error: str | None = None) -> int:
    _, ids = add_story(db, articles=1)
    raw = build_message(
        Rendered(subject="newsmon: NATO <1 story>", text=TEXT, html=HTML),
        sender="newsmon@example.org",
        to="ann@example.org",
        message_id="<digest.1@example.org>",
        date=T0,
    )
    with db.session() as session:
        digest = Digest(
            recipient="ann@example.org",
            message_id=f"<digest.{ids[0]}@example.org>",
            subject="newsmon: NATO <1 story>",
            status=status,
            message=raw,
            created_at=T0,
            sent_at=T0 + timedelta(minutes=1) if status == "sent" else None,
            attempts=2,
            last_error=error,
        )
        session.add(digest)
        session.flush()
        session.add(Delivery(digest_id=digest.id, article_id=ids[0], recipient=digest.recipient))
        return digest.id


def test_list_shows_every_digest_with_its_delivery_state(db: Database, tmp_path: Path) -> None:
    sent = _digest(db)
    kept = _digest(db, status="pending", error="SMTP 451 <try later>")
    with console(db, tmp_path) as client:
        reply = client.get("/digests")
        page = client.page("/digests")
    text = text_of(reply)
    assert {f"/digests/{sent}", f"/digests/{kept}"} <= set(page.links())
    for shown in (
        "ann@example.org",
        "newsmon: NATO <1 story> (1 article)",
        "sent 2026-11-30 09:01 UTC",
        "pending",
        "SMTP 451 <try later>",
        "Nobody has unsubscribed",
    ):
        assert shown in text, shown


def test_one_digest_as_sent(db: Database, tmp_path: Path) -> None:
    digest_id = _digest(db)
    with console(db, tmp_path) as client:
        reply = client.get(f"/digests/{digest_id}")
        page = client.page(f"/digests/{digest_id}")
        framed = client.http.get(f"/digests/{digest_id}/html")
        missing = client.http.get("/digests/999")
    frames = page.all("iframe")
    assert len(frames) == 1 and frames[0]["src"] == f"/digests/{digest_id}/html"
    assert "sandbox" in frames[0] and frames[0]["sandbox"] == ""  # no allowances at all
    text = text_of(reply)
    assert HOSTILE_TITLE in text and "https://wire.example/a" in text  # the text part, as text
    assert "attempts 2" in text and "sent 2026-11-30 09:01 UTC" in text
    # The HTML part is served as sent, alone, under a CSP that forbids every script.
    assert framed.status_code == 200 and framed.text.strip() == HTML
    csp = framed.headers["content-security-policy"]
    assert csp == DIGEST_CSP and "sandbox" in csp and "script" not in csp
    assert csp.startswith("default-src 'none';")
    assert missing.status_code == 404


def test_resubscribe_an_unsubscribed_recipient(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        session.add(Unsubscription(recipient="ann@example.org", via="link", created_at=T0))
    with console(db, tmp_path) as client:
        page = client.page("/digests")
        assert "ann@example.org" in page.text and "since 2026-11-30 09:00 UTC (link)" in page.text
        assert_forms_carry_csrf(page, client.csrf)
        assert page.form_to("/digests/resubscribe").fields["recipient"] == "ann@example.org"
        no_token = client.post("/digests/resubscribe", {"recipient": "ann@example.org"}, csrf=False)
        with db.session() as session:
            assert session.scalars(select(Unsubscription.recipient)).all() == ["ann@example.org"]
        done = client.submit("/digests/resubscribe", {"recipient": "ann@example.org"})
        empty = client.post("/digests/resubscribe", {"recipient": " "})
    assert no_token.status_code == 403 and empty.status_code == 400
    assert notice(done) and "Nobody has unsubscribed" in done.text
    with db.session() as session:
        assert session.scalars(select(Unsubscription)).all() == []
        assert session.scalars(select(Feedback.action)).all() == ["resubscribe"]
