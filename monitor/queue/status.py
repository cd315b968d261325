"""How the queues look from the scheduler: messages waiting per queue, workers answering.

Read by ``/healthz`` (its ``queue`` key), ``/metrics`` (``newsmon_queue_depth``,
``newsmon_queue_workers``) and so ``newsmon health``.  Both numbers come from the
broker itself, not from the database: a depth that keeps growing means the workers
do not keep up (or none runs), which the database cannot tell.

* Depths: a *passive* queue declaration per queue (a question, never a creation: a
  queue the workers have not declared yet holds nothing, and declaring it here with
  other arguments than the workers' would make the broker refuse one of the two).
* Workers: Celery's ``ping`` broadcast, answered by every worker of this deployment
  within ``timeout``; the call always takes that long, so the report is cached
  (:class:`StatusCache`) rather than asked for at every probe.

A broker that does not answer is reported (``error``, one line), never raised: the
health report must say so, not fail.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery import Celery

from monitor.config import Settings
from monitor.queue.app import celery_app, queue_names
from monitor.urls_display import mask_urls_in

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 2.0
PING_TIMEOUT_S = 0.5
CACHE_S = 5.0  # /healthz is probed every few seconds; a ping takes PING_TIMEOUT_S


@dataclass(frozen=True)
class QueueStatus:
    """What the broker says now.  ``error`` is set (and the rest empty) when it is down."""

    depths: dict[str, int] = field(default_factory=dict)  # queue name -> messages waiting
    consumers: dict[str, int] = field(default_factory=dict)  # queue -> consumers (0: Redis)
    workers: list[str] = field(default_factory=list)  # node names that answered a ping
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        """The ``queue`` key of ``/healthz``."""
        return {
            "broker": "ok" if self.error is None else f"unreachable: {self.error}",
            "depths": dict(self.depths),
            "consumers": dict(self.consumers),
            "workers": list(self.workers),
        }


def queue_status(
    settings: Settings, app: Celery | None = None, *, ping_timeout: float = PING_TIMEOUT_S
) -> QueueStatus:
    """Ask the broker for each queue's depth and the workers for a ping (see module doc)."""
    app = app or celery_app(settings)
    names = queue_names(settings)
    try:
        with app.connection_for_read(connect_timeout=CONNECT_TIMEOUT_S) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=CONNECT_TIMEOUT_S
            )
            depths, consumers = {}, {}
            for name in names:
                depths[name], consumers[name] = declare_passive(conn, name)
            replies = app.control.ping(timeout=ping_timeout, connection=conn)
    except Exception as exc:  # the broker's errors differ by transport: report any in one line
        return QueueStatus(error=broker_error(exc))
    workers = sorted(name for reply in replies or () for name in reply)
    return QueueStatus(depths, consumers, workers)


def declare_passive(conn: Any, name: str) -> tuple[int, int]:
    """(messages, consumers) of queue ``name``; (0, 0) if nobody declared it yet (and on
    Redis, where an empty queue does not exist)."""
    try:
        with conn.channel() as channel:
            ok = channel.queue_declare(queue=name, passive=True)
    except conn.channel_errors:  # 404 NOT_FOUND (it also closes that channel, so one each)
        return 0, 0
    return int(ok.message_count or 0), int(ok.consumer_count or 0)


def broker_error(exc: BaseException) -> str:
    """One line for a broker failure, without the broker's password."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    # Some transports put their URL (with its password) in the message: masked.
    return mask_urls_in(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


class StatusCache:
    """The last :func:`queue_status`, asked again once it is ``max_age`` seconds old.

    Callers are the control endpoint's threads: one asks the broker while the others
    wait for its answer, so a burst of probes costs one ping.
    """

    def __init__(
        self,
        fetch: Callable[[], QueueStatus],
        max_age: float = CACHE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._value: QueueStatus | None = None
        self._at = 0.0

    def get(self) -> QueueStatus:
        with self._lock:
            if self._value is None or self._clock() - self._at >= self.max_age:
                self._value = self._fetch()
                self._at = self._clock()
            return self._value
