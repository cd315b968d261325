"""Opening newsmon: schema, seeds and config feeds on first start; nothing twice."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text

from monitor.app import open_database
from monitor.config import FeedSettings, Settings
from monitor.storage.articles import count_articles
from monitor.storage.feeds import REMOVED_FROM_CONFIG
from monitor.storage.models import Feed
from tests.conftest import SEEDS


def settings_for(db_url: str, seed_dir: Path, **kw: object) -> Settings:
    return Settings.model_validate(
        {"database": {"url": db_url}, "seeds": {"dir": seed_dir, "include_bundled": False}, **kw}
    )


def test_first_start_loads_seeds_once(db_url: str, tmp_path: Path) -> None:
    settings = settings_for(db_url, SEEDS)
    for expected_added in (5, 0):
        db, report = open_database(settings)
        try:
            assert report.seeds.added == expected_added
            with db.session() as session:
                assert count_articles(session, seeds=True) == 5
        finally:
            db.dispose()


def test_bad_seed_files_warn_and_the_rest_load(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00garbage \xc3\x28")
    (folder / "blank.txt").write_text("", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        db, report = open_database(settings_for(db_url, folder))
    try:
        assert report.seeds.added == 5
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 2
        assert any("broken.txt: not valid UTF-8" in w for w in warnings)
        assert any("blank.txt: empty file" in w for w in warnings)
    finally:
        db.dispose()


def test_config_feeds_are_synced(db_url: str, tmp_path: Path) -> None:
    feeds = [{"url": "https://a.example/feed"}, {"url": "https://b.example/feed", "name": "B"}]
    db, report = open_database(settings_for(db_url, tmp_path, feeds=feeds))
    db.dispose()
    assert report.feeds.added == 2
    db, report = open_database(settings_for(db_url, tmp_path, feeds=feeds[1:]))
    try:
        assert report.feeds.disabled == 1
        with db.session() as session:
            rows = {f.url: f for f in session.scalars(select(Feed))}
        assert rows["https://a.example/feed"].enabled is False
        assert rows["https://a.example/feed"].disabled_reason == REMOVED_FROM_CONFIG
        assert rows["https://b.example/feed"].name == "B"
    finally:
        db.dispose()
    assert FeedSettings(url="https://x").enabled


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    db, _ = open_database(settings_for(f"sqlite:///{tmp_path / 'n.db'}", tmp_path))
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        db.dispose()


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    from monitor.errors import StorageError

    settings = settings_for("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)
    with pytest.raises(StorageError) as info:
        open_database(settings)
    assert "\n" not in str(info.value)
    assert "127.0.0.1" in str(info.value)
