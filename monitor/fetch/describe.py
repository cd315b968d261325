"""One line for a failed HTTP exchange that says what happened on the wire.

aiohttp wraps the operating system's error in its own (``ClientOSError``,
``ClientPayloadError``, ``ClientConnectorError``) with texts written for
programmers ("Cannot connect to host 127.0.0.1:80 ssl:default [Connect call
failed ...]") where the operator needs "connection refused".  The socket error
is found down the exception's causes (and a connector error's ``os_error``;
exception groups are searched too) and named by its errno.
"""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Iterator

import aiohttp

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
_ERRNO_IN_TEXT = re.compile(r"\b[A-Za-z]*Error\((\d+), ")


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
        if isinstance(current, aiohttp.ClientConnectorError):
            todo.append(current.os_error)
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
    for link in _chain(exc):
        # A body cut short: aiohttp keeps the socket error only as text in the message,
        # "Response payload is not completed: ... ConnectionResetError(104, '...')".
        found = (
            _ERRNO_IN_TEXT.search(str(link))
            if isinstance(link, aiohttp.ClientPayloadError)
            else None
        )
        if found is not None and int(found[1]) in _ERRNO_TEXT:
            return _ERRNO_TEXT[int(found[1])]
    return None


def describe(exc: BaseException, host: str) -> str:
    """One line for an aiohttp (or socket) failure that is not a timeout."""
    reason = os_reason(exc)
    if reason == "name not resolved":
        return f"cannot resolve {host}: no such host, or DNS is unreachable"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect: {reason or _first_line(exc) or type(exc).__name__}"
    if reason is not None:
        return f"{reason} (while reading the response)"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server broke the HTTP exchange: closed the connection without a response"
    if isinstance(exc, aiohttp.ClientResponseError):  # what aiohttp's parser could not read
        return f"server broke the HTTP exchange: {exc.message or exc.status}"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return f"server broke the HTTP exchange: {_first_line(exc) or 'incomplete body'}"
    text = _first_line(exc)
    kind = type(exc).__name__
    return f"{kind}: {text}" if text else f"{kind} (no detail from the network layer)"


def timeout_phase(exc: aiohttp.ServerTimeoutError) -> str:
    """Which part of the exchange an aiohttp timeout cut, for "timed out (...)"."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "connecting"
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return "waiting for data"
    return "waiting for the server"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
