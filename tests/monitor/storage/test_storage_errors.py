"""Database failures at the storage boundary: a full disk, a lock held too long, bad SQL.

Each is made to happen for real: SQLite's ``max_page_count`` gives a true
"database or disk is full" (SQLITE_FULL) mid-cycle, a PostgreSQL trigger
raises the server's own ``disk_full`` error, and a lock is held by another
connection (``BEGIN IMMEDIATE`` / ``LOCK TABLE``).  The commands that fail run as a
user runs them, in a subprocess, and must end with one line, the right exit code,
and nothing committed lost.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from monitor.errors import DatabaseUnavailable, StorageError
from monitor.storage import Database, Feed
from tests.cli_process import newsmon, newsmon_process
from tests.feedserver import FeedServer, rss, rss_items, static

# Runs the real CLI with every SQLite connection capped at ``limit`` pages.
CAPPED_CLI = textwrap.dedent(
    """
    import sys
    from sqlalchemy import Engine, event

    limit = int(sys.argv[1])

    @event.listens_for(Engine, "connect")
    def _cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count={limit}")

    from monitor.cli import main

    main(sys.argv[2:])
    """
)
FEEDS, ITEMS = 30, 40


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def run_cli(cwd: Path, *args: str, prefix: tuple[str, ...] = ("-m", "monitor")) -> Result:
    started = time.monotonic()
    proc = newsmon_process(cwd, *args, entry=prefix)
    return Result(proc, time.monotonic() - started)


class Result:
    def __init__(self, proc: subprocess.CompletedProcess[str], elapsed: float) -> None:
        self.returncode, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr
        self.elapsed = elapsed
        self.lines = proc.stderr.strip().splitlines()


def write_config(
    cwd: Path, db_url: str, urls: list[str], busy_timeout: float | None = None
) -> None:
    (cwd / "seeds").mkdir(exist_ok=True)
    feeds = "".join(f'[[feeds]]\nurl = "{u}"\n\n' for u in urls)
    wait = f"busy_timeout = {busy_timeout}\n" if busy_timeout is not None else ""
    cwd.joinpath("newsmon.toml").write_text(
        f'[database]\nurl = "{db_url}"\n{wait}\n'
        "[seeds]\ninclude_bundled = false\n\n"
        f"{feeds}[fetch]\ntimeout = 5\n",
        encoding="utf-8",
    )


def assert_one_clean_line(result: Result) -> str:
    """The last stderr line is newsmon's own; nothing anywhere carries SQL or a traceback."""
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "Task exception was never retrieved" not in result.stderr
    for leak in ("[SQL", "[parameters", "INSERT ", "UPDATE ", "SELECT "):
        assert leak not in result.stderr, result.stderr[-3000:]
    last = result.lines[-1]
    assert last.startswith("newsmon: error: "), result.stderr
    return last


