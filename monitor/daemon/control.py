"""The daemon's control endpoint: a tiny HTTP server on the loopback.

It runs on the standard library's :class:`~http.server.ThreadingHTTPServer` in a daemon
thread: four routes do not justify a web framework, and a thread per request lets a
trigger block until its work is done while ``/healthz`` and ``/metrics`` still answer.
Those two are open (probes and scrapers hold no secrets); ``POST /trigger/<kind>`` makes
the daemon work, so it needs ``Authorization: Bearer <token>`` (:mod:`.token`).  Replies
are JSON (``{"error": "..."}`` on failure), except ``/metrics``.  Requests are logged at
DEBUG without headers, so the token never reaches a log.  ``/healthz`` answers everyone,
but only a caller with the token sees the recipients' addresses.

Limits, so that a slow or hostile client on the port costs little: the whole request
(line, headers, body) must arrive within :data:`REQUEST_TIMEOUT_S` of the connection
(a deadline for all of it, not a timeout per line: a client dripping a header line every
few seconds is cut off), and at most :data:`MAX_CONNECTIONS` connections are served at
once (a thread each); beyond that a new connection gets a short 503 and is closed at
once.  A client that goes away is no error of ours: it is logged at DEBUG.
"""

from __future__ import annotations

import errno
import hmac
import io
import json
import logging
import socket
import socketserver
import threading
import time
from datetime import date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from monitor.daemon.limits import (
    MAX_CONNECTIONS,
    REQUEST_TIMEOUT_S,
    WRITE_TIMEOUT_S,
    ConnectionCap,
    DeadlineReader,
    Limits,
)
from monitor.daemon.triggers import (
    TRIGGER_KINDS,
    BadRequest,
    NotFound,
    TriggerKind,
    TriggerRequest,
    Unavailable,
    parse_trigger,
)
from monitor.errors import ControlError

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
_DRAIN_LIMIT = 1024 * 1024
_Headers = dict[str, str] | None
_ROUTES = {"/healthz": "GET", "/metrics": "GET"} | {f"/trigger/{k}": "POST" for k in TRIGGER_KINDS}


class ControlHandlers(Protocol):
    """What the endpoint serves; the daemon implements it, tests use a small double."""

    def health(self, detailed: bool) -> tuple[int, dict[str, Any]]:
        """HTTP status (200 healthy, 503 not) and a JSON-able report; ``detailed`` (the
        caller sent the token) may include recipients' addresses, otherwise counts only."""

    def metrics(self) -> tuple[bytes, str]:
        """The Prometheus exposition and its content type."""

    def trigger(self, request: TriggerRequest) -> dict[str, Any]:
        """Run the request's work; with ``wait``, block until it is done and return its
        result, else return once it has started.  Raises :class:`Unavailable` or
        :class:`NotFound` to refuse."""


