"""Queue mode against one process: ``newsmon fetch`` beside a scheduler with 1, then 2 workers.

The same farm (:mod:`farm`, its own process: N news-like feeds of 20 items
spread over H loopback hosts, every answer delayed) is polled three ways, each
on a fresh PostgreSQL database with the farm's OPML imported:

* **single process**: ``newsmon fetch --json`` twice (a first cycle, every
  item new; then an all-304 cycle); "cycle s" is its own ``duration_s``;
* **scheduler + W workers** (W = 1, 2): W ``newsmon worker`` processes are
  started and answer a Celery ping, then ``newsmon run`` with ``[queue]
  broker_url`` set (RabbitMQ) and a 1 s tick; its first tick sends every due
  feed in batches.  The cycle runs from the first batch recorded in the
  ``dispatches`` table to the last one marked done (stored).  For the
  all-304 cycle the benchmark makes every feed due again (``UPDATE feeds SET
  next_due_at = now()``) and the next tick sends them.

Feeds/s is feeds ÷ cycle seconds; the ratio is against the single process on
the same cycle.  CPU seconds are counted per role for each cycle (newsmon's
processes: ``fetch``, or the scheduler and the workers; PostgreSQL's server
processes; RabbitMQ's ``beam.smp``), so that the cost per 1,000 feeds of
each part can be carried to more feeds than one machine serves.  No topic
matches by default (``--topic-share 0``): the poll is measured, and
classification, which has one consumer per database, is measured by
``benchmarks/classify.py``.

Two micro-measurements place the next bottleneck: RabbitMQ's throughput for
small persistent messages (publish, then consume and acknowledge, through
kombu as Celery uses it) and PostgreSQL's for inserted rows like entries.

    python benchmarks/queue_mode.py                  # 2,000 feeds on 200 hosts, 200 ms
    python benchmarks/queue_mode.py --feeds 4000 --workers 1 2 4
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from farm import Farm, FarmSpec, opml  # noqa: E402
from fetch import reset_database, run_child, tree_rss_mb  # noqa: E402

NEWSMON = [sys.executable, "-m", "monitor"]
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- CPU accounting
def _stat(pid: int) -> tuple[str, float, list[int]]:
    """(command name, CPU seconds, child pids).

    The seconds are the process's own and those of its children that have exited and
    been waited for (PostgreSQL's backends end with their connection; their time then
    lives on in the postmaster's ``cutime``), so a sum over live processes misses none.
    """
    raw = Path(f"/proc/{pid}/stat").read_text()
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    cpu = sum(int(value) for value in fields[11:15]) / TICKS_PER_S  # u/s time, children's
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
    return name, cpu, children


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its live descendants (a worker's prefork children)."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            _, cpu, children = _stat(current)
        except (OSError, ValueError):
            continue
        total += cpu
        todo += children
    return total


def cpu_by_name(names: tuple[str, ...]) -> float:
    """CPU seconds of every process on the machine whose name is one of ``names``."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name, cpu, _ = _stat(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
            if name in names:
                total += cpu
    return total


class CpuMeter:
    """CPU seconds spent between two reads by newsmon's processes (by role: ``pids`` maps a
    role to its pids), PostgreSQL's server processes and RabbitMQ's ``beam.smp``."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids = pids
        self._start = self._read()

    def _read(self) -> dict[str, float]:
        found = {role: sum(tree_cpu(pid) for pid in pids) for role, pids in self.pids.items()}
        found["postgres"] = cpu_by_name(("postgres",))
        found["rabbitmq"] = cpu_by_name(("beam.smp",))
        return found

    def spent(self) -> dict[str, float]:
        now = self._read()
        return {key: round(now[key] - self._start.get(key, 0.0), 2) for key in now}


# ---------------------------------------------------------------- the database
def ensure_database(database_url: str) -> None:
    """Create the benchmark's database if it is missing, then empty it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    name = url.database or ""
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    reset_database(database_url)


class Database:
    """The few reads the benchmark makes of newsmon's tables (plain SQL: no newsmon import)."""

    def __init__(self, database_url: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(database_url)

    def scalar(self, sql: str, **params: Any) -> Any:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            return conn.execute(text(sql), params).scalar()

    def row(self, sql: str, **params: Any) -> Any:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            return conn.execute(text(sql), params).one()

    def make_all_due(self) -> None:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            conn.execute(text("UPDATE feeds SET next_due_at = now() - interval '1 second'"))

    def cycle_since(self, mark: datetime, feeds: int) -> dict[str, Any] | None:
        """The dispatches since ``mark`` once every feed was polled and every batch is done."""
        undone = self.scalar(
            "SELECT count(*) FROM dispatches WHERE created_at >= :m AND done_at IS NULL", m=mark
        )
        polled = self.scalar("SELECT count(*) FROM feeds WHERE last_fetched_at >= :m", m=mark)
        if undone or polled < feeds:
            return None
        first, last, batches, attempts = self.row(
            "SELECT min(created_at), max(done_at), count(*), coalesce(sum(attempts), 0) "
            "FROM dispatches WHERE created_at >= :m",
            m=mark,
        )
        if not batches:
            return None
        return {
            "cycle_s": (last - first).total_seconds(),
            "batches": batches,
            "attempts": attempts,
            "first": first,
            "last": last,
        }

    def entries(self) -> int:
        return int(self.scalar("SELECT count(*) FROM articles WHERE NOT is_seed") or 0)

    def close(self) -> None:
        self.engine.dispose()


# ---------------------------------------------------------------- processes
def start(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A long-running newsmon process in a session of its own, its output in ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """SIGTERM to the process's group (a worker's children too), SIGKILL after ``grace``."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def wait_for_workers(
    env: dict[str, str], processes: list[subprocess.Popen[bytes]], work: Path, timeout: float = 120
) -> int:
    """Block until ``count`` workers consume this run's poll queue (its consumer count: a
    Celery ping would also reach other deployments' workers on the same broker)."""
    from kombu import Connection

    name = f"{env['NEWSMON_QUEUE__PREFIX']}.poll"
    deadline = time.monotonic() + timeout
    consumers = 0
    with Connection(env["NEWSMON_QUEUE__BROKER_URL"]) as conn:
        while time.monotonic() < deadline:
            check_alive(processes, work)
            try:
                with conn.channel() as channel:
                    consumers = int(channel.queue_declare(queue=name, passive=True).consumer_count)
            except conn.channel_errors:  # not declared yet
                consumers = 0
            if consumers >= len(processes):
                return consumers
            time.sleep(0.5)
    raise SystemExit(
        f"only {consumers} of {len(processes)} workers consume {name} after {timeout:.0f} s"
    )


def delete_queues(broker_url: str, prefix: str) -> None:
    """Remove the run's queues and exchange from the broker (a random prefix per run)."""
    from kombu import Connection

    with Connection(broker_url) as conn:
        for name in (f"{prefix}.poll", f"{prefix}.classify", f"{prefix}.digest"):
            with suppress(*conn.channel_errors), conn.channel() as channel:
                channel.queue_delete(name)
        for exchange in (prefix, f"{prefix}.control.pidbox", f"reply.{prefix}.control.pidbox"):
            with suppress(*conn.channel_errors), conn.channel() as channel:
                channel.exchange_delete(exchange)


# ---------------------------------------------------------------- the contenders
def prepare(urls: list[str], work: Path, env: dict[str, str], database_url: str) -> None:
    ensure_database(database_url)
    work.mkdir(parents=True)
    (work / "feeds.opml").write_text(opml(urls), encoding="utf-8")
    (work / "newsmon.toml").write_text("feeds = []\n", encoding="utf-8")
    run_child([*NEWSMON, "feeds", "import", "feeds.opml"], work, env)


def bench_single(urls: list[str], work: Path, env: dict[str, str], database_url: str) -> list[dict]:
    prepare(urls, work, env, database_url)
    rows = []
    for label in ("first cycle", "all-304 cycle"):
        meter = CpuMeter({})
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, rss_mb, stdout = run_child([*NEWSMON, "fetch", "--json"], work, env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = meter.spent()
        cpu["fetch"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2)
        data = json.loads(stdout)
        rows.append(
            {
                "mode": "single process (newsmon fetch)",
                "workers": 0,
                "run": label,
                "cycle_s": data["duration_s"],
                "command_s": round(wall, 2),
                "feeds": data["feeds"]["total"],
                "failed": data["feeds"]["failed"],
                "new": data["entries"]["new"],
                "batches": None,
                "cpu": cpu,
                "peak_rss_mb": rss_mb,
            }
        )
    return rows


@contextmanager
def deployment(
    work: Path, env: dict[str, str], workers: int, worker_args: list[str]
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """W workers (answering pings), then the scheduler; all stopped on the way out."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for number in range(workers):
            processes.append(
                start(
                    [*NEWSMON, "worker", *worker_args],
                    work,
                    env,
                    work / f"worker-{number}.log",
                )
            )
        consumers = wait_for_workers(env, processes, work)
        print(f"  {consumers} worker(s) consuming", flush=True)
        yield processes
    finally:
        for process in reversed(processes):
            stop(process)


def check_alive(processes: list[subprocess.Popen[bytes]], work: Path) -> None:
    """Stop the benchmark, with the logs, when one of its newsmon processes has exited."""
    for process in processes:
        if process.poll() is not None:
            logs = "".join(f"{p.name}: {p.read_text()[-1500:]}" for p in sorted(work.glob("*.log")))
            raise SystemExit(f"a newsmon process exited ({process.returncode}):\n{logs}")


def wait_cycle(
    db: Database, mark: datetime, feeds: int, processes: list[subprocess.Popen[bytes]], work: Path
) -> dict[str, Any]:
    deadline = time.monotonic() + 900
    peak = 0.0  # the largest worker's process tree (its children included), sampled
    while time.monotonic() < deadline:
        check_alive(processes, work)
        peak = max([peak, *(tree_rss_mb(p.pid) for p in processes if p.args[3] == "worker")])
        found = db.cycle_since(mark, feeds)
        if found:
            found["peak_rss_mb"] = round(peak)
            return found
        time.sleep(0.2)
    raise SystemExit("the cycle did not finish within 15 minutes")


def bench_queue(
    urls: list[str],
    work: Path,
    env: dict[str, str],
    database_url: str,
    workers: int,
    worker_args: list[str],
) -> list[dict]:
    prepare(urls, work, env, database_url)
    db = Database(database_url)
    rows = []
    try:
        with deployment(work, env, workers, worker_args) as processes:
            roles = {"workers": [p.pid for p in processes], "scheduler": []}
            meter = CpuMeter(roles)
            before = db.entries()
            mark = datetime.now(UTC)
            scheduler = start([*NEWSMON, "run"], work, env, work / "scheduler.log")
            processes.append(scheduler)
            roles["scheduler"].append(scheduler.pid)  # its start-up counts in the first cycle
            for label in ("first cycle", "all-304 cycle"):
                if label != "first cycle":
                    meter = CpuMeter(roles)
                    before = db.entries()
                    mark = datetime.now(UTC)
                    db.make_all_due()
                found = wait_cycle(db, mark, len(urls), processes, work)
                cpu = meter.spent()
                failed = db.scalar(
                    "SELECT count(*) FROM feeds WHERE last_fetched_at >= :m "
                    "AND consecutive_errors > 0",
                    m=mark,
                )
                rows.append(
                    {
                        "mode": f"scheduler + {workers} worker{'s' if workers > 1 else ''}",
                        "workers": workers,
                        "run": label,
                        "cycle_s": found["cycle_s"],
                        "command_s": None,
                        "feeds": len(urls),
                        "failed": failed,
                        "new": db.entries() - before,
                        "batches": found["batches"],
                        "attempts": found["attempts"],
                        "cpu": cpu,
                        "peak_rss_mb": found["peak_rss_mb"],
                    }
                )
                time.sleep(1.0)  # the CPU the workers spend after "done" (cycle_runs) counts
    finally:
        db.close()
        delete_queues(env["NEWSMON_QUEUE__BROKER_URL"], env["NEWSMON_QUEUE__PREFIX"])
    return rows


# ---------------------------------------------------------------- the next bottleneck
def broker_throughput(broker_url: str, messages: int) -> dict[str, float]:
    """Persistent messages of a poll task's size through one durable queue: published/s,
    then consumed and acknowledged one at a time/s (prefetch 1, as the workers do)."""
    from kombu import Connection, Exchange, Queue

    name = f"bench-{secrets.token_hex(4)}"
    body = {"dispatch_id": 1, "feed_ids": list(range(100_000, 100_050))}
    exchange = Exchange(name, type="direct", durable=True)
    queue = Queue(name, exchange, routing_key=name, durable=True)
    with Connection(broker_url) as conn:
        producer = conn.Producer(serializer="json")
        started = time.monotonic()
        for _ in range(messages):
            producer.publish(
                body, exchange=exchange, routing_key=name, declare=[queue], delivery_mode=2
            )
        published = time.monotonic() - started
        got = 0

        def on_message(_body: Any, message: Any) -> None:
            nonlocal got
            got += 1
            message.ack()

        started = time.monotonic()
        with conn.Consumer(queue, callbacks=[on_message], prefetch_count=1):
            while got < messages:
                conn.drain_events(timeout=10)
        consumed = time.monotonic() - started
        queue(conn.channel()).delete()
        exchange(conn.channel()).delete()
    return {
        "messages": messages,
        "published_per_s": round(messages / published),
        "consumed_per_s": round(messages / consumed),
    }


def database_throughput(database_url: str, rows: int) -> dict[str, float]:
    """Rows like entries (a URL, a title, 600 characters of text, a JSON column) inserted in
    transactions of one feed's worth (20 rows), as a worker stores a feed, one connection."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    table = f"bench_rows_{secrets.token_hex(4)}"
    text_body = "word " * 120
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"CREATE TABLE {table} (id bigserial PRIMARY KEY, url varchar(2048) UNIQUE, "
                    "title text, body text, meta json, created_at timestamptz DEFAULT now())"
                )
            )
        started = time.monotonic()
        for start_at in range(0, rows, 20):
            with engine.begin() as conn:
                conn.execute(
                    text(
                        f"INSERT INTO {table} (url, title, body, meta) "
                        "VALUES (:url, :title, :body, :meta)"
                    ),
                    [
                        {
                            "url": f"https://example.org/{n}",
                            "title": f"Title {n}",
                            "body": text_body,
                            "meta": json.dumps({"n": n}),
                        }
                        for n in range(start_at, min(rows, start_at + 20))
                    ],
                )
        elapsed = time.monotonic() - started
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()
    return {
        "rows": rows,
        "rows_per_s": round(rows / elapsed),
        "commits_per_s": round(rows / 20 / elapsed),
    }


# ---------------------------------------------------------------- report
def print_table(rows: list[dict[str, Any]]) -> None:
    single = {r["run"]: r["cycle_s"] for r in rows if r["workers"] == 0}
    print(
        "| mode | run | cycle s | feeds/s | × single | batches | new entries | failed "
        "| CPU s per 1,000 feeds: newsmon (scheduler + workers) / PostgreSQL / RabbitMQ "
        "| peak RSS MB (a worker, or fetch) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rate = r["feeds"] / r["cycle_s"] if r["cycle_s"] else 0.0
        ratio = (
            f"{single[r['run']] / r['cycle_s']:.2f}" if r["run"] in single and r["cycle_s"] else "-"
        )
        per = 1000 / r["feeds"]
        cpu = r["cpu"]
        if "fetch" in cpu:
            own = f"{cpu['fetch'] * per:.2f}"
        else:
            own = (
                f"{(cpu['scheduler'] + cpu['workers']) * per:.2f} "
                f"({cpu['scheduler'] * per:.2f} + {cpu['workers'] * per:.2f})"
            )
        batches = r["batches"] if r["batches"] is not None else "-"
        print(
            f"| {r['mode']} | {r['run']} | {r['cycle_s']:.1f} | {rate:,.0f} | {ratio} | "
            f"{batches} | {r['new']:,} | {r['failed']} | "
            f"{own} / {cpu['postgres'] * per:.2f} / {cpu['rabbitmq'] * per:.2f} | "
            f"{r['peak_rss_mb']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=200, help="loopback hosts (at most 250)")
    parser.add_argument("--items", type=int, default=20, help="items per feed")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument("--concurrency", type=int, default=100, help="[fetch] concurrency")
    parser.add_argument("--per-host", type=int, default=4, help="[fetch] per_host")
    parser.add_argument("--batch-size", type=int, default=50, help="[queue] batch_size")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument(
        "--worker-args",
        default="",
        help="extra arguments of `newsmon worker`, e.g. '--concurrency 4'",
    )
    parser.add_argument("--topic-share", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/newsmon_bench"
    )
    parser.add_argument("--broker-url", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--skip-single", action="store_true", help="only the queue runs")
    parser.add_argument(
        "--micro",
        type=int,
        default=20_000,
        help="messages and rows for the broker and database measurements (0: skip them)",
    )
    args = parser.parse_args()

    print(
        f"{args.feeds:,} feeds × {args.items} items on {args.hosts} hosts, "
        f"{args.latency * 1000:.0f} ms latency; [fetch] concurrency {args.concurrency}, "
        f"per_host {args.per_host}; [queue] batch_size {args.batch_size}; "
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    run_id = secrets.token_hex(3)
    base_env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSMON_")}
    base_env.update(
        {
            "NEWSMON_DATABASE__URL": args.database_url,
            "NEWSMON_FETCH__CONCURRENCY": str(args.concurrency),
            "NEWSMON_FETCH__PER_HOST": str(args.per_host),
        }
    )
    rows: list[dict[str, Any]] = []
    root = Path(tempfile.mkdtemp(prefix="newsmon-bench-queue-"))
    spec = FarmSpec(args.feeds, args.hosts, args.latency, args.items, args.seed, args.topic_share)
    try:
        with Farm(spec) as farm:
            if not args.skip_single:
                print("single process", flush=True)
                found = bench_single(farm.urls, root / "single", base_env, args.database_url)
                rows += found
                for row in found:
                    print(json.dumps(row, default=str), flush=True)
            for workers in args.workers:
                print(f"scheduler + {workers} worker(s)", flush=True)
                env = {
                    **base_env,
                    "NEWSMON_QUEUE__BROKER_URL": args.broker_url,
                    "NEWSMON_QUEUE__PREFIX": f"bench-{run_id}-{workers}",
                    "NEWSMON_QUEUE__BATCH_SIZE": str(args.batch_size),
                    "NEWSMON_DAEMON__TICK": "1",
                    "NEWSMON_DAEMON__CONTROL_PORT": "0",
                }
                found = bench_queue(
                    farm.urls,
                    root / f"workers-{workers}",
                    env,
                    args.database_url,
                    workers,
                    args.worker_args.split(),
                )
                rows += found
                for row in found:
                    print(json.dumps(row, default=str), flush=True)
    except BaseException:
        print(f"logs kept in {root}", file=sys.stderr)
        raise
    shutil.rmtree(root, ignore_errors=True)
    print()
    print_table(rows)
    if args.micro:
        reset_database(args.database_url)
        print(f"\nRabbitMQ: {json.dumps(broker_throughput(args.broker_url, args.micro))}")
        print(f"PostgreSQL: {json.dumps(database_throughput(args.database_url, args.micro))}")


if __name__ == "__main__":
    main()
