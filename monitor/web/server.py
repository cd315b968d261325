"""Serving the console and the control endpoint: uvicorn inside the daemon's own event loop.

No thread of its own and no signal handlers: the daemon owns the loop and the signals, and
stops the server as part of its shutdown (:meth:`WebServer.stop`).  uvicorn's access log is
off: the one-click links of digests carry their token in the URL (``/l/<token>``), and the
app logs its own DEBUG line without query strings or link tokens (:mod:`.app`).

What one client may cost, so that a slow or hostile client on the port costs little:

* a deadline for each request: from the connection (or the end of the previous reply) until
  the request, head and body, has arrived, at most :data:`REQUEST_TIMEOUT_S` in all.  A
  client dripping a header line every few seconds is cut off; a per-read timeout would let
  it stay forever.  The app's own work (a trigger that waits for a poll cycle) is not
  bounded by it;
* at most :data:`MAX_CONNECTIONS` connections at once, a request whose client has gone
  counting until its work ends; another connection gets a short 503 at once and is closed
  before it has sent anything.  The refusals are logged once a minute, not each.

A client that goes away is no error of ours: it is a DEBUG line.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from monitor.daemon.control import format_address
from monitor.errors import ControlError

log = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 10.0  # for the whole request, from the connection on
MAX_CONNECTIONS = 32  # served at once; requests whose client left count until their work ends
SHUTDOWN_GRACE_S = 2.0  # requests in flight when the server stops get this long at most
REFUSAL_LOG_EVERY_S = 60.0  # one warning a minute about refused connections, not one each


def _raw_reply(status: str, message: str) -> bytes:
    body = json.dumps({"error": message}).encode() + b"\n"
    head = (
        f"HTTP/1.0 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


_BUSY_REPLY = _raw_reply("503 Service Unavailable", "too many connections; try again later")


class _Gate:
    """How many connections hold a slot, and whether one more may."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self._last_logged = -REFUSAL_LOG_EVERY_S

    def enter(self) -> bool:
        if self.held >= self.limit:
            return False
        self.held += 1
        return True

    def leave(self) -> None:
        self.held -= 1

    def refused(self, peer: Any) -> None:
        now = time.monotonic()
        if now - self._last_logged >= REFUSAL_LOG_EVERY_S:
            self._last_logged = now
            where = peer[0] if isinstance(peer, tuple) and peer else "?"
            log.warning(
                "web server: %d connections open, refusing more (from %s)", self.limit, where
            )


