"""A feed farm for benchmarks: N news-like RSS feeds on H loopback hosts, each answer delayed.

The farm runs in a child process of its own (an aiohttp server: one event
loop answers thousands of requests in flight without a thread each), so
whatever is measured in the parent, or in its children, is not charged with
serving.  Host ``h`` is ``127.0.0.{2 + h}``: Linux routes all of 127/8 to
the loopback interface, so each address is a separate host to a client's
per-host limits and connection pools.

Every response, 304s included, waits ``latency`` seconds before its status
line, as a distant server would.  Feeds answer ETag and Last-Modified and
honour If-None-Match / If-Modified-Since, so a second cycle is all-304.

Items are news-like and deterministic (``seed``): each belongs to a story
shared by several feeds (syndication: the same first sentence under another
outlet's title), sentences are drawn from English function words and
invented words, and ``topic_share`` of the stories name NATO in the title,
so they match newsmon's default topic and reach deduplication.

    with Farm(feeds=1000, hosts=50) as farm:
        farm.urls  # ["http://127.0.0.2:40123/feed/0.xml", ...]
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import multiprocessing
import random
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from xml.sax.saxutils import escape

STAMP = email.utils.formatdate(1_700_000_000, usegmt=True)
_COMMON = (
    "the of and to in a is that for on with as was by at from it said has have "
    "be an are were not which this after will its their but had been more than "
    "over into two also when new who would about against officials government"
)
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai")]


def invented(index: int, capital: bool = False, syllables: Sequence[str] = _SYLLABLES) -> str:
    """A pronounceable word for ``index``, always the same (``benchmarks/dedup.py`` too)."""
    parts = []
    number = index + len(syllables)
    while number:
        number, rest = divmod(number, len(syllables))
        parts.append(syllables[rest])
    word = "".join(parts)
    return word.capitalize() if capital else word


@dataclass(frozen=True)
class FarmSpec:
    feeds: int = 1000
    hosts: int = 1
    latency: float = 0.2
    items: int = 20
    seed: int = 1
    topic_share: float = 0.3
    story_size: int = 4  # feeds that carry each story


class NewsWriter:
    """Deterministic news-like text: Zipf-ish word draws, names and numbers per story."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.words = _COMMON.split() + [invented(i) for i in range(20_000)]
        total = 0.0
        self.cumulative = []
        for rank in range(len(self.words)):
            total += 1.0 / (rank + 2.7) ** 1.07
            self.cumulative.append(total)

    def sentence(self, rng: random.Random, story: list[str], length: int) -> str:
        """Common words, with about a third of the places taken by the story's own words."""
        body = rng.choices(self.words, cum_weights=self.cumulative, k=length)
        for position in rng.sample(range(length), length // 3):
            body[position] = rng.choice(story)
        text = " ".join(body)
        return text[0].upper() + text[1:] + "."

    def story(self, story: int, topic_share: float) -> tuple[str, str, list[str]]:
        """The story's title, its first (syndicated) sentence, and its own words.

        A story's own words (names, a number, a dozen rarer words) are what set it
        apart from others, as places, people and subjects do in real news.
        """
        rng = random.Random(self.seed * 1_000_003 + story)
        own = [invented(rng.randrange(400_000), capital=True) for _ in range(4)]
        own.append(str(rng.randrange(2, 5000)))
        own += rng.sample(self.words[300:], 12)
        title = " ".join(rng.sample(own, 6))
        title = f"NATO {title}" if rng.random() < topic_share else title.capitalize()
        return title, self.sentence(rng, own, 22), own

    def item(self, spec: FarmSpec, feed: int, index: int) -> dict[str, str]:
        number = feed * spec.items + index
        story = (index * spec.feeds + feed) // spec.story_size  # neighbouring feeds share it
        title, first, own = self.story(story, spec.topic_share)
        rng = random.Random(-(self.seed * 1_000_003 + number))
        more = " ".join(self.sentence(rng, own, rng.randint(14, 26)) for _ in range(2))
        return {
            "title": escape(f"{title} ({rng.randint(1, 9)})"),
            "link": f"https://news{feed}.example/{number}",
            "guid": f"f{feed}-{number}",
            "description": escape(f"{first} {more}"),
            "pubDate": email.utils.formatdate(1_700_000_000 + number * 7, usegmt=True),
        }

    def feed(self, spec: FarmSpec, feed: int) -> bytes:
        items = "".join(
            "<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>"
            for item in (self.item(spec, feed, i) for i in range(spec.items))
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Outlet {feed}</title><link>https://news{feed}.example/</link>"
            f"{items}</channel></rss>\n"
        ).encode()


def _serve(spec: FarmSpec, conn: Any) -> None:
    from aiohttp import web

    writer = NewsWriter(spec.seed)
    bodies = []
    for feed in range(spec.feeds):
        body = writer.feed(spec, feed)
        bodies.append((body, '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'))

    async def answer(request: web.Request) -> web.Response:
        number = int(request.match_info["n"])
        if number >= len(bodies):
            raise web.HTTPNotFound()
        await asyncio.sleep(spec.latency)
        body, tag = bodies[number]
        headers = {"ETag": tag, "Last-Modified": STAMP}
        if request.headers.get("If-None-Match") == tag or (
            "If-None-Match" not in request.headers
            and request.headers.get("If-Modified-Since") == STAMP
        ):
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers=headers, content_type="application/rss+xml")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        ports = []
        for host in range(spec.hosts):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((f"127.0.0.{2 + host}", 0))
            sock.listen(4096)
            await web.SockSite(runner, sock).start()
            ports.append(sock.getsockname()[1])
        urls = [
            f"http://127.0.0.{2 + n % spec.hosts}:{ports[n % spec.hosts]}/feed/{n}.xml"
            for n in range(spec.feeds)
        ]
        conn.send(urls)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # until told to stop
        await runner.cleanup()

    asyncio.run(main())


class Farm:
    """The farm as a context manager: starts the server process, gives its URLs, stops it."""

    def __init__(self, spec: FarmSpec | None = None, **values: Any) -> None:
        self.spec = spec or FarmSpec(**values)
        self.urls: list[str] = []
        self._conn: Any = None
        self._process: multiprocessing.Process | None = None

    def __enter__(self) -> Farm:
        parent, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, args=(self.spec, child), daemon=True)
        self._process.start()
        self._conn = parent
        self.urls = parent.recv()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._conn.send("stop")
        assert self._process is not None
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


def opml(urls: list[str]) -> str:
    """An OPML subscription list of ``urls`` (how newsmon and feed readers import feeds)."""
    outlines = "".join(
        f'<outline type="rss" text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls)
    )
    return f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>'
