"""Trigger benchmark: how soon a manual fetch reaches the feeds, daemon versus a fresh process.

A running daemon (``newsmon run``) is asked to fetch in two ways:

* ``POST /trigger/fetch`` straight to its control endpoint (what a script or
  a cron job with curl would do);
* ``newsmon trigger fetch --no-wait`` (a new Python process that asks it);

and beside them the alternative a user has without a daemon: ``newsmon
fetch``, a new process that opens the database and polls by itself.  Each
figure is the time from the request (or the process start) to the feed
server receiving the poll, measured ``--rounds`` times.

    python benchmarks/trigger.py
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.feedserver import FeedServer, Reply, Request, rss, rss_items, static  # noqa: E402
from tests.monitor.daemon.conftest import clean_env, write_config  # noqa: E402


def measure(hits: list[float], start: Callable[[], object], rounds: int) -> list[float]:
    """Seconds from calling ``start`` to the next poll the feed server sees."""
    delays = []
    for _ in range(rounds):
        before = len(hits)
        started = time.monotonic()
        start()
        deadline = started + 60
        while len(hits) == before:
            if time.monotonic() > deadline:
                raise SystemExit("no poll within 60 s")
            time.sleep(0.002)
        delays.append(hits[-1] - started)
        time.sleep(1.5)  # let the cycle finish before the next round
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    hits: list[float] = []
    feed = static(rss(rss_items("bench", 20)))

    def handler(request: Request) -> Reply:
        hits.append(time.monotonic())
        return feed(request)

    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = server.route("/feed", handler)
        _, port = write_config(folder, f"sqlite:///{folder / 'n.db'}", [{"url": url}], tick=3600)
        env = clean_env()
        daemon = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run"],
            cwd=folder,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert daemon.stderr is not None
        for line in daemon.stderr:
            if "cycle 1 " in line:
                break
        token = (folder / "data" / "newsmon.token").read_text().strip()
        client = httpx.Client(trust_env=False)

        def post() -> None:
            client.post(
                f"http://127.0.0.1:{port}/trigger/fetch",
                json={"wait": False},
                headers={"Authorization": f"Bearer {token}"},
            )

        def command(*argv: str) -> Callable[[], object]:
            return lambda: subprocess.Popen(
                [sys.executable, "-m", "monitor", *argv],
                cwd=folder,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        rows = [
            ("POST /trigger/fetch to the daemon", measure(hits, post, args.rounds)),
            (
                "newsmon trigger fetch --no-wait",
                measure(hits, command("trigger", "fetch", "--no-wait"), args.rounds),
            ),
        ]
        daemon.terminate()
        daemon.wait(15)
        rows.append(("newsmon fetch (no daemon)", measure(hits, command("fetch"), args.rounds)))
    cpus = os.cpu_count()
    print(f"# {platform.python_version()}, {cpus} CPUs, {args.rounds} rounds each")
    print("| how | median | max |")
    print("|---|---|---|")
    for name, delays in rows:
        print(f"| {name} | {statistics.median(delays):.3f} s | {max(delays):.3f} s |")


if __name__ == "__main__":
    main()
