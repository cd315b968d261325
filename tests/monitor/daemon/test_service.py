"""``newsmon run`` as users run it: a subprocess with a schedule of seconds, against a real
feed server, a real SMTP server and a real database (SQLite; PostgreSQL where the
locking differs)."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update

from monitor.daemon.token import read_token
from monitor.storage import Article, CycleRun, Database, Delivery, Digest, DigestSchedule
from tests.cli_process import newsmon, newsmon_process
from tests.feedserver import FeedServer, Reply, Request, never_answers, rss, static
from tests.monitor.daemon.conftest import (
    DaemonProcess,
    clean_env,
    digest_last_served,
    wait_for_next_round,
    write_config,
)
from tests.smtpserver import ServerFactory

Daemons = Callable[..., DaemonProcess]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


STORIES = [
    (
        "NATO to station air defence batteries in Lithuania",
        "Vilnius will host Patriot launchers from spring, the alliance said on Monday.",
    ),
    (
        "Norwegian submarines begin NATO Arctic patrol",
        "Two boats sailed from Haakonsvern for a six-month watch near Svalbard.",
    ),
    (
        "Portugal buys maritime drones for NATO Atlantic missions",
        "Lisbon signed a contract worth 40 million euros with a shipyard in Viana.",
    ),
    (
        "Turkey asks NATO partners for Black Sea minesweepers",
        "Ankara wants grain convoys protected before the winter storms arrive.",
    ),
    (
        "Poland doubles NATO artillery shell orders",
        "Warsaw factories will run three shifts to deliver 155 mm rounds by June.",
    ),
    (
        "Estonia reports cyber attacks on ministries during NATO drill",
        "Tallinn blamed a hacker group for knocking tax and health websites offline.",
    ),
    (
        "Bulgaria opens fuel depot for NATO eastern flank",
        "The Sofia government inaugurated tanks holding diesel for armoured brigades.",
    ),
    (
        "Latvia rebuilds rail bridges for NATO heavy armour",
        "Engineers near Riga reinforced two spans so tank transporters can cross.",
    ),
]


def nato_items(prefix: str, count: int) -> list[dict[str, str]]:
    """Distinct stories about NATO: they match the default topics, and dedup keeps them apart."""
    return [
        {
            "title": STORIES[(i + len(prefix)) % len(STORIES)][0],
            "link": f"https://news.example.org/{prefix}/{i}",
            "guid": f"{prefix}-{i}",
            "description": STORIES[(i + len(prefix)) % len(STORIES)][1],
        }
        for i in range(count)
    ]


def stamped(handler: Callable[[Request], Reply], hits: list[float]) -> Callable[[Request], Reply]:
    def wrapped(request: Request) -> Reply:
        hits.append(time.monotonic())
        return handler(request)

    return wrapped


def articles_of(db_url: str) -> set[str]:
    db = Database.from_url(db_url)
    try:
        with db.session() as session:
            return set(session.scalars(select(Article.guid).where(~Article.is_seed)))
    finally:
        db.dispose()


def test_feeds_are_polled_when_due_and_not_otherwise(
    tmp_path: Path, server: FeedServer, daemons: Daemons
) -> None:
    fast_hits: list[float] = []
    slow_hits: list[float] = []
    fast = server.route("/fast", stamped(static(rss(nato_items("fast", 2))), fast_hits))
    slow = server.route("/slow", stamped(static(rss(nato_items("slow", 2))), slow_hits))
    feeds = [{"url": fast, "interval": 2}, {"url": slow, "interval": "1h"}]
    _, port = write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", feeds, tick=1)
    daemon = daemons(tmp_path, port).start()
    # The first poll of a new daemon loads the parser and the matcher (its next due time
    # counts from its end), and the first cycle then stores and classifies four articles,
    # which the next poll waits for (cycles never overlap): how late that poll comes depends
    # on the machine's load, not on the schedule.  The polls after it are the schedule's.
    daemon.wait_for_log("cycle 1 (schedule)", timeout=60)
    after_first = len(fast_hits)
    daemon.wait_until(
        lambda: len(fast_hits) >= after_first + 3, 60, "three more polls of the 2-second feed"
    )
    assert len(slow_hits) == 1  # due at start (never polled), then not for an hour
    gaps = [b - a for a, b in itertools.pairwise(fast_hits)]
    assert all(gap > 1.5 for gap in gaps), gaps  # never before it is due
    scheduled = gaps[after_first:]  # between polls of cycles that had nothing new to classify
    assert scheduled and all(gap < 6 for gap in scheduled), gaps  # nor much later (tick 1 s)
    log = daemon.log()
    assert f"feed {slow}: 2 entries, 2 new" in log  # one line per feed per cycle
    assert log.count(f"feed {slow}:") == 1
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0


def test_trigger_fetch_starts_a_cycle_within_a_second(
    tmp_path: Path, server: FeedServer, daemons: Daemons
) -> None:
    hits: list[float] = []
    url = server.route("/feed", stamped(static(rss(nato_items("t", 2))), hits))
    _, port = write_config(
        tmp_path, f"sqlite:///{tmp_path / 'n.db'}", [{"url": url, "interval": "1h"}]
    )
    daemon = daemons(tmp_path, port).start()
    daemon.wait_for_log("cycle 1 (schedule)")
    assert len(hits) == 1

    # The endpoint itself: from the request to the feed server seeing the poll.
    token = read_token(tmp_path / "data")
    assert token
    started = time.monotonic()
    reply = httpx.post(
        f"http://127.0.0.1:{port}/trigger/fetch",
        json={"wait": False},
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
    )
    assert reply.status_code == 202, reply.text
    daemon.wait_until(lambda: len(hits) == 2, 5, "the triggered poll")
    assert hits[1] - started < 1.0

    # And through the command, which waits for the cycle and prints its result.
    server.route("/feed", stamped(static(rss(nato_items("t", 3))), hits))
    result = newsmon(tmp_path, "trigger", "fetch", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["trigger"] == "manual" and data["status"] == "done"
    assert data["entries"] == {"seen": 3, "new": 1, "matched": 1}
    assert not data["already_running"]
    assert len(hits) == 3

    # Without a token there is no action: refused before any work can start, so the
    # daemon's count of manual cycles stays at the two above.
    refused = httpx.post(f"http://127.0.0.1:{port}/trigger/fetch", json={}, trust_env=False)
    assert refused.status_code == 401
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", trust_env=False).text
    assert 'newsmon_cycles_total{trigger="manual"} 2.0' in metrics
    assert len(hits) == 3
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0


def test_a_cycle_is_never_run_twice_at_once_even_from_another_process(
    tmp_path: Path, server: FeedServer, daemons: Daemons
) -> None:
    release = threading.Event()

    def slow_feed(_request: Request) -> Reply:
        release.wait(20)
        return Reply(200, rss(nato_items("slow", 1)), {"Content-Type": "application/rss+xml"})

    url = server.route("/slow", slow_feed)
    _, port = write_config(
        tmp_path, f"sqlite:///{tmp_path / 'n.db'}", [{"url": url, "interval": "1h"}]
    )
    daemon = daemons(tmp_path, port).start()
    daemon.wait_until(lambda: len(server.requests) == 1, 15, "the first poll to start")

    # Meanwhile: a trigger (through the daemon) and a manual fetch (another process).
    trigger = subprocess.Popen(
        [sys.executable, "-m", "monitor", "trigger", "fetch", "--json"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    manual_err = tmp_path / "manual.err"
    with manual_err.open("w") as err_file:
        manual = subprocess.Popen(
            [sys.executable, "-m", "monitor", "-v", "fetch", "--json"],
            cwd=tmp_path,
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=err_file,
            text=True,
        )
    # Both are waiting now (each says so); neither may poll the feed again.
    daemon.wait_for_log("a poll cycle is already running; the trigger gets its result")
    daemon.wait_until(
        lambda: "waiting for its result" in manual_err.read_text(), 30, "the manual fetch to wait"
    )
    assert len(server.requests) == 1
    release.set()
    out_t, err_t = trigger.communicate(timeout=30)
    out_m, _ = manual.communicate(timeout=30)
    err_m = manual_err.read_text()
    assert trigger.returncode == 0 and manual.returncode == 0, err_t + err_m
    for out, err in ((out_t, err_t), (out_m, err_m)):
        data = json.loads(out)
        assert "already running" in err
        assert data["already_running"] is True
        assert data["run_id"] == 1 and data["entries"]["new"] == 1
    assert len(server.requests) == 1
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0


def test_digest_arrives_on_schedule_once(
    tmp_path: Path, server: FeedServer, daemons: Daemons, smtp_server: ServerFactory
) -> None:
    smtp = smtp_server()
    url = server.route("/feed", static(rss(nato_items("d", 3))))
    _, port = write_config(
        tmp_path,
        f"sqlite:///{tmp_path / 'n.db'}",
        [{"url": url, "interval": "1h"}],
        smtp_port=smtp.port,
        schedule="*/3 * * * * *",  # every three seconds
    )
    daemon = daemons(tmp_path, port).start()
    daemon.wait_until(lambda: len(smtp.recorder.received) >= 1, 30, "the first digest")
    message = smtp.recorder.received[0].message
    assert message["To"] == "reader@example.org"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "NATO" in text
    # Once the cycle is over and a round has run after it, everything is delivered (a slot
    # may have fired while dedup was still classifying: then two digests share the items).
    daemon.wait_for_log("cycle 1 (schedule)")
    wait_for_next_round(daemon, tmp_path, port)
    sent = len(smtp.recorder.received)
    bodies = [r.data.decode("utf-8", "replace") for r in smtp.recorder.received]
    for i in range(3):
        assert sum(f"https://news.example.org/d/{i}" in b for b in bodies) == 1
    # Two more slots run to their end: nothing new, so nothing sent (send_empty is off).
    for _ in range(2):
        wait_for_next_round(daemon, tmp_path, port)
    assert len(smtp.recorder.received) == sent
    token = read_token(tmp_path / "data")
    health = httpx.get(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
    ).json()
    assert health["digests"]["reader@example.org"]["last"] is not None
    daemon.signal(signal.SIGINT)
    assert daemon.wait() == 0


def test_a_digest_missed_while_down_is_sent_once_at_start(
    tmp_path: Path, server: FeedServer, daemons: Daemons, smtp_server: ServerFactory
) -> None:
    smtp = smtp_server()
    url = server.route("/feed", static(rss(nato_items("m", 2))))
    db_url = f"sqlite:///{tmp_path / 'n.db'}"
    _, port = write_config(
        tmp_path,
        db_url,
        [{"url": url, "interval": "1h"}],
        smtp_port=smtp.port,
        schedule="0 7 * * *",
    )
    first = daemons(tmp_path, port).start()
    first.wait_for_log("cycle 1 (schedule)")
    first.signal(signal.SIGTERM)
    assert first.wait() == 0
    assert smtp.recorder.received == []  # a new recipient has missed nothing

    db = Database.from_url(db_url)
    with db.session() as session:  # as if the daemon had been down for three days
        session.execute(
            update(DigestSchedule).values(last_slot_at=datetime.now(UTC) - timedelta(days=3))
        )
    db.dispose()
    second = daemons(tmp_path, port).start()
    second.wait_until(lambda: len(smtp.recorder.received) == 1, 30, "the missed digest")
    second.wait_for_log("a scheduled slot passed while newsmon was down")
    # The catch-up round has run to its end (its slot is recorded): one digest, not one
    # per missed slot.
    second.wait_until(
        lambda: digest_last_served(tmp_path, port) is not None, 30, "the catch-up round's end"
    )
    assert len(smtp.recorder.received) == 1
    second.signal(signal.SIGTERM)
    assert second.wait() == 0


def test_sigterm_mid_cycle_exits_0_within_10_seconds(
    tmp_path: Path, server: FeedServer, daemons: Daemons
) -> None:
    good = server.route("/good", static(rss(nato_items("g", 2))))
    stuck = server.route("/stuck", never_answers())
    db_url = f"sqlite:///{tmp_path / 'n.db'}"
    feeds = [{"url": good, "interval": "1h"}, {"url": stuck, "interval": "1h"}]
    _, port = write_config(tmp_path, db_url, feeds, extra="[fetch]\ntimeout = 60\n")
    daemon = daemons(tmp_path, port).start()
    daemon.wait_for_log(f"feed {good}: 2 entries, 2 new", timeout=60)
    # Mid-cycle means a request in flight: the stuck feed's has reached the server.
    daemon.wait_until(lambda: bool(server.requests_to("/stuck")), 30, "the stuck feed's request")
    assert "cycle 1" not in daemon.log()  # the stuck feed holds the cycle open
    started = time.monotonic()
    daemon.signal(signal.SIGTERM)
    assert daemon.wait(timeout=12) == 0
    assert time.monotonic() - started < 10
    log = daemon.log()
    assert "cancelling its requests" in log and "newsmon stopped" in log
    assert articles_of(db_url) == {"g-0", "g-1"}  # the finished feed was kept
    db = Database.from_url(db_url)
    with db.session() as session:
        assert session.scalars(select(CycleRun.status)).all() == ["interrupted"]
    db.dispose()


def test_second_signal_exits_at_once(tmp_path: Path, server: FeedServer, daemons: Daemons) -> None:
    stuck = server.route("/stuck", never_answers())
    _, port = write_config(
        tmp_path,
        f"sqlite:///{tmp_path / 'n.db'}",
        [{"url": stuck}],
        extra="[fetch]\ntimeout = 60\n",
    )
    daemon = daemons(tmp_path, port).start()
    daemon.wait_until(lambda: len(server.requests) == 1, 15, "the poll to start")
    daemon.signal(signal.SIGTERM)
    daemon.wait_for_log("SIGTERM received")
    started = time.monotonic()
    daemon.signal(signal.SIGTERM)
    assert daemon.wait(timeout=5) == 128 + signal.SIGTERM
    assert time.monotonic() - started < 2


def test_second_daemon_on_the_same_database_refuses(
    db_url: str, tmp_path: Path, server: FeedServer, daemons: Daemons
) -> None:
    url = server.route("/feed", static(rss(nato_items("x", 1))))
    _, port = write_config(tmp_path, db_url, [{"url": url, "interval": "1h"}])
    first = daemons(tmp_path, port).start()
    again = newsmon_process(tmp_path, "run")  # a daemon that failed to refuse would run on
    assert again.returncode == 1
    line = again.stderr.strip().splitlines()[-1]
    assert line.startswith("newsmon: error: another newsmon daemon already runs on ")
    assert f"process {first.pid} on " in line and "stop it first" in line
    first.signal(signal.SIGTERM)
    assert first.wait() == 0
    # Once it is gone, the next one starts.
    daemons(tmp_path, port).start().signal(signal.SIGTERM)


@pytest.mark.parametrize("when", ["mid-cycle"])
def test_kill_9_then_restart_loses_no_entry_and_sends_no_digest_twice(
    when: str,
    db_url: str,
    tmp_path: Path,
    server: FeedServer,
    daemons: Daemons,
    smtp_server: ServerFactory,
) -> None:
    smtp = smtp_server()
    release = threading.Event()
    stories = nato_items("k", 6)
    first_items, late_items = stories[:3], stories[3:]

    def late_feed(_request: Request) -> Reply:
        if not release.is_set():
            return Reply(hang=True)  # the first daemon dies waiting for this one
        return Reply(200, rss(late_items), {"Content-Type": "application/rss+xml"})

    feeds = [
        {"url": server.route("/first", static(rss(first_items))), "interval": "1h"},
        {"url": server.route("/late", late_feed), "interval": "1h"},
    ]
    _, port = write_config(
        tmp_path,
        db_url,
        feeds,
        smtp_port=smtp.port,
        schedule="*/2 * * * * *",
        extra="[fetch]\ntimeout = 60\n",
    )
    first = daemons(tmp_path, port).start()
    first.wait_for_log("feed http://", timeout=30)  # the first feed is stored, /late hangs
    first.proc.kill()  # type: ignore[union-attr]  # SIGKILL mid-cycle: no clean-up at all
    first.wait()

    release.set()
    second = daemons(tmp_path, port).start()
    expected = {i["guid"] for i in first_items + late_items}
    second.wait_until(lambda: articles_of(db_url) == expected, 30, "every entry stored")
    links = [i["link"] for i in first_items + late_items]

    def delivered() -> bool:
        bodies = [r.data.decode("utf-8", "replace") for r in smtp.recorder.received]
        return all(any(link in body for body in bodies) for link in links)

    second.wait_until(delivered, 40, "every story delivered")
    for _ in range(2):  # two more slots run to their end, sending nothing again
        wait_for_next_round(second, tmp_path, port)
    second.signal(signal.SIGTERM)
    assert second.wait() == 0

    ids = smtp.recorder.message_ids()
    assert len(ids) == len(set(ids))  # no digest sent twice
    bodies = [r.data.decode("utf-8", "replace") for r in smtp.recorder.received]
    for link in links:  # and no story in two digests
        assert sum(link in body for body in bodies) == 1, link
    db = Database.from_url(db_url)
    with db.session() as session:
        statuses = session.scalars(select(CycleRun.status).order_by(CycleRun.id)).all()
        assert statuses[0] == "interrupted"
        sent = session.scalar(
            select(func.count()).select_from(Digest).where(Digest.status == "sent")
        )
        assert sent == len(ids)
        per_article = session.execute(
            select(Delivery.article_id, func.count()).group_by(Delivery.article_id)
        ).all()
        assert all(count == 1 for _, count in per_article)
    db.dispose()


def test_metrics_and_health(tmp_path: Path, server: FeedServer, daemons: Daemons) -> None:
    ok = server.route("/ok", static(rss(nato_items("ok", 2))))
    bad = server.route("/bad", lambda _r: Reply(500, b"down"))
    feeds = [{"url": ok, "interval": "1h"}, {"url": bad, "interval": "1h"}]
    _, port = write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", feeds)
    daemon = daemons(tmp_path, port).start()
    daemon.wait_for_log("cycle 1 (schedule)")
    base = f"http://127.0.0.1:{port}"
    text = httpx.get(f"{base}/metrics", trust_env=False).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("newsmon_cycles_total", (("trigger", "schedule"),))] == 1
    assert samples[("newsmon_feeds_polled_total", (("outcome", "ok"),))] == 1
    assert samples[("newsmon_feeds_polled_total", (("outcome", "failed"),))] == 1
    assert samples[("newsmon_entries_new_total", ())] == 2
    assert samples[("newsmon_cycle_duration_seconds_count", ())] == 1
    assert samples[("newsmon_last_cycle_timestamp_seconds", ())] > time.time() - 60
    assert ("newsmon_duplicates_suppressed_total", ()) in samples
    assert ("newsmon_digests_sent_total", ()) in samples

    health = httpx.get(f"{base}/healthz", trust_env=False)
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok" and body["scheduler"] == "running"
    assert body["database"] == "ok" and body["last_cycle"]["status"] == "done"
    # Without the token: how many recipients, never who they are.
    assert body["recipients"] == 1 and "digests" not in body
    assert "@" not in health.text
    token = read_token(tmp_path / "data")
    auth = {"Authorization": f"Bearer {token}"}
    detailed = httpx.get(f"{base}/healthz", headers=auth, trust_env=False)
    assert list(detailed.json()["digests"]) == ["reader@example.org"]
    result = newsmon(tmp_path, "health")
    assert result.returncode == 0 and ": ok;" in result.stdout
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    gone = newsmon(tmp_path, "health")
    assert gone.returncode == 1
    assert "no newsmon daemon is listening on 127.0.0.1:" in gone.stderr


def test_json_logs_and_no_secrets(
    tmp_path: Path, server: FeedServer, daemons: Daemons, smtp_server: ServerFactory
) -> None:
    smtp = smtp_server()  # no AUTH: logging in fails, and the error is logged
    url = server.route("/feed", static(rss(nato_items("j", 1))))
    secret = "Sup3r-Secret-Pw"
    _, port = write_config(
        tmp_path,
        f"sqlite:///{tmp_path / 'n.db'}",
        [{"url": url, "interval": "1h"}],
        schedule="*/2 * * * * *",
    )
    daemon = daemons(
        tmp_path,
        port,
        "--log-format",
        "json",
        NEWSMON_EMAIL__SMTP_URL=f"smtp://bot:{secret}@127.0.0.1:{smtp.port}",
    ).start()
    daemon.wait_for_log("not delivered", timeout=30)
    token = read_token(tmp_path / "data")
    assert token
    newsmon(tmp_path, "trigger", "fetch")
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
    lines = [json.loads(line) for line in daemon.log().splitlines() if line.strip()]
    feed_lines = [r for r in lines if r.get("feed") == url]
    assert feed_lines and feed_lines[0]["outcome"] == "ok" and feed_lines[0]["new"] == 1
    assert {"time", "level", "logger", "message"} <= set(feed_lines[0])
    raw = daemon.log()
    assert secret not in raw and token not in raw
    assert smtp.recorder.received == []


def test_trigger_without_a_daemon_says_so_and_works_here(
    tmp_path: Path, server: FeedServer
) -> None:
    url = server.route("/feed", static(rss(nato_items("n", 2))))
    write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", [{"url": url}])
    result = newsmon(tmp_path, "trigger", "fetch", "--json")
    assert result.returncode == 0, result.stderr
    assert "no newsmon daemon is listening on 127.0.0.1:" in result.stderr
    assert "fetching in this process instead" in result.stderr
    assert json.loads(result.stdout)["entries"]["new"] == 2


def test_trigger_digest_sends_now_and_fails_loudly_when_it_cannot(
    tmp_path: Path, server: FeedServer, daemons: Daemons, smtp_server: ServerFactory
) -> None:
    smtp = smtp_server()
    smtp.recorder.replies = ["451 4.3.0 try again later"]  # the first attempt fails
    url = server.route("/feed", static(rss(nato_items("g", 2))))
    _, port = write_config(
        tmp_path,
        f"sqlite:///{tmp_path / 'n.db'}",
        [{"url": url, "interval": "1h"}],
        smtp_port=smtp.port,
        schedule="0 7 1 1 *",  # not during this test
    )
    daemon = daemons(tmp_path, port).start()
    daemon.wait_for_log("cycle 1 (schedule)")
    failed = newsmon(tmp_path, "trigger", "digest")
    assert failed.returncode == 1
    assert "1 digest not delivered (kept; retried later)" in failed.stderr
    assert "451" in failed.stderr
    # The kept digest goes out on the retry job (retry_delay = 1 s), once.
    daemon.wait_until(lambda: len(smtp.recorder.received) == 1, 20, "the retried digest")
    again = newsmon(tmp_path, "trigger", "digest", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["recipients"][0]["skipped"] == "nothing new"
    assert len(smtp.recorder.received) == 1
    daemon.signal(signal.SIGTERM)
    assert daemon.wait() == 0
