"""``newsmon feeds import`` of large OPML files: seconds for 4,000, 20,000 and 100,000 outlines.

    python benchmarks/feeds_import.py [--outlines 4000 20000 100000] \\
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--timeout 300]

Each size gets a fresh database (SQLite in a temporary folder, or a
throw-away schema of ``--database-url``), created and seeded by ``newsmon
init`` first, so the figure is the import alone: the command run as a user
runs it (a new process: start-up, reading the OPML, one transaction).  The
OPML is synthetic: outline ``i`` has the URL ``https://feedsN.example/i/rss``
(100 hosts) and the title ``Feed i``.  A run still going after ``--timeout``
seconds is stopped and shown as ``> timeout``.

``--source`` runs another checkout's code (e.g. an export of an older
commit: ``git archive HEAD | tar -x -C /tmp/before``) for before/after figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from xml.sax.saxutils import quoteattr

REPO = Path(__file__).resolve().parents[1]


def write_opml(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head/><body>\n')
        for i in range(count):
            url = f"https://feeds{i % 100}.example/{i}/rss"
            out.write(f'<outline type="rss" text="Feed {i}" xmlUrl={quoteattr(url)}/>\n')
        out.write("</body></opml>\n")


def newsmon(
    cwd: Path, source: Path, *args: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env["PYTHONPATH"] = str(source)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def fresh_database(base: str | None, folder: Path) -> tuple[str, str | None]:
    """A database URL to use, and the PostgreSQL schema to drop afterwards (if any)."""
    if base is None:
        return f"sqlite:///{folder / 'newsmon.db'}", None
    from sqlalchemy import create_engine, make_url, text

    schema = f"newsmon_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_schema(base: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def measure(count: int, base: str | None, source: Path, timeout: float) -> float | None:
    """Seconds ``newsmon feeds import`` took for ``count`` outlines (None: timed out)."""
    with tempfile.TemporaryDirectory(prefix="newsmon-import-") as tmp:
        folder = Path(tmp)
        url, schema = fresh_database(base, folder)
        try:
            folder.joinpath("newsmon.toml").write_text(
                f'feeds = []\n[database]\nurl = "{url}"\n', encoding="utf-8"
            )
            opml = folder / "subs.opml"
            write_opml(opml, count)
            newsmon(folder, source, "init", timeout=120)
            started = time.monotonic()
            try:
                result = newsmon(folder, source, "feeds", "import", str(opml), timeout=timeout)
            except subprocess.TimeoutExpired:
                return None
            elapsed = time.monotonic() - started
            if f"{count} new" not in result.stdout:
                raise SystemExit(f"unexpected output: {result.stdout!r} {result.stderr!r}")
            return elapsed
        finally:
            if base is not None and schema is not None:
                drop_schema(base, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--outlines", type=int, nargs="+", default=[4000, 20000, 100000])
    parser.add_argument("--database-url", help="PostgreSQL base URL (default: SQLite)")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--source", type=Path, default=REPO, help="checkout to run")
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {backend}")
    print(f"source: {args.source}")
    for count in args.outlines:
        seconds = measure(count, args.database_url, args.source, args.timeout)
        shown = f"> {args.timeout:.0f} s (stopped)" if seconds is None else f"{seconds:.2f} s"
        print(f"{count:>8,} outlines: {shown}", flush=True)


if __name__ == "__main__":
    main()
