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

from monitor.dedup.settings import DedupSettings

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
