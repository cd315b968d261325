"""The ``newsmon`` command in a scratch working directory: in this process, and as a real
subprocess where the exit status of ``python -m monitor`` itself is the point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_process import newsmon, newsmon_process


def test_status_on_embedded_defaults_reports_the_seeds(tmp_path: Path) -> None:
    result = newsmon(tmp_path, "status", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["counts"]["seeds"] == 5
    assert len(data["seeds"]) == 5
    assert all(s["title"] for s in data["seeds"])
    dated = {s["id"]: s["published"] for s in data["seeds"] if s["published"]}
    assert dated == {
        "003_d883f1d9eef1d452": "2025-12-02T23:21:00+00:00",
        "004_98dfb2a54679fe9f": "2025-04-03T00:00:00+00:00",
    }
    assert data["database"]["backend"] == "sqlite"
    assert (tmp_path / "newsmon.db").exists()
    assert data["counts"]["feeds"] >= 3  # the default feeds


def test_init_twice_keeps_five_seeds(tmp_path: Path) -> None:
    first = json.loads(newsmon(tmp_path, "init", "--json").stdout)
    second = json.loads(newsmon(tmp_path, "init", "--json").stdout)
    assert first["seeds"]["added"] == 5
    assert second["seeds"] == {"added": 0, "updated": 0, "unchanged": 5, "skipped": []}
    assert second["migrated"] is False
    listed = json.loads(newsmon(tmp_path, "seeds", "list", "--json").stdout)
    assert len(listed) == 5


def test_config_typo_fails_with_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "newsmon.toml").write_text("[fetch]\nconcurency = 8\n", encoding="utf-8")
    result = newsmon_process(tmp_path, "status")  # the interpreter's exit status
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newsmon: config error: newsmon.toml: [fetch] concurency: unknown key"
    ]
    assert "Traceback" not in result.stderr


def test_wrong_type_through_env_fails_with_exit_2(tmp_path: Path) -> None:
    result = newsmon(tmp_path, "init", env={"NEWSMON_FETCH__TIMEOUT": "soon"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "newsmon: config error: environment variable NEWSMON_FETCH__TIMEOUT: [fetch] timeout:"
    )


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = newsmon(tmp_path, "--config", "nowhere.toml", "status")
    assert result.returncode == 2
    assert result.stderr.strip() == "newsmon: config error: nowhere.toml: no such file"


def test_seeds_add_copies_and_loads(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    mine = tmp_path / "rutte-visit.md"
    mine.write_text(
        "# Rutte visits Kyiv\n\nMark Rutte arrived in Kyiv on Monday.\n", encoding="utf-8"
    )
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe bad")
    result = newsmon(work, "seeds", "add", str(mine), str(bad), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["added"] == 1
    assert data["copied_to"] == [str(Path("seeds") / "rutte-visit.md")]
    assert "bad.txt: not valid UTF-8" in result.stderr
    assert (work / "seeds" / "rutte-visit.md").exists()
    listed = json.loads(newsmon(work, "seeds", "list", "--json").stdout)
    assert {s["id"] for s in listed} >= {"rutte-visit", "000_14f31ae37a60d0e6"}
    assert len(listed) == 6


def test_unreachable_database_is_exit_1_one_line(tmp_path: Path) -> None:
    result = newsmon_process(  # the interpreter's exit status
        tmp_path, "status", env={"NEWSMON_DATABASE__URL": "postgresql+psycopg://u:pw@127.0.0.1:1/x"}
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsmon: error: database ")
    assert ":pw@" not in result.stderr  # the password is never printed


@pytest.mark.parametrize("command", [[], ["seeds"], ["init", "--help"], ["status", "--help"]])
def test_help_is_available(tmp_path: Path, command: list[str]) -> None:
    result = newsmon(tmp_path, *command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_bad_topic_query_is_one_line_at_start(tmp_path: Path) -> None:
    (tmp_path / "newsmon.toml").write_text(
        '[[topics]]\nname = "Ukraine"\nquery = "Ukraine OR (Kyiv"\n', encoding="utf-8"
    )
    result = newsmon(tmp_path, "status")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("newsmon: config error: topic 'Ukraine': query: 'Ukraine OR (Kyiv'")
    assert "character" in line


def test_topics_test_shows_matches(tmp_path: Path) -> None:
    result = newsmon(
        tmp_path,
        "topics",
        "test",
        "--json",
        "--title",
        "È nato un bambino",
        "La Nato ha riunito i ministri a Bruxelles con Mark Rutte.",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["language"] == "it"
    assert {m["topic"] for m in data["matches"]} == {"NATO", "Mark Rutte"}
    nato = next(m for m in data["matches"] if m["topic"] == "NATO")
    assert nato["fields"] == ["text"]  # "nato" in the title is Italian for "born"
