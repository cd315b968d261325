"""The Celery application of one deployment, built from its settings.

One function, :func:`celery_app`, used by both sides: the scheduler sends
tasks by name through it (``app.send_task(POLL_BATCH, args=[...])``: the
routes below choose the queue) and ``newsmon worker`` consumes with it,
after registering the task bodies.

Why these options:

* ``task_acks_late`` and ``task_reject_on_worker_lost``: a task is
  acknowledged once it has run, so a worker killed mid-batch (SIGKILL, a
  lost machine) has its batch delivered again to another worker; the tasks
  are idempotent (entries are unique, a done dispatch is not polled twice).
* ``worker_prefetch_multiplier=1``: a worker holds one batch per child, not
  four, so an idle worker on another machine gets the next batch.
* JSON only: nothing from the broker is unpickled.
* no result backend: results go to the database (``cycle_runs``,
  ``dispatches``, ``digests``), where everyone reads them.
"""

from __future__ import annotations

from typing import Final

from celery import Celery
from kombu.entity import Exchange, Queue

from monitor.config import Settings
from monitor.errors import ConfigError

# Task names: what the scheduler sends and the workers register (monitor.queue.tasks).
POLL_BATCH: Final = "newsmon.poll_batch"
CLASSIFY: Final = "newsmon.classify"
DIGEST: Final = "newsmon.digest"
RETRY_DIGESTS: Final = "newsmon.retry_digests"

# Which queue each task goes to, by the queue's role (its name is "<prefix>.<role>").
ROLES: Final = ("poll", "classify", "digest")
TASK_ROLES: Final = {
    POLL_BATCH: "poll",
    CLASSIFY: "classify",
    DIGEST: "digest",
    RETRY_DIGESTS: "digest",
}


def queue_name(settings: Settings, role: str) -> str:
    """``<prefix>.<role>``: e.g. ``newsmon.poll``."""
    if role not in ROLES:
        raise ValueError(f"unknown queue role {role!r} (known: {', '.join(ROLES)})")
    return f"{settings.queue.prefix}.{role}"


def queue_names(settings: Settings) -> list[str]:
    """The deployment's three queues, poll first."""
    return [queue_name(settings, role) for role in ROLES]


def broker_url(settings: Settings) -> str:
    """The configured broker URL (with its password), or a ConfigError: not in queue mode."""
    if settings.queue.broker_url is None:
        raise ConfigError("[queue] broker_url", "not set: queue mode needs a broker")
    return settings.queue.broker_url.get_secret_value()


def require_shared_database(settings: Settings) -> None:
    """Queue mode needs PostgreSQL: an SQLite file is one machine's, and its writes one
    process's at a time.  One line, before anything starts."""
    if not settings.database.url.startswith("postgresql"):
        raise ConfigError(
            "[database] url",
            "queue mode ([queue] broker_url) needs a PostgreSQL database shared by the "
            "scheduler and the workers, e.g. postgresql+psycopg://user@host/newsmon",
        )


def celery_app(settings: Settings) -> Celery:
    """A Celery app for this deployment's broker and queues.

    Light on purpose (Celery and the settings only): the scheduler, ``newsmon health``
    and ``/metrics`` send by name or ask the broker; only ``newsmon worker`` registers
    the task bodies (:func:`monitor.queue.tasks.register`), which import the storage.
    """
    app = Celery(f"{settings.queue.prefix}", broker=broker_url(settings), set_as_current=False)
    exchange = Exchange(settings.queue.prefix, type="direct", durable=True)  # type: ignore[no-untyped-call]
    queues = [
        Queue(queue_name(settings, role), exchange, routing_key=role, durable=True)  # type: ignore[no-untyped-call]
        for role in ROLES
    ]
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=queues,
        task_default_queue=queue_name(settings, "poll"),
        task_default_exchange=settings.queue.prefix,
        task_default_routing_key="poll",
        task_routes={
            name: {"queue": queue_name(settings, role), "routing_key": role}
            for name, role in TASK_ROLES.items()
        },
        task_default_delivery_mode="persistent",
        broker_connection_retry_on_startup=True,
        # Redis has no acknowledgements: a task unacknowledged this long is delivered again.
        # Longer than any batch may take (the lease), so a slow batch is not run twice.
        broker_transport_options={"visibility_timeout": max(3600, 2 * settings.queue.lease)},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
        # Pings and other control messages stay within the deployment (a shared broker
        # would otherwise count another deployment's workers as this one's).
        control_exchange=f"{settings.queue.prefix}.control",
    )
    return app
