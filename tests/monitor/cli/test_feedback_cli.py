"""``newsmon feedback`` as an operator runs it: the console's corrections from a shell,
recorded as given via the CLI, with one-line errors that change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.storage import Article, Database
from monitor.storage.models import Feedback, StoryMute, Unsubscription
from tests.cli_process import newsmon
from tests.monitor.feedback.test_actions import article, story


@pytest.fixture
def home(tmp_path: Path, db: Database, db_url: str) -> tuple[Path, dict[str, str], dict[str, int]]:
    tmp_path.joinpath("newsmon.toml").write_text(
        'feeds = []\n\n[seeds]\ninclude_bundled = false\ndir = "no-seeds"\n', encoding="utf-8"
    )
    s, x = story(db, "S"), story(db, "X")
    article(db, "a", s, "new_story", 0)
    article(db, "c", s, "duplicate", 2, duplicate_of_id="a", url="https://news.example/c")
    article(db, "x1", x, "new_story", 3)
    return tmp_path, {"NEWSMON_DATABASE__URL": db_url}, {"S": s, "X": x}


def decision(db: Database, article_id: str) -> tuple[str | None, int | None]:
    with db.session() as session:
        row = session.get(Article, article_id)
        assert row is not None
        return row.status, row.story_id


def test_corrections_from_the_shell(
    db: Database, home: tuple[Path, dict[str, str], dict[str, int]]
) -> None:
    cwd, env, ids = home
    made = newsmon(
        cwd, "feedback", "new", "https://news.example/c", "--story", "--as", "ops", env=env
    )
    assert made.returncode == 0, made.stderr
    status, own = decision(db, "c")
    assert status == "new_story" and own not in (ids["S"], ids["X"])
    assert made.stdout.strip() == f"article c is now story {own}"

    again = newsmon(cwd, "feedback", "new", "c", "--story", "--json", env=env)
    assert json.loads(again.stdout) == {
        "changed": False,
        "message": f"article c already starts story {own}",
        "feedback_id": None,
    }
    retold = json.loads(
        newsmon(cwd, "feedback", "retelling", "c", str(ids["X"]), "--json", env=env).stdout
    )
    assert retold["changed"] and isinstance(retold["feedback_id"], int)
    assert decision(db, "c") == ("duplicate", ids["X"])
    assert newsmon(cwd, "feedback", "not-new", "a", env=env).returncode == 0
    assert decision(db, "a") == ("duplicate", ids["S"])

    recipient = "r@example.org"
    assert newsmon(cwd, "feedback", "mute", str(ids["X"]), recipient, env=env).returncode == 0
    assert newsmon(cwd, "feedback", "unsubscribe", recipient, env=env).returncode == 0
    with db.session() as session:
        assert session.get(StoryMute, (ids["X"], recipient)) is not None
        assert session.get(Unsubscription, recipient) is not None
    assert newsmon(cwd, "feedback", "unmute", str(ids["X"]), recipient, env=env).returncode == 0
    assert newsmon(cwd, "feedback", "resubscribe", recipient, env=env).returncode == 0
    with db.session() as session:
        assert session.get(StoryMute, (ids["X"], recipient)) is None
        assert session.get(Unsubscription, recipient) is None

    listed = json.loads(newsmon(cwd, "feedback", "list", "--json", env=env).stdout)
    assert [row["action"] for row in listed] == [
        "resubscribe",
        "unmute",
        "unsubscribe",
        "mute",
        "not_new",
        "retelling",
        "new_story",
    ]
    assert {row["via"] for row in listed} == {"cli"}
    assert listed[-1]["actor"] == "ops"
    shown = newsmon(cwd, "feedback", "list", "--limit", "1", env=env).stdout
    assert shown.count("\n") == 1 and f"resubscribed {recipient}" in shown


def test_what_cannot_apply_is_one_line_and_changes_nothing(
    db: Database, home: tuple[Path, dict[str, str], dict[str, int]]
) -> None:
    cwd, env, ids = home
    unknown = newsmon(cwd, "feedback", "not-new", "https://nowhere.example/x", env=env)
    assert unknown.returncode == 2 and "no article with id or URL" in unknown.stderr
    own = newsmon(cwd, "feedback", "retelling", "x1", str(ids["X"]), env=env)
    assert own.returncode == 1
    assert own.stderr.strip().splitlines() == [
        f"newsmon: error: article x1 is already in story {ids['X']}: say it is not new instead"
    ]
    missing = newsmon(cwd, "feedback", "mute", "999", "r@example.org", env=env)
    assert missing.returncode == 1 and "no story 999" in missing.stderr
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Feedback)) == 0
    assert decision(db, "c") == ("duplicate", ids["S"])
    assert decision(db, "x1") == ("new_story", ids["X"])
