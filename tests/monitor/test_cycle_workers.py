"""The poll cycle's CPU work in a worker process: the same result as threads, and no loss."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import monitor.cycle_workers as cycle_workers
from monitor import errors
from monitor.config import Settings
from monitor.cycle import PollCycle, select_jobs
from monitor.cycle_workers import CycleWorkers
from monitor.match import compile_topics
from monitor.storage import Article, ArticleTopic, Database, migrate
from monitor.storage.feeds import add_feed
from tests.feedserver import FeedServer, rss, static

FEEDS = 6
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def items(feed: int) -> list[dict[str, str]]:
    return [
        {
            "title": f"NATO ministers meet over item {feed}-{n}" if n % 2 else f"Weather {n}",
            "link": f"https://outlet{feed}.example/{n}",
            "guid": f"g{feed}-{n}",
            "description": "Allied defence ministers met in Brussels on Tuesday to "
            f"agree on air defence for the eastern flank, item {feed}-{n}.",
        }
        for n in range(6)
    ]


@pytest.fixture
def farm() -> Iterator[list[str]]:
    with FeedServer() as server:
        yield [server.route(f"/f{n}", static(rss(items(n)))) for n in range(FEEDS)]


def stored(tmp_path: Path, urls: list[str], name: str) -> list[tuple[object, ...]]:
    """Poll ``urls`` once into a new database; every stored article and topic match."""
    db = Database.from_url(f"sqlite:///{tmp_path / name}")
    migrate.upgrade(db.engine)
    settings = Settings.model_validate({"database": {"url": db.url}, "feeds": []})
    with db.session() as session:
        for url in urls:
            add_feed(session, url)
    report = asyncio.run(PollCycle(db, settings, clock=lambda: NOW).run(select_jobs(db, settings)))
    assert [r.outcome for r in report.results] == ["ok"] * FEEDS
    with db.session() as session:
        articles = session.execute(
            select(Article.entry_key, Article.title, Article.text, Article.language).order_by(
                Article.entry_key
            )
        ).all()
        topics = session.execute(
            select(ArticleTopic.article_id, ArticleTopic.topic, ArticleTopic.spans).order_by(
                ArticleTopic.article_id, ArticleTopic.topic
            )
        ).all()
    db.dispose()
    return [tuple(row) for row in [*articles, *topics]]


def test_a_worker_process_stores_exactly_what_threads_store(
    farm: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cycle_workers, "PROCESS_FROM_FEEDS", 10**6)
    by_threads = stored(tmp_path, farm, "threads.db")
    monkeypatch.setattr(cycle_workers, "PROCESS_FROM_FEEDS", 1)
    by_process = stored(tmp_path, farm, "process.db")
    assert by_process == by_threads
    assert any(row[1] == "NATO" for row in by_threads)  # matching really ran


def test_few_feeds_use_threads_and_many_a_process() -> None:
    matcher = compile_topics(Settings().topics)
    assert not CycleWorkers(matcher, 1).uses_process
    many = CycleWorkers(matcher, cycle_workers.PROCESS_FROM_FEEDS)
    assert many.uses_process is ((os.cpu_count() or 1) > 1)


def test_a_killed_worker_fails_its_feed_in_one_line_and_the_next_gets_a_new_one(
    farm: list[str],
) -> None:
    body = rss(items(0))
    matcher = compile_topics(Settings().topics)

    async def scenario() -> tuple[str, int]:
        async with CycleWorkers(matcher, 1, process=True) as workers:
            first = await workers.parse(body, {}, "http://a.example/feed", NOW)
            assert len(first.entries) == 6
            executor = workers._executor
            pids = list(executor._processes)  # type: ignore[union-attr]
            os.kill(pids[0], signal.SIGKILL)
            with pytest.raises(errors.WorkerFailed) as failed:
                await workers.parse(body, {}, "http://b.example/feed", NOW)
            again = await workers.parse(body, {}, "http://c.example/feed", NOW)
            return str(failed.value), len(again.entries)

    message, entries = asyncio.run(scenario())
    assert message == "internal error: the parse worker process died"
    assert entries == 6


def test_a_stop_signal_to_the_process_group_leaves_the_worker_to_the_cycle() -> None:
    body = rss(items(1))
    matcher = compile_topics(Settings().topics)

    async def scenario() -> int:
        async with CycleWorkers(matcher, 1, process=True) as workers:
            await workers.parse(body, {}, "http://a.example/feed", NOW)
            for pid in list(workers._executor._processes):  # type: ignore[union-attr]
                os.kill(pid, signal.SIGTERM)
                os.kill(pid, signal.SIGINT)
            return len((await workers.parse(body, {}, "http://b.example/feed", NOW)).entries)

    assert asyncio.run(scenario()) == 6  # the same worker, still there: no feed failed


@pytest.mark.parametrize(
    "error",
    [
        errors.NotAFeed("http://a.example/", "not a feed: an HTML page"),
        errors.HTTPStatusError("http://a.example/", 429, "HTTP 429", retry_after=30.0),
        errors.WorkerFailed("http://a.example/", "internal error"),
    ],
)
def test_feed_errors_cross_a_process_boundary_whole(error: errors.FeedError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (str(copy), copy.url, copy.__dict__) == (str(error), error.url, error.__dict__)
