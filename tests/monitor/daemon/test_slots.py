"""Digest slots in the database: a newcomer starts from now, a missed slot is caught up once,
and a served slot is not served again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.recipients import Recipient
from monitor.daemon.slots import due_catch_up, last_served, record_served
from monitor.storage import Database

DAILY = Recipient("reader@example.org", (), "0 7 * * *", "Europe/Brussels")


def test_catch_up_once_after_downtime(db: Database) -> None:
    start = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert due_catch_up(db, [DAILY], start) == []  # first sight: nothing missed
    assert last_served(db) == {DAILY.key: start}
    assert due_catch_up(db, [DAILY], start + timedelta(hours=1)) == []  # no slot since
    three_days_later = start + timedelta(days=3)
    assert due_catch_up(db, [DAILY], three_days_later) == [DAILY]
    assert due_catch_up(db, [DAILY], three_days_later) == [DAILY]  # until it is served
    record_served(db, DAILY, three_days_later, three_days_later + timedelta(seconds=5))
    assert due_catch_up(db, [DAILY], three_days_later + timedelta(hours=1)) == []
    assert last_served(db)[DAILY.key] == three_days_later + timedelta(seconds=5)
