"""Fixtures for digest tests: a database with the seeds and the example corpus, and a real
SMTP server (aiosmtpd on 127.0.0.1) that can be told to misbehave in the ways servers do."""

from __future__ import annotations

import copy
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, make_url

from monitor.app import open_database
from monitor.config import EmailSettings, Settings
from monitor.storage import Database
from tests.alerts.corpus import ExampleCorpus, build_example
from tests.conftest import PG_ENV, SEEDS, Statement, pg_schema, recording, replay
from tests.smtpserver import SMTP_PASSWORD, SMTP_USER, ServerFactory, SmtpServer

__all__ = ["SMTP_PASSWORD", "SMTP_USER", "ServerFactory", "SmtpServer"]


def make_settings(db_url: str, tmp_path: Path, **sections: Any) -> Settings:
    """Settings for a test: no feeds from the config, the repository's seeds, one reader."""
    email: dict[str, Any] = {
        "from": "newsmon <digest@newsmon.example>",
        "to": ["reader@example.org"],
        "outbox": str(tmp_path / "outbox"),
        "timeout": 5.0,
    }
    email.update(sections.pop("email", {}))
    data: dict[str, Any] = {
        "database": {"url": db_url},
        "seeds": {"dir": str(SEEDS), "include_bundled": False},
        "feeds": [],
        "email": email,
        "digest": {"timezone": "Europe/Brussels"},
    }
    data.update(sections)
    return Settings(**data)


@dataclass
class World:
    settings: Settings
    db: Database
    corpus: ExampleCorpus
    tmp_path: Path
    db_url: str

    def with_email(self, **email: Any) -> Settings:
        """The same settings with some [email] keys changed."""
        data = self.settings.email.model_dump()
        data.update(email)
        return self.settings.model_copy(update={"email": EmailSettings.model_validate(data)})


def _build_world(db_url: str, tmp_path: Path) -> tuple[Database, ExampleCorpus]:
    settings = make_settings(db_url, tmp_path)
    db, _ = open_database(settings)
    try:
        return db, build_example(db, settings)
    except BaseException:
        db.dispose()
        raise


# Building the world (seeds loaded and clustered into stories, the corpus stored) costs most
# of a digest test's time, and is the same every time: it is built once per session (per
# xdist worker) on each backend, and each test gets a copy, as ``db`` does for the schema.


@pytest.fixture(scope="session")
def _sqlite_world(
    tmp_path_factory: pytest.TempPathFactory, _migrated_sqlite: Path
) -> tuple[Path, ExampleCorpus]:
    """A SQLite file holding the world, and what was stored in it."""
    folder = tmp_path_factory.mktemp("world")
    path = folder / "newsmon.db"
    shutil.copyfile(_migrated_sqlite, path)
    db, corpus = _build_world(f"sqlite:///{path}", folder)
    db.dispose()  # the last connection checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path, corpus


@pytest.fixture(scope="session")
def _pg_world(
    tmp_path_factory: pytest.TempPathFactory, _pg_migration_script: list[Statement]
) -> tuple[list[Statement], ExampleCorpus]:
    """The statements that build the world in a migrated PostgreSQL schema, and what they
    store (recorded once; a copy replays them)."""
    base = os.environ[PG_ENV]  # only asked for by a PostgreSQL test, which needs it
    with pg_schema(base) as url:
        migrated = Database.from_url(url)
        replay(migrated.engine, _pg_migration_script)
        migrated.dispose()
        with recording(Engine) as script:
            db, corpus = _build_world(url, tmp_path_factory.mktemp("world"))
        db.dispose()
    return script, corpus


@pytest.fixture
def world(db: Database, db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> World:
    """Seeds loaded and the example corpus stored, on SQLite and PostgreSQL (a copy of the
    session's world, opened the way every command opens its database)."""
    if make_url(db_url).get_backend_name() == "sqlite":
        path, corpus = request.getfixturevalue("_sqlite_world")
        db.dispose()
        shutil.copyfile(path, make_url(db_url).database or "")
    else:
        script, corpus = request.getfixturevalue("_pg_world")
        replay(db.engine, script)
    settings = make_settings(db_url, tmp_path)
    opened, _ = open_database(settings)
    request.addfinalizer(opened.dispose)
    return World(settings, opened, copy.deepcopy(corpus), tmp_path, db_url)
