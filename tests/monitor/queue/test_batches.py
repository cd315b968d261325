"""Batch planning: one host's due feeds in one batch, busy hosts left out, sizes bounded."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.queue.batches import Batch, feed_host, plan_batches


@dataclass(frozen=True)
class F:
    id: int
    url: str


def feeds_of(spec: dict[str, int]) -> list[F]:
    """``{"a.org": 3}``: three feeds on a.org, ids counted across hosts."""
    out: list[F] = []
    for host, count in spec.items():
        out.extend(F(len(out) + 1, f"https://{host}/feed/{n}.xml") for n in range(count))
    return out


def host_of(feeds: list[F]) -> dict[int, str]:
    return {f.id: feed_host(f.url) for f in feeds}


def test_feed_host_is_the_fetchers_per_host_key() -> None:
    assert feed_host("https://News.Example.org:8443/rss") == "news.example.org"
    assert feed_host("http://127.0.0.3:40123/feed/1.xml") == "127.0.0.3"
    assert feed_host("http://[::1]:80/") == "::1"
    assert feed_host("not a url") == ""
    assert feed_host("http://[::1/") == ""  # malformed: no exception


def test_small_hosts_are_packed_and_a_big_host_gets_its_own_batch() -> None:
    feeds = feeds_of({"a.org": 3, "big.org": 7, "b.org": 2, "c.org": 1})
    batches = plan_batches(feeds, 5, set())
    hosts = host_of(feeds)
    by_hosts = {b.hosts: b for b in batches}
    assert by_hosts[("big.org",)].feed_ids == tuple(f.id for f in feeds if "big" in f.url)
    # the rest: 3 + 2 fit in one batch of 5, c.org's feed in the next
    assert set(by_hosts) == {("big.org",), ("a.org", "b.org"), ("c.org",)}
    for batch in batches:
        assert {hosts[i] for i in batch.feed_ids} == set(batch.hosts)
    assert sorted(i for b in batches for i in b.feed_ids) == [f.id for f in feeds]


def test_busy_hosts_are_left_out_and_their_feeds_stay_for_later() -> None:
    feeds = feeds_of({"a.org": 2, "b.org": 2})
    batches = plan_batches(feeds, 50, {"a.org"})
    assert batches == [Batch((3, 4), ("b.org",))]
    assert plan_batches(feeds, 50, {"a.org", "b.org"}) == []


def test_a_feed_listed_twice_is_planned_once() -> None:
    feed = F(9, "https://a.org/x")
    assert plan_batches([feed, feed], 10, set()) == [Batch((9,), ("a.org",))]


def test_the_plan_is_deterministic_and_keeps_feed_order_within_a_host() -> None:
    feeds = [F(5, "https://a.org/5"), F(2, "https://b.org/2"), F(1, "https://a.org/1")]
    first = plan_batches(feeds, 2, set())
    assert first == plan_batches(list(feeds), 2, set())
    assert first == [Batch((5, 1), ("a.org",)), Batch((2,), ("b.org",))]


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        plan_batches([], 0, set())


@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f"]), max_size=120),
    st.integers(1, 12),
    st.sets(st.sampled_from(["a.org", "b.org", "zz.org"])),
)
def test_every_non_busy_feed_once_one_batch_per_host_sizes_bounded(
    names: list[str], size: int, busy: set[str]
) -> None:
    feeds = [F(n, f"https://{name}.org/{n}") for n, name in enumerate(names)]
    hosts = host_of(feeds)
    batches = plan_batches(feeds, size, busy)
    planned = [i for b in batches for i in b.feed_ids]
    assert len(planned) == len(set(planned))  # nothing twice
    assert set(planned) == {f.id for f in feeds if hosts[f.id] not in busy}
    seen_hosts = [h for b in batches for h in b.hosts]
    assert len(seen_hosts) == len(set(seen_hosts))  # a host in one batch only
    assert not set(seen_hosts) & busy
    for batch in batches:
        assert {hosts[i] for i in batch.feed_ids} == set(batch.hosts)
        assert len(batch.feed_ids) <= size or len(batch.hosts) == 1
