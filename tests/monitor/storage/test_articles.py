"""Storing seeds: idempotent, updated in place, datetimes stay aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.seeds import SeedDoc, read_seeds, seed_files
from monitor.storage import Article, Database
from monitor.storage.articles import count_articles, list_seeds, upsert_seeds
from tests.conftest import SEEDS


def test_loading_twice_gives_five_rows(db: Database) -> None:
    docs = read_seeds(seed_files(SEEDS)).docs
    with db.session() as session:
        first = upsert_seeds(session, docs)
    with db.session() as session:
        second = upsert_seeds(session, docs)
    assert (first.added, first.unchanged) == (5, 0)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 5)
    with db.session() as session:
        assert count_articles(session, seeds=True) == 5
        assert count_articles(session, seeds=False) == 0


def test_edited_seed_is_updated_in_place(db: Database) -> None:
    doc = SeedDoc(id="mine", title="Old", text="Old text.", path=Path("mine.txt"))
    with db.session() as session:
        upsert_seeds(session, [doc])
    edited = SeedDoc(
        id="mine",
        title="New",
        text="New text.",
        path=Path("mine.txt"),
        published=datetime(2025, 1, 1, tzinfo=UTC),
    )
    with db.session() as session:
        report = upsert_seeds(session, [edited])
    assert report.updated == 1
    with db.session() as session:
        (row,) = list_seeds(session)
        assert (row.title, row.text) == ("New", "New text.")
        assert row.published_at == datetime(2025, 1, 1, tzinfo=UTC)


def test_datetimes_come_back_aware_utc(db: Database) -> None:
    cet = timezone(timedelta(hours=1))
    when = datetime(2025, 12, 2, 23, 21, tzinfo=cet)
    with db.session() as session:
        session.add(Article(id="x", title="t", text="", content_hash="h", published_at=when))
    with db.session() as session:
        row = session.scalars(select(Article).where(Article.id == "x")).one()
        assert row.published_at == when
        assert row.published_at is not None and row.published_at.tzinfo is not None
        assert row.published_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        session.add(
            Article(id="y", title="t", text="", content_hash="h", published_at=datetime(2025, 1, 1))
        )
        session.flush()
