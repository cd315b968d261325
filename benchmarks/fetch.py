"""Poll-cycle speed: ``newsmon fetch`` beside a bare asyncio poller, on the same feed farm.

The farm (:mod:`farm`, its own process) serves N news-like RSS feeds of 20
items on one loopback host, or spread over many, every answer (304s too)
delayed by a fixed latency.  In one run, for each host count:

* the **bare poller** (:func:`bare_poll`, written here): aiohttp with a
  connector of ``--concurrency`` connections, conditional GET from what the
  previous cycle saw, fastfeedparser on each body; what a developer writes
  in an afternoon, and the floor for Python on this machine;
* **newsmon**: ``feeds import`` of the farm's OPML, then ``newsmon fetch
  --json`` twice (a first cycle, then an all-304 cycle), with
  ``[fetch] concurrency`` and ``per_host`` set like for like.  "cycle" is the
  poll cycle's own ``duration_s`` (fetch, parse, match, store); "command" is
  the whole process, start-up and classification included; classification
  is reported on its own from the JSON (articles, ms per article).

Each contender is a child process of its own, so its wall time and peak RSS
(its process tree's, sampled) are its own.

    python benchmarks/fetch.py                          # 1,000 feeds; 1 host, then 50
    python benchmarks/fetch.py --feeds 20000 --hosts 50 --topic-share 0.01
    python benchmarks/fetch.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from farm import Farm, FarmSpec, opml  # noqa: E402


# ---------------------------------------------------------------- the bare poller
async def bare_cycle(urls: list[str], state: dict[str, tuple[str, str]], limit: int) -> dict:
    """One cycle: every URL once, ``limit`` in flight, conditional GET, parse each body."""
    import aiohttp
    import fastfeedparser

    statuses: dict[int, int] = {}
    entries = failed = 0
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit)
    timeout = aiohttp.ClientTimeout(total=30, sock_connect=10)
    # ``limit`` requests at a time, each timed from its start: a timeout on the session
    # alone would also count the wait for a connection, and fail a big farm's tail.
    slots = asyncio.Semaphore(limit)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(url: str) -> None:
            nonlocal entries, failed
            headers = {}
            etag, modified = state.get(url, ("", ""))
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            try:
                async with slots, session.get(url, headers=headers) as response:
                    body = await response.read()
                    status = response.status
                    validators = (
                        response.headers.get("ETag", ""),
                        response.headers.get("Last-Modified", ""),
                    )
            except (aiohttp.ClientError, TimeoutError):
                failed += 1
                return
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                state[url] = validators
                entries += len(fastfeedparser.parse(body).entries)

        await asyncio.gather(*(one(url) for url in urls))
    return {"statuses": statuses, "entries": entries, "failed": failed}


def bare_main(url_file: Path, limit: int) -> None:
    """Child process: two cycles, printed as JSON lines."""
    urls = json.loads(url_file.read_text())
    state: dict[str, tuple[str, str]] = {}
    for _ in range(2):
        started = time.monotonic()
        result = asyncio.run(bare_cycle(urls, state, limit))
        result["duration_s"] = time.monotonic() - started
        print(json.dumps(result), flush=True)


# ---------------------------------------------------------------- running children
def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants (a worker process counts too)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:  # gone meanwhile
            continue
        total += int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
        todo += [int(child) for child in children]
    return total / 1024


def run_child(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; return wall seconds, peak RSS of its process tree in MB, and stdout.

    The peak is sampled every 50 ms as the sum over the process and its children:
    ``wait4``'s ``ru_maxrss`` is the largest single process, which would hide a
    worker process's memory.
    """
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, tree_rss_mb(process.pid))
            time.sleep(0.05)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed ({process.returncode}): {stderr[-2000:]}")
    return wall, round(peak), stdout


def bench_bare(urls: list[str], work: Path, limit: int) -> list[dict[str, Any]]:
    url_file = work / "urls.json"
    url_file.write_text(json.dumps(urls))
    command = [
        sys.executable,
        __file__,
        "--bare-poller",
        str(url_file),
        "--concurrency",
        str(limit),
    ]
    _, rss_mb, stdout = run_child(command, work, dict(os.environ))
    rows = []
    for label, line in zip(("first cycle", "all-304 cycle"), stdout.splitlines(), strict=True):
        data = json.loads(line)
        rows.append(
            {
                "tool": "bare poller (aiohttp + fastfeedparser)",
                "run": label,
                "cycle_s": data["duration_s"],
                "command_s": None,
                "items": data["entries"],
                "failed": data["failed"],
                "statuses": data["statuses"],
                "peak_rss_mb": rss_mb,
                "classify": None,
            }
        )
    return rows


