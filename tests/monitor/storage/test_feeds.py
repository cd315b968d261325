"""Feeds in the database: matching by URL only, values that do not fit a column, and
importing many at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from monitor.config import FeedSettings
from monitor.storage import Database, Feed
from monitor.storage.feed_import import import_feeds
from monitor.storage.feeds import (
    FeedUpdate,
    add_feed,
    apply_feed_update,
    find_feed,
    sync_config_feeds,
)
from monitor.storage.limits import FEED_NAME_MAX, FEED_URL_MAX

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
A, B, C = "https://a.example/rss", "https://b.example/rss", "https://c.example/rss"
HUGE = "https://huge.example/rss?" + "q" * 3000


def feeds(db: Database) -> dict[str, Feed]:
    with db.session() as session:
        return {f.url: f for f in session.scalars(select(Feed))}


def test_adding_a_url_never_matches_a_feed_by_its_name(db: Database) -> None:
    with db.session() as session:
        named_like_b, _ = add_feed(session, A, name=B)
    with db.session() as session:
        feed, created = add_feed(session, B, name="B")
        assert created and feed.id != named_like_b.id
    rows = feeds(db)
    assert rows[A].name == B and rows[B].name == "B"
    with db.session() as session:  # a URL finds its own feed first, a name only after
        found = find_feed(session, B)
        assert found is not None and found.url == B


def test_an_outline_named_like_another_feeds_url_does_not_match_it(db: Database) -> None:
    with db.session() as session:
        add_feed(session, A, name="Feed A")
    with db.session() as session:
        report = import_feeds(session, [(B, A), (A + "/other", "x")])
    assert (report.added, report.existing) == (2, 0)
    rows = feeds(db)
    assert rows[A].name == "Feed A"  # untouched
    assert rows[B].name == A


def test_import_rejects_bad_outlines_one_line_each_and_imports_the_rest(db: Database) -> None:
    with db.session() as session:
        gone, _ = add_feed(session, C)
        gone.enabled, gone.disabled_reason = False, "removed by hand"
    long_title = "T" * (FEED_NAME_MAX + 100)
    with db.session() as session:
        report = import_feeds(
            session,
            [(A, "A"), (HUGE, "huge"), (B, long_title), ("ftp://files.example/x", None), (C, None)],
        )
    assert (report.added, report.existing) == (2, 1)
    assert [(number, reason.split(":")[0]) for number, _, reason in report.rejected] == [
        (2, f"URL is {len(HUGE):,} characters, over the {FEED_URL_MAX:,} newsmon stores"),
        (4, "not an http(s) URL"),
    ]
    assert len(report.notes) == 1 and report.notes[0][0] == 3
    rows = feeds(db)
    assert set(rows) == {A, B, C}
    assert 0 < len(rows[B].name or "") <= FEED_NAME_MAX
    assert rows[C].enabled and rows[C].disabled_reason is None


def test_a_poll_with_overlong_values_is_stored(db: Database) -> None:
    with db.session() as session:
        feed, _ = add_feed(session, A)
        taken, _ = add_feed(session, "https://user:secret@b.example/rss")
    update = FeedUpdate(
        fetched_at=NOW,
        status=200,
        ok=False,
        next_due_at=NOW + timedelta(hours=1),
        error="bad\x00byte",
        etag='"' + "e" * 3000 + '"',
        last_modified="M" * 500,
        title="Title\x00",
        site_url=HUGE,
        new_url=HUGE,
    )
    with db.session() as session:
        apply_feed_update(session, feed.id, update)
    row = feeds(db)[A]  # not moved: the new URL could not be stored
    assert row.last_error == "badbyte" and row.title == "Title"
    assert row.etag is None and row.last_modified is None and row.site_url is None
    assert "still polled here" in (row.last_warning or "")

    moved = FeedUpdate(NOW, 200, True, NOW, new_url=taken.url)
    with db.session() as session:
        apply_feed_update(session, feed.id, moved)
    warning = feeds(db)[A].last_warning or ""
    assert "already a feed" in warning and "secret" not in warning


def test_config_feeds_that_cannot_be_stored_are_skipped_with_a_warning(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    wanted = [
        FeedSettings(url=A, name="N" * (FEED_NAME_MAX + 1)),
        FeedSettings(url=HUGE),
        FeedSettings(url=B),
    ]
    with caplog.at_level(logging.WARNING), db.session() as session:
        report = sync_config_feeds(session, wanted)
    assert report.added == 2
    rows = feeds(db)
    assert set(rows) == {A, B}
    assert len(rows[A].name or "") <= FEED_NAME_MAX
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "huge.example" in warning and len(warning) < 300
