"""Conditional GET and change detection: the cheapest poll is one that parses nothing.

A server that supports validators answers 304 to a request carrying the
ETag / Last-Modified it sent last time.  Many do not, or send a new ETag on
every request; for them the SHA-256 of the body is compared with the last
one, and an identical body is not parsed either.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Request headers that let the server answer 304 Not Modified."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def validators(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified of a response, to send next time."""
    return headers.get("etag") or None, headers.get("last-modified") or None


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
