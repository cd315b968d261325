"""The queue-mode scheduler against the real RabbitMQ (or Redis) and PostgreSQL: what a
tick sends, what it records, what it leaves due; read by consuming the queues."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from alerts.recipients import resolve_recipients
from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.queue import tasks
from monitor.queue.app import CLASSIFY, DIGEST, POLL_BATCH, RETRY_DIGESTS
from monitor.queue.dispatch import mark_done
from monitor.queue.scheduler import QueueScheduler
from monitor.queue.trigger import trigger_fetch
from monitor.storage import Database
from monitor.storage.models import (
    Article,
    ArticleTopic,
    Digest,
    Dispatch,
    Feed,
    Notification,
)
from tests.cli_process import newsmon
from tests.conftest import Statement
from tests.feedserver import FeedServer, rss, static
from tests.monitor.daemon.conftest import DaemonProcess, write_config
from tests.monitor.daemon.test_service import nato_items
from tests.monitor.queue.brokers import (
    Message,
    broker_url,
    delete_queues,
    new_prefix,
    pg_database,
    queue_settings,
    take,
)
from tests.smtpserver import free_port

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(_pg_migration_script: list[Statement]) -> Iterator[Database]:
    broker_url()  # skip first when there is no broker, before making a schema
    with pg_database(_pg_migration_script) as database:
        yield database


@pytest.fixture
def settings(db: Database) -> Iterator[Settings]:
    made = queue_settings(db.url, broker_url(), new_prefix(), batch_size=3, lease=60)
    yield made
    delete_queues(made)


def add_feeds(db: Database, *urls: str, due: datetime | None = None) -> list[int]:
    with db.session() as session:
        rows = [Feed(url=url, origin_url=url, next_due_at=due) for url in urls]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def next_due(db: Database) -> dict[int, datetime | None]:
    with db.session() as session:
        return {f.id: f.next_due_at for f in session.scalars(select(Feed))}


def dispatches(db: Database) -> list[Dispatch]:
    with db.session() as session:
        return list(session.scalars(select(Dispatch).order_by(Dispatch.id)))


def test_a_tick_sends_due_feeds_in_batches_one_host_per_batch(
    db: Database, settings: Settings
) -> None:
    a = add_feeds(db, *(f"https://a.example/{i}.xml" for i in range(4)))
    b = add_feeds(db, "https://b.example/feed.xml")
    c = add_feeds(db, "https://c.example/feed.xml", due=NOW - timedelta(minutes=1))
    later = add_feeds(db, "https://d.example/feed.xml", due=NOW + timedelta(hours=1))
    scheduler = QueueScheduler(settings, db, clock=Clock())

    report = scheduler.tick()

    assert report is not None and report.feeds == 6
    sent = take(settings, "poll")
    assert {m.task for m in sent} == {POLL_BATCH}
    batches = {tuple(m.args[1]) for m in sent}
    # Host a's four feeds are one batch (more than batch_size, but one host: one worker);
    # b and c are packed together; d is not due.
    assert batches == {tuple(a), tuple(b + c)}
    rows = {row.id: row for row in dispatches(db)}
    assert {m.args[0] for m in sent} == set(rows)
    for message in sent:
        row = rows[message.args[0]]
        assert row.feed_ids == message.args[1] and row.done_at is None
    # In flight until the lease ends: the schedule does not send them again meanwhile.
    due = next_due(db)
    assert all(due[i] == NOW + timedelta(seconds=60) for i in a + b + c)
    assert due[later[0]] == NOW + timedelta(hours=1)
    assert scheduler.tick() is not None
    assert take(settings, "poll") == []


def test_a_busy_host_gets_no_second_batch_until_its_batch_is_done(
    db: Database, settings: Settings
) -> None:
    clock = Clock()
    scheduler = QueueScheduler(settings, db, clock=clock)
    add_feeds(db, "https://a.example/1.xml")
    scheduler.tick()
    [first] = take(settings, "poll")
    second = add_feeds(db, "https://a.example/2.xml", "https://b.example/1.xml")

    scheduler.tick()
    [other] = take(settings, "poll")
    assert other.args[1] == [second[1]]  # b's feed goes; a's waits for a's batch

    with db.session() as session:
        assert mark_done(session, first.args[0], clock())
    scheduler.tick()
    [late] = take(settings, "poll")
    assert late.args[1] == [second[0]]


def test_a_batch_not_done_within_its_lease_is_sent_again_under_the_same_id(
    db: Database, settings: Settings
) -> None:
    clock = Clock()
    scheduler = QueueScheduler(settings, db, clock=clock)
    feed = add_feeds(db, "https://a.example/1.xml")
    scheduler.tick()
    [first] = take(settings, "poll")

    clock.now += timedelta(seconds=61)  # the worker died with it: nothing marked it done
    report = scheduler.tick()

    assert report is not None and report.sent == []
    [again] = take(settings, "poll")
    assert again.args == first.args == [first.args[0], feed]
    [row] = dispatches(db)
    assert row.attempts == 2 and row.lease_until == clock.now + timedelta(seconds=60)


def test_a_broker_down_at_a_tick_logs_one_warning_and_the_feeds_stay_due(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    down = queue_settings(db.url, f"amqp://guest:secret@127.0.0.1:{free_port()}//", new_prefix())
    feeds = add_feeds(db, "https://a.example/1.xml", "https://b.example/1.xml")
    scheduler = QueueScheduler(down, db, clock=Clock())

    with caplog.at_level(logging.INFO, logger="monitor.queue"):
        assert scheduler.tick() is None
        assert scheduler.tick() is None

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, caplog.text
    assert "broker unreachable" in warnings[0].getMessage()
    assert "secret" not in caplog.text
    assert dispatches(db) == []
    assert next_due(db) == dict.fromkeys(feeds)  # still due, nothing held


def test_classify_is_sent_when_articles_wait_and_not_while_one_is_queued(
    db: Database, settings: Settings
) -> None:
    scheduler = QueueScheduler(settings, db, clock=Clock())
    scheduler.tick()
    assert take(settings, "classify") == []  # nothing pending: nothing sent
    [feed] = add_feeds(db, "https://a.example/1.xml", due=NOW + timedelta(hours=1))
    with db.session() as session:
        session.add(Article(id="a1", feed_id=feed, title="NATO", text="NATO", content_hash="h1"))
        session.add(ArticleTopic(article_id="a1", topic="nato", fields=["title"], spans=[]))

    assert scheduler.tick() is not None
    assert scheduler.tick() is not None  # one classify task waits already: no second

    assert take(settings, "classify") == [Message(CLASSIFY, [])]


def test_digest_slots_and_retries_are_sent_as_tasks(db: Database, settings: Settings) -> None:
    clock = Clock()
    scheduler = QueueScheduler(settings, db, clock=clock)
    [person] = resolve_recipients(settings)
    assert scheduler.send_digest(person, NOW)
    assert not scheduler.send_retry()  # nothing pending: nothing to retry
    with db.session() as session:
        session.add(
            Digest(
                recipient=person.key,
                message_id="<m@x>",
                subject="s",
                status="pending",
                message=b"x",
                created_at=NOW,
                attempts=1,
                next_attempt_at=NOW,
            )
        )
    assert take(settings, "digest") == [Message(DIGEST, [person.email, NOW.isoformat()])]
    assert scheduler.send_retry()
    assert not scheduler.send_retry()  # one waits in the queue already
    assert take(settings, "digest") == [Message(RETRY_DIGESTS, [])]


def test_a_chat_message_waiting_alone_is_retried_too(db: Database, settings: Settings) -> None:
    """A recipient without an address has only notifications to retry: the retry job
    must see them, not only kept e-mail digests."""
    scheduler = QueueScheduler(settings, db, clock=Clock())
    with db.session() as session:
        digest = Digest(
            recipient="ops-chat",
            message_id="<n@x>",
            subject="s",
            status="notifying",
            message=b"",
            created_at=NOW,
            attempts=0,
        )
        session.add(digest)
        session.flush()
        session.add(
            Notification(
                digest_id=digest.id,
                recipient="ops-chat",
                channel="0123456789abcdef",
                label="JSON, notify #1",
                title="t",
                body="b",
                status="pending",
                created_at=NOW,
                attempts=1,
                next_attempt_at=NOW,
                last_error="HTTP 500",
            )
        )
    assert scheduler.send_retry()
    assert take(settings, "digest") == [Message(RETRY_DIGESTS, [])]


def test_a_digest_slot_missed_with_the_broker_down_is_sent_at_the_next_tick(
    db: Database, settings: Settings
) -> None:
    [person] = resolve_recipients(settings)
    scheduler = QueueScheduler(settings, db, clock=Clock())
    good_app = scheduler.app
    scheduler.app = QueueScheduler(
        queue_settings(db.url, f"amqp://guest:guest@127.0.0.1:{free_port()}//", new_prefix()),
        db,
    ).app
    assert not scheduler.send_digest(person, NOW)
    scheduler.app = good_app
    scheduler.tick()
    assert take(settings, "digest") == [Message(DIGEST, [person.email, NOW.isoformat()])]


def test_queue_mode_refuses_sqlite(tmp_path: Any) -> None:
    settings = queue_settings(f"sqlite:///{tmp_path / 'n.db'}", "amqp://127.0.0.1//", "x")
    db = Database.from_url(settings.database.url)
    try:
        with pytest.raises(ConfigError, match="PostgreSQL"):
            QueueScheduler(settings, db)
    finally:
        db.dispose()


def test_a_waiting_trigger_answers_once_its_batches_are_done(
    db: Database, settings: Settings
) -> None:
    """The trigger dispatches now (due or not); a worker (here the task bodies, run on the
    message the test consumed) polls, marks the batch done and classifies; the trigger
    then answers with a cycle's keys, counted from what the worker recorded."""
    with FeedServer() as server:
        url = server.route("/feed.xml", static(rss(nato_items("q", 3))))
        [feed] = add_feeds(db, url, due=datetime.now(UTC) + timedelta(hours=1))
        scheduler = QueueScheduler(settings, db)
        worker = tasks.configure(settings)  # what a worker process sets up
        replies: list[dict[str, Any]] = []
        waiting = threading.Thread(
            target=lambda: replies.append(
                trigger_fetch(scheduler, [feed], wait=True, stopping=lambda: False, poll_s=0.05)
            )
        )
        waiting.start()
        try:
            message = wait_for_message(settings)
            assert message.task == POLL_BATCH and message.args[1] == [feed]
            assert waiting.is_alive()  # not done before the worker ran
            tasks.poll_batch(*message.args)
            time.sleep(0.3)
            assert waiting.is_alive()  # the new entries are not classified yet
            tasks.classify()
        finally:
            waiting.join(30)
            worker.close()  # no connection left open to the schema dropped next
    [reply] = replies
    assert reply["status"] == "done" and reply["trigger"] == "manual"
    assert reply["dispatches"] == [message.args[0]]
    assert reply["feeds"]["total"] == 1 and reply["feeds"]["ok"] == 1
    assert reply["entries"] == {"seen": 3, "new": 3, "matched": 3}
    dedup = reply["dedup"]
    assert (
        dedup["new_story"] >= 1 and dedup["new_story"] + dedup["update"] + dedup["duplicate"] == 3
    )
    assert reply["classify"]["articles"] == 3


