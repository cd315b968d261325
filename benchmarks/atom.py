"""The Atom feed of new developments: what one request for 100 entries costs, on real text.

Stores the first 100 real articles of ``../shared/realnews`` as new stories (each in
a story with one other outlet's copy, so "also reported by" is built too) in a SQLite
file, then times what ``GET /atom/all.xml`` does, by part:

* **query + entries**: the newest 100 decisions with their topics, feeds and story
  members, turned into entries by the digest's own code (the extractive summary of
  each new story is most of it);
* **render**: the Atom document, by newsmon's Jinja2 template, beside feedgen (the
  library a user would reach for) building the same document from the same entries;
* **cache hit**: a request when nothing was decided since the last one
  (:class:`alerts.atom.FeedCache`: the decision mark, then the stored document).

Every document is checked with feedparser (no error, 100 entries). The median of
``--runs`` is reported.

Command: ``python benchmarks/atom.py`` (needs ``pip install -e ".[bench]"`` for feedgen;
without it the comparison row is left out).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser

from alerts.atom import AtomEntry, FeedCache, FeedScope, feed_entries, render_feed
from alerts.compose import NewStory
from alerts.render import environment
from alerts.summarize import ExtractiveSummariser
from monitor.storage import Database, migrate
from monitor.storage.models import Article, ArticleTopic, Feed, Story

REALNEWS = Path(__file__).resolve().parents[1].parent / "shared" / "realnews" / "articles"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SELF, SITE = "http://127.0.0.1:8765/atom/all.xml", "http://127.0.0.1:8765/"


def store(db: Database, texts: list[tuple[str, str]]) -> None:
    with db.session() as session:
        feeds = [Feed(url=f"https://outlet{n}.example/feed", name=f"Outlet {n}") for n in (1, 2)]
        session.add_all(feeds)
        for n, (name, text) in enumerate(texts):
            title, _, body = text.strip().partition("\n")
            story = Story(title=title[:200], created_at=T0, updated_at=T0)
            session.add(story)
            session.flush()
            for copy, feed in enumerate(feeds):
                row = Article(
                    id=f"{name}-{copy}",
                    feed=feed,
                    url=f"https://outlet{copy + 1}.example/{name}",
                    title=title[:300],
                    text=body,
                    content_hash=f"{name}-{copy}",
                    status="new_story" if copy == 0 else "duplicate",
                    story_id=story.id,
                    fetched_at=T0 + timedelta(minutes=n),
                    deduped_at=T0 + timedelta(minutes=n),
                    published_at=T0 + timedelta(minutes=n),
                )
                row.topics.append(ArticleTopic(topic="NATO", fields=["text"], spans=[]))
                session.add(row)


def with_feedgen(entries: list[AtomEntry]) -> bytes:
    """The same document with feedgen: entry HTML from newsmon's entry template, so only
    the Atom document's construction differs."""
    from feedgen.feed import FeedGenerator

    entry_html = environment().get_template("atom_entry.html")
    fg = FeedGenerator()
    fg.id("tag:newsmon,2026:feed/all")
    fg.title("newsmon: all topics")
    fg.link(href=SELF, rel="self")
    fg.link(href=SITE, rel="alternate")
    fg.author({"name": "newsmon"})
    fg.updated(max(e.updated for e in entries))
    for entry in reversed(entries):  # feedgen prepends
        item = entry.item
        assert isinstance(item, NewStory)
        fe = fg.add_entry()
        fe.id(entry.id)
        fe.title(item.headline)
        fe.updated(entry.updated)
        fe.published(entry.published)
        if item.source.url:
            fe.link(href=item.source.url)
        fe.author({"name": item.source.outlet})
        for topic in item.topics:
            fe.category(term=topic)
        fe.content(entry_html.render(entry=entry, item=item, site_url=SITE), type="html")
    return bytes(fg.atom_str(pretty=False))


def median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def check(body: bytes, count: int) -> None:
    parsed = feedparser.parse(body)
    if parsed.bozo or len(parsed.entries) != count:
        raise SystemExit(f"invalid feed: {parsed.get('bozo_exception')}, {len(parsed.entries)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if not REALNEWS.is_dir():
        raise SystemExit(f"the real articles are not at {REALNEWS}")
    files = sorted(REALNEWS.glob("*.txt"))[: args.entries]
    texts = [(f.stem, f.read_text(encoding="utf-8")) for f in files]
    summariser = ExtractiveSummariser()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{Path(tmp) / 'atom.db'}")
        migrate.upgrade(db.engine)
        store(db, texts)

        def whole() -> list[AtomEntry]:
            with db.session() as session:
                return feed_entries(session, FeedScope(), ("NATO",), summariser)

        whole_ms, entries = median_ms(whole, args.runs)
        render_ms, feed = median_ms(
            lambda: render_feed(entries, FeedScope(), SELF, SITE), args.runs
        )
        check(feed.body, len(entries))
        rows = [
            ("query + entries (summaries)", whole_ms, None),
            ("render: newsmon (Jinja2 template)", render_ms, len(feed.body)),
        ]
        cache = FeedCache()
        cache.feed(db, FeedScope(), ("NATO",), SELF, SITE, ExtractiveSummariser)
        hit_ms, _ = median_ms(
            lambda: cache.feed(db, FeedScope(), ("NATO",), SELF, SITE, ExtractiveSummariser),
            args.runs,
        )
        try:
            gen_ms, body = median_ms(lambda: with_feedgen(entries), args.runs)
            check(body, len(entries))
            rows.append(("render: feedgen 1.0", gen_ms, len(body)))
        except ImportError:
            print("feedgen is not installed (pip install -e '.[bench]'): no comparison row")
        db.dispose()
    print(
        f"{len(entries)} entries from real articles; {platform.machine()}, "
        f"Python {sys.version.split()[0]}; median of {args.runs}"
    )
    print("| part | ms per request | bytes |")
    print("|---|---|---|")
    for name, ms, size in rows:
        print(f"| {name} | {ms:.1f} | {size if size is not None else ''} |")
    print(f"| whole request, first (newsmon) | {whole_ms + render_ms:.1f} | |")
    print(f"| whole request, nothing decided since (cache hit) | {hit_ms:.1f} | |")


if __name__ == "__main__":
    main()
