"""The parts of a queue-mode deployment as real processes: ``newsmon worker`` and the
``newsmon run`` scheduler, each in a session of its own with its log in a file.

A session of its own, so that killing a worker kills all of it (the Celery main
process and its pool children, as when its container or machine goes away) and
nothing else; :func:`holder_of_connection` tells which worker holds a given
TCP connection, from ``/proc``, to kill the one that is in the middle of a batch.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.monitor.daemon.conftest import STARTED, clean_env

WORKER_READY = "ready."  # Celery's "celery@host ready." once it consumes


@dataclass
class NewsmonProcess:
    """``python -m monitor <args>`` in ``folder``, stdout and stderr to ``<name>.log``."""

    name: str
    folder: Path
    args: tuple[str, ...]
    ready: str
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.folder / f"{self.name}.log"

    def start(self) -> NewsmonProcess:
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", *self.args],
                cwd=self.folder,
                env=clean_env(PYTHONUNBUFFERED="1"),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} was not started"
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def is_ready(self) -> bool:
        return self.ready in self.log()

    def session_pids(self) -> list[int]:
        """This process and every process it started (its session), from /proc."""
        return [pid for pid, sid in _sessions() if sid == self.pid]

    def kill(self) -> None:
        """SIGKILL the whole session: no handler runs, nothing is acknowledged."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, then SIGKILL (of the session) if it has not exited within ``timeout``."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        self.kill()


def worker(folder: Path, name: str, *args: str) -> NewsmonProcess:
    return NewsmonProcess(name, folder, ("worker", *args), WORKER_READY)


def scheduler(folder: Path) -> NewsmonProcess:
    return NewsmonProcess("scheduler", folder, ("run",), STARTED)


def wait_until(
    check: Callable[[], bool],
    timeout: float,
    what: str,
    processes: Iterable[NewsmonProcess],
    every: float = 0.1,
) -> None:
    """Until ``check()``; fails with the processes' logs if one exits or time runs out."""
    watched = list(processes)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        for process in watched:
            if process.proc is not None and process.proc.poll() is not None:
                pytest.fail(
                    f"{process.name} exited ({process.proc.returncode}) while waiting for "
                    f"{what}:\n{logs(watched)}"
                )
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s waiting for {what}:\n{logs(watched)}")


def logs(processes: Iterable[NewsmonProcess], tail: int = 60) -> str:
    """The last ``tail`` lines of each process's log, under its name."""
    parts = []
    for process in processes:
        lines = process.log().splitlines()[-tail:]
        parts.append(f"----- {process.name} ({process.log_path})\n" + "\n".join(lines))
    return "\n".join(parts)


def _sessions() -> list[tuple[int, int]]:
    """(pid, session id) of every process this user can see."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        found.append((int(entry.name), int(fields[3])))
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = str(fd.readlink())
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    except OSError:
        pass
    return inodes


def _inodes_connected_to(host: str, port: int) -> set[str]:
    """Inodes of the IPv4 TCP sockets whose remote end is ``host:port`` (/proc/net/tcp)."""
    a, b, c, d = (int(part) for part in host.split("."))
    remote = f"{d:02X}{c:02X}{b:02X}{a:02X}:{port:04X}"  # little-endian address, as the kernel
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == remote:
            inodes.add(fields[9])
    return inodes


def holder_of_connection(
    processes: Iterable[NewsmonProcess], host: str, port: int
) -> NewsmonProcess | None:
    """Which of ``processes`` (counting the processes each started) has a TCP connection
    open to ``host:port``: the worker in the middle of a request to that server."""
    wanted = _inodes_connected_to(host, port)
    if not wanted:
        return None
    for process in processes:
        if not process.alive():
            continue
        for pid in process.session_pids():
            if _socket_inodes(pid) & wanted:
                return process
    return None
