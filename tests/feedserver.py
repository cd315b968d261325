"""A real HTTP server on loopback for tests and benchmarks: feeds, and every way servers fail.

Each route is a function from the request to a :class:`Reply`; helpers build
the usual ones (a static feed with ETag/Last-Modified support, a redirect, a
slow drip, a server that never answers).  Requests are recorded so tests can
check what newsmon sent (conditional headers, User-Agent).
"""

from __future__ import annotations

import email.utils
import hashlib
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the status line
    chunk_delay: float = 0.0  # between body chunks (a slow drip)
    hang: bool = False  # accept, read the request, never answer
    reset: bool = False  # send what is above (if any body), then abort with a TCP RST


Handler = Callable[[Request], Reply]


class FeedServer:
    """``with FeedServer() as server: server.route("/feed", static(xml)); server.url("/feed")``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self._stop = threading.Event()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                request = Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
                server.requests.append(request)
                handler = server.routes.get(self.path.split("?")[0]) or server.routes.get(self.path)
                reply = handler(request) if handler else Reply(404, b"not found")
                server._send(self, reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.host, self.port = self.httpd.server_address[0], self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def _send(self, h: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.hang:
            self._stop.wait(600)
            return
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            self._reset(h, reply)
            return
        try:
            h.send_response(reply.status)
            chunked = not isinstance(reply.body, bytes)
            for key, value in reply.headers.items():
                h.send_header(key, value)
            if chunked:
                h.send_header("Transfer-Encoding", "chunked")
            elif "content-length" not in {k.lower() for k in reply.headers}:
                h.send_header("Content-Length", str(len(reply.body)))  # type: ignore[arg-type]
            h.send_header("Connection", "close")
            h.end_headers()
            if not chunked:
                h.wfile.write(reply.body)  # type: ignore[arg-type]
                return
            for chunk in reply.body:
                if self._stop.is_set():
                    return
                if chunk:
                    h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    h.wfile.flush()
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
            h.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler, reply: Reply) -> None:
        """Answer part of the response (if there is a body), then close with SO_LINGER 0,
        which makes the kernel send a RST: a crashed server or a middlebox cutting in."""
        try:
            if isinstance(reply.body, bytes) and reply.body:
                head = f"HTTP/1.1 {reply.status} OK\r\nContent-Length: {len(reply.body) * 10}\r\n"
                h.wfile.write(head.encode() + b"\r\n" + reply.body)
                h.wfile.flush()
                time.sleep(0.05)
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        h.close_connection = True
        h.connection.close()


def resets(after: bytes = b"") -> Handler:
    """Read the request, send ``after`` (headers and part of a body) if given, then RST."""
    return lambda _request: Reply(body=after, reset=True)


def static(
    body: bytes,
    content_type: str = "application/rss+xml",
    *,
    etag: bool = True,
    last_modified: bool = True,
    extra: dict[str, str] | None = None,
) -> Handler:
    """A feed that answers 304 to the validators it handed out."""
    tag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
    stamp = email.utils.formatdate(1_700_000_000, usegmt=True)

    def handler(request: Request) -> Reply:
        headers = {"Content-Type": content_type, **(extra or {})}
        if etag:
            headers["ETag"] = tag
        if last_modified:
            headers["Last-Modified"] = stamp
        if (etag and request.headers.get("if-none-match") == tag) or (
            not etag and last_modified and request.headers.get("if-modified-since") == stamp
        ):
            return Reply(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
        return Reply(200, body, headers)

    return handler


def reply(status: int, body: bytes = b"", **headers: str) -> Handler:
    fixed = {k.replace("_", "-"): v for k, v in headers.items()}
    return lambda _request: Reply(status, body, fixed)


def redirect(target: str, status: int = 301) -> Handler:
    return lambda _request: Reply(status, b"", {"Location": target})


def slow_drip(total: int, chunk: int, every: float) -> Handler:
    def body() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title>'
        for _ in range(total // chunk):
            yield b" " * chunk

    return lambda _request: Reply(
        200, body(), {"Content-Type": "application/rss+xml"}, chunk_delay=every
    )


def never_answers() -> Handler:
    return lambda _request: Reply(hang=True)


def gzip_bomb(uncompressed: int) -> Handler:
    """A gzip body of ``uncompressed`` zero bytes (about 1000:1), made once, streamed."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(uncompressed // len(block))]
    parts.append(compressor.flush())
    payload = b"".join(parts)
    return lambda _request: Reply(
        200, payload, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
    )


def rss(items: Iterable[dict[str, str]], title: str = "Test feed", extra: str = "") -> bytes:
    """A small RSS 2.0 document from dicts with title/link/guid/description/pubDate keys."""
    parts = [
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.org/</link>{extra}"
    ]
    for item in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def rss_items(prefix: str, count: int, host: str = "example.org") -> list[dict[str, str]]:
    """``count`` distinct items with guid, link, title, description and date."""
    return [
        {
            "title": f"{prefix} story {i}",
            "link": f"https://{host}/{prefix}/{i}?utm_source=rss",
            "guid": f"{prefix}-{i}",
            "description": f"&lt;p&gt;Summary of {prefix} story {i}.&lt;/p&gt;",
            "pubDate": email.utils.formatdate(1_700_000_000 + i * 60, usegmt=True),
        }
        for i in range(count)
    ]
