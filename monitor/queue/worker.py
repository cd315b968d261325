"""``newsmon worker``: a Celery worker (prefork) consuming this deployment's queues.

Start it as many times as wanted, on any machine that reaches the broker and
the database.  Before consuming, it checks that the setup can work (a broker,
a PostgreSQL database: one line and exit 2 otherwise) and brings the schema
up to date, so a worker started before the scheduler is not the one to
find an old schema half-way through a batch.

Each child process opens its own database connections after the fork
(:meth:`~monitor.queue.tasks.WorkerContext.after_fork`): connections shared
across a fork would interleave two processes' traffic on one socket.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from typing import Any

from celery.signals import worker_process_init

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.queue import tasks
from monitor.queue.app import ROLES, celery_app, queue_name, require_shared_database

log = logging.getLogger(__name__)


def resolve_queues(settings: Settings, names: Sequence[str]) -> list[str]:
    """Queue names from ``--queues`` (roles ``poll``, ``classify``, ``digest``, or full
    ``<prefix>.<role>`` names, comma-separated or repeated); none given: all three."""
    wanted = [part.strip() for name in names for part in name.split(",") if part.strip()]
    if not wanted:
        return [queue_name(settings, role) for role in ROLES]
    out: list[str] = []
    for name in wanted:
        role = name.removeprefix(f"{settings.queue.prefix}.")
        if role not in ROLES:
            known = ", ".join(ROLES)
            raise ConfigError("--queues", f"unknown queue {name!r} (use {known})")
        if queue_name(settings, role) not in out:
            out.append(queue_name(settings, role))
    return out


def _after_fork(**_: Any) -> None:
    tasks.current().after_fork()


def run_worker(
    settings: Settings,
    *,
    concurrency: int | None = None,
    queues: Sequence[str] = (),
    loglevel: str = "INFO",
) -> int:
    """Consume until SIGTERM (finish the running tasks, then exit) or SIGQUIT; the exit status.

    ``concurrency``: child processes (default: the number of CPUs).  Each polls
    one batch at a time with the async engine, so a batch's requests overlap
    within a child and children use the cores for parsing and matching.
    """
    if settings.queue.broker_url is None:
        raise ConfigError(
            "[queue] broker_url", "not set: `newsmon worker` needs a broker (docs/queue.md)"
        )
    require_shared_database(settings)
    names = resolve_queues(settings, queues)
    from monitor.app import open_database  # migrations and config feeds, once, here

    db, _ = open_database(settings)
    db.dispose()
    app = celery_app(settings)
    tasks.register(app)
    tasks.configure(settings, app=app)
    worker_process_init.connect(_after_fork, weak=False)
    worker = app.Worker(
        hostname=f"newsmon-{os.getpid()}@{socket.gethostname()}",
        queues=names,
        concurrency=concurrency or os.cpu_count() or 1,
        pool="prefork",
        loglevel=loglevel,
        without_mingle=True,
        without_gossip=True,
        optimization="fair",
    )
    log.info(
        "worker %s: consuming %s with %s processes",
        worker.hostname,
        ", ".join(names),
        worker.concurrency,
    )
    worker.start()
    return int(getattr(worker, "exitcode", 0) or 0)