def wait_for_message(settings: Settings, timeout: float = 10) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = take(settings, "poll")
        if found:
            [message] = found
            return message
        time.sleep(0.05)
    pytest.fail("no poll_batch message arrived")


def test_newsmon_run_in_queue_mode_sends_the_work_and_reports_the_queue(
    tmp_path: Path, db: Database, settings: Settings
) -> None:
    """The real daemon with ``[queue] broker_url``: its tick sends the due feed instead of
    polling it; /healthz, /metrics and ``newsmon health`` show the queue; a trigger for
    a feed in flight waits for that batch rather than sending a second."""
    prefix, broker = settings.queue.prefix, broker_url()
    with FeedServer() as server:
        url = server.route("/feed.xml", static(rss([])))
        extra = f'[queue]\nbroker_url = "{broker}"\nprefix = "{prefix}"\n'
        _, port = write_config(tmp_path, db.url, [{"url": url}], tick=1, extra=extra)
        daemon = DaemonProcess(tmp_path, port)
        try:
            daemon.start()
            message = wait_for_message(settings)
            assert message.task == POLL_BATCH
            assert f"queue mode, work sent to {broker.split(':')[0]}://" in daemon.log()
            assert ":guest@" not in daemon.log()  # the broker's password is not logged
            # Put it back, so the depths show one batch waiting.
            scheduler = QueueScheduler(settings, db)
            with scheduler.connection() as conn:
                scheduler.app.send_task(POLL_BATCH, args=message.args, connection=conn)

            health = httpx.get(f"http://127.0.0.1:{port}/healthz", trust_env=False).json()
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", trust_env=False).text
            shown = newsmon(tmp_path, "health")
            fetch = newsmon(tmp_path, "trigger", "fetch", "--no-wait", "--json")
        finally:
            daemon.stop()
        assert server.requests_to("/feed.xml") == []  # the daemon polled nothing itself
    assert health["status"] == "ok"
    queue = health["queue"]
    assert queue["broker"] == "ok" and queue["batches_in_flight"] == 1
    assert queue["depths"] == {f"{prefix}.poll": 1, f"{prefix}.classify": 0, f"{prefix}.digest": 0}
    assert f'newsmon_queue_depth{{queue="{prefix}.poll"}} 1.0' in metrics
    assert "newsmon_queue_workers 0.0" in metrics
    assert shown.returncode == 0, shown.stderr
    assert f"Queue     waiting: {prefix}.poll 1" in shown.stdout
    assert fetch.returncode == 0, fetch.stderr
    reply = json.loads(fetch.stdout)
    assert reply == {"accepted": True, "already_running": True, "dispatches": [message.args[0]]}