def bench_newsmon(
    urls: list[str], work: Path, limit: int, per_host: int, database_url: str | None
) -> list[dict[str, Any]]:
    (work / "feeds.opml").write_text(opml(urls), encoding="utf-8")
    (work / "newsmon.toml").write_text("feeds = []\n", encoding="utf-8")
    env = {
        **os.environ,
        "NEWSMON_FETCH__CONCURRENCY": str(limit),
        "NEWSMON_FETCH__PER_HOST": str(per_host),
    }
    if database_url:
        env["NEWSMON_DATABASE__URL"] = database_url
    newsmon = [sys.executable, "-m", "monitor"]
    run_child([*newsmon, "feeds", "import", "feeds.opml"], work, env)
    rows = []
    for label in ("first cycle", "all-304 cycle"):
        wall, rss_mb, stdout = run_child([*newsmon, "fetch", "--json"], work, env)
        data = json.loads(stdout)
        rows.append(
            {
                "tool": f"newsmon (concurrency {limit}, per_host {per_host})",
                "run": label,
                "cycle_s": data["duration_s"],
                "command_s": wall,
                "items": data["entries"]["seen"],
                "failed": data["feeds"]["failed"],
                "statuses": None,
                "peak_rss_mb": rss_mb,
                "classify": data.get("classify"),
            }
        )
    return rows


def reset_database(database_url: str) -> None:
    """Empty a PostgreSQL benchmark database (never a test one: the name must say bench)."""
    from sqlalchemy import create_engine, text

    if "bench" not in database_url.rsplit("/", 1)[-1]:
        raise SystemExit("--database-url: use a database whose name contains 'bench'")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


# ---------------------------------------------------------------- report
def classify_text(row: dict[str, Any]) -> str:
    stage = row["classify"]
    if not stage or not stage.get("articles"):
        return "-"
    per = stage["duration_s"] * 1000 / stage["articles"]
    return f"{stage['articles']:,} in {stage['duration_s']:.1f} s ({per:.1f} ms each)"


def print_table(rows: list[dict[str, Any]]) -> None:
    print("| hosts | tool | run | cycle s | × bare | command s | items | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    bare = {(r["hosts"], r["run"]): r["cycle_s"] for r in rows if r["tool"].startswith("bare")}
    for r in rows:
        ratio = r["cycle_s"] / bare[(r["hosts"], r["run"])] if (r["hosts"], r["run"]) in bare else 0
        command = f"{r['command_s']:.1f}" if r["command_s"] is not None else "-"
        print(
            f"| {r['hosts']} | {r['tool']} | {r['run']} | {r['cycle_s']:.1f} | {ratio:.2f} | "
            f"{command} | {r['items']:,} | {r['peak_rss_mb']} |"
        )
    stages = [r for r in rows if classify_text(r) != "-"]
    if stages:
        print("\nClassification in `newsmon fetch` (after the poll cycle):")
        for r in stages:
            print(f"- {r['hosts']} host(s), {r['run']}: {classify_text(r)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--items", type=int, default=20, help="items per feed")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument("--concurrency", type=int, default=100, help="requests in flight")
    parser.add_argument("--per-host", type=int, default=100, help="newsmon [fetch] per_host")
    parser.add_argument("--database-url", help="newsmon's database (default: SQLite file)")
    parser.add_argument(
        "--topic-share",
        type=float,
        default=0.3,
        help="share of stories about NATO, which newsmon deduplicates after the poll",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bare-poller", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_poller:
        bare_main(args.bare_poller, args.concurrency)
        return

    print(
        f"{args.feeds:,} feeds × {args.items} items, {args.latency * 1000:.0f} ms latency, "
        f"{args.concurrency} in flight; {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    root = Path(tempfile.mkdtemp(prefix="newsmon-bench-fetch-"))
    try:
        for hosts in args.hosts:
            spec = FarmSpec(
                args.feeds, hosts, args.latency, args.items, args.seed, args.topic_share
            )
            with Farm(spec) as farm:
                work = root / f"{hosts}-hosts"
                (work / "bare").mkdir(parents=True)
                (work / "newsmon").mkdir()
                if args.database_url:
                    reset_database(args.database_url)
                found = bench_bare(farm.urls, work / "bare", args.concurrency)
                found += bench_newsmon(
                    farm.urls, work / "newsmon", args.concurrency, args.per_host, args.database_url
                )
            for row in found:
                row["hosts"] = hosts
                print(json.dumps(row), flush=True)
            rows += found
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"\nself peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB\n")
    print_table(rows)


if __name__ == "__main__":
    main()
