"""The real broker and PostgreSQL for the queue tests.

Each test gets a queue prefix of its own (so tests running at once, and other
test modules' workers, never share queues) and a PostgreSQL schema of its own;
what the scheduler sent is read by consuming the queue with kombu, as a worker
would, and the test's queues and exchanges are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from kombu import Connection, Exchange, Queue

from monitor.config import Settings
from monitor.queue.app import queue_name, queue_names
from monitor.storage import Database
from tests.conftest import PG_ENV, PG_SKIP, Statement, pg_schema, replay

BROKER_ENV = "NEWSMON_TEST_BROKER_URL"
BROKER_SKIP = (
    f"queue tests need a broker in {BROKER_ENV}, e.g. amqp://guest:guest@127.0.0.1:5672// "
    "(.ci/run sets it)"
)


@dataclass(frozen=True)
class Message:
    """One task message as a worker receives it."""

    task: str
    args: list[Any]


def broker_url() -> str:
    """The test broker, or skip the test with the reason."""
    url = os.environ.get(BROKER_ENV)
    if not url:
        pytest.skip(BROKER_SKIP)
    return url


def new_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@contextmanager
def pg_database(script: list[Statement]) -> Iterator[Database]:
    """A PostgreSQL schema at the newest revision (queue mode needs PostgreSQL)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    with pg_schema(base) as url:
        db = Database.from_url(url)
        replay(db.engine, script)
        try:
            yield db
        finally:
            db.dispose()


def queue_settings(db_url: str, broker: str, prefix: str, **queue: Any) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": db_url},
            "feeds": [],
            "queue": {"broker_url": broker, "prefix": prefix} | queue,
            "email": {"to": ["reader@example.org"], "from": "newsmon <d@newsmon.example>"},
        }
    )


def take(settings: Settings, role: str) -> list[Message]:
    """Every message waiting in the ``role`` queue, consumed (acknowledged)."""
    found: list[Message] = []
    broker = settings.queue.broker_url
    assert broker is not None
    with Connection(broker.get_secret_value()) as conn, conn.channel() as channel:
        queue = Queue(queue_name(settings, role), no_declare=True).bind(channel)
        try:
            while (message := queue.get(no_ack=True)) is not None:
                args, _kwargs, _embed = message.decode()
                found.append(Message(str(message.headers["task"]), list(args)))
        except conn.channel_errors:  # not declared yet: nothing was sent to it
            return []
    return found


def delete_queues(settings: Settings) -> None:
    """Remove the test's queues and exchanges from the broker."""
    broker = settings.queue.broker_url
    assert broker is not None
    with Connection(broker.get_secret_value()) as conn:
        for name in queue_names(settings):
            with conn.channel() as channel:
                Queue(name).bind(channel).delete()
        for name in (settings.queue.prefix, f"{settings.queue.prefix}.control.pidbox"):
            with conn.channel() as channel:
                Exchange(name).bind(channel).delete()
