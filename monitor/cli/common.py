"""What every command shares: the loaded settings, the database, and output helpers.

Commands print for people through rich and, with ``--json``, one JSON
document on stdout for scripts; warnings and errors go to stderr as one
line each, so ``--json`` output stays parseable.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from monitor.config import Settings, load_settings
from monitor.logs import mask_secrets, secrets_of
from monitor.match import TopicMatcher, compile_topics

if TYPE_CHECKING:
    from monitor.app import StartReport
    from monitor.storage import Database

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class CliState:
    """Per-invocation state, created by the top-level callback."""

    config_path: Path | None = None
    _settings: Settings | None = None
    _matcher: TopicMatcher | None = None
    _db: Database | None = None
    start_report: StartReport | None = None

    @property
    def settings(self) -> Settings:
        """The configuration, with every topic query checked (a bad one is a ConfigError)."""
        if self._settings is None:
            settings = load_settings(self.config_path)
            mask_secrets(secrets_of(settings))
            self._matcher = compile_topics(settings.topics)
            self._settings = settings
        return self._settings

    @property
    def matcher(self) -> TopicMatcher:
        """The topics, compiled once."""
        if self._matcher is None:
            self._matcher = compile_topics(self.settings.topics)
        return self._matcher

    @property
    def db(self) -> Database:
        """The database, migrated and seeded on first use."""
        if self._db is None:
            from monitor.app import open_database  # migrations, seeds: not for every command

            self._db, self.start_report = open_database(self.settings)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState), "the top-level callback sets the state"
    return obj


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def emit_json(data: Any) -> None:
    """Write one JSON document to stdout (not through rich: no wrapping, no colour)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
