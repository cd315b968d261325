"""Fixtures for queue mode end to end: a real broker, a fresh PostgreSQL schema per test,
queues of the test's own, and the deployment's processes.

These tests need RabbitMQ (``NEWSMON_TEST_BROKER_URL``, e.g.
``amqp://guest:guest@127.0.0.1:5672//``) and PostgreSQL (``NEWSMON_TEST_DATABASE_URL``):
queue mode refuses SQLite.  Without either variable they are skipped with that reason;
``.ci/run`` sets both, and a variable that is set but names a broker that does not answer
fails the test rather than skipping it (CI must not pass by skipping).

Each test gets a random ``[queue] prefix``, so its queues are its own even when another
run uses the same broker; they are deleted afterwards.  ``queue_rig``'s schema starts at
the newest revision (the session's recorded migrations replayed: fast, and what a test
of something else needs); ``new_database_rig``'s is empty, for the test of a first start.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kombu.connection import Connection
from sqlalchemy import Engine, create_engine

from tests.cli_process import newsmon
from tests.conftest import PG_ENV, PG_SKIP, Statement, pg_schema, replay
from tests.monitor.daemon.conftest import toml_value, write_config
from tests.queue.farm import TOPIC
from tests.queue.processes import NewsmonProcess, logs, scheduler, worker

BROKER_ENV = "NEWSMON_TEST_BROKER_URL"
BROKER_SKIP = (
    f"queue-mode tests need {BROKER_ENV}, e.g. amqp://guest:guest@127.0.0.1:5672// "
    "(.ci/run sets it)"
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so a fixture can tell that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def broker_url() -> str:
    """The test broker's URL, checked once: skip if unset, fail if set and not answering."""
    url = os.environ.get(BROKER_ENV)
    if not url:
        pytest.skip(BROKER_SKIP)
    try:
        with Connection(url, connect_timeout=5) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        pytest.fail(f"{BROKER_ENV} is set but the broker does not answer: {exc}", pytrace=False)
    return url


@pytest.fixture(scope="session")
def pg_base() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP)
    return url


@contextmanager
def migrated_schema(base: str, script: list[Statement]) -> Iterator[str]:
    """A new PostgreSQL schema at the newest revision; yields its URL; dropped after."""
    with pg_schema(base) as url:
        engine = create_engine(url)
        try:
            replay(engine, script)
        finally:
            engine.dispose()
        yield url


def delete_queues(broker: str, names: list[str]) -> None:
    """Remove the test's queues and exchange from the broker (they are durable)."""
    with Connection(broker, connect_timeout=5) as conn:  # type: ignore[no-untyped-call]
        channel = conn.default_channel
        for name in names:
            channel.queue_delete(name)
        channel.exchange_delete(names[0].rsplit(".", 1)[0])


@dataclass
class QueueRig:
    """One test's deployment: its folder, database schema, broker queues and processes.

    ``configure(feeds)`` writes ``newsmon.toml``; ``worker()`` and ``scheduler()`` make
    (not start) the processes, which are all stopped at the end of the test.
    """

    folder: Path
    db_url: str
    broker_url: str
    prefix: str
    processes: list[NewsmonProcess] = field(default_factory=list)
    control_port: int = 0
    _engine: Engine | None = None

    def configure(
        self,
        feeds: list[dict[str, Any]],
        *,
        batch_size: int = 50,
        smtp_port: int | None = None,
        schedule: str = "0 7 1 1 *",
        recipients: tuple[str, ...] = (),
        queue: bool = True,
    ) -> Path:
        """The configuration of this deployment (``queue=False``: the single-process mode,
        the same in every other respect)."""
        (self.folder / "seeds").mkdir(exist_ok=True)
        extra = [
            "[seeds]",
            'dir = "seeds"',
            "include_bundled = false",  # nothing to cluster at start: every article is fetched
            "[[topics]]",
            *(f"{key} = {toml_value(value)}" for key, value in TOPIC.items()),
        ]
        for address in recipients:
            extra += ["[[recipients]]", f"email = {toml_value(address)}"]
        if queue:
            extra += [
                "[queue]",
                f"broker_url = {toml_value(self.broker_url)}",
                f"prefix = {toml_value(self.prefix)}",
                f"batch_size = {batch_size}",
            ]
        path, self.control_port = write_config(
            self.folder,
            self.db_url,
            feeds,
            smtp_port=smtp_port,
            schedule=schedule,
            extra="\n".join(extra) + "\n",
        )
        return path

    def initialise(self) -> None:
        """``newsmon init``: the configured feeds written once, before the processes start
        (each writes them at start too, then finding nothing to add)."""
        result = newsmon(self.folder, "init")
        assert result.returncode == 0, result.stderr

    def worker(self, *args: str) -> NewsmonProcess:
        made = worker(self.folder, f"worker{len(self.workers) + 1}", *args)
        self.processes.append(made)
        return made

    def scheduler(self) -> NewsmonProcess:
        made = scheduler(self.folder)
        self.processes.append(made)
        return made

    @property
    def workers(self) -> list[NewsmonProcess]:
        return [p for p in self.processes if p.args[0] == "worker"]

    @property
    def engine(self) -> Engine:
        """An engine on the test's schema, for the test to read what the processes stored."""
        if self._engine is None:
            self._engine = create_engine(self.db_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def logs(self) -> str:
        return logs(self.processes)


@contextmanager
def deployment(
    request: pytest.FixtureRequest, folder: Path, broker_url: str, db_url: str
) -> Iterator[QueueRig]:
    """A deployment's scaffolding in ``folder`` on ``db_url``; its processes are stopped
    (and their logs shown if the test failed) at the end and its queues deleted."""
    prefix = f"newsmon-test-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    rig = QueueRig(folder, db_url, broker_url, prefix)
    try:
        yield rig
    finally:
        for process in rig.processes:
            process.kill()  # how they stop is not what these tests are about
        rig.close()
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            print(rig.logs())  # shown under the failed test's captured output
        roles = ("poll", "classify", "digest")
        delete_queues(broker_url, [f"{prefix}.{role}" for role in roles])


@pytest.fixture
def queue_rig(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    broker_url: str,
    pg_base: str,
    _pg_migration_script: list[Statement],
) -> Iterator[QueueRig]:
    """A deployment on a schema at the newest revision (see :func:`deployment`)."""
    with (
        migrated_schema(pg_base, _pg_migration_script) as url,
        deployment(request, tmp_path / "queue", broker_url, url) as rig,
    ):
        yield rig


@pytest.fixture
def new_database_rig(
    request: pytest.FixtureRequest, tmp_path: Path, broker_url: str, pg_base: str
) -> Iterator[QueueRig]:
    """A deployment on an empty schema, as on the first ``docker compose up``."""
    with pg_schema(pg_base) as url, deployment(request, tmp_path / "queue", broker_url, url) as rig:
        yield rig


@pytest.fixture
def single_process_rig(
    tmp_path: Path, pg_base: str, _pg_migration_script: list[Statement], broker_url: str
) -> Iterator[QueueRig]:
    """A second folder and schema, for the single-process mode to run the same feeds."""
    folder = tmp_path / "single"
    folder.mkdir()
    with migrated_schema(pg_base, _pg_migration_script) as url:
        rig = QueueRig(folder, url, broker_url, prefix="unused")
        try:
            yield rig
        finally:
            rig.close()
