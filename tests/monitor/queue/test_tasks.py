"""The queue tasks, run as a worker runs them, on a real database and a local feed server:
a batch is stored, recorded and marked done once; delivered again it stores nothing new;
classification is one process at a time; a digest slot is served once.  Last, a real
``newsmon worker`` process on RabbitMQ and PostgreSQL (when both are given)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from monitor.app import open_database
from monitor.config import Settings
from monitor.queue import dispatch, tasks
from monitor.queue.app import POLL_BATCH, celery_app, queue_names
from monitor.queue.batches import Batch
from monitor.storage import Article, CycleRun, Database, Digest, Feed
from monitor.storage.decisions import pending_ids
from monitor.storage.feeds import add_feed
from monitor.storage.locks import NamedLock
from monitor.storage.models import Dispatch
from tests.cli_process import newsmon
from tests.conftest import PG_ENV, pg_schema
from tests.feedserver import FeedServer, rss, rss_items, static

BROKER_ENV = "NEWSMON_TEST_BROKER_URL"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def settings_for(db_url: str, tmp_path: Path, **queue: Any) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": db_url},
            "feeds": [],
            "topics": [{"name": "Stories", "query": "story"}],
            "seeds": {"include_bundled": False, "dir": str(tmp_path / "no-seeds")},
            "fetch": {"timeout": 10.0},
            "email": {"to": ["reader@example.org"], "outbox": str(tmp_path / "outbox")},
            "digest": {"send_empty": True},
            "queue": queue,
        }
    )


@pytest.fixture
def worker(db: Database, db_url: str, tmp_path: Path) -> Iterator[tasks.WorkerContext]:
    """The tasks' context, as a worker child has it (no broker: nothing sent onwards)."""
    context = tasks.configure(settings_for(db_url, tmp_path))
    yield context
    context.close()


def add_feeds(db: Database, server: FeedServer, count: int, items: int = 3) -> list[int]:
    ids = []
    with db.session() as session:
        for n in range(count):
            url = server.route(f"/f{n}.xml", static(rss(rss_items(f"f{n}", items))))
            ids.append(add_feed(session, url)[0].id)
    return ids


def dispatched(db: Database, feed_ids: list[int], lease_s: int = 600) -> int:
    with db.session() as session:
        batch = Batch(tuple(feed_ids), ("127.0.0.1",))
        return dispatch.create_dispatch(session, batch, datetime.now(UTC), lease_s).id


def count(db: Database, model: type[Any]) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_batch_is_stored_recorded_and_marked_done_once(
    db: Database, worker: tasks.WorkerContext, server: FeedServer
) -> None:
    ids = add_feeds(db, server, 2)
    dispatch_id = dispatched(db, ids)
    with db.session() as session:
        held = {f.next_due_at for f in session.scalars(select(Feed))}
        assert len(held) == 1 and held.pop() > datetime.now(UTC)  # not due while in flight
        assert dispatch.busy_hosts(session, datetime.now(UTC)) == {"127.0.0.1"}

    result = tasks.poll_batch(dispatch_id, ids)

    assert result["status"] == "done"
    assert result["feeds"]["ok"] == 2 and result["entries"]["new"] == 6
    assert count(db, Article) == 6
    with db.session() as session:
        assert session.get(Dispatch, dispatch_id).done_at is not None  # type: ignore[union-attr]
        assert dispatch.busy_hosts(session, datetime.now(UTC)) == set()
        run = session.scalars(select(CycleRun)).one()
        assert (run.trigger, run.status) == ("worker", "done")
        assert run.report is not None and run.report["entries"]["new"] == 6
    requests = len(server.requests)
    again = tasks.poll_batch(dispatch_id, ids)  # delivered again after it was done
    assert again["status"] == "already_done"
    assert len(server.requests) == requests  # nothing polled
    assert count(db, CycleRun) == 1


def test_a_batch_run_twice_before_it_was_marked_done_stores_nothing_new(
    db: Database, worker: tasks.WorkerContext, server: FeedServer
) -> None:
    ids = add_feeds(db, server, 3)
    dispatch_id = dispatched(db, ids)
    tasks.poll_batch(dispatch_id, ids)
    with db.session() as session:  # as if killed after storing, before marking it done
        session.execute(update(Dispatch).values(done_at=None))
        session.execute(update(Feed).values(etag=None, last_modified=None, body_hash=None))
    second = tasks.poll_batch(dispatch_id, ids)
    assert second["feeds"]["ok"] == 3  # really fetched and parsed again
    assert second["entries"] == {"seen": 9, "new": 0, "matched": 0}
    assert count(db, Article) == 9


