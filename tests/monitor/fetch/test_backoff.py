"""The next-due decider: intervals, TTL, exponential backoff with jitter, Retry-After."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.fetch.backoff import (
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    backoff_delay,
    effective_interval,
    next_due,
    parse_retry_after,
)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_success_uses_interval_or_longer_ttl() -> None:
    rng = random.Random(1)
    assert next_due(
        NOW, interval_s=900, feed_ttl_s=None, consecutive_errors=0, retry_after=None, rng=rng
    ) == NOW + timedelta(seconds=900)
    assert next_due(
        NOW, interval_s=900, feed_ttl_s=3600, consecutive_errors=0, retry_after=None, rng=rng
    ) == NOW + timedelta(hours=1)
    assert effective_interval(3600, 60) == 3600  # a shorter TTL never speeds us up


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    for errors in range(1, 8):
        ceiling = min(900 * 2 ** (errors - 1), MAX_BACKOFF.total_seconds())
        delays = {backoff_delay(900, errors, rng).total_seconds() for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 40  # jittered, not one fixed value
    assert backoff_delay(900, 40, rng) <= MAX_BACKOFF


def test_retry_after_is_honoured_when_longer() -> None:
    rng = random.Random(3)
    due = next_due(
        NOW,
        interval_s=60,
        feed_ttl_s=None,
        consecutive_errors=1,
        retry_after=timedelta(hours=3),
        rng=rng,
    )
    assert due == NOW + timedelta(hours=3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        ("Sun, 01 Mar 2026 13:00:00 GMT", timedelta(hours=1)),
        ("Sun, 01 Mar 2026 11:00:00 GMT", timedelta(0)),  # in the past: now
        ("99999999", MAX_RETRY_AFTER),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(value, NOW) == expected
