"""Fixtures for digest tests: a database with the seeds and the example corpus, and a real
SMTP server (aiosmtpd on 127.0.0.1) that can be told to misbehave in the ways servers do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from monitor.app import open_database
from monitor.config import EmailSettings, Settings
from monitor.storage import Database
from tests.alerts.corpus import ExampleCorpus, build_example
from tests.conftest import SEEDS
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


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    """Seeds loaded and the example corpus stored, on SQLite and PostgreSQL."""
    settings = make_settings(db_url, tmp_path)
    db, _ = open_database(settings)
    corpus = build_example(db, settings)
    yield World(settings, db, corpus, tmp_path, db_url)
    db.dispose()