def test_removed_and_disabled_feeds_are_left_out(
    db: Database, worker: tasks.WorkerContext, server: FeedServer
) -> None:
    ids = add_feeds(db, server, 2)
    with db.session() as session:
        session.execute(update(Feed).where(Feed.id == ids[1]).values(enabled=False))
    dispatch_id = dispatched(db, [*ids, 9999])
    result = tasks.poll_batch(dispatch_id, [*ids, 9999])
    assert result["feeds"]["total"] == 1
    assert tasks.poll_batch(424242, ids)["status"] == "unknown"  # no such dispatch


def test_an_expired_lease_sends_the_batch_again_and_holds_its_feeds(
    db: Database, server: FeedServer
) -> None:
    ids = add_feeds(db, server, 2)
    first = dispatched(db, ids[:1], lease_s=60)
    second = dispatched(db, ids[1:], lease_s=600)
    later = datetime.now(UTC) + timedelta(seconds=120)
    with db.session() as session:
        assert dispatch.busy_hosts(session, later) == {"127.0.0.1"}  # the second still runs
        renewed = dispatch.renew_expired(session, later, 600)
        assert [(d.id, d.attempts) for d in renewed] == [(first, 2)]
        feed = session.get(Feed, ids[0])
        assert feed is not None and feed.next_due_at == later + timedelta(seconds=600)
        assert dispatch.renew_expired(session, later, 600) == []  # leased again: not expired
        assert dispatch.mark_done(session, second, later)
        assert not dispatch.mark_done(session, second, later)  # already done
        assert dispatch.undone(session, [first, second]) == [first]
        assert dispatch.is_done(session, second) and dispatch.is_done(session, 0) is None


def test_classification_is_one_process_at_a_time_and_the_holder_finishes(
    db: Database, worker: tasks.WorkerContext, server: FeedServer
) -> None:
    ids = add_feeds(db, server, 2)
    tasks.poll_batch(dispatched(db, ids), ids)
    with db.session() as session:
        pending = len(pending_ids(session))
    assert pending == 6
    other = NamedLock(db, tasks.CLASSIFY_LOCK, "another worker")
    assert other.try_acquire()
    try:
        started = time.monotonic()
        assert tasks.classify()["status"] == "busy"
        assert time.monotonic() - started < 2  # did not wait for the holder
        with db.session() as session:
            assert len(pending_ids(session)) == pending
    finally:
        other.release()
    result = tasks.classify()
    assert result["status"] == "done"
    assert result["new_story"] + result["update"] + result["duplicate"] == pending
    with db.session() as session:
        assert pending_ids(session) == []


NEWS = [
    (
        "Parliament approves the budget story",
        "The national parliament approved the annual budget on Tuesday after a long debate "
        "about defence spending, pensions and the cost of new hospitals in the north.",
    ),
    (
        "Storm floods coastal towns story",
        "Heavy rain and strong winds flooded several coastal towns overnight, forcing "
        "hundreds of residents to leave their homes as rescue teams worked until dawn.",
    ),
    (
        "Orchestra opens its winter season story",
        "The city orchestra opened its winter season with a programme of Sibelius and "
        "Dvorak, conducted by a young violinist making her debut on the podium.",
    ),
]


def news_feed(server: FeedServer, db: Database, name: str, news: list[tuple[str, str]]) -> int:
    items = [
        {"title": t, "description": d, "guid": f"{name}-{n}", "link": f"https://{name}.org/{n}"}
        for n, (t, d) in enumerate(news)
    ]
    url = server.route(f"/{name}.xml", static(rss(items)))
    with db.session() as session:
        return add_feed(session, url)[0].id


