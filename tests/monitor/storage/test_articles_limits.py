"""Seeds whose values do not fit a column: stored as well as they can be, or skipped with
one warning, never failing the whole seed load (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from monitor.seeds import SeedDoc
from monitor.storage import Database
from monitor.storage.articles import list_seeds, upsert_seeds
from monitor.storage.limits import ARTICLE_ID_MAX


def test_odd_seeds_do_not_cost_the_others(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    docs = [
        SeedDoc(id="plain", title="Plain", text="Plain text.", path=Path("plain.txt")),
        SeedDoc(id="nul", title="N\x00", text="a\x00b", path=Path("nul.txt")),
        SeedDoc(
            id="long-url",
            title="Long",
            text="Long URL.",
            path=Path("long.jsonl"),
            url="https://x.example/" + "u" * 3000,
        ),
        SeedDoc(id="i" * (ARTICLE_ID_MAX + 1), title="Id", text="Id.", path=Path("i.txt")),
    ]
    with caplog.at_level(logging.WARNING), db.session() as session:
        report = upsert_seeds(session, docs)
    assert report.added == 3
    with db.session() as session:
        rows = {row.id: row for row in list_seeds(session)}
    assert set(rows) == {"plain", "nul", "long-url"}
    assert "\x00" not in rows["nul"].title + rows["nul"].text
    assert rows["long-url"].url is None
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "skipped" in warning and len(warning) < 300
