"""What ``GET /healthz`` reports: is the daemon doing its job, and since when.

Healthy means the scheduler runs and the database answers; everything else
in the report (the last cycle, the next runs, each recipient's last digest)
is there so an operator can see *why* something looks wrong.  The endpoint
answers 200 when healthy and 503 otherwise, which is what probes (Docker's
healthcheck, ``newsmon health``, a load balancer) look at.

Anyone who can reach the port may ask, so the open report holds no personal
data: the number of recipients, not who they are.  Each recipient's address,
schedule and last digest are shown only to a caller with the control token
(``detailed``), as ``newsmon health`` sends it.

In queue mode the report has a ``queue`` key (the broker, each queue's depth,
the workers that answered, the batches in flight; see
:mod:`monitor.queue.status`), and a broker that does not answer makes the
daemon unhealthy: it keeps its schedule but can send no work.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import text

from alerts.recipients import Recipient
from monitor import __version__
from monitor.daemon.slots import last_served
from monitor.runner import last_cycle
from monitor.storage import Database


@dataclass
class DaemonState:
    """What only the running daemon knows, as of the moment of the request."""

    started_at: datetime
    scheduler: BaseScheduler | None
    stopping: bool
    cycle_running: bool


def health_report(
    db: Database,
    recipients: Sequence[Recipient],
    state: DaemonState,
    *,
    detailed: bool = False,
    queue: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """The HTTP status (200 or 503) and the report (``detailed``: with addresses;
    ``queue``: queue mode's broker and workers, as ``QueueScheduler.health`` says)."""
    try:
        with db.session() as session:
            session.execute(text("SELECT 1"))
        database = "ok"
        cycle = last_cycle(db)
        served = last_served(db)
    except Exception as exc:  # the report must say so, not fail
        database, cycle, served = f"unreachable: {type(exc).__name__}: {exc}", None, {}
    scheduler = state.scheduler
    running = "running" if scheduler is not None and scheduler.running else "stopped"
    if state.stopping:
        running = "stopping"
    ok = running == "running" and database == "ok" and (queue is None or queue["broker"] == "ok")
    jobs = {job.id: job.next_run_time for job in scheduler.get_jobs()} if scheduler else {}
    body: dict[str, Any] = {
        "status": "ok" if ok else "unhealthy",
        "version": __version__,
        "pid": os.getpid(),
        "started_at": state.started_at.isoformat(),
        "scheduler": running,
        "database": database,
        "cycle_running": state.cycle_running,
        "last_cycle": None
        if cycle is None
        else {
            "id": cycle.run_id,
            "trigger": cycle.trigger,
            "status": cycle.status,
            "finished_at": _iso(cycle.finished_at),
        },
        "next_tick": _iso(jobs.get("tick")),
        "recipients": len(recipients),
    }
    if queue is not None:
        body["queue"] = queue
    if detailed:
        body["digests"] = {
            person.email: {
                "schedule": f"{person.schedule} ({person.timezone})",
                "next": _iso(jobs.get(f"digest:{person.key}")),
                "last": _iso(served.get(person.key)),
            }
            for person in recipients
        }
    return (200 if ok else 503), body


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
