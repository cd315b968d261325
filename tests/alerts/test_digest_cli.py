"""``newsmon digest`` as a user runs it (through the command's entry point), on a database
holding the example corpus."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from monitor.storage import Database
from monitor.storage.models import Digest
from tests.alerts.corpus import ExampleCorpus
from tests.cli_process import newsmon
from tests.conftest import SEEDS


@pytest.fixture
def workdir(tmp_path: Path, _sqlite_world: tuple[Path, ExampleCorpus]) -> Path:
    """A folder whose newsmon.toml points at a copy of the session's world."""
    url = f"sqlite:///{tmp_path / 'newsmon.db'}"
    shutil.copyfile(_sqlite_world[0], tmp_path / "newsmon.db")
    (tmp_path / "newsmon.toml").write_text(
        "feeds = []\n"
        f'[database]\nurl = "{url}"\n'
        f'[seeds]\ndir = "{SEEDS}"\ninclude_bundled = false\n'
        '[email]\nfrom = "digest@newsmon.example"\nto = ["reader@example.org"]\n',
        encoding="utf-8",
    )
    return tmp_path


LEASE_END = datetime(2099, 1, 1, 8, 0, tzinfo=UTC)


def digests(workdir: Path) -> list[tuple[str, str]]:
    db = Database.from_url(f"sqlite:///{workdir / 'newsmon.db'}")
    try:
        with db.session() as s:
            return [(d.status, d.subject) for d in s.scalars(select(Digest).order_by(Digest.id))]
    finally:
        db.dispose()


def test_plan_preview_send(workdir: Path) -> None:
    plan = newsmon(workdir, "digest", "--json")
    assert plan.returncode == 0, plan.stderr
    data = json.loads(plan.stdout)
    assert data["transport"] == "outbox folder outbox"
    [who] = data["recipients"]
    assert who["recipient"] == "reader@example.org" and who["new_stories"] == 3
    assert who["subject"].startswith("NATO, Marco Rubio, Mark Rutte: 3 new stories, 2 updates")

    preview = newsmon(workdir, "digest", "--preview", "digest.html")
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith("Wrote digest.html: NATO, Marco Rubio, Mark Rutte:")
    assert "Eleven NATO allies" in (workdir / "digest.html").read_text(encoding="utf-8")
    assert digests(workdir) == []  # plan and preview change nothing

    sent = newsmon(workdir, "digest", "--send")
    assert sent.returncode == 0, sent.stderr
    assert "reader@example.org: sent: " in sent.stdout
    assert [status for status, _ in digests(workdir)] == ["sent"]
    assert len(list((workdir / "outbox").glob("*.eml"))) == 1
    again = newsmon(workdir, "digest", "--send", "--json")
    assert json.loads(again.stdout)["recipients"][0]["skipped"] == "nothing new"


def test_failed_send_exits_1_in_one_line_without_the_password(workdir: Path) -> None:
    result = newsmon(
        workdir,
        "digest",
        "--send",
        env={
            "NEWSMON_EMAIL__SMTP_URL": "smtp://bot:pw-Hunter2@127.0.0.1:1",
            "NEWSMON_EMAIL__TIMEOUT": "3",
        },
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "newsmon: error: 1 digest not delivered (kept; retried later): "
        "smtp://bot@127.0.0.1:1: connection refused"
    )
    assert "Hunter2" not in result.stdout + result.stderr
    assert "NOT delivered" in result.stdout
    assert [status for status, _ in digests(workdir)] == ["pending"]
    waiting = json.loads(newsmon(workdir, "digest", "--json").stdout)["waiting"]
    assert [w["attempts"] for w in waiting] == [1]


def test_unknown_recipient_is_exit_2(workdir: Path) -> None:
    result = newsmon(workdir, "digest", "--recipient", "nobody@example.org")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("newsmon: config error: --recipient: 'nobody@example.org' is not")
    db = Database.from_url(f"sqlite:///{workdir / 'newsmon.db'}")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Digest)) == 0
    db.dispose()


def test_send_right_after_an_outage_sends_the_kept_digest_now(workdir: Path) -> None:
    down = {"NEWSMON_EMAIL__SMTP_URL": "smtp://127.0.0.1:1", "NEWSMON_EMAIL__TIMEOUT": "3"}
    assert newsmon(workdir, "digest", "--send", env=down).returncode == 1
    # The server is back (here: the outbox folder); the kept digest's backoff has not run
    # out, but a manual send means now.
    again = newsmon(workdir, "digest", "--send")
    assert again.returncode == 0, again.stderr
    assert "retried digest 1: sent" in again.stdout
    assert "reader@example.org: nothing new" in again.stdout
    assert [status for status, _ in digests(workdir)] == ["sent"]
    assert len(list((workdir / "outbox").glob("*.eml"))) == 1


def test_send_says_when_a_digest_being_sent_elsewhere_goes(workdir: Path) -> None:
    down = {"NEWSMON_EMAIL__SMTP_URL": "smtp://127.0.0.1:1"}
    assert newsmon(workdir, "digest", "--send", env=down).returncode == 1
    db = Database.from_url(f"sqlite:///{workdir / 'newsmon.db'}")
    with db.session() as s:  # another process has just claimed it and is sending it
        s.execute(update(Digest).values(last_error=None, next_attempt_at=LEASE_END))
    db.dispose()
    result = newsmon(workdir, "digest", "--send", "--json")
    assert result.returncode == 0, result.stderr
    [waiting] = json.loads(result.stdout)["waiting"]
    assert waiting["id"] == 1 and waiting["attempts"] == 1
    text = newsmon(workdir, "digest", "--send")
    assert (
        "digest 1 to reader@example.org is being sent by another newsmon process; "
        "if that process died, it is retried after 2099-01-01 08:00 UTC"
    ) in text.stdout
    assert [status for status, _ in digests(workdir)] == ["pending"]
