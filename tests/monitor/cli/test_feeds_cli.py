"""``newsmon feeds`` with input the database cannot take as it is, and feed URLs that
carry credentials: one line per problem, nothing else lost, no password shown
(run through the command's entry point, on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from monitor.storage import Database
from monitor.storage.feeds import list_feeds
from monitor.storage.limits import FEED_NAME_MAX
from tests.cli_process import newsmon

HUGE = "https://huge.example/rss?" + "q" * 3000
SECRET = "https://reader:s3cret-pw@private.example/feed.xml"


@pytest.fixture
def home(tmp_path: Path, db_url: str, db: Database) -> Path:
    """A working directory whose newsmon.toml points at the test database (migrated)."""
    tmp_path.joinpath("newsmon.toml").write_text(
        f'feeds = []\n[database]\nurl = "{db_url}"\n[seeds]\ninclude_bundled = false\n',
        encoding="utf-8",
    )
    return tmp_path


def stored_urls(db: Database) -> set[str]:
    with db.session() as session:
        return {f.url for f in list_feeds(session)}


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "INSERT" not in stderr
    return lines[0]


def test_add_refuses_a_url_too_long_to_store(home: Path, db: Database) -> None:
    result = newsmon(home, "feeds", "add", HUGE, "--no-check")
    assert result.returncode == 2
    assert "over the 2,048" in one_line_error(result.stderr)
    assert stored_urls(db) == set()


def test_add_refuses_a_name_too_long_to_store(home: Path, db: Database) -> None:
    name = "n" * (FEED_NAME_MAX + 1)
    result = newsmon(home, "feeds", "add", "https://a.example/rss", "--name", name, "--no-check")
    assert result.returncode == 2
    assert f"at most {FEED_NAME_MAX}" in one_line_error(result.stderr)
    assert stored_urls(db) == set()


def test_import_reports_each_rejected_outline_and_imports_the_rest(
    home: Path, db: Database
) -> None:
    outlines = [
        ("https://a.example/rss", "A"),
        (HUGE, "huge"),
        ("https://b.example/rss", "T" * 400),
        (SECRET, "private"),
    ]
    opml = home / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        + "".join(f"<outline text={quoteattr(t)} xmlUrl={quoteattr(u)}/>" for u, t in outlines)
        + "</body></opml>",
        encoding="utf-8",
    )
    result = newsmon(home, "feeds", "import", str(opml))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "INSERT" not in result.stderr
    problems = result.stderr.splitlines()
    assert len(problems) == 2, result.stderr
    assert problems[0].startswith("newsmon: outline 2 skipped (https://huge.example/rss?qq")
    assert "over the 2,048" in problems[0]
    assert problems[1].startswith("newsmon: outline 3: title cut to 300 characters")
    summary = " ".join(result.stdout.split())  # rich wraps at 80 columns, where the path ends
    assert "4 feeds in" in summary and "3 new" in summary and "1 skipped" in summary
    assert stored_urls(db) == {"https://a.example/rss", "https://b.example/rss", SECRET}

    again = json.loads(newsmon(home, "feeds", "import", str(opml), "--json").stdout)
    assert again["added"] == 0 and again["existing"] == 3
    assert [r["outline"] for r in again["rejected"]] == [2]


def test_credentials_in_feed_urls_are_never_shown(home: Path, db: Database) -> None:
    added = newsmon(home, "feeds", "add", SECRET, "--no-check")
    assert added.returncode == 0, added.stderr
    assert "reader:***@private.example" in added.stdout
    added_json = newsmon(home, "feeds", "add", SECRET, "--no-check", "--json")
    listed = newsmon(home, "feeds", "list", env={"COLUMNS": "200"})  # no wrapping
    listed_json = newsmon(home, "feeds", "list", "--json")
    assert "reader:***@" in listed_json.stdout
    removed = newsmon(home, "feeds", "remove", SECRET)
    for result in (added, added_json, listed, listed_json, removed):
        assert result.returncode == 0, result.stderr
        assert "s3cret" not in result.stdout + result.stderr
    assert "private.example" in listed.stdout
    assert stored_urls(db) == set()  # removed by its real URL
