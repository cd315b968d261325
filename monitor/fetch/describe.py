"""One line for a failed HTTP exchange that says what happened on the wire.

httpx wraps the operating system's error in its own (``ReadError``,
``ConnectError``) and often with no text of its own, so the bare exception
reads "ReadError" where the operator needs "connection reset by peer".  The
socket error is found down the exception's causes (anyio puts the per-address
errors of a failed connect in an exception group) and named by its errno.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator

import httpx

# What each errno means to someone reading a feed's status, in their words.
_ERRNO_TEXT = {
    errno.ECONNRESET: "connection reset by peer",
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNABORTED: "connection aborted",
    errno.EPIPE: "connection closed by peer while sending",
    errno.ETIMEDOUT: "connection timed out",
    errno.EHOSTUNREACH: "no route to host",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTDOWN: "host is down",
    errno.ENETDOWN: "network is down",
    errno.EADDRNOTAVAIL: "address not available",
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and the members of any exception group, once each."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)


def os_reason(exc: BaseException) -> str | None:
    """The socket-level reason under ``exc`` ("connection reset by peer"), if one is there."""
    for link in _chain(exc):
        if isinstance(link, socket.gaierror):
            return "name not resolved"
        if isinstance(link, OSError) and link.errno in _ERRNO_TEXT:
            return _ERRNO_TEXT[link.errno]
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno is not None and link.strerror:
            return link.strerror.lower()
    return None


def describe(exc: httpx.HTTPError, host: str) -> str:
    """One line for an httpx failure that is not a timeout."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    reason = os_reason(exc)
    if reason == "name not resolved":
        return f"cannot resolve {host}: no such host, or DNS is unreachable"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {reason or text or type(exc).__name__}"
    if reason is not None:
        when = (
            "while sending the request"
            if isinstance(exc, httpx.WriteError)
            else "while reading the response"
        )
        return f"{reason} ({when})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"server broke the HTTP exchange: {text or 'RemoteProtocolError'}"
    kind = type(exc).__name__
    return f"{kind}: {text}" if text else f"{kind} (no detail from the network layer)"
