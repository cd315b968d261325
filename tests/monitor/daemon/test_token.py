"""The control token on disk: private, stable, never half-written, never logged."""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.daemon.token import TOKEN_FILE, ensure_token, read_token


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def test_ensure_token_creates_folder_and_private_file(tmp_path: Path, loose_umask: None) -> None:
    data_dir = tmp_path / "var" / "newsmon"
    token = ensure_token(data_dir)
    path = data_dir / TOKEN_FILE
    assert mode(path) == 0o600
    assert len(token) >= 40
    assert path.read_text().strip() == token
    assert sorted(p.name for p in data_dir.iterdir()) == [TOKEN_FILE]  # no temp file left


def test_ensure_token_is_stable(tmp_path: Path) -> None:
    token = ensure_token(tmp_path)
    assert ensure_token(tmp_path) == token
    assert read_token(tmp_path) == token
    assert ensure_token(tmp_path / "other") != token


def test_read_token_without_a_token(tmp_path: Path) -> None:
    assert read_token(tmp_path) is None
    assert read_token(tmp_path / "missing") is None
    (tmp_path / TOKEN_FILE).write_text(" \n")
    assert read_token(tmp_path) is None


def test_an_empty_token_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / TOKEN_FILE
    path.write_text("")
    path.chmod(0o644)
    token = ensure_token(tmp_path)
    assert token
    assert read_token(tmp_path) == token
    assert mode(path) == 0o600


def test_an_existing_token_is_kept_but_made_private(tmp_path: Path) -> None:
    path = tmp_path / TOKEN_FILE
    path.write_text("kept-token\n")
    path.chmod(0o644)
    assert ensure_token(tmp_path) == "kept-token"
    assert mode(path) == 0o600


def test_concurrent_starts_agree_on_one_token(tmp_path: Path) -> None:
    barrier = threading.Barrier(8)
    tokens: list[str] = []

    def start() -> None:
        barrier.wait()
        tokens.append(ensure_token(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(tokens)) == 1
    assert read_token(tmp_path) == tokens[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [TOKEN_FILE]


def test_the_token_is_not_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = ensure_token(tmp_path)
    (tmp_path / TOKEN_FILE).chmod(0o640)
    ensure_token(tmp_path)
    assert caplog.records  # it did say something ...
    assert token not in caplog.text  # ... but not the token
