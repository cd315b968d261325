"""Which due feeds go together in one poll task: politeness across workers, planned purely.

``[fetch] per_host`` limits the requests in flight to one host, but each
worker enforces it on its own.  Two workers polling feeds of one host at
once would each allow ``per_host``, so a host would see twice the limit.
The plan below keeps a host on one worker at a time:

* all the due feeds of one host go into ONE batch (a host with more than
  ``batch_size`` due feeds gets a batch of its own, however big);
* a host that already has a batch in flight (an undone dispatch whose lease
  has not expired, :func:`monitor.queue.dispatch.busy_hosts`) gets none:
  its feeds stay due and go in a later tick, once that batch is done.

Small hosts are packed together, largest first, up to ``batch_size`` feeds a
batch, so a deployment of many small sites sends few tasks.  Nothing here
touches the database or the broker: the scheduler reads, plans, then writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from typing import Protocol

from monitor.fetch.client import host_key


class FeedLike(Protocol):
    """A feed as the planner needs it: a :class:`~monitor.storage.models.Feed` or a FeedJob."""

    @property
    def id(self) -> int: ...

    @property
    def url(self) -> str: ...


@dataclass(frozen=True)
class Batch:
    """One poll task's feeds, and the hosts it occupies while in flight."""

    feed_ids: tuple[int, ...]
    hosts: tuple[str, ...]


def feed_host(url: str) -> str:
    """The host a feed's requests count against: the fetcher's per-host key (no port)."""
    try:
        return host_key(url)
    except ValueError:  # a malformed address: its own "host", it will fail on its own
        return ""


def plan_batches(feeds: Iterable[FeedLike], batch_size: int, busy_hosts: Set[str]) -> list[Batch]:
    """Group due ``feeds`` into batches of at most ``batch_size`` feeds, one host per batch
    only (see the module docstring); hosts in ``busy_hosts`` are left out.

    Deterministic: the same feeds give the same batches (feeds keep their order within
    a host, hosts are packed by size then by first appearance).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    by_host: dict[str, list[int]] = {}
    seen: set[int] = set()
    for feed in feeds:
        host = feed_host(feed.url)
        if host in busy_hosts or feed.id in seen:
            continue
        seen.add(feed.id)
        by_host.setdefault(host, []).append(feed.id)
    order = {host: n for n, host in enumerate(by_host)}
    groups = sorted(by_host.items(), key=lambda item: (-len(item[1]), order[item[0]]))
    batches: list[Batch] = []
    open_bins: list[tuple[list[int], list[str]]] = []  # first-fit decreasing
    for host, ids in groups:
        if len(ids) >= batch_size:
            batches.append(Batch(tuple(ids), (host,)))
            continue
        for bin_ids, bin_hosts in open_bins:
            if len(bin_ids) + len(ids) <= batch_size:
                bin_ids.extend(ids)
                bin_hosts.append(host)
                break
        else:
            open_bins.append((list(ids), [host]))
    batches.extend(Batch(tuple(ids), tuple(hosts)) for ids, hosts in open_bins)
    return batches
