"""The pure decision rules: layer order, thresholds, statuses."""

from __future__ import annotations

from monitor.dedup import DedupSettings
from monitor.dedup.decide import Candidate, Match, choose, choose_lexical, decide, status_of
from monitor.dedup.linking import StoryLink
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


def link(story: int, score: float, member: str | None = "m") -> StoryLink:
    return StoryLink(
        story_id=story,
        centroid=score,
        best_member=score,
        best_member_id=member,
        entities=0.0,
        shared_entities=(),
        lexical=0.0,
        lexical_member_id=None,
        days_apart=None,
        seed=False,
        score=score,
    )


def lexical_choice(candidates: list[Candidate]) -> Match | None:
    """The layers as the index applies them without embeddings."""
    return choose(None, candidates, choose_lexical(candidates, SETTINGS), SETTINGS)


def test_exact_beats_everything() -> None:
    strong = link(3, 2.0)
    match = choose(("a", 1), [candidate("b", 2, jaccard=0.99)], strong, SETTINGS)
    assert match == Match("exact", "a", 1, 1.0)


def test_near_duplicate_beats_story_evidence() -> None:
    candidates = [candidate("b", 2, score=9.0), candidate("c", 3, jaccard=0.8)]
    match = choose(None, candidates, choose_lexical(candidates, SETTINGS), SETTINGS)
    assert match is not None and (match.layer, match.article_id) == ("near_duplicate", "c")
    match = choose(None, candidates, link(4, 2.0), SETTINGS)
    assert match is not None and (match.layer, match.story_id) == ("near_duplicate", 3)


def test_story_layer_needs_its_threshold_and_respects_dates() -> None:
    low = SETTINGS.story_threshold - 0.01
    assert lexical_choice([candidate("b", 2, score=low)]) is None
    high = SETTINGS.story_threshold + 0.5
    assert lexical_choice([candidate("b", 2, score=high, excluded=True)]) is None
    match = lexical_choice([candidate("b", 2, score=high)])
    assert match is not None and (match.layer, match.article_id, match.story_id) == (
        "story",
        "b",
        2,
    )
    assert match.score == high


def test_choose_lexical_takes_the_best_story_score() -> None:
    assert choose_lexical([], SETTINGS) is None
    high = SETTINGS.story_threshold + 0.5
    chosen = choose_lexical(
        [candidate("b", 2, score=high), candidate("c", 3, score=high + 0.1)], SETTINGS
    )
    assert chosen is not None
    assert (chosen.story_id, chosen.lexical_member_id, chosen.score) == (3, "c", high + 0.1)
    assert chosen.semantic == 0.0


def test_a_story_link_joins_its_story_by_its_best_member() -> None:
    match = choose(None, [candidate("b", 2, score=0.1)], link(5, 0.9, member="m"), SETTINGS)
    assert match == Match("story", "m", 5, 0.9)
    assert choose(None, [candidate("b", 2, score=0.1)], None, SETTINGS) is None


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


def test_a_new_story_names_its_closest_story_link_first() -> None:
    links = [link(2, 0.4, member="weak"), link(3, 0.6, member="strong")]
    decision = decide("n", None, [], [candidate("b", 2, score=0.3)], links)
    assert [lk.story_id for lk in decision.links] == [3, 2]
    assert (decision.nearest_id, decision.score) == ("strong", 0.6)
    assert decision.link is None
    assert decision.to_dict()["links"][0]["story_id"] == 3


def test_a_decision_keeps_the_link_of_the_story_it_joined() -> None:
    links = [link(2, 0.9), link(3, 0.8)]
    decision = decide("n", Match("story", "m", 2, 0.9), [verdict(True)], [], links)
    assert decision.status == "update"
    assert decision.link is not None and decision.link.story_id == 2
    assert decision.furniture == []


def test_a_development_needs_enough_novel_sentences_or_one_in_the_lead() -> None:
    story = Match("story", "b", 2, 1.5)
    strict = DedupSettings(novel_min_sentences=2, novel_lead_sentences=2)
    deep = [verdict(False), verdict(False), verdict(True)]
    assert status_of(story, deep) == "update"  # the default: any novel sentence
    assert status_of(story, deep, strict) == "duplicate"  # one novel sentence, past the lead
    assert status_of(story, [verdict(False), verdict(True)], strict) == "update"  # in the lead
    assert status_of(story, [*deep, verdict(True)], strict) == "update"  # two, anywhere
