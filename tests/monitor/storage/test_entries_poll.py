"""End to end: a real feed, served over HTTP, whose items carry an over-long link and a
NUL byte; the poll stores every item and the feed is not failed (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.cycle import PollCycle, select_jobs
from monitor.storage import Article, Database, Feed
from monitor.storage.feeds import add_feed
from tests.feedserver import FeedServer, rss, rss_items, static


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def test_one_odd_item_does_not_fail_its_feed(server: FeedServer, db: Database) -> None:
    items = rss_items("odd", 3)
    items[1]["link"] = "https://example.org/long?" + "x" * 3000
    items[2]["description"] = "nul \x00 byte"  # not well-formed XML: the lenient parser's case
    url = server.route("/odd.xml", static(rss(items)))
    with db.session() as session:
        add_feed(session, url)
    settings = Settings.model_validate(
        {"database": {"url": "sqlite://"}, "feeds": [], "fetch": {"timeout": 5.0}}
    )
    report = asyncio.run(PollCycle(db, settings).run(select_jobs(db, settings)))
    (result,) = report.results
    assert result.outcome == "ok", result.error
    assert len(result.new_ids) == 3
    with db.session() as session:
        feed = session.scalars(select(Feed)).one()
        assert feed.last_error is None and feed.consecutive_errors == 0
        titles = sorted(session.scalars(select(Article.title)))
    assert titles == ["odd story 0", "odd story 1", "odd story 2"]
