"""Queue depths and workers as the broker reports them (real RabbitMQ or Redis, a real
Celery worker in a thread for the ping), and the cache in front of them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from celery.contrib.testing.worker import start_worker
from prometheus_client.parser import text_string_to_metric_families

from monitor.config import Settings
from monitor.daemon.health import DaemonState, health_report
from monitor.daemon.metrics import Metrics
from monitor.queue.app import POLL_BATCH, celery_app, queue_name
from monitor.queue.status import QueueStatus, StatusCache, queue_status
from monitor.storage import Database
from tests.monitor.queue.brokers import broker_url, delete_queues, new_prefix, queue_settings
from tests.smtpserver import free_port

DB_URL = "postgresql+psycopg://unused@127.0.0.1/unused"  # the status reads the broker only


@pytest.fixture
def settings() -> Iterator[Settings]:
    made = queue_settings(DB_URL, broker_url(), new_prefix())
    yield made
    delete_queues(made)


def test_queues_nobody_declared_yet_hold_nothing(settings: Settings) -> None:
    status = queue_status(settings)
    assert status.ok and status.workers == []
    assert status.depths == {
        f"{settings.queue.prefix}.{r}": 0 for r in ("poll", "classify", "digest")
    }


def test_depths_count_the_tasks_waiting_in_each_queue(settings: Settings) -> None:
    app = celery_app(settings)
    with app.connection_for_write() as conn:
        with conn.channel() as channel:
            for queue in app.conf.task_queues:
                queue.bind(channel).declare()
        for dispatch_id in range(3):
            app.send_task(POLL_BATCH, args=[dispatch_id, [1]], connection=conn)

    status = queue_status(settings, app)

    assert status.depths[queue_name(settings, "poll")] == 3
    assert status.depths[queue_name(settings, "classify")] == 0
    assert status.as_dict()["broker"] == "ok"


def test_a_worker_of_this_deployment_answers_the_ping_and_no_other(settings: Settings) -> None:
    """A real Celery worker (in a thread, solo pool) of this deployment; a deployment with
    another prefix on the same broker does not count it (control messages stay apart)."""
    other = queue_settings(DB_URL, broker_url(), new_prefix())
    app = celery_app(settings)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=30, hostname="q2@test"
        ):
            ours = queue_status(settings, app, ping_timeout=1.0)
            theirs = queue_status(other, ping_timeout=1.0)
    finally:
        delete_queues(other)
    assert ours.workers == ["q2@test"]
    if broker_url().startswith("amqp"):  # Redis does not count consumers
        assert ours.consumers[queue_name(settings, "poll")] == 1
    assert theirs.ok and theirs.workers == []


def test_a_broker_that_does_not_answer_is_reported_in_one_line_without_its_password() -> None:
    down = queue_settings(DB_URL, f"amqp://guest:hunter2@127.0.0.1:{free_port()}//", "x")

    status = queue_status(down)

    assert not status.ok and status.depths == {} and status.workers == []
    assert status.error is not None and "\n" not in status.error
    assert "hunter2" not in status.as_dict()["broker"]
    assert status.as_dict()["broker"].startswith("unreachable: ")


def test_the_cache_asks_once_per_max_age() -> None:
    now = [0.0]
    asked: list[float] = []

    def fetch() -> QueueStatus:
        asked.append(now[0])
        return QueueStatus(workers=[f"w{len(asked)}"])

    cache = StatusCache(fetch, max_age=5.0, clock=lambda: now[0])
    assert cache.get().workers == ["w1"]
    now[0] = 4.9
    assert cache.get().workers == ["w1"]
    now[0] = 5.0
    assert cache.get().workers == ["w2"]
    assert asked == [0.0, 5.0]


def test_metrics_show_the_depths_and_workers_and_keep_them_while_the_broker_is_down() -> None:
    names = ["n.poll", "n.classify", "n.digest"]
    meter = Metrics(queues=names)
    meter.observe_queue(QueueStatus({"n.poll": 7}, workers=["w1@a", "w2@b"]), 2)
    up = _samples(meter)
    meter.observe_queue(QueueStatus(error="OperationalError: refused"), None)
    down = _samples(meter)

    assert up[("newsmon_queue_depth", "n.poll")] == 7
    assert up[("newsmon_queue_depth", "n.digest")] == 0
    assert up[("newsmon_queue_workers", None)] == 2
    assert up[("newsmon_queue_batches_in_flight", None)] == 2
    assert up[("newsmon_queue_broker_up", None)] == 1
    assert down[("newsmon_queue_broker_up", None)] == 0
    assert down[("newsmon_queue_depth", "n.poll")] == 7  # last seen, flagged by broker_up


def test_single_process_metrics_have_no_queue_series() -> None:
    meter = Metrics()
    assert not [name for name, _ in _samples(meter) if name.startswith("newsmon_queue")]
    with pytest.raises(ValueError, match="not queue mode"):
        meter.observe_queue(QueueStatus(), 0)


def _samples(meter: Metrics) -> dict[tuple[str, str | None], float]:
    body, _ = meter.render()
    return {
        (sample.name, sample.labels.get("queue")): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def test_a_broker_that_does_not_answer_makes_the_daemon_unhealthy(db: Database) -> None:
    scheduler = BackgroundScheduler()
    scheduler.start()
    try:
        state = DaemonState(datetime.now(UTC), scheduler, stopping=False, cycle_running=False)
        ok = QueueStatus({"n.poll": 0}).as_dict() | {"batches_in_flight": 0}
        down = QueueStatus(error="OperationalError: refused").as_dict()
        healthy, body = health_report(db, [], state, queue=ok)
        sick, sick_body = health_report(db, [], state, queue=down | {"batches_in_flight": 0})
        plain, plain_body = health_report(db, [], state)
    finally:
        scheduler.shutdown(wait=False)
    assert (healthy, body["queue"]) == (200, ok)
    assert sick == 503 and sick_body["status"] == "unhealthy"
    assert sick_body["queue"]["broker"] == "unreachable: OperationalError: refused"
    assert plain == 200 and "queue" not in plain_body