def loggable_path(path: str) -> str:
    """A request path fit for a log: a one-click link's token (``/l/<token>``) is left out."""
    return "/l/…" if path.startswith("/l/") else path


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with the request deadline and the connection cap.

    :class:`WebServer` makes a subclass per server with its own ``gate`` and timeout.
    """

    gate: ClassVar[_Gate]
    request_timeout: ClassVar[float]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Never uvicorn's access log, whatever handlers its logger has: URLs carry link tokens.
        self.access_log = False
        self._holding = False  # this connection holds a slot of the gate
        self._closed = False
        self._work: asyncio.Task[None] | None = None  # the current request's app task
        self._deadline: asyncio.TimerHandle | None = None
        self._started = False  # bytes of a request arrived since the deadline was armed

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if not self.gate.enter():
            self.gate.refused(transport.get_extra_info("peername"))
            transport.write(_BUSY_REPLY)  # buffered; close() sends it first
            transport.close()
            return
        self._holding = True
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._holding:  # refused in connection_made: uvicorn never knew it
            return
        self._disarm()
        cycle = self.cycle
        if cycle is not None and (exc is not None or not cycle.response_complete):
            # Hung up before the reply, or reset the connection under it: not our error.
            scope = cycle.scope
            log.debug(
                "%s %s: client gone (%s)",
                scope["method"],
                loggable_path(scope["path"]),
                exc or "closed before the reply",
            )
        super().connection_lost(exc)
        self._closed = True
        if self._work is None or self._work.done():
            self._release()

    def data_received(self, data: bytes) -> None:
        self._started = True
        super().data_received(data)

    def handle_events(self) -> None:
        known = set(self.tasks)
        super().handle_events()
        for task in self.tasks - known:  # the app task uvicorn just started for us
            self._work = task
            task.add_done_callback(self._work_done)
        cycle = self.cycle
        if cycle is not None and not cycle.more_body and not cycle.response_complete:
            self._disarm()  # the whole request is in: the app's work has no deadline

    def on_response_complete(self) -> None:
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets a deadline of its own
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        """A malformed request gets JSON too, and the connection is closed."""
        body = json.dumps({"error": msg}).encode() + b"\n"
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        with contextlib.suppress(h11.LocalProtocolError):
            self.transport.write(
                self.conn.send(
                    h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
                )
            )
            self.transport.write(self.conn.send(h11.Data(data=body)))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()

    def _arm(self) -> None:
        self._disarm()
        self._started = False
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        replying = cycle is not None and cycle.response_started and not cycle.response_complete
        log.debug(
            "client %s: %s within %.0f s; closing",
            self.client[0] if self.client else "?",
            "no complete request" if self._started else "no request",
            self.request_timeout,
        )
        # A 408 to a client that began a request; an idle connection is just closed (a
        # reply it never asked for could be taken for the answer to its next request).
        if self._started and not replying:
            self.transport.write(
                _raw_reply(
                    "408 Request Timeout",
                    f"the request did not arrive within {self.request_timeout:g} s",
                )
            )
        self.transport.close()

    def _work_done(self, task: asyncio.Task[None]) -> None:
        if task is self._work:
            self._work = None
        if self._closed:
            self._release()

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self.gate.leave()


class _EmbeddedServer(uvicorn.Server):
    """uvicorn's server without its signal handlers: the daemon handles SIGTERM/SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """An ASGI app served on ``host:port`` in the running loop: :meth:`start`, :meth:`stop`."""

    def __init__(
        self,
        app: ASGIApp,
        host: str,
        port: int,
        *,
        request_timeout: float = REQUEST_TIMEOUT_S,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        if max_connections < 1 or request_timeout <= 0:
            raise ValueError("max_connections and request_timeout must be positive")
        self.app = app
        self.host = host
        self._requested_port = port
        self._gate = _Gate(max_connections)
        self._timeout = request_timeout
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        """The port listened on: the real one once started (useful with port 0)."""
        return self._port if self._port is not None else self._requested_port

    @property
    def address(self) -> str:
        """``host:port`` (IPv6 in brackets), for URLs and log lines."""
        return format_address(self.host, self.port)

    @property
    def open_connections(self) -> int:
        """Connections holding a slot now (for tests and debugging)."""
        return self._gate.held

    async def start(self) -> None:
        """Bind and start serving; :class:`ControlError` with one line if binding fails."""
        if self._server is not None:
            raise RuntimeError("the web server is already running")
        sock = self._bind()
        self._port = int(sock.getsockname()[1])
        gate, timeout = self._gate, self._timeout

        class Protocol(GuardedH11Protocol):
            pass

        Protocol.gate, Protocol.request_timeout = gate, timeout
        config = uvicorn.Config(
            self.app,
            http=Protocol,
            ws="none",
            lifespan="off",
            log_config=None,  # the daemon's logging stays as it is
            access_log=False,  # URLs may carry link tokens; the app logs its own line
            proxy_headers=False,
            server_header=False,
        )
        _quiet_uvicorn()
        server = _EmbeddedServer(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name="newsmon-web")
        while not server.started:
            if task.done():
                sock.close()
                task.result()  # its error, if any
                raise ControlError(f"the web server on {self.address} stopped at once")
            await asyncio.sleep(0.005)
        self._server, self._task = server, task
        log.info("control endpoint listening on http://%s", self.address)

    def _bind(self) -> socket.socket:
        where = format_address(self.host, self._requested_port)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart over TIME_WAIT
            sock.bind((self.host, self._requested_port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                reason = "address already in use (another daemon? set [daemon] control_port)"
            else:
                reason = f"{exc.strerror or exc} (check [daemon] control_host)"
            raise ControlError(f"cannot listen on {where}: {reason}") from exc
        return sock

    async def stop(self, timeout: float = SHUTDOWN_GRACE_S) -> None:
        """Stop listening; requests in flight get ``timeout`` seconds, then are cut off.

        Idempotent, and fine on a server that never started.
        """
        server, task = self._server, self._task
        self._server = self._task = None
        if server is None or task is None:
            return
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), max(0.2, timeout))
        except TimeoutError:
            log.warning("web requests still running after %.1f s: closing them", timeout)
            server.force_exit = True
            for connection in list(server.server_state.connections):
                if isinstance(connection, H11Protocol) and connection.transport is not None:
                    connection.transport.close()
            for work in list(server.server_state.tasks):
                work.cancel()
            await asyncio.wait([task], timeout=1.0)
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.warning("web server stopped with an error: %s", task.exception())


def _quiet_uvicorn() -> None:
    """uvicorn's start/stop chatter at INFO is noise in the daemon's log: warnings only,
    unless someone chose a level for it."""
    logger = logging.getLogger("uvicorn")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
