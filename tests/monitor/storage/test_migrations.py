"""Migrations: empty -> head -> base -> head on both backends, data kept, models in sync."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, insert, inspect, select

from monitor.seeds import read_seeds, seed_files
from monitor.storage import Database, migrate
from monitor.storage.articles import list_seeds
from monitor.storage.models import Base, Feed
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
    """Seeds and feeds stored at the first revision are still there, whole, at head."""
    db = Database.from_url(db_url)
    try:
        script = ScriptDirectory.from_config(migrate.alembic_config(db.engine))
        first = next(r.revision for r in script.walk_revisions() if r.down_revision is None)
        migrate.upgrade(db.engine, first)
        docs = read_seeds(seed_files(SEEDS)).docs
        # Write through the schema as it was then (reflected), not today's models.
        old = MetaData()
        articles = Table("articles", old, autoload_with=db.engine)
        feeds = Table("feeds", old, autoload_with=db.engine)
        now = datetime.now(UTC)
        with db.engine.begin() as conn:
            conn.execute(
                insert(articles),
                [
                    {
                        "id": d.id,
                        "title": d.title,
                        "text": d.text,
                        "content_hash": "h",
                        "is_seed": True,
                        "fetched_at": now,
                    }
                    for d in docs
                ],
            )
            conn.execute(
                insert(feeds),
                [
                    {
                        "url": "https://example.org/feed",
                        "enabled": True,
                        "origin": "config",
                        "full_text": False,
                        "created_at": now,
                        "consecutive_errors": 0,
                    }
                ],
            )
        migrate.upgrade(db.engine)
        with db.session() as session:
            assert sorted(a.id for a in list_seeds(session)) == sorted(d.id for d in docs)
            assert {a.title for a in list_seeds(session)} == {d.title for d in docs}
            feed = session.scalars(select(Feed)).one()
            assert feed.origin_url == "https://example.org/feed"  # backfilled by 0002
    finally:
        db.dispose()
