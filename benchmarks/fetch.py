"""Fetch benchmark: newsmon's first and 304 cycles against rss2email, on the same feeds.

A separate process serves N feeds (20-50 items each) spread over many
loopback addresses (127.0.0.2, 127.0.0.3, ...: Linux routes all of 127/8 to
the loopback interface), each response delayed by a fixed latency, with
ETag/Last-Modified support.  Each contender runs as its own child process,
so its wall time and peak RSS (from ``wait4``) are its own.

    python benchmarks/fetch.py                      # 1,000 feeds, newsmon and rss2email
    python benchmarks/fetch.py --feeds 10000 --no-rss2email

rss2email is installed from PyPI into a virtualenv of its own on first use
(``--r2e-venv``), as a user would install it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.feedserver import FeedServer, Reply, Request, rss, rss_items, static  # noqa: E402


def serve(feeds: int, hosts: int, latency: float, seed: int, conn: Any) -> None:
    """Run in a child process: start one server per loopback host, report the feed URLs."""
    rng = random.Random(seed)
    servers = [FeedServer(host=f"127.0.0.{2 + h}") for h in range(hosts)]
    urls = []
    for index in range(feeds):
        server = servers[index % hosts]
        body = rss(rss_items(f"f{index}", rng.randint(20, 50), host=f"news{index}.example"))
        inner = static(body)

        def delayed(request: Request, inner: Any = inner) -> Reply:
            reply: Reply = inner(request)
            reply.delay = latency
            return reply

        urls.append(server.route(f"/feed/{index}.xml", delayed))
    for server in servers:
        server.__enter__()
    conn.send(urls)
    conn.recv()  # wait until told to stop
    for server in servers:
        server.__exit__(None, None, None)


def run_child(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str, str]:
    """Run a command; return wall seconds, peak RSS in MB, stdout, stderr."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({process.returncode}): {stderr[-2000:]}")
    return wall, usage.ru_maxrss // 1024, stdout, stderr


def opml(urls: list[str]) -> str:
    outlines = "".join(
        f'<outline type="rss" text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls)
    )
    return f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>'


def bench_newsmon(urls: list[str], work: Path, concurrency: int) -> list[dict[str, Any]]:
    work.mkdir(parents=True)
    (work / "feeds.opml").write_text(opml(urls), encoding="utf-8")
    (work / "newsmon.toml").write_text("feeds = []\n", encoding="utf-8")
    env = {**os.environ, "NEWSMON_FETCH__CONCURRENCY": str(concurrency)}
    newsmon = [sys.executable, "-m", "monitor"]
    run_child([*newsmon, "feeds", "import", "feeds.opml"], work, env)
    rows = []
    for label in ("first cycle", "304 cycle"):
        wall, rss_mb, stdout, _ = run_child([*newsmon, "fetch", "--json"], work, env)
        data = json.loads(stdout)
        rows.append(
            {
                "tool": f"newsmon (concurrency {concurrency})",
                "run": label,
                "wall_s": wall,
                "cycle_s": data["duration_s"],
                "items": data["entries"]["seen"],
                "new": data["entries"]["new"],
                "failed": data["feeds"]["failed"],
                "peak_rss_mb": rss_mb,
            }
        )
    return rows


def bench_rss2email(urls: list[str], work: Path, venv: Path) -> list[dict[str, Any]]:
    r2e = venv / "bin" / "r2e"
    if not r2e.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "rss2email"], check=True)
    work.mkdir(parents=True)
    (work / "feeds.opml").write_text(opml(urls), encoding="utf-8")
    env = dict(os.environ)
    base = [str(r2e), "-c", str(work / "r2e.cfg"), "-d", str(work / "r2e.json")]
    subprocess.run([*base, "new", "bench@example.org"], cwd=work, check=True, capture_output=True)
    subprocess.run([*base, "opmlimport", "feeds.opml"], cwd=work, check=True, capture_output=True)
    rows = []
    for label in ("first cycle", "304 cycle"):
        wall, rss_mb, _, _ = run_child([*base, "run", "--no-send"], work, env)
        rows.append(
            {
                "tool": "rss2email",
                "run": label,
                "wall_s": wall,
                "cycle_s": wall,
                "items": None,
                "new": None,
                "failed": None,
                "peak_rss_mb": rss_mb,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument(
        "--hosts", type=int, default=50, help="loopback addresses to spread feeds on"
    )
    parser.add_argument(
        "--latency", type=float, default=0.2, help="seconds added to every response"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[32, 100],
        help="newsmon [fetch] concurrency values to run (default: 32 and 100)",
    )
    parser.add_argument("--no-rss2email", action="store_true")
    parser.add_argument(
        "--r2e-venv", type=Path, default=Path(tempfile.gettempdir()) / "newsmon-bench-r2e"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=serve, args=(args.feeds, args.hosts, args.latency, args.seed, child), daemon=True
    )
    server.start()
    urls = parent.recv()
    root = Path(tempfile.mkdtemp(prefix="newsmon-bench-"))
    print(
        f"{args.feeds} feeds on {args.hosts} hosts, {args.latency * 1000:.0f} ms latency; "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; work dir {root}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    try:
        for concurrency in args.concurrency:
            rows += bench_newsmon(urls, root / f"newsmon-{concurrency}", concurrency)
            print(json.dumps(rows[-2:]), flush=True)
        if not args.no_rss2email:
            rows += bench_rss2email(urls, root / "rss2email", args.r2e_venv)
    finally:
        parent.send("stop")
        server.join(10)
        shutil.rmtree(root, ignore_errors=True)
    print()
    print("| tool | run | cycle s | wall s (with start-up) | items | items/s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        items = r["items"]
        rate = f"{items / r['cycle_s']:,.0f}" if items else "-"
        print(
            f"| {r['tool']} | {r['run']} | {r['cycle_s']:.1f} | {r['wall_s']:.1f} | "
            f"{items if items is not None else '-'} | {rate} | {r['peak_rss_mb']} |"
        )


if __name__ == "__main__":
    main()
