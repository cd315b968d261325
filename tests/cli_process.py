"""Run ``newsmon`` as a user would, in a scratch folder, with the caller's ``NEWSMON_*``
variables removed so that only the test's own configuration counts.

Two ways, one result type (:class:`subprocess.CompletedProcess`), so a test reads the same
whichever it uses:

* :func:`newsmon` runs the command in this process, through the same entry point
  (:func:`monitor.cli.main`: its exit codes, its one-line errors).  A new interpreter costs
  about 3.5 s of CPU per command (importing SQLAlchemy, the dedup engine, ...); here the
  imports are paid once per test worker.  What a command does is the same in either.
* :func:`newsmon_process` starts ``python -m monitor``: for what only a real process shows
  (the interpreter's exit status, the locale and the terminal's encoding, signals, the
  start-up imports, several processes at once).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Literal, overload

from typer.testing import CliRunner

# A pipe has no terminal width: rich falls back to 80 columns (or COLUMNS), which the tests'
# expected wrapping assumes.  In this process fd 0 may be the developer's terminal, so say it.
PIPE_WIDTH = "80"


def newsmon(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``newsmon *args`` in ``cwd``, in this process; stdout and stderr captured apart.

    An exception that escapes the command is printed as the interpreter would (a traceback
    on stderr, exit status 1), so a test that forbids tracebacks still sees one.
    """
    from monitor.cli import common, main  # the command's own imports, once per worker
    from monitor.logs import setup_logging

    overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith("NEWSMON_")}
    overrides["COLUMNS"] = PIPE_WIDTH
    overrides.update(env or {})
    # A new process's consoles take their width from COLUMNS when they are made, at import.
    for shared in (common.console, common.err_console):
        shared.size = (int(overrides["COLUMNS"] or PIPE_WIDTH), 25)
    root = logging.getLogger()
    saved_logging = (root.handlers[:], root.level)
    saved_cwd = Path.cwd()
    runner = CliRunner()
    code: int
    with runner.isolation(env=overrides) as (out, err, _):
        os.chdir(cwd)
        # The secrets every log line masks are the process's: a new process knows none.
        mask = setup_logging()
        known_secrets, mask.secrets = mask.secrets, []
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                sys.stderr.write(exc.code + "\n")
        except Exception:
            traceback.print_exc(file=sys.stderr)
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.chdir(saved_cwd)
            mask.secrets = known_secrets
            root.handlers[:] = saved_logging[0]  # the command pointed them at its own stderr
            root.setLevel(saved_logging[1])
        stdout, stderr = out.getvalue(), err.getvalue()
    return subprocess.CompletedProcess(
        ["newsmon", *args], code, stdout.decode("utf-8"), stderr.decode("utf-8")
    )


ENTRY = ("-m", "monitor")


@overload
def newsmon_process(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    raw: Literal[False] = False,
    entry: tuple[str, ...] = ENTRY,
) -> subprocess.CompletedProcess[str]: ...


@overload
def newsmon_process(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    raw: Literal[True],
    entry: tuple[str, ...] = ENTRY,
) -> subprocess.CompletedProcess[bytes]: ...


def newsmon_process(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    raw: bool = False,
    entry: tuple[str, ...] = ENTRY,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """``python -m monitor *args`` in a new process.

    ``raw``: the output as bytes, exactly what a terminal would get whatever its encoding.
    ``entry``: what runs newsmon, after ``python`` (a wrapper script, say).
    """
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, *entry, *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=not raw,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
