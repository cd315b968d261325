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
    with _pg_schema(base) as url:
        yield url


@contextmanager
def _pg_schema(base: str) -> Iterator[str]:
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
    "tests/monitor/cli/test_fetch_cli.py::test_the_order_items_arrive_in_changes_no_story",
    "tests/monitor/cli/test_fetch_cli.py::test_fetch_classifies_and_explain_stories_export_show_it",
    "tests/monitor/cli/test_fetch_cli.py::test_explain_shows_the_page_furniture_set_aside",
    "tests/monitor/cli/test_fetch_cli.py::test_a_scoop_published_before_its_seed_joins_the_seed",
    "tests/monitor/daemon/test_digest_slots.py::test_kill_mid_digest_with_send_empty_never_gives",
    "tests/monitor/cli/test_cli.py::test_seeds_add_copies_and_loads",
    "tests/monitor/cli/test_cli.py::test_init_twice_keeps_five_seeds",
    "tests/alerts/test_digest_cli.py::test_send_says_when_a_digest_being_sent_elsewhere_goes",
    "tests/alerts/test_digest_cli.py::test_plan_preview_send",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)


Statement = tuple[str, Any, bool]


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
    sent: list[Statement] = []
    with _pg_schema(base) as url:
        engine = Database.from_url(url).engine

        def record(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
            if not statement.lstrip().upper().startswith(("SELECT", "SHOW")):
                sent.append((statement, params, many))

        event.listen(engine, "before_cursor_execute", record)
        migrate.upgrade(engine)
        engine.dispose()
    return sent


def _replay(engine: Engine, script: list[Statement]) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        if not any(params for _, params, _ in script):  # all literal: one round trip
            conn.connection.cursor().execute(";\n".join(s for s, _, _ in script))
            return
        for statement, params, many in script:
            conn.exec_driver_sql(statement, list(params) if many else params)


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
        _replay(database.engine, _pg_migration_script)
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
