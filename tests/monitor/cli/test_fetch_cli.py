"""``newsmon fetch`` and ``newsmon feeds`` as a user runs them, against a real feed server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.feedserver import FeedServer, reply, rss, rss_items, static
from tests.monitor.cli.test_cli import newsmon


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def write_config(path: Path, *urls: str) -> None:
    feeds = "".join(f'[[feeds]]\nurl = "{u}"\n\n' for u in urls) or "feeds = []  # none\n"
    path.joinpath("newsmon.toml").write_text(feeds + "[fetch]\ntimeout = 5\n", encoding="utf-8")


def test_fetch_json_and_exit_codes(server: FeedServer, tmp_path: Path) -> None:
    good = server.route("/good", static(rss(rss_items("cli", 7))))
    missing = server.route("/missing", reply(404))
    write_config(tmp_path, good, missing)
    result = newsmon(tmp_path, "fetch", "--json")
    assert result.returncode == 0, result.stderr  # a failed feed is not a failed cycle
    data = json.loads(result.stdout)
    assert data["feeds"] == {"total": 2, "ok": 1, "not_modified": 0, "failed": 1, "skipped": 0}
    assert data["entries"] == {"seen": 7, "new": 7, "matched": 0}
    assert data["errors"] == [{"feed": missing, "error": "HTTP 404 Not Found"}]
    assert isinstance(data["duration_s"], float)
    assert f"feed {missing}: failed: HTTP 404 Not Found" in result.stderr

    again = json.loads(newsmon(tmp_path, "fetch", "--json", "--feed", good).stdout)
    assert again["feeds"] == {"total": 1, "ok": 0, "not_modified": 1, "failed": 0, "skipped": 0}

    listed = json.loads(newsmon(tmp_path, "feeds", "list", "--json").stdout)
    health = {f["url"]: f for f in listed}
    assert health[missing]["consecutive_errors"] == 1
    assert health[missing]["last_error"] == "HTTP 404 Not Found"
    assert health[good]["last_status"] == 304

    status = json.loads(newsmon(tmp_path, "status", "--json").stdout)
    assert status["counts"]["articles"] == 7
    assert status["last_fetch"] is not None


def test_unknown_feed_is_a_usage_error(tmp_path: Path) -> None:
    write_config(tmp_path)
    result = newsmon(tmp_path, "fetch", "--feed", "https://nowhere.example/rss")
    assert result.returncode == 2
    assert "no such feed" in result.stderr


def test_feeds_add_discovers_import_export_remove(server: FeedServer, tmp_path: Path) -> None:
    feed = server.route("/rss.xml", static(rss(rss_items("disc", 2), title="Discovered")))
    page = (
        b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/rss.xml"></head><body>home</body></html>'
    )
    home = server.route("/", static(page, "text/html"))
    write_config(tmp_path)
    added = newsmon(tmp_path, "feeds", "add", home, "--name", "Home", "--interval", "1h", "--json")
    assert added.returncode == 0, added.stderr
    data = json.loads(added.stdout)
    assert data["created"] and data["feed"]["url"] == feed
    assert data["feed"]["interval_s"] == 3600

    opml = tmp_path / "subs.opml"
    exported = newsmon(tmp_path, "feeds", "export", "--output", str(opml))
    assert exported.returncode == 0 and feed in opml.read_text(encoding="utf-8")

    assert newsmon(tmp_path, "feeds", "remove", feed).returncode == 0
    assert json.loads(newsmon(tmp_path, "feeds", "list", "--json").stdout) == []
    imported = json.loads(newsmon(tmp_path, "feeds", "import", str(opml), "--json").stdout)
    assert imported == {"in_file": 1, "added": 1}

    bad = newsmon(tmp_path, "feeds", "add", server.route("/nothing", reply(404)))
    assert bad.returncode == 1 and "HTTP 404" in bad.stderr


def test_fetch_classifies_and_explain_stories_export_show_it(
    server: FeedServer, tmp_path: Path
) -> None:
    from tests.monitor.test_classify import item

    labels = ["b01-syndicated-new-intro", "f01-rubio-panama"]
    url = server.route("/news", static(rss([item(label) for label in labels])))
    write_config(tmp_path, url)
    result = newsmon(tmp_path, "fetch", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["entries"]["matched"] == 2
    assert data["dedup"] == {"new_story": 1, "update": 0, "duplicate": 1}

    explained = json.loads(
        newsmon(tmp_path, "explain", f"https://news.example/{labels[0]}", "--json").stdout
    )
    assert explained["status"] == "duplicate"
    assert explained["duplicate_of"] in {c["article_id"] for c in explained["candidates"]}
    assert "Marco Rubio" in explained["topics"] or "NATO" in explained["topics"]
    assert explained["story"]["id"] == explained["story_id"]

    stories = json.loads(newsmon(tmp_path, "stories", "--json").stdout)
    assert len(stories) == 3  # two seed stories and the new one
    lines = newsmon(tmp_path, "export", "--format", "jsonl").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 7
    keys = {
        "id",
        "url",
        "title",
        "published",
        "feed",
        "topics",
        "status",
        "story_id",
        "duplicate_of",
        "score",
        "novel_sentences",
    }
    assert all(keys <= set(r) for r in records)
    later = newsmon(tmp_path, "export", "--since", "2999-01-01").stdout
    assert later == ""
    missing = newsmon(tmp_path, "explain", "nope")
    assert missing.returncode == 2
