"""The real daemon as a subprocess (``python -m monitor run``), with a fast schedule.

:func:`write_config` writes a ``newsmon.toml`` pointing at the test's feed
server, SMTP server and database; :class:`DaemonProcess` starts ``newsmon
run`` in that folder, follows its log, and stops it with a signal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.daemon.token import read_token
from tests.smtpserver import free_port

STARTED = "running (pid"


def toml_value(value: Any) -> str:
    return json.dumps(value)  # strings, numbers, booleans and lists are valid TOML this way


def write_config(
    folder: Path,
    db_url: str,
    feeds: list[dict[str, Any]],
    *,
    smtp_port: int | None = None,
    schedule: str = "0 7 * * *",
    tick: int = 1,
    extra: str = "",
) -> tuple[Path, int]:
    """A newsmon.toml for a daemon test; returns it and the control port."""
    port = free_port()
    lines = [
        "[database]",
        f"url = {toml_value(db_url)}",
        "[daemon]",
        f"tick = {tick}",
        f"control_port = {port}",
        f"data_dir = {toml_value(str(folder / 'data'))}",
        "[digest]",
        f"schedule = {toml_value(schedule)}",
        "[email]",
        'from = "newsmon <digest@newsmon.example>"',
        'to = ["reader@example.org"]',
        f"outbox = {toml_value(str(folder / 'outbox'))}",
        "timeout = 5",
        "retry_delay = 1",
    ]
    if smtp_port is not None:
        lines.append(f'smtp_url = "smtp://127.0.0.1:{smtp_port}"')
    for feed in feeds:
        lines.append("[[feeds]]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in feed.items())
    path = folder / "newsmon.toml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path, port


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env.update(extra)
    return env


@dataclass
class DaemonProcess:
    folder: Path
    port: int
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=clean_env)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def start(self, wait: bool = True, timeout: float = 60) -> DaemonProcess:
        self.log_path = self.folder / f"daemon-{time.monotonic_ns()}.log"
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", "run", *self.args],
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if wait:
            self.wait_for_log(STARTED, timeout)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        assert self.log_path is not None
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, text: str, timeout: float = 30, count: int = 1) -> None:
        self.wait_until(lambda: self.log().count(text) >= count, timeout, f"{text!r} in the log")

    def wait_until(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            assert self.proc is not None
            if self.proc.poll() is not None:
                pytest.fail(
                    f"daemon exited ({self.proc.returncode}) waiting for {what}:\n{self.log()}"
                )
            time.sleep(0.05)
        pytest.fail(f"timed out after {timeout} s waiting for {what}; log:\n{self.log()}")

    def signal(self, signum: int = signal.SIGTERM) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    def wait(self, timeout: float = 15) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def daemons() -> Iterator[Callable[..., DaemonProcess]]:
    """``daemons(folder, port)`` makes a DaemonProcess; every one is killed at the end."""
    made: list[DaemonProcess] = []

    def make(folder: Path, port: int, *args: str, **env: str) -> DaemonProcess:
        daemon = DaemonProcess(folder, port, args, clean_env(**env))
        made.append(daemon)
        return daemon

    yield make
    for daemon in made:
        daemon.stop()


def digest_last_served(folder: Path, port: int) -> str | None:
    """When the daemon's last scheduled digest round for reader@example.org ended (from
    the detailed /healthz, which needs the token)."""
    token = read_token(folder / "data")
    body = httpx.get(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
        timeout=10,
    ).json()
    last: str | None = body["digests"]["reader@example.org"]["last"]
    return last


def wait_for_next_round(daemon: DaemonProcess, folder: Path, port: int) -> None:
    """Until a scheduled digest round ends after this call (the event, not a guess of
    how long one takes)."""
    before = digest_last_served(folder, port)
    daemon.wait_until(
        lambda: digest_last_served(folder, port) != before, 30, "the next digest round's end"
    )
