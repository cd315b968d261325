"""Alembic, driven from code: ``newsmon init`` and every command's start call :func:`upgrade`.

The migration scripts live next to this module (``migrations/``) so they
ship inside the wheel; ``alembic.ini`` at the repository root points at the
same folder for developers who write new revisions.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from monitor.errors import StorageError
from monitor.storage.database import wrap_exceptions

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def current_revision(engine: Engine) -> str | None:
    with wrap_exceptions(_where(engine), "reading the schema revision"), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Bring the schema to ``revision``; return whether anything was applied.

    A database error is a one-line StorageError, as is a database at a revision
    this newsmon does not know (written by a newer version).
    """
    if revision == "head" and current_revision(engine) == head_revision(engine):
        return False
    with wrap_exceptions(_where(engine), f"migrating the schema to {revision}"):
        try:
            command.upgrade(alembic_config(engine), revision)
        except CommandError as exc:
            raise StorageError(
                f"database {_where(engine)}: migrating the schema to {revision}: {exc}"
            ) from exc
    return True


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)
