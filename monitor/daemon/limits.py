"""What one client may cost the control endpoint: a deadline for its request, a cap on
connections.

The endpoint (:mod:`.control`) serves each connection in a thread of its own, so a
client that connects and then dawdles holds a thread.  Two limits bound that:

* :class:`DeadlineReader`: every read of a request waits only for what is left of
  :data:`REQUEST_TIMEOUT_S` since the connection, so the request line, the headers
  and the body must all arrive in that time however they are dripped (a timeout
  per read would let a client sending a line every few seconds stay forever);
* :class:`ConnectionCap`: at most :data:`MAX_CONNECTIONS` connections are served at
  once; another gets a short 503 and is closed at once, without a thread.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 10.0  # for the whole request, from the connection on
MAX_CONNECTIONS = 32  # served at once; triggers waiting for their work count too
WRITE_TIMEOUT_S = 30.0  # a client that stops reading our reply is dropped after this
REFUSAL_LOG_EVERY_S = 60.0  # one warning a minute about refused connections, not one each
_BUSY_BODY = b'{"error": "too many connections; try again later"}\n'
_BUSY_REPLY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(_BUSY_BODY), _BUSY_BODY)
)


@dataclass(frozen=True)
class Limits:
    request_timeout: float = REQUEST_TIMEOUT_S
    max_connections: int = MAX_CONNECTIONS


class DeadlineReader(io.RawIOBase):
    """A socket's reads, all before one deadline (wrap it in a BufferedReader)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


class ConnectionCap:
    """How many connections are being served, and whether one more may be."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._open = 0
        self._lock = threading.Lock()
        self._last_logged = -REFUSAL_LOG_EVERY_S

    @property
    def open(self) -> int:
        with self._lock:
            return self._open

    def enter(self) -> bool:
        """Take a slot for a new connection; False when all are taken."""
        if not self._slots.acquire(blocking=False):
            return False
        with self._lock:
            self._open += 1
        return True

    def leave(self) -> None:
        with self._lock:
            self._open -= 1
        self._slots.release()

    def refuse(self, sock: socket.socket, client_address: Any) -> None:
        """Tell a connection over the cap why it is closed (best effort, never blocking);
        the caller closes it."""
        now = time.monotonic()
        with self._lock:
            log_it = now - self._last_logged >= REFUSAL_LOG_EVERY_S
            if log_it:
                self._last_logged = now
        if log_it:
            log.warning(
                "control endpoint: %d connections open, refusing more (from %s)",
                self.limit,
                client_address[0],
            )
        try:
            sock.setblocking(False)
            sock.send(_BUSY_REPLY)  # a few bytes into an empty buffer
        except OSError:
            pass
