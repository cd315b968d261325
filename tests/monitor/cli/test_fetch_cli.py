"""``newsmon fetch`` and ``newsmon feeds`` as a user runs them, against a real feed server."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli_process import newsmon
from tests.feedserver import FeedServer, reply, rss, rss_items, static


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


# The ``newsmon fetch --json`` document, field for field and in this order, as it was
# before the cycle's report became a typed value: scripts read it.
FETCH_JSON_SHAPE = {
    "run_id": int,
    "trigger": str,
    "status": str,
    "already_running": bool,
    "started_at": str,
    "finished_at": str,
    "error": type(None),
    "feeds": {"total": int, "ok": int, "not_modified": int, "failed": int, "skipped": int},
    "entries": {"seen": int, "new": int, "matched": int},
    "duration_s": float,
    "errors": list,
    "warnings": list,
    "dedup": {"new_story": int, "update": int, "duplicate": int},
    "classify": {"articles": int, "duration_s": float},
}


def shape(data: object) -> object:
    if isinstance(data, dict):
        return {key: shape(value) for key, value in data.items()}
    return type(data)


def test_fetch_json_keeps_its_fields_and_their_order(server: FeedServer, tmp_path: Path) -> None:
    good = server.route("/good", static(rss(rss_items("shape", 2))))
    missing = server.route("/missing", reply(404))
    write_config(tmp_path, good, missing)
    result = newsmon(tmp_path, "fetch", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert shape(data) == FETCH_JSON_SHAPE
    assert list(data) == list(FETCH_JSON_SHAPE)
    assert [list(data[k]) for k in ("feeds", "entries", "dedup", "classify")] == [
        list(FETCH_JSON_SHAPE[k])
        for k in ("feeds", "entries", "dedup", "classify")  # type: ignore[call-overload]
    ]
    assert data["errors"] == [{"feed": missing, "error": "HTTP 404 Not Found"}]
    assert data["trigger"] == "cli" and data["status"] == "done"

    from monitor.runner import CycleOutcome  # the trigger's reply goes through it unchanged

    assert json.loads(json.dumps(CycleOutcome.from_dict(data).as_dict())) == data


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
    assert imported == {"in_file": 1, "added": 1, "existing": 0, "rejected": []}

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
    # The story-level evidence and every sentence's verdict, with its reason.
    joined = next(lk for lk in explained["links"] if lk["story_id"] == explained["story_id"])
    assert joined["seed"] is True and joined["score"] > 0 and joined["shared_entities"]
    assert explained["sentences"] and all(s["reason"] for s in explained["sentences"])
    shown = newsmon(tmp_path, "explain", f"https://news.example/{labels[0]}").stdout
    assert "Candidate stories" in shown and "Sentences" in shown and "known" in shown

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


def _stories_by_url(tmp_path: Path) -> tuple[dict[str, str], set[frozenset[str]]]:
    lines = newsmon(tmp_path, "export", "--format", "jsonl").stdout.splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    fetched = [r for r in records if r["url"] and r["status"]]
    statuses = {r["url"]: r["status"] for r in fetched}
    groups: dict[int, set[str]] = {}
    for r in fetched:
        groups.setdefault(r["story_id"], set()).add(r["url"])
    return statuses, {frozenset(g) for g in groups.values()}


def test_the_order_items_arrive_in_changes_no_story(server: FeedServer, tmp_path: Path) -> None:
    """Two runs over the same items, published at the same instant in two feeds that answer
    in opposite orders (and list their items in opposite orders), make the same stories."""
    import time

    from tests.feedserver import Reply, Request
    from tests.monitor.test_classify import item

    labels = [
        "b01-syndicated-new-intro",
        "b02-rewrite-keeps-quotes",
        "b12-flash-rewritten",
        "a03-translation-paraphrase",
        "a09-rewrite-of-003",
        "f01-rubio-panama",
    ]
    same_time = "Wed, 02 Apr 2025 12:00:00 GMT"
    items = [{**item(label), "pubDate": same_time} for label in labels]

    def late(body: bytes) -> Callable[[Request], Reply]:
        answer = static(body)

        def handler(request: Request) -> Reply:
            time.sleep(0.6)
            return answer(request)

        return handler

    runs = []
    for number, (first, second) in enumerate([(items[:3], items[3:]), (items[3:], items[:3])]):
        slow = "/a" if number == 0 else "/b"
        feed_a = server.route(f"/r{number}/a", (late if slow == "/a" else static)(rss(first)))
        feed_b = server.route(f"/r{number}/b", (late if slow == "/b" else static)(rss(second)))
        folder = tmp_path / f"run{number}"
        folder.mkdir()
        write_config(folder, feed_a, feed_b)
        assert newsmon(folder, "fetch", "--json").returncode == 0
        runs.append(_stories_by_url(folder))
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == len(labels)


def test_a_scoop_published_before_its_seed_joins_the_seed_story(
    server: FeedServer, tmp_path: Path
) -> None:
    """The seed corpus is what the reader knows, whatever its dates: a rewrite of seed 003
    published three days before it is a duplicate in that seed's story."""
    from tests.monitor.test_classify import item

    scoop = {**item("a09-rewrite-of-003"), "pubDate": "Sat, 29 Nov 2025 09:00:00 GMT"}
    write_config(tmp_path, server.route("/scoop", static(rss([scoop]))))
    assert newsmon(tmp_path, "fetch", "--json").returncode == 0
    records = [
        json.loads(line)
        for line in newsmon(tmp_path, "export", "--format", "jsonl").stdout.splitlines()
    ]
    seed = next(r for r in records if r["id"].startswith("003_"))
    fetched = next(r for r in records if r["url"] == scoop["link"])
    assert fetched["story_id"] == seed["story_id"]
    assert fetched["status"] == "duplicate"


def test_explain_shows_the_page_furniture_set_aside(server: FeedServer, tmp_path: Path) -> None:
    """A byline, a share counter and a newsletter prompt are never news; explain lists them."""
    from tests.monitor.test_classify import item

    copy = item("b01-syndicated-new-intro")
    body = (
        "<p>By Jane Example and John Sample</p><p>1.2k</p>"
        f"<p>{copy['description']}</p>"
        "<p>Sign up for our Morning Briefing newsletter.</p>"
    )
    copy["description"] = html.escape(body)
    write_config(tmp_path, server.route("/furniture", static(rss([copy]))))
    assert newsmon(tmp_path, "fetch", "--json").returncode == 0
    explained = json.loads(newsmon(tmp_path, "explain", copy["link"], "--json").stdout)
    reasons = {line["text"]: line["reason"] for line in explained["furniture"]}
    added = {
        "By Jane Example and John Sample": "byline",
        "1.2k": "counter",
        "Sign up for our Morning Briefing newsletter.": "newsletter prompt",
    }
    assert added.items() <= reasons.items()  # the copy's own captions and dateline go too
    assert explained["status"] == "duplicate"  # what is left is the known seed story
    shown = newsmon(tmp_path, "explain", copy["link"]).stdout
    assert "furniture" in shown and "byline" in shown
