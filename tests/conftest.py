"""Shared fixtures.

Database tests take the ``db_url`` fixture and so run twice: on a fresh
SQLite file, and on PostgreSQL in a schema of their own when
``NEWSMON_TEST_DATABASE_URL`` is set (``.ci/run`` sets it).  Without it the
PostgreSQL half is skipped with the reason shown in the summary.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text

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
    schema = f"newsmon_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A database at the newest schema, empty."""
    database = Database.from_url(db_url)
    migrate.upgrade(database.engine)
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