@pytest.mark.slow
def test_a_full_disk_fails_the_cycle_in_one_line_and_keeps_committed_feeds(
    db_url: str, tmp_path: Path, server: FeedServer
) -> None:
    urls = [
        server.route(f"/f{i}", static(rss(rss_items(f"disk{i}-" + "x" * 300, ITEMS))))
        for i in range(FEEDS)
    ]
    write_config(tmp_path, db_url, urls)
    assert newsmon(tmp_path, "init").returncode == 0  # set-up: in this process
    engine = create_engine(db_url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            pages = conn.execute(text("PRAGMA page_count")).scalar_one()
        # Room for a few feeds' articles, not for thirty.
        result = run_cli(tmp_path, str(pages + 60), "fetch", "--json", prefix=("-c", CAPPED_CLI))
    else:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE FUNCTION fill_disk() RETURNS trigger AS $$ BEGIN "
                    "IF (SELECT count(*) FROM articles) >= 200 THEN "
                    "RAISE EXCEPTION 'could not extend file: No space left on device' "
                    "USING ERRCODE = 'disk_full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER fill_disk BEFORE INSERT ON articles "
                    "FOR EACH ROW EXECUTE FUNCTION fill_disk()"
                )
            )
        result = run_cli(tmp_path, "fetch", "--json")

    assert result.returncode == 1, result.stderr[-3000:]
    last = assert_one_clean_line(result)
    assert "full" in last or "No space left" in last, last
    assert len(result.lines) <= 3, result.stderr  # the runner's log line, then the CLI's
    outcome = json.loads(result.stdout)  # --json still gets its document, the cause on stderr
    assert outcome["status"] == "failed" and "\n" not in outcome["error"]

    with engine.connect() as conn:
        status, error = conn.execute(
            text("SELECT status, error FROM cycle_runs ORDER BY id DESC LIMIT 1")
        ).one()
        per_feed = dict(
            conn.execute(
                text("SELECT feed_id, count(*) FROM articles WHERE NOT is_seed GROUP BY feed_id")
            ).all()
        )
        fetched = set(
            conn.execute(text("SELECT id FROM feeds WHERE last_fetched_at IS NOT NULL")).scalars()
        )
    engine.dispose()
    assert status == "failed"
    assert "\n" not in error and "[SQL" not in error and "INSERT" not in error, error
    assert "full" in error or "No space left" in error, error
    assert per_feed, "feeds committed before the disk filled are kept"
    assert set(per_feed.values()) == {ITEMS}, per_feed  # each feed whole or not at all
    assert set(per_feed) <= fetched  # with its state
    assert len(per_feed) < FEEDS


@pytest.fixture
def locked(db_url: str) -> Iterator[None]:
    """Another process holds the write lock: ``BEGIN IMMEDIATE`` or ``LOCK TABLE``."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(url.database or "", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.rollback()
        conn.close()
        return
    engine = create_engine(db_url)
    with engine.connect() as conn:
        # EXCLUSIVE: others may still read, as beside a writing daemon.
        conn.execute(text("LOCK TABLE feeds, cycle_runs, process_locks IN EXCLUSIVE MODE"))
        yield
        conn.rollback()
    engine.dispose()


@pytest.mark.parametrize("command", ["fetch", "feeds remove"])
def test_a_locked_database_fails_after_busy_timeout_in_one_line(
    db_url: str, tmp_path: Path, server: FeedServer, command: str, request: pytest.FixtureRequest
) -> None:
    url = server.route("/feed", static(rss(rss_items("locked", 3))))
    write_config(tmp_path, db_url, [url], busy_timeout=1)
    assert newsmon(tmp_path, "init").returncode == 0  # set-up: in this process
    request.getfixturevalue("locked")

    args = command.split() + ([url] if command == "feeds remove" else [])
    result = run_cli(tmp_path, *args)

    assert result.returncode == 1, result.stderr
    last = assert_one_clean_line(result)
    assert len(result.lines) == 1, result.stderr
    assert "locked" in last or "lock timeout" in last, last
    assert result.elapsed < 20  # waited [database] busy_timeout, not 30 s


def test_storage_error_is_one_line_without_sql_or_parameters(db: Database) -> None:
    secret = "https://example.org/feed-that-is-a-parameter"
    with db.session() as session:
        session.add(Feed(url=secret))
    with pytest.raises(StorageError) as caught, db.session() as session:
        session.add(Feed(url=secret))
    message = str(caught.value)
    assert "\n" not in message
    assert secret not in message and "INSERT" not in message and "[SQL" not in message
    assert "writing feeds" in message and ("UNIQUE" in message or "duplicate key" in message)
    assert not isinstance(caught.value, DatabaseUnavailable)  # about the data, not the database
    assert caught.value.__cause__ is not None  # the driver's error, for debugging


def test_an_unreachable_database_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()  # a folder where the database file should be
    db = Database.from_url(f"sqlite:///{tmp_path / 'adir'}", busy_timeout=1)
    with (
        pytest.raises(DatabaseUnavailable, match="unable to open database file"),
        db.session("reading feeds") as session,
    ):
        session.execute(text("SELECT 1"))
    db.dispose()
