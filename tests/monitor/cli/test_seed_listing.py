"""``status`` and ``seeds list`` read only the columns they show, and a seed over
``[seeds] max_bytes`` is skipped with one warning line (issue 12, item 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.app import open_database
from monitor.cli import app
from monitor.config import load_settings
from tests.cli_process import newsmon
from tests.conftest import SEEDS

BIG_CHARS = 400_000  # far below the default cap, far above any column newsmon needs to show


def write_config(tmp_path: Path, db_url: str, extra: str = "") -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, seeds / path.name)
    body = "Rutte said the alliance is united. " * (BIG_CHARS // 35)
    (seeds / "big.txt").write_text(f"# A big seed\n\n{body}\n", encoding="utf-8")
    config = tmp_path / "newsmon.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n'
        f'[seeds]\ndir = "{seeds}"\ninclude_bundled = false\n{extra}'
        '[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("command", [["status", "--json"], ["seeds", "list", "--json"]])
def test_status_and_seeds_list_never_fetch_article_texts(
    db_url: str, tmp_path: Path, fetched_columns: list[str], command: list[str]
) -> None:
    config = write_config(tmp_path, db_url)
    db, report = open_database(load_settings(config))  # first start: load and cluster seeds
    db.dispose()
    assert report.seeds.added == 6
    fetched_columns.clear()
    result = CliRunner().invoke(app, ["--config", str(config), *command])
    assert result.exit_code == 0, result.output
    assert fetched_columns, "the command ran its queries"
    assert "text" not in fetched_columns
    data = json.loads(result.stdout)
    seeds = data["seeds"] if command[0] == "status" else data
    by_id = {s["id"]: s for s in seeds}
    assert set(by_id) == {p.stem for p in SEEDS.glob("*.txt")} | {"big"}
    assert by_id["big"]["title"] == "A big seed"
    if command[0] == "seeds":
        assert by_id["big"]["chars"] > BIG_CHARS - 100
    else:
        assert data["counts"]["seeds"] == 6


def test_a_seed_over_the_cap_is_one_warning_line_and_the_rest_load(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", "max_bytes = 100000\n")
    result = newsmon(tmp_path, "--config", str(config), "status", "--json")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "big.txt" in line]
    assert len(warnings) == 1, result.stderr
    assert "over [seeds] max_bytes (100,000)" in warnings[0]
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["counts"]["seeds"] == 5


def test_seeds_add_refuses_a_file_over_the_cap_and_copies_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", "max_bytes = 100000\n")
    outside = tmp_path / "incoming"
    outside.mkdir()
    shutil.move(tmp_path / "seeds" / "big.txt", outside / "big.txt")
    result = newsmon(tmp_path, "--config", str(config), "seeds", "add", str(outside / "big.txt"))
    assert result.returncode == 1
    warnings = [line for line in result.stderr.splitlines() if "big.txt" in line]
    assert len(warnings) == 1 and "over [seeds] max_bytes (100,000)" in warnings[0]
    assert not (tmp_path / "seeds" / "big.txt").exists()
