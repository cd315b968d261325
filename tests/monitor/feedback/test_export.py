"""Readers' corrections shown and exported as a user runs newsmon: ``explain`` tells who
changed what and when (text and JSON), and ``export --feedback`` writes one line per
corrected article in the real-news dev set's labels format, with the texts beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.feedback.actions import Actor, mark_new, mark_not_new, mark_retelling
from monitor.feedback.export import label
from monitor.storage import Article, ArticleTopic, Database
from monitor.storage.feedback import corrected_articles
from tests.cli_process import newsmon
from tests.monitor.feedback.test_actions import apply, article, story

REALNEWS = Path(__file__).resolve().parents[4] / "shared" / "realnews" / "labels.jsonl"
# The dev set's keys, in its order (README: id, event, kind, role, url, ... note).
KEYS = [
    "id",
    "event",
    "kind",
    "role",
    "url",
    "title",
    "date",
    "language",
    "topics",
    "new_facts",
    "furniture",
    "note",
]
ADMIN = Actor("admin", "console")
READER = Actor("reader@example.org", "link")


@pytest.fixture
def corrected(db: Database) -> dict[str, int]:
    """Story S (a first, b an update, c a duplicate) and story X (x1, quiet); readers then
    say: c is new (an update), b is a story of its own, x1 is not new, and then that b
    retells X (so b's own story merges into X)."""
    s, x = story(db, "S"), story(db, "X")
    article(db, "a", s, "new_story", 0, url="https://news.example/a", language="en")
    article(db, "b", s, "update", 1, duplicate_of_id="a", novel_sentences=["Only b says it."])
    article(db, "c", s, "duplicate", 2, duplicate_of_id="a", url="https://news.example/c")
    article(db, "x1", x, "new_story", 3)
    article(db, "quiet", x, "duplicate", 4, duplicate_of_id="x1")  # nobody corrected it
    with db.session() as session:
        session.add(ArticleTopic(article_id="c", topic="NATO", fields=["text"], spans=[]))
    apply(db, mark_new, "c", ADMIN)
    apply(db, mark_new, "b", READER, as_story=True)
    apply(db, mark_not_new, "x1", READER)
    with db.session() as session:
        b_story = session.scalar(select(Article.story_id).where(Article.id == "b"))
    assert b_story is not None
    apply(db, mark_retelling, "b", x, ADMIN)  # b's own story merges into X
    return {"S": s, "X": x, "B": b_story}


def test_labels_say_what_readers_said(db: Database, corrected: dict[str, int]) -> None:
    s, x = corrected["S"], corrected["X"]
    with db.session() as session:
        rows = {a.id: label(a, f) for a, f in corrected_articles(session)}
    assert list(rows) == ["c", "b", "x1"]  # first corrected first; the uncorrected left out
    assert all(list(row) == KEYS for row in rows.values())
    c, b, x1 = rows["c"], rows["b"], rows["x1"]
    assert (c["event"], c["role"], c["kind"]) == (f"story-{s}", "followup", "report")
    assert c["url"] == "https://news.example/c" and c["topics"] == ["NATO"]
    assert c["date"] == "2026-03-01" and c["furniture"] is False
    # The facts the digest showed as new: its lead, since the engine had found none.
    assert c["new_facts"].startswith("Things happened to c today.")
    assert c["note"].startswith("new_update by admin (console) at 20")
    assert c["note"].endswith(f"newsmon had said duplicate in story {s}")
    # b's latest correction counts: a retelling of X (after being a story of its own).
    assert (b["event"], b["role"], b["new_facts"]) == (f"story-{x}", "rewrite", "")
    assert f"had said new_story in story {corrected['B']}" in b["note"]
    assert (x1["event"], x1["role"]) == (f"story-{x}", "rewrite")
    assert x1["note"].startswith("not_new by reader@example.org (link)")


@pytest.mark.skipif(not REALNEWS.exists(), reason=f"{REALNEWS} is not there")
def test_the_keys_are_the_dev_set_s() -> None:
    first = json.loads(REALNEWS.read_text("utf-8").splitlines()[0])
    assert list(first) == KEYS


@pytest.fixture
def cli_home(tmp_path: Path, db_url: str) -> tuple[Path, dict[str, str]]:
    """A folder to run newsmon in, on the test's database, with no seeds to load."""
    tmp_path.joinpath("newsmon.toml").write_text(
        'feeds = []\n\n[seeds]\ninclude_bundled = false\ndir = "no-seeds"\n', encoding="utf-8"
    )
    return tmp_path, {"NEWSMON_DATABASE__URL": db_url}


def test_export_feedback_writes_labels_and_texts(
    db: Database, corrected: dict[str, int], cli_home: tuple[Path, dict[str, str]]
) -> None:
    home, env = cli_home
    printed = newsmon(home, "export", "--feedback", env=env)
    assert printed.returncode == 0, printed.stderr
    lines = [json.loads(line) for line in printed.stdout.splitlines()]
    assert [(row["id"], row["role"]) for row in lines] == [
        ("c", "followup"),
        ("b", "rewrite"),
        ("x1", "rewrite"),
    ]

    out = home / "mine" / "labels.jsonl"
    out.parent.mkdir()
    written = newsmon(home, "export", "--feedback", "--output", str(out), env=env)
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert "3 articles written to" in written.stderr
    assert [json.loads(line) for line in out.read_text("utf-8").splitlines()] == lines
    texts = out.parent / "articles"
    assert sorted(p.name for p in texts.iterdir()) == ["b.txt", "c.txt", "x1.txt"]
    assert texts.joinpath("c.txt").read_text("utf-8").startswith("Things happened to c today.")
    assert not list(out.parent.glob(".*partial"))

    # --context: the uncorrected first article of c's story, so that what c updates is there
    # when the labels are replayed (X's first is b, itself corrected: nothing added for it).
    with_context = newsmon(home, "export", "--feedback", "--context", env=env)
    rows = [json.loads(line) for line in with_context.stdout.splitlines()]
    assert [(row["id"], row["role"]) for row in rows] == [
        ("a", "first"),
        ("c", "followup"),
        ("b", "rewrite"),
        ("x1", "rewrite"),
    ]
    assert rows[0]["event"] == f"story-{corrected['S']}" and list(rows[0]) == KEYS
    assert rows[0]["note"].startswith("context, not a correction")


def test_export_refuses_what_it_cannot_do(
    db: Database, cli_home: tuple[Path, dict[str, str]]
) -> None:
    home, env = cli_home
    nowhere = newsmon(home, "export", "--feedback", "-o", str(home / "no" / "x.jsonl"), env=env)
    assert nowhere.returncode == 2 and "no such folder" in nowhere.stderr
    assert not (home / "no").exists()
    both = newsmon(home, "export", "--feedback", "--since", "2025-01-01", env=env)
    assert both.returncode == 2 and "--since does not apply to --feedback" in both.stderr
    alone = newsmon(home, "export", "--context", env=env)
    assert alone.returncode == 2 and "--context goes with --feedback" in alone.stderr
    empty = newsmon(home, "export", "--feedback", env=env)
    assert empty.returncode == 0 and empty.stdout == ""


def test_explain_shows_the_feedback_history(
    db: Database, corrected: dict[str, int], cli_home: tuple[Path, dict[str, str]]
) -> None:
    home, env = cli_home
    s, x, own = corrected["S"], corrected["X"], corrected["B"]
    data = json.loads(newsmon(home, "explain", "b", "--json", env=env).stdout)
    assert (data["status"], data["layer"], data["story_id"]) == ("duplicate", "feedback", x)
    history = data["feedback"]
    assert [(h["action"], h["actor"], h["via"]) for h in history] == [
        ("new_story", "reader@example.org", "link"),
        ("retelling", "admin", "console"),
    ]
    assert history[0]["before"] == {
        "status": "update",
        "story_id": s,
        "layer": "story",
        "duplicate_of": "a",
    }
    # b's own story was merged into X, and so deleted: the next row says which it was.
    assert history[0]["description"] == (
        f"marked new: a story of its own (a story since merged); was update in story {s}"
    )
    assert history[1]["description"] == (
        f"marked a retelling of story {x}, its whole story merged into it; "
        f"was new_story in story {own}"
    )
    text = newsmon(home, "explain", "b", env=env)
    assert text.returncode == 0, text.stderr
    shown = " ".join(text.stdout.split())  # as read, whatever the terminal's wrapping
    assert "decided by the feedback layer" in shown
    assert "by reader@example.org (link): marked new: a story of its own" in shown
    assert f"by admin (console): marked a retelling of story {x}, its whole story" in shown
    untouched = json.loads(newsmon(home, "explain", "quiet", "--json", env=env).stdout)
    assert untouched["feedback"] == []
