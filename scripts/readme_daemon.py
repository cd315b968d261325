"""Follow the README's "Run as a daemon" section word for word, in a new virtualenv.

The section's shell block is run as it is written, with bash, in a fresh
copy of the project's tracked files (so nothing installed or generated
here helps it), on built-in defaults: no configuration file and no
``NEWSMON_`` variables.  The check fails when the block fails, when the
daemon did not answer the health check, when the triggered cycle or the
clean stop did not happen, or when a command printed a traceback.

    python scripts/readme_daemon.py        # about a minute, most of it pip

``.ci/run`` runs it after the test suite.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Run as a daemon"


def readme_block() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    found = re.search(r"```sh\n(.*?)```", text[start : end if end > 0 else None], re.S)
    if found is None:
        raise SystemExit(f"README.md: no ```sh block under {SECTION!r}")
    return found.group(1)


def copy_project(target: Path) -> None:
    """The files git tracks, as a fresh clone would have them (working-tree content)."""
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True
    ).stdout.split(b"\0")
    for raw in filter(None, names):
        source = REPO / raw.decode()
        if source.is_file():
            dest = target / raw.decode()
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(source.read_bytes())


def main() -> int:
    block = readme_block()
    with tempfile.TemporaryDirectory(prefix="newsmon-readme-") as tmp:
        project = Path(tmp) / "newsmon"
        copy_project(project)
        # As a newcomer's shell: no newsmon settings, and not inside our own virtualenv.
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
        active = env.pop("VIRTUAL_ENV", None)
        if active:
            ours = str(Path(active) / "bin")
            env["PATH"] = os.pathsep.join(
                p for p in env.get("PATH", "").split(os.pathsep) if p != ours
            )
        print(f"running the README block in {project}:\n{block}", flush=True)
        result = subprocess.run(
            ["bash", "-e", "-c", block],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        out, err = result.stdout, result.stderr
        problems = []
        if result.returncode != 0:
            problems.append(f"the block exited {result.returncode}")
        checks = {
            "the daemon started": "running (pid" in err,
            "newsmon health reported ok": ": ok;" in out,
            "the trigger ran a manual cycle in the daemon": "(manual):" in err,
            "the trigger printed the cycle's result": "Polled " in out,
            "the daemon stopped cleanly": "newsmon stopped" in err,
            "no traceback": "Traceback" not in out + err,
        }
        problems += [name for name, ok in checks.items() if not ok]
        if problems:
            print(f"stdout:\n{out}\nstderr:\n{err}", file=sys.stderr)
            print(f"README daemon section: FAILED: {'; '.join(problems)}", file=sys.stderr)
            return 1
        print("README daemon section: every step worked (" + ", ".join(checks) + ")")
        return 0


if __name__ == "__main__":
    sys.exit(main())
