"""Queue mode end to end: a ``newsmon run`` scheduler and ``newsmon worker`` processes over
RabbitMQ and PostgreSQL, polling feeds from real HTTP servers.

* Two workers store exactly what the single-process mode (``newsmon fetch``) stores for
  the same 1,000 feeds: the two ``newsmon export`` outputs are compared on every field
  that does not depend on timing (the ids of articles and stories follow the order rows
  were written in), and both against what the feed servers served.
* A worker killed with SIGKILL in the middle of a batch (one of its feeds holds the
  answer until the kill) has its batch delivered again to the other worker: every entry
  is stored once, none is missing, and every digest reaches the SMTP server once.
* Two workers and the scheduler started at the same moment on an empty database (the
  first ``docker compose up``) all come up.

The first two start from a database where ``newsmon init`` wrote the feeds, so that they
test what they are about whatever the third finds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, text

from tests.cli_process import newsmon
from tests.monitor.daemon.conftest import clean_env
from tests.queue.conftest import QueueRig
from tests.queue.farm import Farm, Item
from tests.queue.processes import NewsmonProcess, holder_of_connection, wait_until
from tests.smtpserver import ServerFactory

pytestmark = [pytest.mark.xdist_group("queue"), pytest.mark.postgres]

# What an article's export line says that the order of writing decides: the article's id
# (a hash of the feed's row id), its story's id, the id of what it duplicates, and its
# score (the best candidate's, among the articles classified before it: the workers
# classify in rounds as batches come in, a single cycle all at once, so an article may
# have been compared with more, or fewer, others; its decision may not change).
ORDER_DEPENDENT = ("id", "story_id", "duplicate_of", "score")


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def stored_entries(engine: Engine) -> Counter[tuple[str, str]]:
    """(feed URL, guid) of every stored article, counted."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT f.url, a.guid FROM articles a JOIN feeds f ON f.id = a.feed_id")
        )
        return Counter((url, guid) for url, guid in rows)


def served_entries(items: list[Item]) -> Counter[tuple[str, str]]:
    return Counter((item.feed_url, item.guid) for item in items)


def all_done(engine: Engine, feeds: int) -> bool:
    """Every feed polled and stored, every dispatch done, nothing left to classify."""
    with engine.connect() as conn:
        polled, dispatched, undone, pending = conn.execute(
            text(
                "SELECT"
                " (SELECT count(*) FROM feeds WHERE last_fetched_at IS NOT NULL),"
                " (SELECT count(*) FROM dispatches),"
                " (SELECT count(*) FROM dispatches WHERE done_at IS NULL),"
                " (SELECT count(*) FROM articles a WHERE a.deduped_at IS NULL AND NOT a.is_seed"
                "  AND EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id))"
            )
        ).one()
    return bool(polled == feeds and dispatched > 0 and undone == 0 and pending == 0)


def start(rig: QueueRig, workers: int) -> list[NewsmonProcess]:
    """``workers`` workers and the scheduler, started together; returns the workers once
    all of them consume and the scheduler runs."""
    made = [rig.worker("--concurrency", "1") for _ in range(workers)]
    rig.scheduler()
    for process in rig.processes:
        process.start()
    wait_until(
        lambda: all(p.is_ready() for p in rig.processes),
        45,
        "the workers and the scheduler to be ready",
        rig.processes,
    )
    return made


