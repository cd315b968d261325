"""The server itself (:class:`WebServer`: uvicorn in the caller's event loop) over real
sockets: the request deadline covers the body but not the app's work, keep-alive, malformed
requests, stopping with work in flight, and the daemon's signal handlers left alone."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from monitor.web.server import WebServer
from tests.monitor.web.serving import Served, closed_by_server, connect, served

release = threading.Event()


async def echo(request: Request) -> Response:
    body = await request.body()
    return PlainTextResponse(f"{request.method} {len(body)}")


async def slow(request: Request) -> Response:
    """Work that outlasts the request deadline (as a trigger waiting for a cycle does)."""
    await asyncio.to_thread(release.wait, 10)
    return PlainTextResponse("done")


APP = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"]), Route("/slow", slow)])


@pytest.fixture
def quick() -> Iterator[Served]:
    release.clear()
    with served(APP, request_timeout=0.6, max_connections=4) as srv:
        yield srv
    release.set()


def test_port_zero_is_a_real_port_and_the_address_names_it(quick: Served) -> None:
    assert quick.port > 0
    assert quick.server.address == f"127.0.0.1:{quick.port}"
    assert WebServer(APP, "::1", 8765).address == "[::1]:8765"


def test_a_body_dripped_past_the_deadline_is_cut_off_with_408(quick: Served) -> None:
    sock = connect(quick)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
    started = time.monotonic()
    sock.settimeout(0.15)
    reply = b""
    while time.monotonic() - started < 5:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            sock.sendall(b"x")  # a byte of the body now and then
            continue
        except ConnectionResetError:
            break
        if not chunk:
            break
        reply += chunk
    elapsed = time.monotonic() - started
    sock.close()
    assert 0.4 <= elapsed < 2.0, elapsed
    assert reply.startswith(b"HTTP/1.0 408 ")
    assert b"did not arrive within 0.6 s" in reply
    assert quick.server.open_connections == 0 or wait_free(quick)


def wait_free(srv: Served) -> bool:
    deadline = time.monotonic() + 5
    while srv.server.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    return srv.server.open_connections == 0


def test_the_deadline_does_not_bound_the_apps_own_work(quick: Served) -> None:
    timer = threading.Timer(1.2, release.set)  # twice the request deadline
    timer.start()
    with httpx.Client(trust_env=False, timeout=10) as client:
        response = client.get(quick.url("/slow"))
    timer.join()
    assert response.status_code == 200
    assert response.text == "done"


def test_keep_alive_serves_several_requests_on_one_connection(quick: Served) -> None:
    sock = connect(quick)
    for body in (b"", b"abc", b"hello"):
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        reply = b""
        while not reply.endswith(b"POST %d" % len(body)):
            chunk = sock.recv(4096)
            assert chunk, reply
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200 ")
        time.sleep(0.35)  # idle between requests, each well within its own deadline
    idle_since = time.monotonic() - 0.35
    assert closed_by_server(sock) == b""  # an idle connection is closed without a word ...
    assert time.monotonic() - idle_since < 2.0  # ... at the deadline, not keep-alive's 5 s
    sock.close()


def test_a_malformed_request_gets_a_json_400(quick: Served) -> None:
    sock = connect(quick)
    sock.sendall(b"NOT A REQUEST\r\n\r\n")
    reply = closed_by_server(sock)
    sock.close()
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"application/json" in reply
    assert b'{"error": "Invalid HTTP request received."}' in reply


def test_stop_cuts_off_work_still_running_after_its_grace(quick: Served) -> None:
    results: list[object] = []

    def ask() -> None:
        try:
            with httpx.Client(trust_env=False, timeout=10) as client:
                results.append(client.get(quick.url("/slow")).status_code)
        except httpx.HTTPError as exc:
            results.append(type(exc).__name__)

    worker = threading.Thread(target=ask)
    worker.start()
    deadline = time.monotonic() + 5
    while quick.server.open_connections == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    quick.call(quick.server.stop(0.3))
    assert time.monotonic() - started < 2.5
    worker.join(10)
    assert results and results[0] != 200  # cut off, not served
    with pytest.raises(httpx.ConnectError):
        httpx.get(quick.url("/echo"), trust_env=False, timeout=2)


def test_the_daemons_signal_handlers_are_left_alone(tmp_path: Path) -> None:
    """In the main thread (where uvicorn would install its own), a server starts and stops
    and SIGTERM/SIGINT still go where they went."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    seen: dict[signal.Signals, object] = {}

    async def main() -> int:
        server = WebServer(APP, "127.0.0.1", 0)
        await server.start()
        try:
            seen.update({sig: signal.getsignal(sig) for sig in before})
            async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
                response = await client.get(f"http://127.0.0.1:{server.port}/echo")
            return response.status_code
        finally:
            await server.stop()

    loop = asyncio.new_event_loop()  # as the daemon runs (asyncio.run sets a SIGINT handler)
    try:
        assert loop.run_until_complete(main()) == 200
    finally:
        loop.close()
    assert seen == before
    assert {sig: signal.getsignal(sig) for sig in before} == before
