"""Engine and session set-up for SQLite and PostgreSQL, and the storage error boundary.

SQLite is put in WAL mode with a busy timeout: the daemon and a manual
``newsmon fetch`` may then write to the same file one after the other
instead of one failing with "database is locked".  Foreign keys are
switched on, which SQLite leaves off by default.  On PostgreSQL the same
wait is the session's ``lock_timeout``.  Either way the wait is
``[database] busy_timeout``; after it the write fails with one line.

Every database error leaves this package as a :class:`StorageError`
(:func:`wrap_exceptions`, applied by :meth:`Database.session`), as reader's
``wrap_exceptions`` does: commands, the poll cycle and the daemon then
print, log and store one line naming the operation and the driver's short
message, and never the SQL statement or its parameters, which SQLAlchemy
puts in its own messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import ConfigError, DatabaseUnavailable, StorageError

DEFAULT_BUSY_TIMEOUT_S = 30.0
# Errors about the database rather than the statement's data: locked past the busy
# timeout, disk full, read-only, connection lost.  Retrying item by item cannot help.
UNAVAILABLE = (OperationalError, InterfaceError)

_STATEMENT = re.compile(
    r"^\s*(?:(?P<select>SELECT)\b.*?\bFROM\s+(?P<from>[\w.\"]+)"
    r"|(?P<verb>INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?P<table>[\w.\"]+))",
    re.IGNORECASE | re.DOTALL,
)
_VERBS = {"INSERT INTO": "writing", "UPDATE": "updating", "DELETE FROM": "deleting from"}
# What SQLAlchemy appends to a driver's message; cut in case a message is not a DBAPIError.
_SQLALCHEMY_TAIL = re.compile(r"\s*(\[SQL:|\[parameters:|\(Background on this error).*", re.DOTALL)


def make_engine(
    url: str | URL, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S, **kwargs: Any
) -> Engine:
    """Create an engine with the settings newsmon relies on for ``url``'s backend.

    ``busy_timeout`` (seconds) is how long a statement waits for a lock another
    process holds before it fails.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError("[database] url", f"not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", busy_timeout)
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _postgresql_lock_timeout(busy_timeout))
    return engine


def _sqlite_pragmas(busy_timeout: float) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return on_connect


def _postgresql_lock_timeout(busy_timeout: float) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # Not SET LOCAL: for the session.  Committed, or the pool's reset would undo it.
            cursor.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")
        finally:
            cursor.close()
        dbapi_connection.commit()

    return on_connect


def describe_statement(statement: str | None) -> str:
    """``INSERT INTO articles (...)`` -> ``writing articles``: the operation, not the SQL."""
    match = _STATEMENT.match(statement or "")
    if match is None:
        return "querying the database"
    if match["select"]:
        return f"reading {match['from'].strip(chr(34))}"
    verb = " ".join(match["verb"].upper().split())
    return f"{_VERBS[verb]} {match['table'].strip(chr(34))}"


def short_message(exc: BaseException) -> str:
    """The driver's own message, first line, without SQLAlchemy's SQL and parameters."""
    cause: BaseException = exc
    if isinstance(exc, StatementError) and exc.orig is not None:
        cause = exc.orig
    text = _SQLALCHEMY_TAIL.sub("", str(cause)).strip()
    text = re.sub(r"^\([\w.]+\)\s*", "", text)  # SQLAlchemy's "(sqlite3.OperationalError) "
    first = text.splitlines()[0].strip() if text else ""
    return first or type(cause).__name__


def storage_error(exc: SQLAlchemyError, where: str, operation: str | None = None) -> StorageError:
    """The :class:`StorageError` for ``exc``; ``where`` names the database (no password)."""
    statement = exc.statement if isinstance(exc, StatementError) else None
    operation = operation or describe_statement(statement)
    kind = (
        DatabaseUnavailable
        if isinstance(exc, UNAVAILABLE)
        or (isinstance(exc, DBAPIError) and exc.connection_invalidated)
        else StorageError
    )
    return kind(f"database {where}: {operation}: {short_message(exc)}", operation=operation)


@contextmanager
def wrap_exceptions(where: str, operation: str | None = None) -> Iterator[None]:
    """Turn any SQLAlchemy error raised inside into a one-line :class:`StorageError`.

    The original stays the ``__cause__`` (for ``-vv`` debugging), never the message.
    """
    try:
        yield
    except SQLAlchemyError as exc:
        raise storage_error(exc, where, operation) from exc


class Database:
    """An engine plus a session factory; the one handle the rest of newsmon passes around."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(
        cls, url: str | URL, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S, **kwargs: Any
    ) -> Database:
        return cls(make_engine(url, busy_timeout=busy_timeout, **kwargs))

    @property
    def url(self) -> str:
        """The URL with any password hidden, safe to print and log."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self, operation: str | None = None) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error.

        A database error inside (or at commit) leaves as :class:`StorageError`;
        ``operation`` names what was being done, else it is told from the statement.
        """
        with wrap_exceptions(self.url, operation), self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
