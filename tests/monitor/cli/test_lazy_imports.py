"""The lazy-import policy of ``monitor/cli/__init__.py``, kept true.

Short commands (``newsmon --help``, ``newsmon health``, ``newsmon trigger
fetch --no-wait``) load only the configuration, typer/rich and httpx: the
command modules import SQLAlchemy and the storage, the poll cycle, fetching
and parsing, alerts and the dedup engine inside the commands that use them.
A module-level import of any of these in the CLI would slow every command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# What the policy keeps out of a short command, and why it is heavy.
HEAVY = {
    "sqlalchemy": "the database toolkit",
    "alembic": "migrations",
    "monitor.storage": "the storage",
    "monitor.app": "opening the database (migrations, seeds)",
    "monitor.cycle": "the poll cycle",
    "monitor.runner": "the poll cycle",
    "monitor.fetch": "fetching",
    "monitor.parse": "parsing",
    "feedparser": "parsing",
    "trafilatura": "full-text extraction",
    "alerts": "digests and delivery",
    "jinja2": "digest templates",
    "monitor.classify": "the dedup engine",
    "monitor.dedup": "the dedup engine",
    "datasketch": "the dedup engine",
    "numpy": "the dedup engine",
    "scipy": "the dedup engine",
    "apscheduler": "the daemon's scheduler",
}

PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
{code}
"""


def loaded_modules(code: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def heavy_in(modules: set[str]) -> dict[str, str]:
    return {
        name: why
        for name, why in HEAVY.items()
        if any(m == name or m.startswith(name + ".") for m in modules)
    }


@pytest.mark.parametrize(
    "code",
    [
        "import monitor.cli",
        "import sys; from monitor.cli import main; sys.argv = ['newsmon', '--help']; main()",
        "import sys; from monitor.cli import main; sys.argv = ['newsmon', 'trigger', '--help']; "
        "main()",
    ],
    ids=["import", "--help", "trigger --help"],
)
def test_short_commands_load_nothing_heavy(code: str) -> None:
    assert heavy_in(loaded_modules(code)) == {}


def test_the_probe_sees_a_heavy_import() -> None:
    """The check above can fail: opening the database does pull SQLAlchemy in."""
    found = heavy_in(loaded_modules("import monitor.app"))
    assert {"sqlalchemy", "monitor.storage"} <= set(found)