def export(folder: Any) -> list[dict[str, Any]]:
    result = newsmon(folder, "export", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def timeless(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export without the fields the order of writing decides, in a fixed order."""
    kept = [{k: v for k, v in r.items() if k not in ORDER_DEPENDENT} for r in records]
    return sorted(kept, key=lambda r: (r["feed"], r["url"]))


@pytest.mark.slow
def test_two_workers_store_what_one_process_stores(
    queue_rig: QueueRig, single_process_rig: QueueRig
) -> None:
    with Farm(hosts=20, feeds_per_host=50) as farm:
        # The single-process mode on a schema of its own, meanwhile: the same feeds.
        single_process_rig.configure(farm.feeds, queue=False)
        single_log = single_process_rig.folder / "fetch.log"
        with single_log.open("wb") as log:
            single = subprocess.Popen(
                [sys.executable, "-m", "monitor", "fetch"],
                cwd=single_process_rig.folder,
                env=clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            queue_rig.configure(farm.feeds, batch_size=50)
            queue_rig.initialise()
            start(queue_rig, 2)
            wait_until(
                lambda: all_done(queue_rig.engine, len(farm.feeds)),
                60,
                "1,000 feeds polled and classified by the workers",
                queue_rig.processes,
                every=0.5,
            )
            assert single.wait(60) == 0, single_log.read_text()
        finally:
            if single.poll() is None:
                single.kill()
                single.wait()

    # Spread over the workers, one batch per host (so [fetch] per_host holds everywhere).
    with queue_rig.engine.connect() as conn:
        dispatches = conn.execute(text("SELECT feed_ids, hosts FROM dispatches")).all()
        feed_ids = sorted(conn.execute(text("SELECT id FROM feeds")).scalars())
        runs = conn.execute(
            text("SELECT pid, status FROM cycle_runs WHERE trigger = 'worker'")
        ).all()
    assert len(dispatches) == 20
    assert sorted(f for ids, _ in dispatches for f in ids) == feed_ids  # each feed once
    assert len(feed_ids) == 1000
    for _, hosts in dispatches:
        assert len(hosts) == 1
    assert {status for _, status in runs} == {"done"} and len(runs) == 20
    children = {w.name: set(w.session_pids()) for w in queue_rig.workers}
    busy = [name for name, pids in children.items() if pids & {pid for pid, _ in runs}]
    assert sorted(busy) == ["worker1", "worker2"], f"batches by {Counter(p for p, _ in runs)}"

    queued, single_export = export(queue_rig.folder), export(single_process_rig.folder)
    assert len(queued) == len(farm.items) == 2000
    assert len(single_export) == len(queued)
    pairs = zip(timeless(queued), timeless(single_export), strict=True)
    differ = [(q, s) for q, s in pairs if q != s]
    assert not differ, f"{len(differ)} articles differ (queue mode, single process): {differ[:3]}"
    # ... and both are what the servers served, each entry once.
    names = {feed["url"]: feed["name"] for feed in farm.feeds}
    assert sorted((r["feed"], r["url"], r["title"]) for r in queued) == sorted(
        (names[i.feed_url], i.link, i.title) for i in farm.items
    )
    on_topic = [r for r in queued if r["topics"]]
    assert len(on_topic) == sum(1 for _ in farm.on_topic()) > 0
    assert {r["status"] for r in on_topic} == {"new_story"}  # classified, each its own story
    assert stored_entries(queue_rig.engine) == served_entries(farm.items)


def test_a_deployment_started_at_once_on_a_new_database_comes_up(
    new_database_rig: QueueRig,
) -> None:
    """Two workers and the scheduler started at the same moment on an empty schema, as the
    first ``docker compose up --scale worker=2`` does: each process brings the schema up
    to date and writes the configured feeds at start, and none may fail for the others."""
    rig = new_database_rig
    with Farm(hosts=4, feeds_per_host=50, topic_share=0) as farm:
        rig.configure(farm.feeds, batch_size=50)
        start(rig, 2)
        wait_until(
            lambda: all_done(rig.engine, len(farm.feeds)),
            30,
            "200 feeds polled by the workers",
            rig.processes,
            every=0.5,
        )
    assert stored_entries(rig.engine) == served_entries(farm.items)


def delivered(engine: Engine) -> list[tuple[str, str, str]]:
    """(recipient, article id, Message-ID) of every article in a digest marked sent."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT d.recipient, v.article_id, d.message_id FROM deliveries v"
                " JOIN digests d ON d.id = v.digest_id WHERE d.status = 'sent'"
            )
        )
        return [(r, a, m) for r, a, m in rows]


