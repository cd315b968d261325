"""Run ``python -m monitor`` as a user would: a real subprocess in a scratch folder, with the
caller's ``NEWSMON_*`` variables removed so that only the test's own configuration counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Literal, overload


@overload
def newsmon(
    cwd: Path, *args: str, env: dict[str, str] | None = None, raw: Literal[False] = False
) -> subprocess.CompletedProcess[str]: ...


@overload
def newsmon(
    cwd: Path, *args: str, env: dict[str, str] | None = None, raw: Literal[True]
) -> subprocess.CompletedProcess[bytes]: ...


def newsmon(
    cwd: Path, *args: str, env: dict[str, str] | None = None, raw: bool = False
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """``raw``: the output as bytes, exactly what a terminal would get whatever its encoding."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=not raw,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
