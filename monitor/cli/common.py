"""What every command shares: the loaded settings, the database, and output helpers.

Commands print for people through rich and, with ``--json``, one JSON
document on stdout for scripts; warnings and errors go to stderr as one
line each, so ``--json`` output stays parseable.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from monitor.config import Settings, load_settings
from monitor.logs import LogFormat, mask_secrets, secrets_of, setup_logging
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


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    """Error handler: what the terminal cannot show becomes ``\\uXXXX`` (surrogate pairs
    above the BMP), which is still valid JSON inside a string and readable in text."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    escaped = json.dumps(chunk, ensure_ascii=True)[1:-1]
    return escaped, error.end


codecs.register_error("newsmon-escape", _json_escape)


def escape_unencodable_output() -> None:
    """Never crash on a terminal that cannot show a character (``LC_ALL=C``, a latin-1 pipe).

    Articles, topics and feed titles are in any language; on such a stream the
    characters it cannot encode are written as ``\\uXXXX`` instead of raising
    UnicodeEncodeError.  JSON output stays valid JSON, as the escapes only occur
    inside its strings.  Done once, at start, for stdout and stderr.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and not _encodes_everything(stream.encoding):
            stream.reconfigure(errors="newsmon-escape")


def utf8_argument(arg: str) -> str:
    """An argument as the user typed it, when the locale could not decode it.

    Under ``LC_ALL=C`` Python decodes ``Zürich`` on the command line to lone
    surrogates, which break anything that encodes the text later.  Bytes that
    are valid UTF-8 are taken as UTF-8; anything else (a file name in another
    encoding) is left as it is, so the path still opens.
    """
    if not any("\udc80" <= ch <= "\udcff" for ch in arg):
        return arg
    try:
        return os.fsencode(arg).decode("utf-8")
    except UnicodeDecodeError:
        return arg


def _encodes_everything(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "ascii").name in ("utf-8", "utf-16", "utf-32")
    except LookupError:
        return False


def emit_json(data: Any) -> None:
    """Write one JSON document to stdout (not through rich: no wrapping, no colour)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


LOG_FORMAT_HELP = "text (one readable line per event) or json (for log shippers)."


def service_logging(ctx: typer.Context, log_format: str, verbose: int = 0) -> int:
    """Logs of a long-running command (``run``, ``worker``): INFO and up, in ``log_format``,
    debug when ``-v`` was given here or before the command.  The verbosity it chose."""
    if log_format not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--log-format")
    fmt: LogFormat = "json" if log_format == "json" else "text"
    level = 2 if verbose or ctx.find_root().params.get("verbose", 0) else 0
    setup_logging(level, fmt, daemon=True)
    return level
