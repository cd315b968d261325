"""The decider: what a poll's outcome means for its feed, with no server and no database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import ConnectionFailed, HTTPStatusError, NotAFeed
from monitor.fetch.decide import (
    GONE_REASON,
    Fetched,
    after_failure,
    after_parse,
    decide_response,
    status_error,
)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
URL = "https://news.example/feed"


@dataclass(frozen=True)
class State:
    interval_s: int = 900
    ttl_s: int | None = None
    etag: str | None = '"old"'
    last_modified: str | None = "Mon, 01 Jan 2024 00:00:00 GMT"
    body_hash: str | None = "hash-old"
    consecutive_errors: int = 0


def fetched(status: int = 200, body_hash: str = "hash-new", **headers: str) -> Fetched:
    return Fetched(
        url=URL,
        status=status,
        headers={k.replace("_", "-").lower(): v for k, v in headers.items()},
        body_hash=body_hash,
    )


def rng() -> random.Random:
    return random.Random(7)


def test_new_body_is_parsed() -> None:
    decision = decide_response(State(), fetched(), NOW, rng())
    assert (decision.outcome, decision.update) == ("parse", None)


def test_304_keeps_the_validators_it_does_not_repeat() -> None:
    decision = decide_response(State(), fetched(304, body_hash="hash-empty"), NOW, rng())
    assert decision.outcome == "not_modified" and decision.update is not None
    update = decision.update
    assert (update.etag, update.last_modified) == ('"old"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert update.body_hash == "hash-old"  # not the hash of the empty 304 body
    assert update.ok and not update.keep_validators
    assert update.next_due_at == NOW + timedelta(seconds=900)


def test_304_with_new_validators_takes_them() -> None:
    decision = decide_response(State(), fetched(304, ETag='"new"'), NOW, rng())
    assert decision.update is not None and decision.update.etag == '"new"'


def test_unchanged_body_is_not_parsed_and_takes_the_new_validators() -> None:
    decision = decide_response(State(), fetched(200, "hash-old", ETag='"v2"'), NOW, rng())
    assert decision.outcome == "not_modified" and decision.update is not None
    assert (decision.update.etag, decision.update.last_modified) == ('"v2"', None)
    assert decision.update.status == 200


def test_unchanged_keeps_the_feeds_ttl() -> None:
    decision = decide_response(State(ttl_s=7200), fetched(304), NOW, rng())
    assert decision.update is not None
    assert decision.update.next_due_at == NOW + timedelta(hours=2)


def test_410_disables_and_counts_an_error() -> None:
    decision = decide_response(State(), fetched(410), NOW, rng())
    assert (decision.outcome, decision.error) == ("failed", "HTTP 410 Gone")
    assert decision.update is not None
    assert decision.update.disable_reason == GONE_REASON
    assert not decision.update.ok and decision.update.keep_validators
    assert decision.update.status == 410


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_pushes_the_next_poll(status: int) -> None:
    decision = decide_response(State(), fetched(status, Retry_After="7200"), NOW, rng())
    assert decision.error is not None and decision.error.endswith("(retry after 7200 s)")
    assert decision.update is not None
    assert decision.update.next_due_at >= NOW + timedelta(seconds=7200)
    assert decision.update.disable_reason is None


def test_retry_after_garbage_is_plain_backoff() -> None:
    decision = decide_response(State(), fetched(503, Retry_After="soon"), NOW, rng())
    assert decision.error == "HTTP 503 Service Unavailable"
    assert decision.update is not None
    assert NOW + timedelta(seconds=450) <= decision.update.next_due_at
    assert decision.update.next_due_at <= NOW + timedelta(seconds=900)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (200, None),
        (203, None),
        (226, None),
        (304, None),
        (204, None),
        (100, "unexpected HTTP 100"),
        (300, "unexpected HTTP 300"),
        (404, "HTTP 404 Not Found"),
        (451, "HTTP 451 Unavailable For Legal Reasons"),
        (599, "HTTP 599 error"),
    ],
)
def test_status_error(status: int, error: str | None) -> None:
    found = status_error(fetched(status), NOW)
    assert (str(found) if found else None) == error
    assert found is None or (isinstance(found, HTTPStatusError) and found.status == status)


def test_failures_back_off_exponentially_up_to_a_day() -> None:
    delays = [
        after_failure(State(consecutive_errors=n), NOW, rng(), "boom").next_due_at - NOW
        for n in range(12)
    ]
    for n, delay in enumerate(delays):
        ceiling = min(900 * 2**n, 86400)
        assert timedelta(seconds=ceiling / 2) <= delay <= timedelta(seconds=ceiling), n
    assert delays[-1] <= timedelta(days=1)


def test_network_and_parse_failures_keep_validators_and_stay_enabled() -> None:
    for error in (ConnectionFailed(URL, "connection reset by peer"), NotAFeed(URL, "not a feed")):
        update = after_failure(
            State(), NOW, rng(), error, 200 if isinstance(error, NotAFeed) else None
        )
        assert update.keep_validators and not update.ok
        assert update.error == str(error) and update.disable_reason is None


def test_parsed_feed_takes_new_validators_ttl_title_and_permanent_url() -> None:
    moved = Fetched(
        url="https://news.example/new",
        status=200,
        headers={"etag": '"v3"', "last-modified": "Tue, 02 Jan 2024 00:00:00 GMT"},
        body_hash="hash-3",
        permanent_url="https://news.example/new",
    )
    update = after_parse(
        State(),
        moved,
        NOW,
        rng(),
        ttl_s=3600,
        warning="dropped 1 empty entries (no guid, link, title or text)",
        title="News",
        site_url="https://news.example/",
    )
    assert update.ok and update.status == 200
    assert (update.etag, update.last_modified, update.body_hash) == (
        '"v3"',
        "Tue, 02 Jan 2024 00:00:00 GMT",
        "hash-3",
    )
    assert update.new_url == "https://news.example/new"
    assert update.next_due_at == NOW + timedelta(hours=1)  # the feed's TTL beats 15 min
    assert (update.title, update.site_url, update.ttl_s) == ("News", "https://news.example/", 3600)
    assert update.warning is not None


def test_short_ttl_does_not_shorten_the_interval() -> None:
    update = after_parse(
        State(), fetched(), NOW, rng(), ttl_s=60, warning=None, title=None, site_url=None
    )
    assert update.next_due_at == NOW + timedelta(seconds=900)
