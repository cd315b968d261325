"""Named process locks that hold across processes sharing one database.

Two things must never run twice at once against one database, whichever
processes start them: a daemon (``newsmon run``), and a poll cycle (the
daemon's, a trigger's or a manual ``newsmon fetch``).  A row in a table is
not enough: a holder killed with ``kill -9`` would leave it behind.  So the
lock is one the system frees when its holder dies:

* PostgreSQL: a session-level advisory lock on a connection kept open while
  the lock is held; the server drops it with the connection.  Its key is
  derived from the database, the schema and the lock's name, so two newsmon
  instances in different schemas do not block each other.
* SQLite: an exclusive lock on a file next to the database
  (``newsmon.db.<name>.lock``, via ``filelock``), which the kernel drops with
  the process.  An in-memory database gets an in-process lock.

Who holds a lock (pid, host, since when, what for) is written to the
``process_locks`` table once it is taken, only so another process can say
*which* process is in the way.  The start-up lock (:func:`start_up_lock`) is
the exception: it guards creating that very table, so it records nothing.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol

import filelock
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import LockHeld as LockHeld  # defined with the error tree
from monitor.storage.database import Database, wrap_exceptions
from monitor.storage.models import ProcessLock

DAEMON = "daemon"
CYCLE = "poll-cycle"
START = "start-up"


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    purpose: str
    acquired_at: datetime

    def describe(self) -> str:
        return (
            f"process {self.pid} on {self.host} ({self.purpose}, "
            f"since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC)"
        )


class _Primitive(Protocol):
    """The backend-specific part: take without waiting, give back."""

    def try_acquire(self) -> bool: ...
    def release(self) -> None: ...


class _AdvisoryLock:
    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.name = name
        self._conn: Connection | None = None
        self._key: int | None = None

    def try_acquire(self) -> bool:
        with wrap_exceptions(self.db.url, f"taking the {self.name} lock"):
            return self._try_acquire()

    def _try_acquire(self) -> bool:
        conn = self.db.engine.connect()
        try:
            where = conn.execute(text("SELECT current_database(), current_schema()")).one()
            digest = hashlib.blake2b(
                f"newsmon:{where[0]}:{where[1]}:{self.name}".encode(), digest_size=8
            )
            key = int.from_bytes(digest.digest(), "big", signed=True)
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn, self._key = conn, key
        return True

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            conn.commit()
        except SQLAlchemyError:
            pass  # the server drops the lock with the connection, invalidated below
        finally:
            # Closing returns the connection to the pool; invalidating it makes sure
            # nothing session-level (the lock, should the unlock have failed) survives.
            conn.invalidate()
            conn.close()


_memory_locks: dict[str, threading.Lock] = {}
_memory_guard = threading.Lock()


class _MemoryLock:
    def __init__(self, key: str) -> None:
        with _memory_guard:
            self._lock = _memory_locks.setdefault(key, threading.Lock())

    def try_acquire(self) -> bool:
        return self._lock.acquire(blocking=False)

    def release(self) -> None:
        if self._lock.locked():
            self._lock.release()


class _FileLock:
    def __init__(self, path: Path) -> None:
        # thread_local=False: a lock taken in one thread may be released in another;
        # is_singleton=False: each NamedLock is a separate holder, even in one process.
        self._lock = filelock.FileLock(path, thread_local=False, is_singleton=False)

    def try_acquire(self) -> bool:
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            return False
        return True

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


def _primitive(db: Database, name: str) -> _Primitive:
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        return _AdvisoryLock(db, name)
    database = url.database or ""
    if (
        url.get_backend_name() != "sqlite"
        or database in ("", ":memory:")
        or database.startswith("file:")
    ):
        return _MemoryLock(f"{url.render_as_string(hide_password=True)}:{name}")
    path = Path(database).expanduser().resolve()
    return _FileLock(path.with_name(f"{path.name}.{name}.lock"))


class NamedLock:
    """``with NamedLock(db, CYCLE, "newsmon fetch"):`` -- or raise :class:`LockHeld`.

    Not re-entrant: a second NamedLock of the same name, even in the same
    process, is refused while the first is held.
    """

    def __init__(self, db: Database, name: str, purpose: str) -> None:
        self.db = db
        self.name = name
        self.purpose = purpose
        self._primitive = _primitive(db, name)
        self.held = False

    def try_acquire(self) -> bool:
        """Take the lock if it is free; record this process as its holder."""
        if self.held:
            raise RuntimeError(f"{self.name} lock already held by this NamedLock")
        if not self._primitive.try_acquire():
            return False
        self.held = True
        try:
            self._record()
        except BaseException:
            self.release()
            raise
        return True

    def acquire(self, timeout: float | None = 0, poll: float = 0.2) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (None: forever), else LockHeld."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.try_acquire():
            if deadline is not None and time.monotonic() >= deadline:
                raise LockHeld(self.name, self.holder())
            time.sleep(poll)

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        self._primitive.release()

    def holder(self) -> LockHolder | None:
        """Who recorded holding the lock last (meaningful while it is held)."""
        with self.db.session() as session:
            row = session.get(ProcessLock, self.name)
            if row is None:
                return None
            return LockHolder(row.pid, row.host, row.purpose, row.acquired_at)

    def _record(self) -> None:
        with self.db.session() as session:
            row = session.get(ProcessLock, self.name) or ProcessLock(name=self.name)
            row.pid, row.host, row.purpose = os.getpid(), socket.gethostname(), self.purpose
            row.acquired_at = datetime.now(UTC)
            session.add(row)

    def __enter__(self) -> NamedLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


@contextmanager
def start_up_lock(db: Database, timeout: float = 600.0, poll: float = 0.2) -> Iterator[None]:
    """Hold the database's start-up lock: one process at a time migrates and writes seeds.

    A deployment started at once (``docker compose up --scale worker=4``) opens one new
    database from several processes; without this they would race to create the same
    tables and insert the same seed rows, and all but one would fail.  The others wait
    here and then find the work done.  ``timeout`` only bounds a holder that hangs (a
    killed holder frees the lock at once): migrating a large database takes minutes.
    """
    primitive = _primitive(db, START)
    deadline = time.monotonic() + timeout
    while not primitive.try_acquire():
        if time.monotonic() >= deadline:
            raise LockHeld(START, None)
        time.sleep(poll)
    try:
        yield
    finally:
        primitive.release()
