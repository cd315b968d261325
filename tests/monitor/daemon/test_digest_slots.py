"""Digest slots across a ``kill -9``: a real daemon killed while it sends a slot's digest,
then restarted; the slot must get exactly one digest (docs/delivery.md), on SQLite and
PostgreSQL."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from monitor.storage import Database, Digest, DigestSchedule
from tests.feedserver import FeedServer, rss, static
from tests.monitor.daemon.conftest import DaemonProcess, write_config
from tests.monitor.daemon.test_service import nato_items
from tests.smtpserver import ServerFactory

Daemons = Callable[..., DaemonProcess]
SLOT_MISSED = "a scheduled slot passed while newsmon was down"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        yield feeds


@pytest.fixture
def silent_smtp() -> Iterator[socket.socket]:
    """A port that accepts connections and never says a word: the daemon hangs mid-send."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    yield listener
    listener.close()


def accepted(listener: socket.socket, held: list[socket.socket]) -> bool:
    try:
        conn, _ = listener.accept()
    except TimeoutError:
        return False
    held.append(conn)
    return True


def digests(db_url: str) -> list[tuple[str, int, str | None]]:
    db = Database.from_url(db_url)
    try:
        with db.session() as session:
            rows = session.execute(select(Digest.status, Digest.attempts, Digest.subject))
            return [(s, a, subj) for s, a, subj in rows]
    finally:
        db.dispose()


def run_sql(db_url: str, statement: object) -> None:
    db = Database.from_url(db_url)
    try:
        with db.session() as session:
            session.execute(statement)  # type: ignore[call-overload]
    finally:
        db.dispose()


# The slot is stored with its digest in one transaction; that transaction is tested on both
# databases in tests/alerts. Here the process is killed, which SQLite shows as well.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_kill_mid_digest_with_send_empty_never_gives_a_slot_two_digests(
    db_url: str,
    tmp_path: Path,
    server: FeedServer,
    daemons: Daemons,
    silent_smtp: socket.socket,
    smtp_server: ServerFactory,
) -> None:
    url = server.route("/feed", static(rss(nato_items("s", 2))))
    feeds = [{"url": url, "interval": "1h"}]
    _, port = write_config(tmp_path, db_url, feeds)  # digests at 07:00: not in this test
    _enable_send_empty(tmp_path)
    # A first run stores the articles and starts the recipient's schedule.
    first = daemons(tmp_path, port).start()
    first.wait_for_log("cycle 1 (schedule)")
    first.signal(signal.SIGTERM)
    assert first.wait() == 0
    # Down for three days: the next start owes one digest, and its SMTP server hangs.
    run_sql(
        db_url, update(DigestSchedule).values(last_slot_at=datetime.now(UTC) - timedelta(days=3))
    )
    _, port = write_config(tmp_path, db_url, feeds, smtp_port=silent_smtp.getsockname()[1])
    _enable_send_empty(tmp_path)
    held: list[socket.socket] = []
    second = daemons(tmp_path, port).start()
    second.wait_for_log(SLOT_MISSED)
    second.wait_until(lambda: accepted(silent_smtp, held), 30, "the digest being sent")
    second.proc.kill()  # type: ignore[union-attr]  # SIGKILL mid-send
    second.wait()
    [(status, attempts, _)] = digests(db_url)
    assert (status, attempts) == ("pending", 1)

    # The restart: the slot was served by the stored digest, so no second one is composed,
    # not even a "nothing new" one; the stored digest goes once its claim runs out.
    smtp = smtp_server()
    _, port = write_config(tmp_path, db_url, feeds, smtp_port=smtp.port)
    _enable_send_empty(tmp_path)
    third = daemons(tmp_path, port).start()
    assert SLOT_MISSED not in third.log()
    run_sql(db_url, update(Digest).values(next_attempt_at=datetime.now(UTC)))  # lease over
    third.wait_until(lambda: len(smtp.recorder.received) == 1, 30, "the kept digest")
    third.wait_until(lambda: digests(db_url)[0][0] == "sent", 10, "the digest marked sent")
    assert len(digests(db_url)) == 1
    third.signal(signal.SIGTERM)
    assert third.wait() == 0
    assert len(smtp.recorder.received) == 1
    for conn in held:
        conn.close()


def _enable_send_empty(folder: Path) -> None:
    path = folder / "newsmon.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[digest]\n", "[digest]\nsend_empty = true\n"), "utf-8")
