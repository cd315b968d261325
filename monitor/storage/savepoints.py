"""Trying one write inside a bigger transaction without risking the rest of it.

On PostgreSQL a refused statement aborts the whole transaction, so a write
that may be refused (one feed item) runs inside a SAVEPOINT, which undoes
just that write.  SQLite undoes a refused statement by itself and keeps the
transaction; there a SAVEPOINT is even harmful when no transaction has been
opened yet (the sqlite3 module opens one lazily, before the first write): it
would become the outermost transaction, and releasing it would commit early,
breaking the caller's all-or-nothing.  So on SQLite a savepoint is used only
inside an open transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session


@contextmanager
def item_savepoint(session: Session) -> Iterator[None]:
    """Run the block so that, if the database refuses it, only the block is undone."""
    if savepoint_is_safe(session):
        with session.begin_nested():
            yield
    else:
        yield


def savepoint_is_safe(session: Session) -> bool:
    """Whether a SAVEPOINT here nests inside the caller's transaction (see the module)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return True
    dbapi = connection.connection.dbapi_connection
    return bool(getattr(dbapi, "in_transaction", False))


def one_line(exc: Exception) -> str:
    """What the database said, in one short line: no SQL, no parameters."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        reason: BaseException = exc.orig
    elif isinstance(exc, StatementError) and exc.orig is not None:
        reason = exc.orig
    else:
        reason = exc
    lines = str(reason).strip().splitlines()
    message = lines[0] if lines else ""
    if len(message) > 200:
        message = message[:199] + "…"
    return f"{type(reason).__name__}: {message}" if message else type(reason).__name__
