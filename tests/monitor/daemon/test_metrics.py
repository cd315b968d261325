"""Metrics as a scraper sees them: the text at /metrics, parsed by prometheus_client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from monitor import __version__
from monitor.daemon.metrics import Metrics
from monitor.daemon.triggers import NotFound, TriggerRequest
from monitor.web.app import build_app
from tests.monitor.web.serving import served, web_context

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
FINISHED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def rendered(metrics: Metrics) -> Samples:
    body, _ = metrics.render()
    return parse(body.decode())


def cycle(metrics: Metrics, **overrides: Any) -> None:
    args: dict[str, Any] = {
        "trigger": "schedule",
        "duration_s": 2.0,
        "feeds": {"ok": 3, "not_modified": 5, "failed": 1},
        "entries_new": 12,
        "entries_matched": 4,
        "classified": {"new_story": 2, "update": 1, "duplicate": 1},
        "finished_at": FINISHED,
    }
    metrics.record_cycle(**(args | overrides))


class MetricsOnly:
    """Just enough of ControlHandlers to serve /metrics."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics_obj = metrics

    def health(self, detailed: bool) -> tuple[int, dict[str, Any]]:
        return 200, {}

    def metrics(self) -> tuple[bytes, str]:
        return self.metrics_obj.render()

    def trigger(self, request: TriggerRequest) -> dict[str, Any]:
        raise NotFound("not here")


@pytest.fixture(name="served")
def served_metrics(tmp_path: Path) -> Iterator[tuple[Metrics, str]]:
    metrics = Metrics()
    app = build_app(web_context(tmp_path, handlers=MetricsOnly(metrics), token="token"))
    with served(app) as server:
        yield metrics, server.url("/metrics")


def test_every_series_starts_at_zero() -> None:
    samples = rendered(Metrics())
    for trigger in ("schedule", "manual"):
        assert value(samples, "newsmon_cycles_total", trigger=trigger) == 0
    for outcome in ("ok", "not_modified", "failed"):
        assert value(samples, "newsmon_feeds_polled_total", outcome=outcome) == 0
    for status in ("new_story", "update", "duplicate"):
        assert value(samples, "newsmon_articles_classified_total", status=status) == 0
    for name in (
        "newsmon_entries_new_total",
        "newsmon_entries_matched_total",
        "newsmon_duplicates_suppressed_total",
        "newsmon_digests_sent_total",
        "newsmon_digests_failed_total",
        "newsmon_cycle_duration_seconds_count",
        "newsmon_last_cycle_timestamp_seconds",
        "newsmon_cycle_running",
    ):
        assert value(samples, name) == 0, name
    assert value(samples, "newsmon_info", version=__version__) == 1


def test_recorded_cycles_and_digests_show_at_metrics(served: tuple[Metrics, str]) -> None:
    metrics, url = served
    metrics.cycle_started()
    cycle(metrics)
    metrics.cycle_started()
    cycle(metrics, trigger="manual", duration_s=0.05, feeds={"ok": 1}, classified={"update": 2})
    for status in ("sent", "sent", "pending", "failed", "busy"):
        metrics.record_digest(status)

    with httpx.Client(trust_env=False) as client:
        response = client.get(url)
    assert response.status_code == 200
    samples = parse(response.text)

    assert value(samples, "newsmon_cycles_total", trigger="schedule") == 1
    assert value(samples, "newsmon_cycles_total", trigger="manual") == 1
    assert value(samples, "newsmon_cycle_duration_seconds_count") == 2
    assert value(samples, "newsmon_cycle_duration_seconds_sum") == pytest.approx(2.05)
    assert value(samples, "newsmon_cycle_duration_seconds_bucket", le="0.1") == 1
    assert value(samples, "newsmon_cycle_duration_seconds_bucket", le="600.0") == 2
    assert value(samples, "newsmon_feeds_polled_total", outcome="ok") == 4
    assert value(samples, "newsmon_feeds_polled_total", outcome="not_modified") == 5
    assert value(samples, "newsmon_feeds_polled_total", outcome="failed") == 1
    assert value(samples, "newsmon_entries_new_total") == 24
    assert value(samples, "newsmon_entries_matched_total") == 8
    assert value(samples, "newsmon_articles_classified_total", status="new_story") == 2
    assert value(samples, "newsmon_articles_classified_total", status="update") == 3
    assert value(samples, "newsmon_articles_classified_total", status="duplicate") == 1
    assert value(samples, "newsmon_duplicates_suppressed_total") == 1
    assert value(samples, "newsmon_digests_sent_total") == 2
    assert value(samples, "newsmon_digests_failed_total") == 2
    assert value(samples, "newsmon_last_cycle_timestamp_seconds") == FINISHED.timestamp()
    assert value(samples, "newsmon_cycle_running") == 0


def test_running_flag_follows_the_cycle() -> None:
    metrics = Metrics()
    metrics.cycle_started()
    assert value(rendered(metrics), "newsmon_cycle_running") == 1
    metrics.cycle_failed()
    samples = rendered(metrics)
    assert value(samples, "newsmon_cycle_running") == 0
    assert value(samples, "newsmon_last_cycle_timestamp_seconds") == 0  # no success yet


def test_a_naive_finish_time_is_utc() -> None:
    metrics = Metrics()
    cycle(metrics, finished_at=FINISHED.replace(tzinfo=None))
    assert value(rendered(metrics), "newsmon_last_cycle_timestamp_seconds") == FINISHED.timestamp()


@pytest.mark.parametrize(
    "overrides",
    [
        {"trigger": "cron"},
        {"feeds": {"ok": 1, "timeout": 1}},
        {"classified": {"dupe": 1}},
        {"entries_new": -1},
    ],
)
def test_bad_input_raises_and_counts_nothing(overrides: dict[str, Any]) -> None:
    metrics = Metrics()
    before = rendered(metrics)
    with pytest.raises(ValueError):
        cycle(metrics, **overrides)
    assert rendered(metrics) == before


def test_an_unknown_digest_status_raises() -> None:
    with pytest.raises(ValueError, match="unknown digest status"):
        Metrics().record_digest("lost")


def test_registries_are_private() -> None:
    first, second = Metrics(), Metrics()  # no "duplicated timeseries" error
    cycle(first)
    assert value(rendered(second), "newsmon_entries_new_total") == 0
    assert REGISTRY.get_sample_value("newsmon_entries_new_total") is None
    _, content_type = first.render()
    assert content_type.startswith("text/plain")


def test_every_digest_attempt_status_has_a_place() -> None:
    from typing import get_args

    from alerts.run import AttemptStatus
    from monitor.daemon.metrics import DIGEST_FAILED, DIGEST_IGNORED, DIGEST_SENT

    assert sorted(DIGEST_SENT + DIGEST_FAILED + DIGEST_IGNORED) == sorted(get_args(AttemptStatus))
