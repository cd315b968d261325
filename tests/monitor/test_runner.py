"""Cycles one at a time per database: a second request waits for the running cycle and gets
its result; a stopped cycle leaves the feeds it did not reach due; every cycle is recorded."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.match import compile_topics
from monitor.runner import CycleRunner, last_cycle
from monitor.storage import CycleRun, Database, Feed
from monitor.storage.feeds import add_feed
from tests.feedserver import FeedServer, Reply, Request, rss, rss_items, static


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def runner_for(db: Database, db_url: str) -> CycleRunner:
    settings = Settings.model_validate(
        {"database": {"url": db_url}, "feeds": [], "fetch": {"timeout": 10.0, "concurrency": 1}}
    )
    return CycleRunner(db, settings, compile_topics(settings.topics), wait_poll_s=0.05)


def gated(release: threading.Event, body: bytes) -> object:
    def handler(_request: Request) -> Reply:
        release.wait(10)
        return Reply(200, body, {"Content-Type": "application/rss+xml"})

    return handler


def test_a_second_request_gets_the_running_cycles_result(
    db: Database, db_url: str, server: FeedServer
) -> None:
    release = threading.Event()
    url = server.route("/slow", gated(release, rss(rss_items("s", 2))))  # type: ignore[arg-type]
    with db.session() as session:
        add_feed(session, url)
    here, elsewhere = (
        runner_for(db, db_url),
        runner_for(db, db_url),
    )  # elsewhere: as another process

    async def scenario() -> tuple[object, ...]:
        first = asyncio.create_task(here.run("manual"))
        await asyncio.sleep(0.5)
        same_process = asyncio.create_task(here.run("schedule", due_only=True))
        other_process = asyncio.create_task(elsewhere.run("cli"))
        await asyncio.sleep(0.5)
        assert not (same_process.done() or other_process.done())
        release.set()
        return await asyncio.gather(first, same_process, other_process)

    first, same, other = asyncio.run(scenario())
    assert len(server.requests) == 1  # one cycle polled the feed, once
    assert not first.already_running and first.status == "done"  # type: ignore[attr-defined]
    for waited in (same, other):
        assert waited.already_running  # type: ignore[attr-defined]
        assert waited.run_id == first.run_id  # type: ignore[attr-defined]
        assert waited.report is not None and waited.report.entries.new == 2  # type: ignore[attr-defined]
    with db.session() as session:
        assert session.scalars(select(CycleRun.status)).all() == ["done"]


def test_stopping_skips_feeds_not_started_and_they_stay_due(
    db: Database, db_url: str, server: FeedServer
) -> None:
    release = threading.Event()
    slow = server.route("/slow", gated(release, rss(rss_items("a", 1))))  # type: ignore[arg-type]
    later = server.route("/later", static(rss(rss_items("b", 1))))
    with db.session() as session:
        add_feed(session, slow)
        add_feed(session, later)
    runner = runner_for(db, db_url)  # concurrency 1: /later waits behind /slow

    async def scenario() -> object:
        task = asyncio.create_task(runner.run("schedule"))
        await asyncio.sleep(0.5)
        runner.request_stop()
        release.set()
        return await task

    outcome = asyncio.run(scenario())
    assert outcome.status == "interrupted"  # type: ignore[attr-defined]
    assert outcome.report is not None  # type: ignore[attr-defined]
    feeds = outcome.report.feeds  # type: ignore[attr-defined]
    assert feeds.ok == 1 and feeds.skipped == 1
    assert server.requests_to("/later") == []
    with db.session() as session:
        rows = {f.url: f for f in session.scalars(select(Feed))}
    assert rows[later].next_due_at is None and rows[later].last_fetched_at is None  # still due
    assert rows[slow].next_due_at is not None


def test_a_cycle_left_running_by_a_dead_process_is_marked_interrupted(
    db: Database, db_url: str
) -> None:
    with db.session() as session:
        session.add(
            CycleRun(
                trigger="schedule",
                status="running",
                started_at=datetime.now(UTC),
                pid=1,
                host="gone",
            )
        )
    outcome = asyncio.run(runner_for(db, db_url).run("cli"))
    assert outcome.status == "done"
    assert outcome.report is not None and outcome.report.feeds.total == 0
    with db.session() as session:
        rows = session.scalars(select(CycleRun).order_by(CycleRun.id)).all()
        assert [r.status for r in rows] == ["interrupted", "done"]
        assert rows[0].error == "the process running it stopped"
    latest = last_cycle(db)
    assert latest is not None and latest.run_id == rows[1].id
