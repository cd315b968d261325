"""What a poll means for its feed: the pure decider beside :mod:`.backoff`.

:mod:`monitor.cycle` does the I/O (fetch, parse, store); every rule about what
the outcome of a poll *means* lives here, as functions from the feed's state,
what happened and ``now`` to the :class:`~monitor.storage.feeds.FeedUpdate` to
write.  No network, no database, no clock of its own, so each rule is tested
directly (``tests/monitor/fetch/test_decide.py``):

* an error status is a failure: backoff, ``Retry-After`` honoured on 429/503,
  and 410 Gone disables the feed;
* 304, or a 200 whose body hashes the same as last time, is "not modified":
  nothing is parsed, and the validators are kept when a 304 omits them;
* a permanent redirect chain (every hop 301/308) moves the feed to its target;
* a failure (network, timeout, parse) keeps the last good validators, so the
  next poll is still conditional, and counts one more consecutive error.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Literal, Protocol

from monitor.errors import FeedError, HTTPStatusError
from monitor.fetch.backoff import next_due, parse_retry_after
from monitor.fetch.conditional import validators
from monitor.storage.feeds import FeedUpdate

GONE_REASON = "410 Gone: the server says this feed was removed"


class FeedState(Protocol):
    """What the decider reads of a feed (``monitor.cycle_report.FeedJob`` has it all)."""

    @property
    def interval_s(self) -> int: ...
    @property
    def ttl_s(self) -> int | None: ...
    @property
    def etag(self) -> str | None: ...
    @property
    def last_modified(self) -> str | None: ...
    @property
    def body_hash(self) -> str | None: ...
    @property
    def consecutive_errors(self) -> int: ...


@dataclass(frozen=True)
class Fetched:
    """What the decider needs of a completed HTTP exchange."""

    url: str  # the final URL, after redirects
    status: int
    headers: Mapping[str, str]
    body_hash: str
    permanent_url: str | None = None  # set when every hop was a permanent redirect


@dataclass(frozen=True)
class Decision:
    """The verdict on a response: store ``update`` as it is, or parse the body first."""

    outcome: Literal["failed", "not_modified", "parse"]
    update: FeedUpdate | None = None  # None exactly when outcome == "parse"
    error: str | None = None


def status_error(fetched: Fetched, now: datetime) -> HTTPStatusError | None:
    """The error an HTTP status stands for, or None for 200-299 and 304."""
    status = fetched.status
    if status < 400:
        if status == 304 or 200 <= status < 300:
            return None
        return HTTPStatusError(fetched.url, status, f"unexpected HTTP {status}")
    reason = _reason_phrase(status)
    retry_after = None
    if status in (429, 503):
        delay = parse_retry_after(fetched.headers.get("retry-after"), now)
        retry_after = delay.total_seconds() if delay is not None else None
    message = f"HTTP {status} {reason}"
    if retry_after is not None:
        message += f" (retry after {int(retry_after)} s)"
    return HTTPStatusError(fetched.url, status, message, retry_after)


def decide_response(
    state: FeedState, fetched: Fetched, now: datetime, rng: random.Random
) -> Decision:
    """Failed, not modified, or worth parsing: what a completed exchange means for the feed."""
    error = status_error(fetched, now)
    if error is not None:
        return Decision("failed", after_failure(state, now, rng, error, fetched.status), str(error))
    if fetched.status == 304 or fetched.body_hash == state.body_hash:
        return Decision("not_modified", _success(state, fetched, now, rng, state.ttl_s))
    return Decision("parse")


def after_parse(
    state: FeedState,
    fetched: Fetched,
    now: datetime,
    rng: random.Random,
    *,
    ttl_s: int | None,
    warning: str | None,
    title: str | None,
    site_url: str | None,
) -> FeedUpdate:
    """A body parsed into a feed: new validators, the feed's own TTL, its title and warning."""
    update = _success(state, fetched, now, rng, ttl_s)
    update.warning = warning
    update.title, update.site_url = title, site_url
    return update


def after_failure(
    state: FeedState,
    now: datetime,
    rng: random.Random,
    error: FeedError | str,
    status: int | None = None,
) -> FeedUpdate:
    """Any failure: back off, keep the last good validators; 410 also disables the feed."""
    retry_after = error.retry_after if isinstance(error, HTTPStatusError) else None
    update = FeedUpdate(
        fetched_at=now,
        status=status,
        ok=False,
        error=str(error),
        keep_validators=True,
        next_due_at=next_due(
            now,
            interval_s=state.interval_s,
            feed_ttl_s=state.ttl_s,
            consecutive_errors=state.consecutive_errors + 1,
            retry_after=timedelta(seconds=retry_after) if retry_after is not None else None,
            rng=rng,
        ),
    )
    if isinstance(error, HTTPStatusError) and error.status == 410:
        update.disable_reason = GONE_REASON
    return update


def _success(
    state: FeedState, fetched: Fetched, now: datetime, rng: random.Random, ttl_s: int | None
) -> FeedUpdate:
    etag, last_modified = validators(fetched.headers)
    digest = fetched.body_hash
    if fetched.status == 304:  # validators may be absent from a 304: keep ours
        etag, last_modified = etag or state.etag, last_modified or state.last_modified
        digest = state.body_hash or digest
    return FeedUpdate(
        fetched_at=now,
        status=fetched.status,
        ok=True,
        next_due_at=next_due(
            now,
            interval_s=state.interval_s,
            feed_ttl_s=ttl_s,
            consecutive_errors=0,
            retry_after=None,
            rng=rng,
        ),
        etag=etag,
        last_modified=last_modified,
        body_hash=digest,
        new_url=fetched.permanent_url,
        ttl_s=ttl_s,
    )


def _reason_phrase(status: int) -> str:
    """``Not Found`` for 404; ``error`` for a status with no registered phrase."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"
