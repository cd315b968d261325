"""Migrations: empty -> head -> base -> head on both backends, data kept, models in sync."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from monitor.seeds import read_seeds, seed_files
from monitor.storage import Database, migrate
from monitor.storage.articles import list_seeds, upsert_seeds
from monitor.storage.models import Base
from tests.conftest import SEEDS

TABLES = {"feeds", "articles", "stories", "digests", "deliveries"}


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    db = Database.from_url(db_url)
    try:
        assert migrate.current_revision(db.engine) is None
        assert migrate.upgrade(db.engine) is True
        assert migrate.current_revision(db.engine) == migrate.head_revision(db.engine)
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        assert migrate.upgrade(db.engine) is False  # already at head: nothing to do

        migrate.downgrade(db.engine, "base")
        assert migrate.current_revision(db.engine) is None
        assert not TABLES & set(inspect(db.engine).get_table_names())

        migrate.upgrade(db.engine)
        assert migrate.current_revision(db.engine) == migrate.head_revision(db.engine)
    finally:
        db.dispose()


def test_models_match_migrations(db: Database) -> None:
    """A model change without a revision (or the reverse) shows up as a diff here."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrading_keeps_data(db_url: str) -> None:
    """Seeds stored at every older revision are still there at head."""
    db = Database.from_url(db_url)
    try:
        script = ScriptDirectory.from_config(migrate.alembic_config(db.engine))
        revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
        docs = read_seeds(seed_files(SEEDS)).docs
        # The oldest revision whose schema the seed writer fits: the first one.
        migrate.upgrade(db.engine, revisions[0])
        with db.session() as session:
            upsert_seeds(session, docs)
        for revision in revisions[1:]:
            migrate.upgrade(db.engine, revision)
        migrate.upgrade(db.engine)
        with db.session() as session:
            assert sorted(a.id for a in list_seeds(session)) == sorted(d.id for d in docs)
    finally:
        db.dispose()
