"""Process locks on SQLite and PostgreSQL: one holder at a time, the holder named, and the
lock freed by the system when its holder is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from monitor.storage import Database
from monitor.storage.locks import CYCLE, DAEMON, LockHeld, NamedLock, start_up_lock


def test_one_holder_at_a_time_and_the_other_is_named(db: Database) -> None:
    first = NamedLock(db, CYCLE, "test holder")
    second = NamedLock(db, CYCLE, "test waiter")
    assert first.try_acquire()
    assert not second.try_acquire()
    holder = second.holder()
    assert holder is not None and holder.pid == os.getpid() and holder.purpose == "test holder"
    with pytest.raises(LockHeld, match=rf"poll-cycle lock is held by process {os.getpid()} on "):
        second.acquire(timeout=0.3, poll=0.05)
    other = NamedLock(db, DAEMON, "another name")
    assert other.try_acquire()  # names are independent
    first.release()
    assert second.try_acquire()
    second.release()
    other.release()


def test_acquire_waits_for_the_holder(db: Database) -> None:
    first = NamedLock(db, CYCLE, "first")
    assert first.try_acquire()
    started = time.monotonic()
    threading.Timer(0.4, first.release).start()
    second = NamedLock(db, CYCLE, "second")
    second.acquire(timeout=5, poll=0.05)
    assert second.held and time.monotonic() - started >= 0.3
    second.release()
    with NamedLock(db, CYCLE, "as a context manager") as third:  # free now: taken at once
        assert third.held
    assert not third.held


def test_start_up_lock_lets_one_process_migrate_at_a_time(db: Database) -> None:
    """The start-up lock guards creating the tables, so it needs none of them to exist."""
    order: list[str] = []
    with start_up_lock(db):
        waiter = threading.Thread(target=lambda: _start_up(db, order))
        waiter.start()
        time.sleep(0.3)
        order.append("first done")
    waiter.join(5)
    assert order == ["first done", "second in"]
    held = start_up_lock(db)
    waiting = start_up_lock(db, timeout=0.2, poll=0.05)
    with held, pytest.raises(LockHeld, match="start-up lock is held"), waiting:
        pass  # pragma: no cover - never reached


def _start_up(db: Database, order: list[str]) -> None:
    with start_up_lock(db, timeout=5, poll=0.05):
        order.append("second in")


HOLDER = textwrap.dedent(
    """
    import sys, time
    from monitor.storage import Database
    from monitor.storage.locks import NamedLock
    lock = NamedLock(Database.from_url(sys.argv[1]), "poll-cycle", "killed holder")
    assert lock.try_acquire()
    print("held", flush=True)
    time.sleep(120)
    """
)


def test_a_killed_holder_leaves_the_lock_free(db: Database, db_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        mine = NamedLock(db, CYCLE, "after the kill")
        assert not mine.try_acquire()
        recorded = mine.holder()
        assert recorded is not None and recorded.pid == holder.pid
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        mine.acquire(timeout=10, poll=0.1)  # PostgreSQL notices the dropped connection
        assert mine.held
        mine.release()
    finally:
        holder.kill()
        holder.wait(10)
