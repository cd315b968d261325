"""The command under a hostile environment: a non-UTF-8 terminal, bad ``NEWSMON_*`` values.

The terminal's encoding is the interpreter's (the locale, ``PYTHONIOENCODING``), so the
commands run as ``python -m monitor`` in a subprocess; the bad values only need the entry point.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli_process import newsmon as run_here
from tests.cli_process import newsmon_process
from tests.feedserver import FeedServer, rss, static

# the module-scoped fixture is built once, on one worker (see --dist loadgroup)
pytestmark = pytest.mark.xdist_group("ascii-terminal")

ASCII_ENV = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
WORDS = "NATO’s summit in Zürich — Rütte speaks"


def newsmon(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return newsmon_process(cwd, *args, env=env, raw=True)  # bytes: what the terminal gets


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A database holding non-ASCII articles (the bundled seeds and one fetched feed), and the
    id of one of them."""
    cwd = tmp_path_factory.mktemp("ascii")
    with FeedServer() as server:
        item = {"title": WORDS, "link": "https://example.org/z", "guid": "z", "description": WORDS}
        url = server.route("/feed", static(rss([item], title="Zürich Post")))
        (cwd / "newsmon.toml").write_text(f'[[feeds]]\nurl = "{url}"\n', encoding="utf-8")
        assert run_here(cwd, "fetch").returncode == 0
    (cwd / "note.txt").write_text(WORDS + "\n", encoding="utf-8")
    return cwd, _article_id(cwd)


def _article_id(cwd: Path) -> str:
    line = run_here(cwd, "export").stdout.splitlines()[0]
    return str(json.loads(line)["id"])


COMMANDS = [
    ["status"],
    ["status", "--json"],
    ["stories"],
    ["export"],
    ["explain", "ARTICLE"],
    ["digest"],
    ["feeds", "list"],
    ["feeds", "list", "--json"],
    ["seeds", "list"],
    ["seeds", "list", "--json"],
    ["topics", "list"],
    ["topics", "test", WORDS],
    ["topics", "test", "--json", WORDS],
    ["trigger", "fetch"],
    ["feeds", "add", "http://127.0.0.1:9/Zürich"],
    ["--help"],
]


@pytest.mark.slow
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a)[:30])
def test_every_command_runs_on_an_ascii_terminal(
    workdir: tuple[Path, str], args: list[str]
) -> None:
    cwd, article = workdir
    args = [article if a == "ARTICLE" else a for a in args]
    result = newsmon(cwd, *args, env=ASCII_ENV)
    stderr = result.stderr.decode("ascii")  # the terminal takes ASCII only: it must be
    stdout = result.stdout.decode("ascii")
    assert "UnicodeEncodeError" not in stderr and "Traceback" not in stderr, stderr
    if "--json" in args:
        json.loads(stdout)  # escaped, still JSON: \u00fc, never \xfc
    if args[0] == "export":
        for line in stdout.splitlines():
            json.loads(line)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("NEWSMON_TOPICS", "[not json", "NEWSMON_TOPICS: not valid JSON"),
        ("NEWSMON_DATABASE", "x", "NEWSMON_DATABASE: not valid JSON"),
        ("NEWSMON_FEEDS", '{"url": 1', "NEWSMON_FEEDS: not valid JSON"),
    ],
)
def test_a_bad_environment_value_is_one_config_line(
    tmp_path: Path, name: str, value: str, expected: str
) -> None:
    result = run_here(tmp_path, "status", env={name: value})
    stderr = result.stderr
    assert result.returncode == 2, stderr
    assert stderr.startswith("newsmon: config error: environment variable "), stderr
    assert expected in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