def test_a_trigger_sends_a_busy_hosts_feed_once_that_host_is_free(
    db: Database, settings: Settings
) -> None:
    """Politeness holds for triggers: a feed whose host has a batch in flight is not sent
    beside it; a ``--no-wait`` trigger sends it as soon as that batch is done."""
    clock = Clock(datetime.now(UTC))
    scheduler = QueueScheduler(settings, db, clock=clock)
    [first] = add_feeds(db, "https://a.example/1.xml")
    scheduler.tick()
    [flying] = take(settings, "poll")
    later = clock.now + timedelta(hours=1)
    [same_host, other_host] = add_feeds(
        db, "https://a.example/2.xml", "https://b.example/1.xml", due=later
    )

    reply = trigger_fetch(
        scheduler, [first, same_host, other_host], wait=False, stopping=lambda: False, poll_s=0.05
    )

    [sent] = take(settings, "poll")
    assert sent.args[1] == [other_host]
    assert reply == {
        "accepted": True,
        "already_running": True,  # feed `first` was in flight: its batch counts
        "dispatches": [flying.args[0], sent.args[0]],
    }
    time.sleep(0.3)
    assert take(settings, "poll") == []  # host a is still busy
    with db.session() as session:
        assert mark_done(session, flying.args[0], clock())
    assert wait_for_message(settings).args[1] == [same_host]
