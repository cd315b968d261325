"""The decision: which layer recognises the article, and what it adds to its story.

Pure functions over evidence already computed, so the rules can be read
(and tested) on their own:

1. *exact*: the same normalised text is already known -> ``duplicate``;
2. *near_duplicate*: a known article's MinHash resemblance (Jaccard, or
   containment either way) passes its threshold -> the article joins that
   article's story;
3. *story*: the best story score passes ``story_threshold`` -> it joins
   that story;
4. otherwise it is a ``new_story``.

An article that joins a story by layer 2 or 3 is an ``update`` when it has
novel sentences (see :mod:`monitor.dedup.novelty`) and a ``duplicate``
when it has none.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from typing import Any, Literal

from monitor.dedup.furniture import FurnitureLine
from monitor.dedup.linking import StoryLink
from monitor.dedup.near_duplicate import Resemblance
from monitor.dedup.novelty import SentenceVerdict
from monitor.dedup.settings import DedupSettings
from monitor.dedup.story import StoryEvidence
from monitor.outcomes import DedupStatus

Status = DedupStatus  # the shared vocabulary (monitor.outcomes)
Layer = Literal["exact", "near_duplicate", "story", "none"]


@dataclass(frozen=True)
class Candidate:
    """One known article compared with the incoming one, with all the evidence."""

    article_id: str
    story_id: int
    resemblance: Resemblance
    story: StoryEvidence
    shared_names: tuple[str, ...] = ()
    excluded_by_date: bool = False

    def near_duplicate(self, settings: DedupSettings) -> bool:
        r = self.resemblance
        return (
            r.jaccard >= settings.near_duplicate_jaccard
            or max(r.containment, r.coverage) >= settings.near_duplicate_containment
        )

    def story_score(self) -> float:
        return 0.0 if self.excluded_by_date else self.story.score


@dataclass(frozen=True)
class Match:
    """The known article (and its story) that the incoming article was recognised by."""

    layer: Layer
    article_id: str
    story_id: int
    score: float


def choose(
    exact: tuple[str, int] | None,
    candidates: list[Candidate],
    link: StoryLink | None,
    settings: DedupSettings,
) -> Match | None:
    """Apply the layers in order; ``None`` means a new story.

    ``link`` is the best story by :mod:`monitor.dedup.linking` (meaning,
    entities, words and dates, judged against whole stories), already
    checked against its threshold; with no embeddings at all (no encoder)
    the pairwise story score decides, as it did before embeddings.
    """
    if exact is not None:
        return Match("exact", exact[0], exact[1], 1.0)
    near = [c for c in candidates if c.near_duplicate(settings)]
    if near:
        best = max(near, key=lambda c: c.resemblance.best)
        return Match("near_duplicate", best.article_id, best.story_id, best.resemblance.best)
    if link is not None:
        member = link.best_member_id or link.lexical_member_id or ""
        return Match("story", member, link.story_id, round(link.score, 4))
    return None


def choose_lexical(candidates: list[Candidate], settings: DedupSettings) -> StoryLink | None:
    """Without embeddings: the story of the best pairwise story score, if it passes."""
    if not candidates:
        return None
    best = max(candidates, key=Candidate.story_score)
    if best.story_score() < settings.story_threshold:
        return None
    return StoryLink(
        story_id=best.story_id,
        centroid=0.0,
        best_member=0.0,
        best_member_id=None,
        entities=0.0,
        shared_entities=(),
        lexical=best.story_score(),
        lexical_member_id=best.article_id,
        days_apart=best.story.days_apart,
        seed=False,
        score=best.story_score(),
    )


def status_of(
    match: Match | None, verdicts: list[SentenceVerdict], settings: DedupSettings | None = None
) -> Status:
    if match is None:
        return "new_story"
    if match.layer != "exact" and develops(verdicts, settings or DedupSettings()):
        return "update"
    return "duplicate"


def develops(verdicts: list[SentenceVerdict], settings: DedupSettings) -> bool:
    """Whether the novel sentences make a development worth reporting.

    News is written as an inverted pyramid: a report whose news is new puts
    it in its lead.  A retelling that adds a detail deep in its body (a
    background date, a bystander's name) has novel sentences but no new
    development, so it needs ``novel_min_sentences`` of them; one novel
    sentence within the first ``novel_lead_sentences`` is enough.
    """
    novel = [i for i, v in enumerate(verdicts) if v.novel]
    if not novel:
        return False
    return len(novel) >= settings.novel_min_sentences or novel[0] < settings.novel_lead_sentences


@dataclass(frozen=True)
class Decision:
    """What dedup decided about one article, with everything ``newsmon explain`` shows.

    ``story_id`` is None for a new story (the caller creates the story and
    passes its id to :meth:`~monitor.dedup.index.DedupIndex.add`).
    ``nearest_id``/``score`` are the known article that decided and its
    score in the deciding ``layer``, or for a new story the closest
    candidate and its story score.
    """

    article_id: str
    status: Status
    story_id: int | None
    layer: Layer
    nearest_id: str | None
    score: float | None
    novel_sentences: list[str]
    sentences: list[SentenceVerdict] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    links: list[StoryLink] = field(default_factory=list)  # candidate stories, best first
    furniture: list[FurnitureLine] = field(default_factory=list)  # lines set aside as no news

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (for ``explain --json`` and ``export``)."""
        data: dict[str, Any] = _plain(self)
        for plain, verdict in zip(data["sentences"], self.sentences, strict=True):
            plain["reason"] = verdict.reason
        return data

    @property
    def link(self) -> StoryLink | None:
        """The evidence of the story the article joined (None for a new story or a copy)."""
        return next((lk for lk in self.links if lk.story_id == self.story_id), None)


def decide(
    article_id: str,
    match: Match | None,
    verdicts: list[SentenceVerdict],
    candidates: list[Candidate],
    links: list[StoryLink] | None = None,
    furniture: tuple[FurnitureLine, ...] = (),
    settings: DedupSettings | None = None,
) -> Decision:
    """Assemble the decision from the chosen match and the sentence verdicts."""
    status = status_of(match, verdicts, settings)
    ranked = sorted(candidates, key=lambda c: (c.resemblance.best, c.story.score), reverse=True)
    ranked_links = sorted(links or [], key=lambda lk: lk.score, reverse=True)
    if match is not None:
        nearest_id: str | None = match.article_id
        score: float | None = match.score
    elif ranked_links:
        closest = ranked_links[0]
        nearest_id = closest.best_member_id or closest.lexical_member_id
        score = round(closest.score, 4)
    elif candidates:
        nearest = max(candidates, key=Candidate.story_score)
        nearest_id, score = nearest.article_id, nearest.story_score()
    else:
        nearest_id, score = None, None
    return Decision(
        article_id=article_id,
        status=status,
        story_id=match.story_id if match is not None else None,
        layer=match.layer if match is not None else "none",
        nearest_id=nearest_id,
        score=score,
        novel_sentences=[v.text for v in verdicts if v.novel] if status == "update" else [],
        sentences=verdicts if match is not None else [],
        candidates=ranked,
        links=ranked_links,
        furniture=list(furniture),
    )


_ATOMS = (str, int, float, bool, type(None))


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def _plain(value: Any) -> Any:
    """What :func:`dataclasses.asdict` makes of ``value``, without its generic machinery: the
    evidence of every decision is stored, and ``asdict`` cost a tenth of the dedup stage."""
    if isinstance(value, _ATOMS):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        return type(value)(*[_plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_plain(k), _plain(v)) for k, v in value.items())
    return copy.deepcopy(value)
