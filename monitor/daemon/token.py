"""The control token: a shared secret in the daemon's data folder.

Triggers make the daemon do work (poll every feed, send mail), so they need more than
reaching the port: on a shared machine any local user can connect to 127.0.0.1.  The
daemon writes a random token to ``<data_dir>/newsmon.token``, readable by its owner only,
and the CLI sends it back; whoever can read the file may trigger.

The token is never logged: log files are often readable by more people than the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

log = logging.getLogger(__name__)

TOKEN_FILE = "newsmon.token"
# The key that signs the console's session cookies and the one-click links in digests: kept
# like the token, but apart from it, so handing the token to a script signs nothing.
SECRET_FILE = "newsmon.secret"
_MODE = 0o600


def token_path(data_dir: Path, name: str = TOKEN_FILE) -> Path:
    """Where the token (or another secret, by file name) of the daemon using ``data_dir`` lives."""
    return data_dir / name


def ensure_secret(data_dir: Path) -> str:
    """The signing key in ``data_dir`` (``newsmon.secret``), created on first use."""
    return ensure_token(data_dir, SECRET_FILE)


def read_token(data_dir: Path, name: str = TOKEN_FILE) -> str | None:
    """The token in ``data_dir``, or ``None`` when there is no file or it is empty.

    Other read errors (e.g. permission denied) propagate: "no token" would send the
    user looking for a file that is there.
    """
    try:
        text = token_path(data_dir, name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return text.strip() or None


def ensure_token(data_dir: Path, name: str = TOKEN_FILE) -> str:
    """Return the token in ``data_dir``, creating the folder and a new token if needed.

    An existing readable token is kept, so CLI sessions and scripts holding it keep
    working across daemon restarts.  A new one is written to a private temporary file and
    then linked into place, so a reader never sees a half-written token and two daemons
    starting at once agree on one token (the second finds the first's file).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = token_path(data_dir, name)
    try:
        existing = read_token(data_dir, name)
    except OSError as exc:  # unreadable: replace it, the daemon must own its token
        log.warning("cannot read %s (%s): writing a new one", path, exc.strerror)
        existing = None
    if existing is not None:
        _tighten_mode(path)
        return existing

    token = secrets.token_urlsafe(32)
    tmp = data_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(token + "\n")
            f.flush()
            os.fsync(f.fileno())
        tmp.chmod(_MODE)  # the umask may have removed bits; no other bits were ever set
        try:
            path.hardlink_to(tmp)  # fails if the file appeared meanwhile: never clobber it
        except FileExistsError:
            raced = _read_quietly(data_dir, name)
            if raced is not None:
                return raced
            tmp.replace(path)  # an empty or unreadable file: ours wins
        except OSError:  # a file system without hard links
            tmp.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    log.info("wrote a new %s to %s", "control token" if name == TOKEN_FILE else "secret", path)
    return token


def _read_quietly(data_dir: Path, name: str) -> str | None:
    try:
        return read_token(data_dir, name)
    except OSError:
        return None


def _tighten_mode(path: Path) -> None:
    """Drop group/other access from an existing token file (e.g. restored from a backup)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(_MODE)
            log.warning("%s was readable by others (mode %o): now %o", path, mode, _MODE)
    except OSError as exc:
        log.warning("cannot restrict the permissions of %s: %s", path, exc.strerror)