def digestible(engine: Engine) -> set[str]:
    """The articles a digest shows: classified new stories and updates."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id FROM articles WHERE status IN ('new_story', 'update')"))
        return {article_id for (article_id,) in rows}


RECIPIENTS = ("reader@example.org", "second@example.org")


@pytest.mark.slow
def test_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    queue_rig: QueueRig, smtp_server: ServerFactory
) -> None:
    smtp = smtp_server()
    with Farm(hosts=8, feeds_per_host=20, topic_share=0.15, seed=16) as farm:
        slow_url = farm.feeds[3 * 20 + 7]["url"]  # a feed of the fourth host, in its batch
        slow = farm.make_slow(slow_url)
        queue_rig.configure(
            farm.feeds,
            batch_size=20,
            smtp_port=smtp.port,
            schedule="*/2 * * * * *",  # a digest slot every two seconds
            recipients=RECIPIENTS[1:],
        )
        queue_rig.initialise()
        workers = start(queue_rig, 2)
        wait_until(slow.arrived.is_set, 40, "a request for the slow feed", queue_rig.processes)

        address = urlsplit(slow_url)
        host, port = address.hostname or "", address.port or 0
        holder: list[NewsmonProcess] = []

        def found() -> bool:
            holder[:] = [p for p in [holder_of_connection(workers, host, port)] if p]
            return bool(holder)

        wait_until(found, 5, "the worker holding the slow feed's connection", queue_rig.processes)
        killed = holder[0]
        killed.kill()
        survivor = next(w for w in workers if w is not killed)
        slow.release()

        expected = served_entries(farm.items)

        def settled() -> bool:
            if not all_done(queue_rig.engine, len(farm.feeds)):
                return False
            articles = digestible(queue_rig.engine)
            sent = delivered(queue_rig.engine)
            return all({a for r, a, _ in sent if r == who} == articles for who in RECIPIENTS)

        wait_until(
            settled,
            60,
            "every feed stored and classified, and every article in a digest",
            [survivor, *queue_rig.processes[len(workers) :]],
            every=0.5,
        )

    assert not killed.alive()
    # The killed batch was delivered again by the broker (not sent again by the scheduler
    # when its lease ran out) and polled by the survivor: the slow feed was asked twice.
    assert farm.requests_to(slow_url) >= 2
    assert slow_url in survivor.log(), "the survivor did not poll the killed batch"
    assert scalar(queue_rig.engine, "SELECT max(attempts) FROM dispatches") == 1
    # Every entry once: none missing, none twice.
    assert stored_entries(queue_rig.engine) == expected
    assert scalar(queue_rig.engine, "SELECT count(*) FROM articles") == sum(expected.values())
    # Every batch recorded as polled once, by the workers.
    assert scalar(queue_rig.engine, "SELECT count(*) FROM dispatches WHERE done_at IS NULL") == 0
    assert scalar(
        queue_rig.engine, "SELECT count(*) FROM cycle_runs WHERE trigger = 'worker'"
    ) == scalar(queue_rig.engine, "SELECT count(*) FROM dispatches")

    # Every digest sent once; every article in exactly one of each recipient's digests.
    time.sleep(2.5)  # one more slot: nothing new, so nothing may be sent
    sent = delivered(queue_rig.engine)
    received = smtp.recorder.message_ids()
    assert received, "no digest reached the SMTP server"
    assert sorted(received) == sorted({m for _, _, m in sent}), "each digest once"
    assert not [m for m, n in Counter(received).items() if n > 1]
    per_recipient = Counter((r, a) for r, a, _ in sent)
    assert set(per_recipient.values()) == {1}
    on_topic = digestible(queue_rig.engine)
    assert len(on_topic) == sum(1 for _ in farm.on_topic())
    for recipient in RECIPIENTS:
        assert {a for who, a in per_recipient if who == recipient} == on_topic, recipient
    with queue_rig.engine.connect() as conn:
        unsent = conn.execute(text("SELECT count(*) FROM digests WHERE status <> 'sent'"))
        assert unsent.scalar() == 0
