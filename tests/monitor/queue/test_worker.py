"""``newsmon worker --queues``: roles or full names, comma-separated or repeated; all three
by default; an unknown one is a one-line configuration error."""

from __future__ import annotations

import pytest

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.queue.worker import resolve_queues

SETTINGS = Settings.model_validate({"feeds": [], "queue": {"prefix": "nm"}})


@pytest.mark.parametrize(
    ("given", "queues"),
    [
        ([], ["nm.poll", "nm.classify", "nm.digest"]),
        (["poll"], ["nm.poll"]),
        (["classify,digest"], ["nm.classify", "nm.digest"]),
        (["nm.digest", "poll", " digest "], ["nm.digest", "nm.poll"]),
    ],
)
def test_queues_by_role_or_name(given: list[str], queues: list[str]) -> None:
    assert resolve_queues(SETTINGS, given) == queues


def test_an_unknown_queue_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigError, match=r"--queues: unknown queue 'other\.poll' \(use poll"):
        resolve_queues(SETTINGS, ["other.poll"])
