"""A real uvicorn server for tests: :class:`WebServer` on 127.0.0.1, port 0, its event loop
in a background thread (the daemon runs it in its own loop; a test has none to lend).

``served(app)`` is a context manager yielding a :class:`Served` (its ``url(path)``,
``port``, ``server``); :func:`web_context` builds a :class:`WebContext` for tests.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from starlette.types import ASGIApp

from monitor.config import Settings
from monitor.storage import Database
from monitor.web.context import ControlHandlers, WebContext
from monitor.web.server import WebServer

T = TypeVar("T")
SECRET = "test-secret-for-signing-0123456789"


class Served:
    """A started :class:`WebServer` and the loop it runs on."""

    def __init__(self, server: WebServer, loop: asyncio.AbstractEventLoop) -> None:
        self.server = server
        self.loop = loop

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        """Run ``coro`` on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


@contextmanager
def served(app: ASGIApp, **limits: Any) -> Iterator[Served]:
    """Serve ``app`` on 127.0.0.1 (a free port) until the block ends."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-web-loop", daemon=True)
    thread.start()
    server = WebServer(app, "127.0.0.1", 0, **limits)
    running = Served(server, loop)
    try:
        running.call(server.start())
        yield running
    finally:
        try:
            running.call(server.stop(), timeout=15)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()


def web_context(
    tmp_path: Path,
    *,
    handlers: ControlHandlers | None = None,
    token: str | None = "test-token-0123456789",
    login_required: bool = False,
    db: Database | None = None,
    settings: dict[str, Any] | None = None,
) -> WebContext:
    """A context for an app under test; the database is a lazy SQLite file unless given."""
    return WebContext(
        settings=Settings.model_validate(settings or {}),
        db=db or Database.from_url(f"sqlite:///{tmp_path / 'web.db'}"),
        secret=SECRET,
        token=token,
        handlers=handlers,
        login_required=login_required,
    )


def connect(srv: Served) -> socket.socket:
    """A raw TCP connection to the server, for tests that speak HTTP byte by byte."""
    return socket.create_connection(("127.0.0.1", srv.port), timeout=5)


def closed_by_server(sock: socket.socket) -> bytes:
    """Everything the server sent until it closed the connection."""
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except ConnectionResetError:
        pass
    return data
