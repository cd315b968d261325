"""Delivering digests to a real SMTP server (aiosmtpd on 127.0.0.1), including the ways it
fails, and checking that every item arrives exactly once in the end."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts import run_digests
from alerts.outbox import claim, mark_sent
from alerts.run import deliver
from monitor.storage.models import Delivery, Digest
from tests.alerts.conftest import SMTP_PASSWORD, SMTP_USER, ServerFactory, SmtpServer, World
from tests.alerts.corpus import NOW

LATER = NOW + timedelta(hours=1)


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    return plain.get_content(), html.get_content()


def flat(text: str) -> str:
    """Text without tags and line wrapping, to look for sentences in either part."""
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def stored_digests(world: World) -> list[Digest]:
    with world.db.session() as s:
        return list(s.scalars(select(Digest).order_by(Digest.id)))


def delivered_ids(world: World, status: str = "sent") -> list[str]:
    with world.db.session() as s:
        query = select(Delivery.article_id).join(Digest).where(Digest.status == status)
        return list(s.scalars(query))


def assert_exactly_once(world: World, server: SmtpServer) -> None:
    """One message per Message-ID, every corpus item delivered in a sent digest once, and a
    further round has nothing left to send."""
    ids = server.recorder.message_ids()
    assert len(ids) == len(set(ids)), ids
    digests = stored_digests(world)
    assert all(d.status == "sent" for d in digests)
    assert sorted(ids) == sorted(d.message_id for d in digests)
    delivered = delivered_ids(world)
    assert len(delivered) == len(set(delivered))
    c = world.corpus
    assert set(delivered) == {*c.new_stories, *c.updates, *c.duplicates}
    again = run_digests(world.db, world.settings, LATER + timedelta(days=2))
    assert again.recipients[0].skipped == "nothing new"
    assert len(server.recorder.received) == len(ids)


def test_digest_arrives_with_headers_parts_stories_links(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    settings = world.with_email(smtp_url=server.url())
    report = run_digests(world.db, settings, NOW)
    assert report.transport == server.url() and report.failures == []
    [result] = report.recipients
    assert result.delivery is not None and result.delivery.status == "sent"
    [received] = server.recorder.received
    assert received.mail_from == "digest@newsmon.example"
    assert received.rcpt_tos == ["reader@example.org"]
    msg = received.message
    assert parseaddr(str(msg["From"])) == ("newsmon", "digest@newsmon.example")
    assert str(msg["To"]) == "reader@example.org"
    assert str(msg["Subject"]) == "NATO, Marco Rubio, Mark Rutte: 3 new stories, 2 updates (4 Dec)"
    assert re.fullmatch(r"<digest\.[0-9a-f]{32}@newsmon\.example>", str(msg["Message-ID"]))
    assert str(msg["Message-ID"]) == result.message_id
    assert parsedate_to_datetime(str(msg["Date"])) == NOW
    assert msg.get_content_type() == "multipart/alternative"
    text, html = parts(msg)
    for headline in [
        "NATO ministers back more air defence for Ukraine as Rutte presses allies",
        "Rubio plans first visit to Kyiv and Warsaw next week",
        "Eleven NATO allies sign joint deal to buy artillery ammunition",
    ]:
        assert headline in flat(text) and headline in flat(html)
    # Summaries: the lead sentence first.
    lead = "Eleven NATO allies signed an agreement on Wednesday to buy 155mm artillery"
    assert lead in flat(text) and lead in flat(html)
    # Updates: the story's headline and only the novel sentences, each with its source.
    assert "Rutte dismisses concerns over US commitment to NATO" in flat(html)
    assert "Christopher Landau represented the United States" in flat(text)
    assert "Mark Rutte repeated that the United States remained committed" not in flat(text)
    assert 'href="https://daily.example.eu/2025/12/03/rutte-us-commitment-landau"' in html
    # First source and "also reported by N outlets", linked.
    assert 'href="https://briefing.example.org/2025/12/03/nato-air-defence-ukraine"' in html
    assert "Also reported by 3 outlets" in html and "Also reported by 3 outlets" in text
    assert 'href="https://harbourpost.example.com/2025/12/03/nato-brussels-air"' in html
    assert "https://harbourpost.example.com/2025/12/03/nato-brussels-air" in text
    # Topic words highlighted from the stored spans; the footer.
    assert '<strong class="hl"' in html and ">Mark Rutte</strong>" in html
    assert "6 duplicates suppressed" in text and "6 duplicates suppressed" in html
    assert "2 feeds are failing" in flat(html) and "Evening Dispatch" in html
    assert "Morning Gazette (disabled): HTTP 410 Gone" in flat(text)
    assert result.duplicates == 6 and result.new_stories == 3 and result.updates == 2
    assert_exactly_once(world, server)


def test_451_then_retry_sends_the_same_digest_once(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    server.recorder.replies.append("451 4.3.0 Temporary failure, try again later")
    settings = world.with_email(smtp_url=server.url(), retry_delay=600)
    first = run_digests(world.db, settings, NOW)
    [failed] = first.failures
    assert failed.status == "pending" and failed.attempts == 1
    assert failed.error is not None and "451 4.3.0 Temporary failure" in failed.error
    assert failed.next_attempt_at == NOW + timedelta(seconds=600)
    assert server.recorder.received == []
    [digest] = stored_digests(world)
    assert digest.status == "pending" and digest.last_error == failed.error
    # Items of a pending digest are not due: a round before the retry is due composes
    # nothing new and does not resend.
    early = run_digests(world.db, settings, NOW + timedelta(minutes=5))
    assert early.retried == [] and early.recipients[0].skipped == "nothing new"
    later = run_digests(world.db, settings, NOW + timedelta(minutes=11))
    assert [a.status for a in later.retried] == ["sent"]
    assert server.recorder.message_ids() == [digest.message_id]
    assert_exactly_once(world, server)


def test_connection_dropped_mid_data_then_retry(world: World, smtp_server: ServerFactory) -> None:
    server = smtp_server()
    server.recorder.drop_data = 1
    settings = world.with_email(smtp_url=server.url())
    first = run_digests(world.db, settings, NOW)
    [failed] = first.failures
    assert failed.error is not None and "closed the connection" in failed.error
    assert server.recorder.received == []
    run_digests(world.db, settings, LATER)
    assert server.recorder.message_ids() == [failed.message_id]
    assert_exactly_once(world, server)


AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@AUTH_WITHOUT_TLS
def test_auth_good_password_from_environment_style_setting(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server(auth=True)
    settings = world.with_email(smtp_url=server.url(user=SMTP_USER), password=SMTP_PASSWORD)
    report = run_digests(world.db, settings, NOW)
    assert report.failures == []
    assert len(server.recorder.received) == 1
    assert_exactly_once(world, server)


@AUTH_WITHOUT_TLS
def test_auth_bad_password_keeps_digest_then_fixed_password_sends_it(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server(auth=True)
    bad = world.with_email(smtp_url=server.url(user=f"{SMTP_USER}:wrong-Pa55word"))
    first = run_digests(world.db, bad, NOW)
    [failed] = first.failures
    assert failed.error is not None and "authentication failed: 535" in failed.error
    assert "wrong-Pa55word" not in str(first.as_dict())  # the password is never shown
    assert first.transport == server.url(user=SMTP_USER)
    assert server.recorder.received == []
    good = world.with_email(smtp_url=server.url(user=f"{SMTP_USER}:{SMTP_PASSWORD}"))
    second = run_digests(world.db, good, LATER)
    assert [a.status for a in second.retried] == ["sent"]
    assert server.recorder.message_ids() == [failed.message_id]
    assert_exactly_once(world, server)


def test_starttls_untrusted_certificate_then_ca_file(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server(tls="starttls", auth=True)
    url = server.url("smtp+starttls", user=f"{SMTP_USER}:{SMTP_PASSWORD}")
    first = run_digests(world.db, world.with_email(smtp_url=url), NOW)
    [failed] = first.failures
    assert failed.error is not None and "certificate" in failed.error
    assert "ca_file" in failed.error and SMTP_PASSWORD not in failed.error
    trusted = world.with_email(smtp_url=url, ca_file=server.cert_file)
    second = run_digests(world.db, trusted, LATER)
    assert [a.status for a in second.retried] == ["sent"]
    assert server.recorder.message_ids() == [failed.message_id]
    assert_exactly_once(world, server)


def test_starttls_with_verification_off(world: World, smtp_server: ServerFactory) -> None:
    server = smtp_server(tls="starttls")
    settings = world.with_email(smtp_url=server.url("smtp+starttls"), tls_verify=False)
    assert run_digests(world.db, settings, NOW).failures == []
    assert_exactly_once(world, server)


def test_smtps_implicit_tls(world: World, smtp_server: ServerFactory) -> None:
    server = smtp_server(tls="smtps")
    settings = world.with_email(smtp_url=server.url("smtps"), ca_file=server.cert_file)
    assert run_digests(world.db, settings, NOW).failures == []
    assert_exactly_once(world, server)


def test_plain_server_refuses_starttls_url(world: World, smtp_server: ServerFactory) -> None:
    server = smtp_server()
    settings = world.with_email(smtp_url=server.url("smtp+starttls"))
    [failed] = run_digests(world.db, settings, NOW).failures
    assert failed.error is not None and "does not offer STARTTLS" in failed.error
    assert server.recorder.received == []


def test_server_down_loses_nothing(world: World, smtp_server: ServerFactory) -> None:
    server = smtp_server()
    down = world.with_email(smtp_url="smtp://127.0.0.1:1")
    [failed] = run_digests(world.db, down, NOW).failures
    assert failed.error == "smtp://127.0.0.1:1: connection refused"
    run_digests(world.db, world.with_email(smtp_url=server.url()), LATER)
    assert_exactly_once(world, server)


def test_killed_after_server_accepted_resends_the_identical_message(
    world: World, smtp_server: ServerFactory
) -> None:
    """The documented window (docs/delivery.md): sent, but 'sent' not recorded.  The retry
    sends the very same bytes and Message-ID, and no other digest repeats its items."""
    server = smtp_server()
    settings = world.with_email(smtp_url=server.url())
    down = world.with_email(smtp_url="smtp://127.0.0.1:1")
    [failed] = run_digests(world.db, down, NOW).failures
    # "Crash": claim and send like deliver() does, but never record the outcome.
    from alerts.deliver import transport_for

    message = claim(world.db, failed.digest_id, LATER, 300, "digest@newsmon.example")
    assert message is not None
    transport_for(settings).send(message)
    # Within the lease nobody touches it; a new round has nothing new to compose.
    busy = run_digests(world.db, settings, LATER + timedelta(seconds=60))
    assert busy.retried == [] and busy.recipients[0].skipped == "nothing new"
    after = run_digests(world.db, settings, LATER + timedelta(seconds=301))
    assert [a.status for a in after.retried] == ["sent"]
    first, second = server.recorder.received
    assert first.data == second.data
    assert server.recorder.message_ids() == [failed.message_id] * 2
    [digest] = stored_digests(world)
    assert digest.status == "sent" and digest.attempts == 3


def test_two_processes_cannot_send_one_digest_twice(world: World) -> None:
    down = world.with_email(smtp_url="smtp://127.0.0.1:1", retry_delay=1)
    [failed] = run_digests(world.db, down, NOW).failures
    first = claim(world.db, failed.digest_id, LATER, 300, "x@example.org")
    second = claim(world.db, failed.digest_id, LATER, 300, "x@example.org")
    assert first is not None and second is None
    mark_sent(world.db, failed.digest_id, LATER)
    assert claim(world.db, failed.digest_id, LATER + timedelta(days=1), 300, "x") is None


def test_given_up_digest_returns_its_items_to_the_next_one(
    world: World, smtp_server: ServerFactory
) -> None:
    down = world.with_email(smtp_url="smtp://127.0.0.1:1", max_attempts=2, retry_delay=1)
    [failed] = run_digests(world.db, down, NOW).failures
    second = run_digests(world.db, down, NOW + timedelta(seconds=5))
    [gave_up] = second.retried
    assert gave_up.status == "failed" and gave_up.next_attempt_at is None
    # Its items are due again at once: composed into a new digest (new Message-ID).
    [result] = second.recipients
    assert result.delivery is not None and result.delivery.status == "pending"
    assert result.message_id != failed.message_id
    server = smtp_server()
    up = run_digests(world.db, world.with_email(smtp_url=server.url()), LATER)
    assert [a.status for a in up.retried] == ["sent"]
    assert up.recipients[0].skipped == "nothing new"
    assert server.recorder.message_ids() == [result.message_id]
    assert sorted(delivered_ids(world)) == sorted(delivered_ids(world, "failed"))


def test_deliver_skips_a_digest_that_is_not_due(world: World, smtp_server: ServerFactory) -> None:
    server = smtp_server()
    settings = world.with_email(smtp_url=server.url())
    report = run_digests(world.db, settings, NOW)
    [result] = report.recipients
    assert result.digest_id is not None
    from alerts.deliver import transport_for

    attempt = deliver(world.db, settings, transport_for(settings), result.digest_id, LATER)
    assert attempt.status == "busy"
    assert len(server.recorder.received) == 1


@pytest.mark.parametrize("bad", ["smtpx://host", "smtp://", "smtp://host/path"])
def test_bad_smtp_url_is_a_config_error_without_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    """Checked when the settings are loaded, before any digest is composed."""
    from monitor.config.load import load_settings
    from monitor.errors import ConfigError

    path = tmp_path / "newsmon.toml"
    path.write_text('[email]\nto = ["reader@example.org"]\n', encoding="utf-8")
    monkeypatch.setenv("NEWSMON_EMAIL__SMTP_URL", bad.replace("//", "//u:hunter22@", 1))
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "hunter22" not in str(info.value)
    assert "[email] smtp_url: " in str(info.value)


def test_a_manual_round_retries_a_kept_digest_now_but_never_one_in_flight(
    world: World, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    up = world.with_email(smtp_url=server.url())
    down = world.with_email(smtp_url="smtp://127.0.0.1:1", retry_delay=3600)
    [failed] = run_digests(world.db, down, NOW).failures
    # Another process claims it (it is being sent): a manual round leaves it alone.
    assert claim(world.db, failed.digest_id, NOW, 300, "x@example.org", kept_now=True)
    busy = run_digests(world.db, up, NOW + timedelta(seconds=1), kept_now=True)
    assert busy.retried == [] and [w.id for w in busy.waiting] == [failed.digest_id]
    # That process failed and recorded it: kept for an hour, but a manual round sends it now.
    from alerts.outbox import mark_failed

    mark_failed(world.db, failed.digest_id, NOW, "451 later", down.email)
    scheduled = run_digests(world.db, up, NOW + timedelta(seconds=2))
    assert scheduled.retried == [] and scheduled.waiting[0].last_error == "451 later"
    manual = run_digests(world.db, up, NOW + timedelta(seconds=3), kept_now=True)
    assert [a.status for a in manual.retried] == ["sent"] and manual.waiting == []
    assert server.recorder.message_ids() == [failed.message_id]


def test_a_scheduled_round_records_its_slot_with_the_stored_digest(world: World) -> None:
    from monitor.storage.models import DigestSchedule

    down = world.with_email(smtp_url="smtp://127.0.0.1:1")
    report = run_digests(world.db, down, NOW, slot=NOW)
    [result] = report.recipients
    assert result.digest_id is not None
    with world.db.session() as s:
        row = s.get(DigestSchedule, "reader@example.org")
        assert row is not None and row.last_slot_at == NOW
