"""The control endpoint against slow, greedy and vanishing clients, over real sockets.

The limits live in :class:`~monitor.web.server.WebServer` (uvicorn's protocol with a
request deadline and a connection cap); they hold for the console's pages as well.
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.monitor.daemon.test_control import TOKEN, FakeHandlers, bearer, control_app
from tests.monitor.web.serving import Served, closed_by_server, connect, served


@pytest.fixture
def handlers() -> Iterator[FakeHandlers]:
    fake = FakeHandlers()
    yield fake
    fake.release.set()


@pytest.fixture
def limited(handlers: FakeHandlers, tmp_path: Path) -> Iterator[Served]:
    app = control_app(tmp_path, handlers)
    with served(app, request_timeout=1.0, max_connections=3) as srv:
        yield srv


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def calls_reach(handlers: FakeHandlers, count: int) -> Callable[[], bool]:
    return lambda: len(handlers.calls) >= count


def test_a_client_dripping_header_lines_is_cut_off_at_the_deadline(
    limited: Served, handlers: FakeHandlers
) -> None:
    sock = connect(limited)
    sock.sendall(b"GET /healthz HTTP/1.0\r\n")
    started = time.monotonic()
    sock.settimeout(0.2)
    closed_after = None
    while time.monotonic() - started < 5:  # one line every 0.2 s: each comes well in time
        try:
            if sock.recv(100) == b"":
                closed_after = time.monotonic() - started
                break
        except TimeoutError:
            sock.sendall(b"X-Drip: 1\r\n")
        except ConnectionResetError:
            closed_after = time.monotonic() - started
            break
    sock.close()
    assert closed_after is not None, "the dripping client was held past 5 s"
    assert 0.8 <= closed_after < 2.0  # the 1 s deadline covers the whole request
    assert handlers.health_calls == []
    wait_for(lambda: limited.server.open_connections == 0, 5, "the connection to be released")


def test_connections_beyond_the_cap_are_refused_at_once(
    limited: Served, handlers: FakeHandlers
) -> None:
    idle = [connect(limited) for _ in range(3)]  # they hold every slot until the deadline
    wait_for(lambda: limited.server.open_connections == 3, 5, "three connections served")
    extra = connect(limited)
    started = time.monotonic()
    reply = closed_by_server(extra)
    assert time.monotonic() - started < 0.5
    assert reply.startswith(b"HTTP/1.0 503 ")
    assert b"too many connections" in reply
    extra.close()
    for sock in idle:
        sock.close()
    wait_for(lambda: limited.server.open_connections == 0, 5, "the slots to be free again")
    with httpx.Client(trust_env=False, timeout=5) as client:
        assert client.get(f"http://127.0.0.1:{limited.port}/healthz").status_code == 200


def test_a_client_that_hangs_up_is_a_debug_line_not_an_error(
    limited: Served, handlers: FakeHandlers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor.web")
    handlers.block = True  # the trigger's work outlasts the client
    for served_before in range(5):
        sock = connect(limited)
        sock.sendall(
            b"POST /trigger/fetch HTTP/1.0\r\nAuthorization: Bearer "
            + TOKEN.encode()
            + b"\r\nContent-Length: 2\r\n\r\n{}"
        )
        wait_for(calls_reach(handlers, served_before + 1), 5, "the request to be served")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()  # a reset: the reply has nowhere to go
        handlers.release.set()
        wait_for(lambda: limited.server.open_connections == 0, 5, "the handler to finish")
        handlers.release.clear()
    assert len(handlers.calls) == 5
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert sum("client gone" in r.getMessage() for r in caplog.records) == 5


def test_health_shows_addresses_only_to_a_caller_with_the_token(
    limited: Served, handlers: FakeHandlers
) -> None:
    with httpx.Client(trust_env=False, timeout=5) as client:
        base = f"http://127.0.0.1:{limited.port}/healthz"
        client.get(base)
        client.get(base, headers=bearer("wrong"))
        client.get(base, headers=bearer(TOKEN))
    assert handlers.health_calls == [False, False, True]
