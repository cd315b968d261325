"""Classification benchmark: the dedup stage inside ``newsmon fetch`` beside the engine alone.

    python benchmarks/classify.py [--feeds 1000] [--per-feed 6] [--database-url URL]
                                  [--profile stacks.txt] [--farm]

A child process serves ``--feeds`` RSS feeds of 20-50 items each, made by
``tests/feedserver.py``'s ``rss_items``, on 50 loopback hosts without added
latency.  A topic matches ``--per-feed`` items of each feed (``"story 1" OR
"story 2" ...``), so ``feeds x per-feed`` articles reach deduplication.
``--farm`` serves ``benchmarks/farm.py``'s news-like feeds instead (20
items each, latency 0, the same farm ``benchmarks/fetch.py`` polls) under
newsmon's default topics: the stage and the engine then compare on the
articles ``benchmarks/fetch.py``'s cycle classifies (``--per-feed`` unused).
Then, each as a child process, as a user runs them: ``newsmon feeds
import`` of an OPML file and ``newsmon fetch --json``.  The stage's own time
is that JSON's ``classify`` object: index loading, the encoder's weights
(about a second) and every database read and write included, the fetch
excluded.  ``--profile``: the fetch runs under py-spy, every thread sampled.

The engine alone then runs in this process on the SAME articles in the
same order (``monitor.classify``'s: publication time, text hash, id), read
back from the database with their feeds' recurring lines: an index loaded
from the seeds' stored signatures, leads embedded 32 at a time
(``analyse_many``), and for each article ``classify``, ``learned`` and
``add``, as ``benchmarks/dedup.py`` measures it, with the encoder already
loaded.  Its whole decisions (layer, scores, evidence, story) are compared
with the stored ones: they must all agree, or the two did not do the same
work.

Without ``--database-url`` a fresh SQLite file is used; with it (say a
PostgreSQL schema of its own), the database must be empty.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from itertools import count
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from farm import Farm, opml  # noqa: E402  # this directory's: the farm benchmarks/fetch.py polls
from fetch import run_child  # noqa: E402  # peak RSS of the whole process tree

from tests.feedserver import FeedServer, rss, rss_items, static  # noqa: E402

BATCH = 32  # as monitor.classify reads and embeds


def serve(feeds: int, hosts: int, seed: int, conn: Any) -> None:
    """In a child process: one server per loopback host; send the feed URLs, serve until told."""
    rng = random.Random(seed)
    servers = [FeedServer(host=f"127.0.0.{2 + h}") for h in range(hosts)]
    urls = [
        servers[i % hosts].route(
            f"/feed/{i}.xml",
            static(rss(rss_items(f"f{i}", rng.randint(20, 50), host=f"news{i}.example"))),
        )
        for i in range(feeds)
    ]
    for server in servers:
        server.__enter__()
    conn.send(urls)
    conn.recv()
    for server in servers:
        server.__exit__(None, None, None)


def config(per_feed: int | None) -> str:
    """The topic matching ``per_feed`` items of each ``rss_items`` feed; None: the default
    topics (what the farm's news names)."""
    if per_feed is None:
        return "feeds = []\n"
    query = " OR ".join(f'"story {i}"' for i in range(1, per_feed + 1))
    return f"feeds = []\n\n[[topics]]\nname = \"bench\"\nquery = '{query}'\n"


def pipeline(
    urls: list[str], work: Path, per_feed: int | None, env: dict[str, str], profile: Path | None
) -> dict[str, Any]:
    """``newsmon feeds import`` then ``newsmon fetch --json``; the fetch's JSON document.
    ``profile``: the fetch runs under py-spy (every thread), its collapsed stacks written there."""
    (work / "feeds.opml").write_text(opml(urls), encoding="utf-8")
    (work / "newsmon.toml").write_text(config(per_feed), encoding="utf-8")
    newsmon = [sys.executable, "-m", "monitor"]
    run_child([*newsmon, "feeds", "import", "feeds.opml"], work, env)
    spy = ["py-spy", "record", "-r", "50", "-f", "raw", "-o", str(profile), "--"] if profile else []
    wall, rss_mb, stdout = run_child([*spy, *newsmon, "fetch", "--json"], work, env)
    data: dict[str, Any] = json.JSONDecoder().raw_decode(stdout[stdout.index("{") :])[0]
    data["wall_s"], data["peak_rss_mb"] = wall, rss_mb
    return data


def engine_alone(database_url: str) -> dict[str, Any]:
    """The engine on the articles the pipeline classified, in its order; seconds and agreement."""
    from sqlalchemy import select

    from monitor.classify import Classifier, _text_of
    from monitor.config import Settings
    from monitor.dedup import DedupIndex, StoredSignature
    from monitor.dedup.decide import Decision
    from monitor.dedup.encoder import default_encoder
    from monitor.storage import Article, ArticleSignature, Database

    settings = Settings.model_validate({"database": {"url": database_url}, "feeds": []})
    db = Database.from_url(database_url)
    helper = Classifier(db, settings)  # only for its feeds' recurring lines (same code)
    with db.session() as session:
        seeds = [
            StoredSignature(a, s, bytes(b), True)
            for a, s, b in session.execute(
                select(ArticleSignature.article_id, Article.story_id, ArticleSignature.signature)
                .join(Article, Article.id == ArticleSignature.article_id)
                .where(Article.is_seed, Article.story_id.is_not(None))
                .order_by(Article.deduped_at, Article.id)
            )
            if s is not None
        ]
        rows = list(
            session.scalars(
                select(Article)
                .where(~Article.is_seed, Article.deduped_at.is_not(None))
                .order_by(Article.published_at, Article.content_hash, Article.id)
            )
        )
        recurring: dict[int, frozenset[str]] = {}
        texts = [_text_of(a, helper._recurring(session, a.feed_id, recurring)) for a in rows]
        stored = [a.dedup_evidence for a in rows]
    db.dispose()
    encoder = default_encoder()
    encoder.encode(["warm the encoder up"])
    started = time.perf_counter()
    index, _ = DedupIndex.load(seeds, settings.dedup, encoder)
    loaded = time.perf_counter() - started
    stories = count(max((s.story_id for s in seeds), default=0) + 1)
    decisions: list[Decision] = []
    for start in range(0, len(texts), BATCH):
        for analysis in index.analyse_many(texts[start : start + BATCH]):
            decision = index.classify(analysis)
            if decision.story_id is None:  # a new story: the next id, as the database gives
                decision = replace(decision, story_id=next(stories))
            assert decision.story_id is not None
            index.add(analysis.article.id, index.learned(analysis, decision), decision.story_id)
            decisions.append(decision)
    seconds = time.perf_counter() - started
    # Whole decisions (layer, scores, evidence, story), as stored: the same work, the same result.
    agree = sum(
        json.loads(json.dumps(d.to_dict())) == s for d, s in zip(decisions, stored, strict=True)
    )
    return {"articles": len(texts), "seconds": seconds, "load_s": loaded, "agree": agree}


def line(label: str, articles: int, seconds: float) -> str:
    per = seconds / articles * 1000 if articles else float("nan")
    rate = articles / seconds if seconds else float("nan")
    return (
        f"{label:<28} {articles:>7,} articles {seconds:8.2f} s {per:7.2f} ms/article {rate:8.1f} /s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--per-feed", type=int, default=6, help="topic-matched items per feed")
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--database-url", help="default: a new SQLite file in the work dir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the work dir (and database)")
    parser.add_argument(
        "--profile", type=Path, help="run the fetch under py-spy; collapsed stacks to this file"
    )
    parser.add_argument(
        "--farm", action="store_true", help="benchmarks/farm.py's news-like feeds, default topics"
    )
    args = parser.parse_args()

    if args.farm:
        farm = Farm(feeds=args.feeds, hosts=args.hosts, latency=0.0, seed=args.seed)
        farm.__enter__()
        urls, stop = farm.urls, lambda: farm.__exit__(None, None, None)
    else:
        parent, child = multiprocessing.Pipe()
        server = multiprocessing.Process(
            target=serve, args=(args.feeds, args.hosts, args.seed, child), daemon=True
        )
        server.start()
        urls = parent.recv()

        def stop() -> None:
            parent.send("stop")
            server.join(10)

    work = Path(tempfile.mkdtemp(prefix="newsmon-bench-classify-"))
    url = args.database_url or f"sqlite:///{work / 'newsmon.db'}"
    env = {**os.environ, "NEWSMON_DATABASE__URL": url}
    items = "farm news, default topics" if args.farm else f"{args.per_feed} topic items each"
    print(
        f"{args.feeds} feeds, {items}; {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}; {url.split(':')[0]}; work dir {work}",
        flush=True,
    )
    try:
        try:
            data = pipeline(urls, work, None if args.farm else args.per_feed, env, args.profile)
        finally:
            stop()
        stage = data["classify"]
        engine = engine_alone(url)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    dedup = data["dedup"]
    print(
        f"fetch: {data['entries']['new']:,} new entries, {data['entries']['matched']:,} "
        f"matched; cycle {data['duration_s']:.1f} s, wall {data['wall_s']:.1f} s, "
        f"peak RSS {data['peak_rss_mb']} MB; decisions {dedup}"
    )
    print(line("pipeline (classify stage)", stage["articles"], stage["duration_s"]))
    print(line("engine alone", engine["articles"], engine["seconds"]))
    print(f"  of which index load {engine['load_s'] * 1000:.0f} ms")
    ratio = (stage["duration_s"] / stage["articles"]) / (engine["seconds"] / engine["articles"])
    print(f"ratio pipeline / engine: {ratio:.2f}")
    print(f"decisions agreeing: {engine['agree']:,} / {engine['articles']:,}")


if __name__ == "__main__":
    main()
