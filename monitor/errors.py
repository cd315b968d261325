"""Every error newsmon raises on purpose derives from :class:`NewsmonError`.

The tree::

    NewsmonError
    ├── ConfigError          bad or unreadable configuration (exit code 2)
    ├── SeedError            a seed file that cannot be read; carries the path
    └── StorageError         the database is unreachable or at the wrong revision

Each error renders as one line (``str(err)``) that names what was being
handled (a file, a key, a feed URL) so the CLI can print it without a
traceback; the underlying exception, when there is one, is kept as
``__cause__``.
"""

from __future__ import annotations

from pathlib import Path


class NewsmonError(Exception):
    """Base class: one line of text a user can act on."""


class ConfigError(NewsmonError):
    """The configuration cannot be used.

    ``source`` is the file (or ``environment``) the bad value came from,
    ``key`` the dotted setting name, when known.
    """

    def __init__(self, source: str, message: str, key: str | None = None) -> None:
        self.source = source
        self.key = key
        self.message = message
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {message}")


class SeedError(NewsmonError):
    """A seed file that could not be loaded; the others still are."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


class StorageError(NewsmonError):
    """The database cannot be opened, migrated or queried."""
