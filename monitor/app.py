"""Opening newsmon: configuration, database at the newest schema, seeds loaded.

Every command starts here, so "first start of any command" initialises a
new database the same way ``newsmon init`` does, and a later start only
pays for what changed (a revision check and a pass over the seed folder).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from monitor.config import Settings
from monitor.errors import SeedError
from monitor.seeds import bundled_seed_dir, read_seeds, seed_files
from monitor.storage import Database, migrate
from monitor.storage.articles import SeedLoadReport, upsert_seeds
from monitor.storage.feeds import FeedSyncReport, sync_config_feeds
from monitor.storage.locks import start_up_lock
from monitor.storage.seeds import count_unclustered_seeds

log = logging.getLogger(__name__)


@dataclass
class StartReport:
    """What opening the database did, for ``newsmon init`` to show."""

    migrated: bool = False
    revision: str | None = None
    seeds: SeedLoadReport = field(default_factory=SeedLoadReport)
    seed_errors: list[SeedError] = field(default_factory=list)
    feeds: FeedSyncReport = field(default_factory=FeedSyncReport)
    seeds_clustered: int = 0


def seed_paths(settings: Settings) -> list[Path]:
    """Seed files to load: the bundled corpus (unless switched off), then the user's folder."""
    paths: list[Path] = []
    bundled = bundled_seed_dir() if settings.seeds.include_bundled else None
    if bundled is not None:
        paths.extend(seed_files(bundled))
    user_dir = settings.seeds.dir.expanduser()
    if bundled is None or user_dir.resolve() != bundled.resolve():
        paths.extend(seed_files(user_dir))
    return paths


def open_database(settings: Settings) -> tuple[Database, StartReport]:
    """Open the configured database, upgrade it to the newest schema and load the seeds.

    Any database error is a one-line :class:`~monitor.errors.StorageError` (the storage boundary
    translates it); the engine is closed before it propagates.  Processes started at once on
    one database (a scheduler and its workers) take turns here, under the start-up lock.
    """
    db = Database.from_url(settings.database.url, busy_timeout=settings.database.busy_timeout)
    try:
        with start_up_lock(db):
            return db, _bring_up_to_date(db, settings)
    except BaseException:
        db.dispose()
        raise


def _bring_up_to_date(db: Database, settings: Settings) -> StartReport:
    """Migrate, load the seeds, write the configured feeds: each a no-op when already done."""
    report = StartReport()
    report.migrated = migrate.upgrade(db.engine)
    report.revision = migrate.current_revision(db.engine)
    result = read_seeds(seed_paths(settings), settings.seeds.max_bytes)
    report.seed_errors = result.errors
    for error in result.errors:
        log.warning("seed skipped: %s", error)
    with db.session() as session:
        report.seeds = upsert_seeds(session, result.docs)
        report.feeds = sync_config_feeds(session, settings.feeds)
        unclustered = count_unclustered_seeds(session)
    if unclustered:
        # Seeds are the known world: cluster new ones into stories before anything else.
        # Imported here: the dedup engine (datasketch, scipy) costs half a second to
        # import, which commands that never classify should not pay.
        from monitor.classify import Classifier

        report.seeds_clustered = Classifier(db, settings).cluster_seeds()
    return report
