"""The console's password, stored as a scrypt hash: ``scrypt:n:r:p:salt:hash``.

scrypt (in :mod:`hashlib`, no extra dependency) is slow and memory-hard on purpose, so a
leaked configuration file does not give the password away to a quick guess.  The format
carries its own parameters, so stronger ones later still check old hashes.  The
configuration holds only the hash (``[web] password_hash``, from ``newsmon web
hash-password``); the password itself is never stored, logged or shown.  The parts are
joined by colons, not dollar signs: a hash passed through the environment (docker compose,
systemd, a shell) is then never taken for variables to expand.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # 16 MiB and ~50 ms per check: cheap for a login, dear for a guesser
SALT_BYTES = 16
KEY_BYTES = 32
_MAX_N = 2**20  # what a hash in the configuration may ask for (1 GiB with r = 8)


class BadHash(ValueError):
    """The text is not a hash from ``newsmon web hash-password``."""


def hash_password(password: str) -> str:
    """A new hash of ``password`` with a random salt."""
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, N, R, P, KEY_BYTES)
    return ":".join((SCHEME, str(N), str(R), str(P), _b64(salt), _b64(key)))


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (False for a bad hash too)."""
    try:
        n, r, p, salt, key = parse_hash(stored)
    except BadHash:
        return False
    given = _derive(password, salt, n, r, p, len(key))
    return hmac.compare_digest(given, key)  # the time taken tells nothing about the match


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """The parameters, salt and key of a stored hash; :class:`BadHash` with one line if it
    is not one."""
    parts = stored.strip().split(":")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise BadHash("not a hash from `newsmon web hash-password` (scrypt:n:r:p:salt:hash)")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except (ValueError, binascii.Error) as exc:
        raise BadHash(
            "a damaged password hash: make a new one with `newsmon web hash-password`"
        ) from exc
    if n < 2 or n & (n - 1) or n > _MAX_N or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise BadHash(f"password hash parameters out of range (n={n}, r={r}, p={p})")
    if len(salt) < 8 or len(key) < 16:
        raise BadHash("a password hash with a short salt or key: make a new one")
    return n, r, p, salt, key


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=length
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