def test_a_warm_classifier_sees_what_another_process_classified_meanwhile(
    db: Database,
    db_url: str,
    tmp_path: Path,
    server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here, elsewhere = (tasks.WorkerContext(settings_for(db_url, tmp_path)) for _ in range(2))
    try:
        for context, name, news in (
            (here, "warm", NEWS[2:]),  # this process's index is loaded, then kept warm
            (elsewhere, "first", NEWS[:2]),  # another process classifies two stories
            (here, "copy", NEWS[:2]),  # the same two, from another feed, classified here
        ):
            monkeypatch.setattr(tasks, "_context", context)
            feed = news_feed(server, db, name, news)
            tasks.poll_batch(dispatched(db, [feed]), [feed])
            result = tasks.classify()
        assert (result["new_story"], result["duplicate"] + result["update"]) == (0, 2)
    finally:
        here.close()
        elsewhere.close()


def test_a_digest_slot_is_served_once_even_when_the_task_runs_twice(
    db: Database, worker: tasks.WorkerContext
) -> None:
    slot = datetime.now(UTC).replace(microsecond=0).isoformat()
    first = tasks.digest("reader@example.org", slot)
    assert first["status"] == "done" and len(first["digests"]) == 1
    assert first["attempts"] == ["sent"]  # to the outbox folder
    assert count(db, Digest) == 1
    assert tasks.digest("Reader@Example.org", slot)["status"] == "already_served"
    assert count(db, Digest) == 1
    assert tasks.digest("nobody@example.org", slot)["status"] == "unknown_recipient"
    with pytest.raises(ValueError, match="aware slot"):
        tasks.digest("reader@example.org", "2026-01-01T07:00:00")
    assert tasks.retry_digests() == {"attempts": []}  # the digest went out: nothing to retry
    manual = tasks.digest()  # a triggered round, every recipient: nothing new since
    assert manual["digests"] and manual["attempts"] == ["sent"]  # send_empty: one more


def test_queue_mode_refuses_sqlite_and_a_missing_broker_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "newsmon.toml"
    config.write_text(
        '[queue]\nbroker_url = "amqp://guest:secret@127.0.0.1:1//"\n', encoding="utf-8"
    )
    refused = newsmon(tmp_path, "--config", str(config), "worker")
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0
    assert "needs a PostgreSQL database" in refused.stderr and "secret" not in refused.stderr
    config.write_text("", encoding="utf-8")
    no_broker = newsmon(tmp_path, "--config", str(config), "worker")
    assert no_broker.returncode == 2
    assert "[queue] broker_url" in no_broker.stderr and no_broker.stderr.count("\n") == 1
    assert not (tmp_path / "newsmon.db").exists()  # refused before touching anything


# -- a real worker process on the broker ----------------------------------------------------


@pytest.fixture
def broker_and_pg() -> tuple[str, str]:
    broker, pg = os.environ.get(BROKER_ENV), os.environ.get(PG_ENV)
    if not broker or not pg:
        pytest.skip(
            f"a real worker needs RabbitMQ and PostgreSQL: set {BROKER_ENV} (e.g. "
            f"amqp://guest:guest@127.0.0.1:5672//) and {PG_ENV} (.ci/run sets both)"
        )
    return broker, pg


def wait_for(what: str, check: Any, timeout: float, worker: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert worker.poll() is None, f"the worker exited ({worker.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.2)


def test_a_real_worker_polls_a_batch_from_the_broker_then_classifies(
    broker_and_pg: tuple[str, str], server: FeedServer, tmp_path: Path
) -> None:
    broker, pg = broker_and_pg
    prefix = f"test-{uuid.uuid4().hex[:10]}"  # queues of this test's own
    with pg_schema(pg) as url:
        settings = settings_for(url, tmp_path, broker_url=broker, prefix=prefix)
        db, _ = open_database(settings)
        app = celery_app(settings)
        config = tmp_path / "newsmon.toml"
        config.write_text(
            f'feeds = []\n[database]\nurl = "{url}"\n'
            f'[seeds]\ninclude_bundled = false\ndir = "{tmp_path / "no-seeds"}"\n'
            '[[topics]]\nname = "Stories"\nquery = "story"\n'
            f'[queue]\nbroker_url = "{broker}"\nprefix = "{prefix}"\n',
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
        log = (tmp_path / "worker.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "worker", "-c", "1"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            ids = add_feeds(db, server, 2)
            dispatch_id = dispatched(db, ids)
            app.send_task(POLL_BATCH, args=[dispatch_id, ids])

            def done() -> bool:
                with db.session() as session:
                    return dispatch.is_done(session, dispatch_id) is True

            def classified() -> bool:
                with db.session() as session:
                    return not pending_ids(session)

            wait_for("batch done", done, 60, proc)
            assert count(db, Article) == 6
            wait_for("classification", classified, 60, proc)  # poll_batch asked for it
            proc.send_signal(signal.SIGTERM)  # warm shutdown: nothing running, exits 0
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
            output = (tmp_path / "worker.log").read_text("utf-8", "replace")
            db.dispose()
            with app.connection_for_write() as conn:
                for name in queue_names(settings):
                    conn.default_channel.queue_delete(name)
                conn.default_channel.exchange_delete(prefix)
        assert "guest:guest" not in output  # the broker's password is never logged
        assert f"batch {dispatch_id}: 2 feeds polled, 6 new entries" in output
