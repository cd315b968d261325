"""Story links: one score from meaning, entities, words and dates; the best story joins."""

from __future__ import annotations

from itertools import pairwise

import pytest

from monitor.dedup import DedupSettings
from monitor.dedup.linking import (
    ENTITY_WEIGHT,
    LEXICAL_WEIGHT,
    STALE_PENALTY,
    StoryLink,
    best_link,
    link_score,
)

SETTINGS = DedupSettings()
BASE = {
    "centroid": 0.5,
    "best_member": 0.4,
    "entities": 0.3,
    "lexical": 0.5,
    "days_apart": 1.0,
}
STEPS = [i / 10 for i in range(11)]


def score(**changes: float | None) -> float:
    evidence = {**BASE, **changes}
    return link_score(settings=SETTINGS, **evidence)


def link(story: int, value: float, seed: bool = False) -> StoryLink:
    return StoryLink(
        story_id=story,
        centroid=value,
        best_member=value,
        best_member_id=f"m{story}",
        entities=0.0,
        shared_entities=(),
        lexical=0.0,
        lexical_member_id=None,
        days_apart=None,
        seed=seed,
        score=value,
    )


def non_decreasing(values: list[float]) -> bool:
    return all(b >= a - 1e-12 for a, b in pairwise(values))


@pytest.mark.parametrize("evidence", ["centroid", "best_member", "entities"])
def test_more_evidence_never_lowers_the_score(evidence: str) -> None:
    values = [score(**{evidence: step}) for step in STEPS]
    assert non_decreasing(values)
    assert values[-1] > values[0]


def test_meaning_counts_by_the_closer_of_centroid_and_best_member() -> None:
    assert score(centroid=0.8, best_member=0.2) == pytest.approx(
        score(centroid=0.2, best_member=0.8)
    )
    assert score(centroid=0.8, best_member=0.2) - score(centroid=0.6, best_member=0.2) == (
        pytest.approx(0.2)
    )
    # Below the other one, it changes nothing.
    assert score(centroid=0.1, best_member=0.6) == score(centroid=0.3, best_member=0.6)


def test_entities_weigh_their_share() -> None:
    assert score(entities=1.0) - score(entities=0.0) == pytest.approx(ENTITY_WEIGHT)


def test_lexical_evidence_counts_up_to_a_cap() -> None:
    threshold = SETTINGS.story_threshold
    values = [score(lexical=threshold * step) for step in [s * 3 for s in STEPS]]
    assert non_decreasing(values)
    assert score(lexical=threshold) - score(lexical=0.0) == pytest.approx(LEXICAL_WEIGHT)
    assert score(lexical=1.5 * threshold) == pytest.approx(score(lexical=10 * threshold))
    assert score(lexical=1.5 * threshold) > score(lexical=1.4 * threshold)


def test_time_never_helps_and_an_undated_story_is_not_penalised() -> None:
    window = SETTINGS.link_window_days
    days = [window * step * 5 for step in STEPS]
    values = [score(days_apart=d) for d in days]
    assert all(b <= a + 1e-12 for a, b in pairwise(values))
    assert score(days_apart=None) == score(days_apart=0.0) == score(days_apart=window)


def test_the_stale_penalty_grows_per_window_and_stops_at_three() -> None:
    window = SETTINGS.link_window_days
    fresh = score(days_apart=window)
    assert fresh - score(days_apart=2 * window) == pytest.approx(STALE_PENALTY)
    assert fresh - score(days_apart=2.5 * window) == pytest.approx(1.5 * STALE_PENALTY)
    assert fresh - score(days_apart=4 * window) == pytest.approx(3 * STALE_PENALTY)
    assert score(days_apart=4 * window) == pytest.approx(score(days_apart=40 * window))
    # The penalty is per window: a shorter window makes the same gap cost more.
    short = DedupSettings(link_window_days=window / 2)
    evidence = {**BASE, "days_apart": 2 * window}
    assert link_score(settings=short, **evidence) < link_score(settings=SETTINGS, **evidence)


def test_the_score_adds_up() -> None:
    expected = (
        0.5
        + ENTITY_WEIGHT * 0.3
        + LEXICAL_WEIGHT * (0.5 / SETTINGS.story_threshold)
        - STALE_PENALTY * (SETTINGS.link_window_days / SETTINGS.link_window_days)
    )
    assert score(days_apart=2 * SETTINGS.link_window_days) == pytest.approx(expected)


def test_best_link_needs_the_threshold() -> None:
    threshold = SETTINGS.link_threshold
    assert best_link([], SETTINGS) is None
    assert best_link([link(1, threshold - 0.01)], SETTINGS) is None
    chosen = best_link([link(1, threshold)], SETTINGS)  # inclusive
    assert chosen is not None and chosen.story_id == 1
    chosen = best_link([link(1, threshold + 0.1), link(2, threshold + 0.2)], SETTINGS)
    assert chosen is not None and chosen.story_id == 2
    # The best one decides: below the threshold, a weaker one does not stand in.
    assert best_link([link(1, threshold - 0.01), link(2, threshold - 0.02)], SETTINGS) is None
    stricter = DedupSettings(link_threshold=threshold + 0.5)
    assert best_link([link(1, threshold + 0.2)], stricter) is None


def test_a_tie_goes_to_the_older_story_whatever_the_order() -> None:
    value = SETTINGS.link_threshold + 0.1
    links = [link(9, value), link(4, value), link(6, value), link(3, value - 0.05)]
    for ordering in (links, list(reversed(links)), links[1:] + links[:1]):
        chosen = best_link(ordering, SETTINGS)
        assert chosen is not None and chosen.story_id == 4


def test_semantic_is_the_closer_of_centroid_and_best_member() -> None:
    evidence = link(1, 0.0)
    assert evidence.semantic == 0.0
    mixed = StoryLink(1, 0.6, 0.8, "m", 0.0, (), 0.0, None, None, False, 0.8)
    assert mixed.semantic == 0.8
