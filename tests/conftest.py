"""Shared fixtures.

Database tests take the ``db_url`` fixture and so run twice: on a fresh
SQLite file, and on PostgreSQL in a schema of their own when
``NEWSMON_TEST_DATABASE_URL`` is set (``.ci/run`` sets it).  Without it the
PostgreSQL half is skipped with the reason shown in the summary.

The ``db`` fixture (a database at the newest schema) does not run the
migrations for every test, which cost most of a small test's time: they run
once per session (per xdist worker), and each test gets a copy.  On SQLite
the copy is the migrated file; on PostgreSQL the statements the migrations
sent are recorded once and replayed in the test's schema, which is what
running them again would do, without alembic.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, make_url, text

from monitor.storage import Database, migrate
from tests.smtpserver import ServerFactory, start_smtp_servers

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
DATA = Path(__file__).resolve().parent / "data"
PG_ENV = "NEWSMON_TEST_DATABASE_URL"
PG_SKIP = (
    f"PostgreSQL tests need {PG_ENV}, e.g. "
    "postgresql+psycopg://postgres@127.0.0.1:5432/test (.ci/run sets it)"
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: SQLite in tmp_path, or a throw-away PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsmon.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    with pg_schema(base) as url:
        yield url


@contextmanager
def pg_schema(base: str) -> Iterator[str]:
    """A new schema in ``base``'s database, dropped afterwards; yields a URL that uses it."""
    schema = f"newsmon_test_{uuid.uuid4().hex[:10]}"
    # A test's schema need not survive a crash: no waiting for the WAL to reach the disk.
    admin = create_engine(base, connect_args={"options": "-csynchronous_commit=off"})
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# The slowest tests of other modules (``--durations``), marked ``slow`` here so the
# list of what ``-m "not slow"`` leaves out is in one place; a module's own
# ``pytest.mark.slow`` works as well.
SLOW_TESTS = (
    "tests/monitor/daemon/test_digest_slots.py::test_kill_mid_digest_with_send_empty_never_gives",
)


# Handed out first by pytest-xdist (``--dist loadgroup`` gives work in collection order,
# after the xdist_group groups): the modules whose tests take longest, mostly waiting on
# schedules of seconds, so that none of them is left for last on one worker while the
# other has nothing to do.
FIRST = (
    "tests/monitor/daemon/test_service.py",
    "tests/monitor/daemon/test_digest_slots.py",
    "tests/monitor/storage/test_storage_errors.py",
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own answer (one per core)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: one worker more than the cores.  Most tests here wait (on schedules of
    seconds, on servers, on subprocesses) more than they compute, so a third worker on
    two cores took the suite from 259 s to 214 s, and a fourth added nothing (211 s).
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses != "auto":
        return None  # pytest-xdist's own hook reads it (or counts logical CPUs)
    return len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else None


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
    if getattr(config.option, "loadgroup", False):
        _name_xdist_groups(items)
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))  # stable: modules stay whole


def _name_xdist_groups(items: list[pytest.Item]) -> None:
    """Append ``@group`` to the node id of each test marked ``xdist_group``, as pytest-xdist
    does to send a group to one worker, where it did not take.

    pytest-xdist (3.8) sets ``item._nodeid``, which pytest 9.2 no longer reads (the id is
    ``item._id``): each group's tests were spread over the workers, and a module-scoped
    fixture such as the real-news run was made once on each.
    """
    for item in items:
        names = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = type(item._id).parse(item.nodeid + suffix)


Statement = tuple[str, Any, bool]  # SQL, its parameters, and whether it was an executemany


@contextmanager
def recording(engine: Engine | type[Engine]) -> Iterator[list[Statement]]:
    """The statements that change something (not SELECT, not SHOW) sent while this is open,
    on ``engine`` or on every engine (``Engine``), for :func:`replay`."""
    sent: list[Statement] = []

    def record(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if not statement.lstrip().upper().startswith(("SELECT", "SHOW")):
            sent.append((statement, params, many))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file at the newest schema, for each test's ``db`` to copy."""
    path = tmp_path_factory.mktemp("template") / "newsmon.db"
    database = Database.from_url(f"sqlite:///{path}")
    migrate.upgrade(database.engine)
    database.dispose()  # the last connection checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def _pg_migration_script() -> list[Statement]:
    """The statements the migrations send to an empty PostgreSQL schema, recorded once."""
    base = os.environ.get(PG_ENV)
    if not base:
        return []
    with pg_schema(base) as url:
        engine = Database.from_url(url).engine
        with recording(engine) as sent:
            migrate.upgrade(engine)
        engine.dispose()
    return sent


def replay(engine: Engine, script: list[Statement]) -> None:
    """Send recorded statements again, in one transaction (a test's copy of a template)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        if not any(params for _, params, _ in script):  # all literal: one round trip
            conn.connection.cursor().execute(";\n".join(s for s, _, _ in script))
            return
        for statement, params, _ in script:
            # A list is the rows of an executemany; one dict is one execution (also a batch
            # of rows "insertmanyvalues" flattened into one statement, flagged as many).
            if isinstance(params, list):
                params = [tuple(row) if isinstance(row, list) else row for row in params]
            conn.exec_driver_sql(statement, params)


@pytest.fixture
def db(
    db_url: str, request: pytest.FixtureRequest, _pg_migration_script: list[Statement]
) -> Iterator[Database]:
    """A database at the newest schema, empty (a copy of one migrated once per session)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), url.database or "")
        database = Database.from_url(db_url)
    else:
        database = Database.from_url(db_url)
        replay(database.engine, _pg_migration_script)
    yield database
    database.dispose()


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start aiosmtpd on 127.0.0.1: ``smtp_server()`` plain; ``auth=True`` requires AUTH;
    ``tls="starttls"`` requires STARTTLS, ``tls="smtps"`` is TLS from the start (both with
    a self-signed certificate for 127.0.0.1, whose PEM is ``cert_file``)."""
    controllers: list[Any] = []
    yield start_smtp_servers(tmp_path, controllers)
    for controller in controllers:
        controller.stop()


@pytest.fixture
def fetched_columns() -> Iterator[list[str]]:
    """The names of every result column any engine fetches while the test runs (to check that
    a command never loads what it does not show, such as article texts)."""
    names: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        names.extend(str(d[0]).lower() for d in cursor.description or ())

    event.listen(Engine, "after_cursor_execute", record)
    yield names
    event.remove(Engine, "after_cursor_execute", record)