def format_address(host: str, port: int) -> str:
    """``host:port``, with IPv6 hosts in brackets, for messages and URLs."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class ControlServer:
    """The endpoint's life cycle: bind on :meth:`start`, serve in a thread, :meth:`stop`."""

    def __init__(
        self,
        host: str,
        port: int,
        token: str,
        handlers: ControlHandlers,
        *,
        request_timeout: float = REQUEST_TIMEOUT_S,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        if not token:
            raise ValueError("the control endpoint needs a non-empty token")
        if max_connections < 1 or request_timeout <= 0:
            raise ValueError("max_connections and request_timeout must be positive")
        self.host = host
        self._requested_port = port
        self._token = token.encode()
        self._handlers = handlers
        self._limits = Limits(request_timeout, max_connections)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The port listened on: the real one once started (useful with port 0)."""
        return int(self._server.server_address[1]) if self._server else self._requested_port

    def start(self) -> None:
        """Bind and start serving; :class:`ControlError` with one line if binding fails."""
        with self._lock:
            if self._server is not None:
                raise RuntimeError("the control server is already running")
            where = format_address(self.host, self._requested_port)
            try:
                server = _Server(
                    self.host, self._requested_port, self._token, self._handlers, self._limits
                )
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    reason = "address already in use (another daemon? set [daemon] control_port)"
                else:
                    reason = f"{exc.strerror or exc} (check [daemon] control_host)"
                raise ControlError(f"cannot listen on {where}: {reason}") from exc
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, args=(0.1,), name="newsmon-control", daemon=True
            )
            self._thread.start()
        log.info("control endpoint listening on http://%s", format_address(self.host, self.port))

    @property
    def open_connections(self) -> int:
        """Connections being served now (for tests and debugging)."""
        return self._server.cap.open if self._server else 0

    def stop(self) -> None:
        """Stop listening and close the socket (requests in flight finish); idempotent."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, host: str, port: int, token: bytes, handlers: ControlHandlers, limits: Limits
    ) -> None:
        self.token = token
        self.handlers = handlers
        self.limits = limits
        self.cap = ConnectionCap(limits.max_connections)
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread per connection, up to the cap; beyond it a short 503, closed at once."""
        if not self.cap.enter():
            self.cap.refuse(request, client_address)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.cap.leave()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.cap.leave()

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; a dropped client is not worth that.
        log.debug("control request from %s failed", client_address, exc_info=True)


class _Reject(Exception):
    """A request refused before any handler ran: becomes a JSON error reply."""

    def __init__(self, status: int, message: str, headers: _Headers = None) -> None:
        super().__init__(message)
        self.status, self.headers = status, headers or {}


class _ClientGone(Exception):
    """The client hung up, or was too slow: nothing to reply to, and not our error."""


class _Handler(BaseHTTPRequestHandler):
    server_version, sys_version = "newsmon", "control"  # not Python's version
    _body_read = False

    def setup(self) -> None:
        super().setup()
        limits = cast(_Server, self.server).limits
        deadline = time.monotonic() + limits.request_timeout
        self.rfile = io.BufferedReader(DeadlineReader(self.connection, deadline))

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        try:
            try:
                self._route(path)
            except _Reject as reject:
                self._drain()
                self._reply(reject.status, {"error": str(reject)}, reject.headers)
            except _ClientGone:
                raise
            except Exception as exc:  # a handler's bug must not take the endpoint down
                log.exception("control request %s %s failed", self.command, path)
                line = f"{type(exc).__name__}: {exc}".splitlines()[0]
                self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": line})
        except _ClientGone as gone:
            self.close_connection = True
            log.debug("control %s %s: client gone: %s", self.command, path, gone.__cause__)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def _route(self, path: str) -> None:
        handlers = cast(_Server, self.server).handlers
        method = _ROUTES.get(path)
        if method is None:
            raise _Reject(HTTPStatus.NOT_FOUND, f"no such endpoint: {path}")
        if self.command != method:
            message = f"{self.command} not allowed on {path} (use {method})"
            raise _Reject(HTTPStatus.METHOD_NOT_ALLOWED, message, {"Allow": method})
        if path == "/healthz":
            self._reply(*handlers.health(self._authorized()))
        elif path == "/metrics":
            body, content_type = handlers.metrics()
            self._send(HTTPStatus.OK, body, content_type)
        else:  # a trigger: the token first, so a stranger learns nothing, not even 400s
            if not self._authorized():
                auth = {"WWW-Authenticate": 'Bearer realm="newsmon"'}
                raise _Reject(HTTPStatus.UNAUTHORIZED, "missing or wrong control token", auth)
            kind = cast(TriggerKind, path.removeprefix("/trigger/"))
            try:
                request = parse_trigger(kind, self._read_params())
            except BadRequest as exc:
                raise _Reject(HTTPStatus.BAD_REQUEST, str(exc)) from exc
            try:
                result = handlers.trigger(request)
            except Unavailable as exc:
                raise _Reject(HTTPStatus.SERVICE_UNAVAILABLE, str(exc)) from exc
            except NotFound as exc:
                raise _Reject(HTTPStatus.NOT_FOUND, str(exc)) from exc
            self._reply(HTTPStatus.OK if request.wait else HTTPStatus.ACCEPTED, result)

    def _authorized(self) -> bool:
        scheme, _, given = (self.headers.get("Authorization") or "").strip().partition(" ")
        expected = cast(_Server, self.server).token
        # compare_digest: the time taken does not tell how much of a guess was right.
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)

    def _content_length(self) -> int:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise _Reject(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length, not chunks")
        raw = self.headers.get("Content-Length") or "0"
        if not (raw.isascii() and raw.isdigit()):
            raise _Reject(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        return int(raw)

    def _drain(self) -> None:
        """Read and drop an unread body (up to a limit) before an error reply: closing a
        socket with unread data resets the connection, and the client would lose the reply."""
        try:
            length = 0 if self._body_read else self._content_length()
        except _Reject:
            length = _DRAIN_LIMIT + 1
        if length > _DRAIN_LIMIT:
            self.close_connection = True
            return
        try:
            while length > 0 and (chunk := self.rfile.read(min(length, 65536))):
                length -= len(chunk)
        except OSError as exc:  # TimeoutError included: past the request's deadline
            raise _ClientGone() from exc
        self._body_read = True

    def _read_params(self) -> dict[str, Any]:
        """The JSON object in the body; an empty body is ``{}``."""
        length = self._content_length()
        if length > MAX_BODY:
            raise _Reject(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
        try:
            body = self.rfile.read(length) if length else b""
        except OSError as exc:
            raise _ClientGone() from exc
        self._body_read = True
        if not body.strip():
            return {}
        try:
            params = json.loads(body)
        except ValueError as exc:
            raise _Reject(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {exc}") from exc
        if not isinstance(params, dict):
            raise _Reject(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
        return params

    def _reply(self, status: int, payload: dict[str, Any], extra: _Headers = None) -> None:
        body = json.dumps(payload, default=_jsonable, ensure_ascii=False).encode() + b"\n"
        self._send(status, body, "application/json", extra)

    def _send(self, status: int, body: bytes, content_type: str, extra: _Headers = None) -> None:
        try:
            self.connection.settimeout(WRITE_TIMEOUT_S)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError as exc:
            raise _ClientGone() from exc

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed requests (bad request line, unknown method) get JSON too, not HTML."""
        self.close_connection = True
        try:
            self._reply(code, {"error": message or self.responses.get(code, ("error",))[0]})
        except _ClientGone as gone:
            log.debug("control %s: client gone: %s", self.address_string(), gone.__cause__)

    def log_message(self, format: str, *args: Any) -> None:
        # The request line and status only: headers (the token) are never logged.
        log.debug("control %s - %s", self.address_string(), format % args)


def _jsonable(value: object) -> str:
    """Dates as ISO 8601, anything else as its str(): a reply should not fail on a type."""
    return value.isoformat() if isinstance(value, datetime | date) else str(value)
