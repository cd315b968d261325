"""When a feed is next due: the pure "decider" of the fetch stage.

Given what a poll found out, decide the next due time.  No I/O, no clock of
its own (``now`` and the random source are passed in), so every rule is
tested directly:

* success: the feed's interval, or the feed's own ``<ttl>`` /
  ``sy:updatePeriod`` when that is longer (the publisher asked us to);
* failure: exponential backoff from the interval, doubled per consecutive
  error, with "full jitter" between half and all of it so that feeds that
  failed together do not retry together, capped at :data:`MAX_BACKOFF`;
* 429 / 503 with ``Retry-After``: not before the server said (capped at
  :data:`MAX_RETRY_AFTER` so a silly value cannot park a feed for a year).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_BACKOFF = timedelta(days=1)
MAX_RETRY_AFTER = timedelta(days=7)


def effective_interval(interval_s: int, feed_ttl_s: int | None) -> int:
    """The configured interval, stretched to the feed's declared TTL when that is longer."""
    return max(interval_s, feed_ttl_s or 0)


def backoff_delay(interval_s: int, consecutive_errors: int, rng: random.Random) -> timedelta:
    """Delay before retrying a feed that failed ``consecutive_errors`` times in a row."""
    if consecutive_errors <= 0:
        return timedelta(seconds=interval_s)
    ceiling = min(interval_s * 2 ** min(consecutive_errors - 1, 32), MAX_BACKOFF.total_seconds())
    return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """``Retry-After`` as a delay: delta-seconds or an HTTP date; None if absent or garbage."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)


def next_due(
    now: datetime,
    *,
    interval_s: int,
    feed_ttl_s: int | None,
    consecutive_errors: int,
    retry_after: timedelta | None,
    rng: random.Random,
) -> datetime:
    """When to poll again, after a success (``consecutive_errors == 0``) or a failure."""
    interval = effective_interval(interval_s, feed_ttl_s)
    if consecutive_errors == 0:
        return now + timedelta(seconds=interval)
    delay = backoff_delay(interval, consecutive_errors, rng)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + delay
