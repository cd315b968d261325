"""A farm of RSS feeds spread over several loopback addresses, for the queue-mode tests.

Queue mode puts a host's due feeds into one batch, so feeds on one address would all
go to one worker: the farm serves them from ``hosts`` addresses (127.0.0.2, 127.0.0.3,
... all on the loopback interface, one real HTTP server each) so that the batches, and
the work, spread over the workers.  Every item is known in advance (:attr:`Farm.items`),
so a test can check that what was stored is exactly what was served, once.

Items are made of pseudo-words drawn from a seeded generator: every article is unlike
every other (no near-duplicates), so deduplication decides the same for each whichever
order the workers happen to store them in, and a share of them carry the topic word
(:data:`TOPIC_WORD`) so that classification and digests have something to do.
"""

from __future__ import annotations

import email.utils
import random
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from tests.feedserver import FeedServer, Handler, Reply, Request, rss, static

TOPIC_WORD = "lighthouse"
TOPIC = {"name": "Lighthouses", "query": TOPIC_WORD}
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


@dataclass(frozen=True)
class Item:
    """One entry as served: its feed, identity and what the export shows of it."""

    feed_url: str
    guid: str
    link: str
    title: str
    on_topic: bool


@dataclass
class SlowFeed:
    """A feed whose first request is held until :meth:`release` (or ``hold`` seconds):
    the poll batch holding it is surely in flight while the test does something to it."""

    path: str
    inner: Handler
    hold: float = 60.0
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    requests: int = 0

    def __call__(self, request: Request) -> Reply:
        self.requests += 1
        if self.requests == 1:
            self.arrived.set()
            self.released.wait(self.hold)
        return self.inner(request)

    def release(self) -> None:
        self.released.set()


class Farm:
    """``with Farm(hosts=20, feeds_per_host=50) as farm:`` then ``farm.feeds`` (the
    ``[[feeds]]`` tables) and ``farm.items`` (everything they serve)."""

    def __init__(
        self,
        hosts: int,
        feeds_per_host: int,
        items_per_feed: int = 2,
        topic_share: float = 0.05,
        seed: int = 15,
    ) -> None:
        self.hosts = hosts
        self.feeds_per_host = feeds_per_host
        self.items_per_feed = items_per_feed
        self.topic_share = topic_share
        self.random = random.Random(seed)
        self.servers: list[FeedServer] = []
        self.feeds: list[dict[str, Any]] = []
        self.items: list[Item] = []
        self.slow: dict[str, SlowFeed] = {}
        self._stack = ExitStack()
        self._dated = self._dated_on_topic = 0

    def __enter__(self) -> Farm:
        try:
            for h in range(self.hosts):
                server = self._stack.enter_context(FeedServer(host=f"127.0.0.{h + 2}"))
                self.servers.append(server)
                for n in range(self.feeds_per_host):
                    self._add_feed(server, h, n)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for slow in self.slow.values():
            slow.release()
        self._stack.close()

    def _add_feed(self, server: FeedServer, h: int, n: int) -> None:
        path = f"/h{h:02d}/feed{n:03d}.xml"
        url = server.url(path)
        items: list[dict[str, str]] = []
        for i in range(self.items_per_feed):
            on_topic = self.random.random() < self.topic_share
            title = self._sentence(6, TOPIC_WORD if on_topic else None)
            guid = f"h{h:02d}-f{n:03d}-{i}"
            link = f"http://news-{h:02d}.example.org/{n:03d}/{i}/{self._word()}"
            items.append(
                {
                    "title": title,
                    "link": link,
                    "guid": guid,
                    "description": self._sentence(40, TOPIC_WORD if on_topic else None),
                    "pubDate": email.utils.formatdate(self._published(on_topic)),
                }
            )
            self.items.append(Item(url, guid, link, title, on_topic))
        server.route(path, static(rss(items, title=f"Farm feed {h}-{n}")))
        self.feeds.append({"url": url, "name": f"farm {h:02d}-{n:03d}"})

    def _published(self, on_topic: bool) -> float:
        """Off-topic items an hour apart; on-topic ones a month apart, further than the
        dedup engine's ``date_max_gap_days``, so that no two can be taken for one story."""
        self._dated += 1
        if on_topic:
            self._dated_on_topic += 1
            return 1_500_000_000 + self._dated_on_topic * 30 * 86_400
        return 1_700_000_000 + self._dated * 3_600

    def _word(self) -> str:
        return "".join(self.random.choice(SYLLABLES) for _ in range(self.random.randint(2, 4)))

    def _sentence(self, words: int, topic: str | None) -> str:
        chosen = [self._word() for _ in range(words)]
        if topic is not None:
            chosen.insert(self.random.randrange(len(chosen)), topic)
        return " ".join(chosen).capitalize() + "."

    def make_slow(self, feed_url: str, hold: float = 60.0) -> SlowFeed:
        """Hold the first request for ``feed_url`` until released (see :class:`SlowFeed`)."""
        for server in self.servers:
            prefix = server.url("")
            if feed_url.startswith(prefix):
                path = feed_url[len(prefix) :]
                slow = SlowFeed(path, server.routes[path], hold)
                server.routes[path] = slow
                self.slow[feed_url] = slow
                return slow
        raise KeyError(feed_url)

    def requests_to(self, feed_url: str) -> int:
        """How many requests the feed at ``feed_url`` received."""
        for server in self.servers:
            prefix = server.url("")
            if feed_url.startswith(prefix):
                return len(server.requests_to(feed_url[len(prefix) :]))
        raise KeyError(feed_url)

    def on_topic(self) -> Iterator[Item]:
        return (item for item in self.items if item.on_topic)
