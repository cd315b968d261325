"""Which known story an article reports, judged against each story as a whole.

The pairwise evidence of :mod:`monitor.dedup.story` (shared rare words,
phrases, quotations) finds rewrites in the same language; it cannot see
that a German report and an English one tell the same event.  Here each
candidate story is weighed with evidence that survives wording and
language:

* ``centroid``/``best_member``: cosine of the article's lead embedding
  with the story's centroid and with its closest member (a story is
  judged as a whole, so one odd member neither makes nor breaks a link);
* ``entities``: the share of the article's named entities, weighted by
  rarity and normalised across languages (``OTAN`` is ``NATO``), that the
  story has named: two events with the same protagonists share
  ``Rubio`` and ``NATO`` but not ``Riyadh`` and ``Lavrov``;
* ``lexical``: the best pairwise story score of one of its members
  (same-language rewrites are recognised by it already);
* ``days_apart``: to the story's nearest dated member.  Embeddings cannot
  tell this week's NATO meeting from last spring's (cosine 0.74 measured),
  so a story that is quiet for longer than ``link_window_days`` needs
  stronger evidence, and one out of ``date_max_gap_days`` is not a
  candidate at all.

They combine into one score (:func:`link_score`), whose weights and
threshold were chosen on the tuning half of the real-news dev set
(``docs/dedup.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from monitor.dedup.features import Analysis
from monitor.dedup.settings import DedupSettings
from monitor.dedup.signatures import Signature

F32 = npt.NDArray[np.float32]
SEMANTIC_FLOOR = 0.3  # stories less similar than this by meaning are not candidates by meaning


class Stories(Protocol):
    """What linking reads of the index's stories (:class:`~monitor.dedup.index.DedupIndex`)."""

    def nearest(self, vector: F32, limit: int, floor: float) -> list[tuple[int, float]]: ...
    def centroid_cosine(self, story: int, vector: F32) -> float: ...
    def member_vectors(self, story: int) -> tuple[list[str], F32]: ...
    def story_entities(self, story: int) -> set[int]: ...
    def entity_weights(self, signature: Signature) -> dict[int, float]: ...
    def days_to_story(self, signature: Signature, story: int) -> float | None: ...
    def stories_out_of_time(self, signature: Signature, stories: set[int]) -> set[int]: ...
    def is_seed_story(self, story: int) -> bool: ...


ENTITY_WEIGHT = 0.35  # a story that names all of the article's (rarity-weighted) entities
LEXICAL_WEIGHT = 0.15  # a member that passes the pairwise story threshold
STALE_PENALTY = 0.15  # per link window beyond the first: old stories need more evidence


@dataclass(frozen=True)
class StoryLink:
    """The evidence that an article reports one known story, and its score."""

    story_id: int
    centroid: float
    best_member: float
    best_member_id: str | None
    entities: float
    shared_entities: tuple[str, ...]
    lexical: float
    lexical_member_id: str | None
    days_apart: float | None
    seed: bool
    score: float

    @property
    def semantic(self) -> float:
        return max(self.centroid, self.best_member)


def link_score(
    centroid: float,
    best_member: float,
    entities: float,
    lexical: float,
    days_apart: float | None,
    settings: DedupSettings,
) -> float:
    """One number from the evidence; an article joins the best story scoring at least
    ``settings.link_threshold``."""
    semantic = max(centroid, best_member)
    lexical_part = min(lexical / settings.story_threshold, 1.5) if settings.story_threshold else 0
    score = semantic + ENTITY_WEIGHT * entities + LEXICAL_WEIGHT * lexical_part
    if days_apart is not None and days_apart > settings.link_window_days:
        windows = (days_apart - settings.link_window_days) / max(settings.link_window_days, 0.1)
        score -= STALE_PENALTY * min(windows, 3.0)
    return score


def best_link(links: list[StoryLink], settings: DedupSettings) -> StoryLink | None:
    """The story the article joins, or None for a new story."""
    if not links:
        return None
    best = max(links, key=lambda link: (link.score, -link.story_id))
    return best if best.score >= settings.link_threshold else None


def story_links(
    analysis: Analysis,
    lexical_best: dict[int, tuple[float, str]],
    stories: Stories,
    settings: DedupSettings,
) -> list[StoryLink]:
    """Evidence for every story the article may report: those of its lexical candidates
    (``lexical_best``: story -> best pairwise score and that member) and those nearest by
    meaning, less the stories out of time."""
    signature = analysis.signature
    vector = signature.vector.astype(np.float32)
    candidates = set(lexical_best)
    if len(vector):
        nearest = stories.nearest(vector, settings.semantic_candidates, SEMANTIC_FLOOR)
        candidates.update(story for story, _ in nearest)
    candidates -= stories.stories_out_of_time(signature, candidates)
    weights = stories.entity_weights(signature)
    total = sum(weights.values())
    links = []
    for story in candidates:
        best_member, best_id = 0.0, None
        if len(vector):
            ids, rows = stories.member_vectors(story)
            if len(rows):
                sims = rows @ vector
                top = int(np.argmax(sims))
                best_member, best_id = float(sims[top]), ids[top]
        named = stories.story_entities(story)
        shared = [h for h in weights if h in named]
        entity_share = sum(weights[h] for h in shared) / total if total else 0.0
        lexical_score, lexical_id = lexical_best.get(story, (0.0, None))
        days = stories.days_to_story(signature, story)
        centroid = stories.centroid_cosine(story, vector)
        links.append(
            StoryLink(
                story_id=story,
                centroid=round(centroid, 4),
                best_member=round(best_member, 4),
                best_member_id=best_id,
                entities=round(entity_share, 4),
                shared_entities=tuple(analysis.spell(shared)),
                lexical=round(lexical_score, 4),
                lexical_member_id=lexical_id,
                days_apart=round(days, 2) if days is not None else None,
                seed=stories.is_seed_story(story),
                score=link_score(
                    centroid, best_member, entity_share, lexical_score, days, settings
                ),
            )
        )
    return links
