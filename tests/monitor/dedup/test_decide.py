"""The pure decision rules: layer order, thresholds, statuses."""

from __future__ import annotations

from monitor.dedup import DedupSettings
from monitor.dedup.decide import Candidate, Match, choose, decide, status_of
from monitor.dedup.near_duplicate import Resemblance
from monitor.dedup.novelty import SentenceVerdict
from monitor.dedup.story import StoryEvidence

SETTINGS = DedupSettings()


def candidate(
    article: str, story: int, jaccard: float = 0.0, score: float = 0.0, excluded: bool = False
) -> Candidate:
    return Candidate(
        article_id=article,
        story_id=story,
        resemblance=Resemblance(jaccard, 0.0, 0.0, int(jaccard * 128)),
        story=StoryEvidence(0, 0, 0, 0, (), 0, 0, None, score),
        excluded_by_date=excluded,
    )


def verdict(novel: bool) -> SentenceVerdict:
    return SentenceVerdict("A sentence.", novel, 0, 0, False, 0, 1)


def test_exact_beats_everything() -> None:
    match = choose(("a", 1), [candidate("b", 2, jaccard=0.99)], SETTINGS)
    assert match == Match("exact", "a", 1, 1.0)


def test_near_duplicate_beats_story_evidence() -> None:
    candidates = [candidate("b", 2, score=9.0), candidate("c", 3, jaccard=0.8)]
    match = choose(None, candidates, SETTINGS)
    assert match is not None and (match.layer, match.article_id) == ("near_duplicate", "c")


def test_story_layer_needs_its_threshold_and_respects_dates() -> None:
    low = SETTINGS.story_threshold - 0.01
    assert choose(None, [candidate("b", 2, score=low)], SETTINGS) is None
    high = SETTINGS.story_threshold + 0.5
    assert choose(None, [candidate("b", 2, score=high, excluded=True)], SETTINGS) is None
    match = choose(None, [candidate("b", 2, score=high)], SETTINGS)
    assert match is not None and match.layer == "story"


def test_status_follows_novelty() -> None:
    story = Match("story", "b", 2, 2.0)
    assert status_of(None, []) == "new_story"
    assert status_of(story, [verdict(False), verdict(False)]) == "duplicate"
    assert status_of(story, [verdict(False), verdict(True)]) == "update"
    assert status_of(Match("exact", "b", 2, 1.0), [verdict(True)]) == "duplicate"


def test_a_new_story_still_names_its_closest_candidate() -> None:
    decision = decide("n", None, [], [candidate("b", 2, score=0.3)])
    assert (decision.status, decision.story_id, decision.layer) == ("new_story", None, "none")
    assert (decision.nearest_id, decision.score) == ("b", 0.3)
    assert decision.to_dict()["candidates"][0]["article_id"] == "b"
