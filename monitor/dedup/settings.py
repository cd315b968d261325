"""The thresholds and sizes of the dedup engine, in one frozen value object.

Every number that decides whether two articles are the same lives here,
with the reason for its default, so tuning is one place (and one
``[dedup]`` section of the configuration, see :mod:`monitor.config`).
The defaults were measured on the labeled set in
``tests/data/dedup_labeled.jsonl``; ``docs/dedup.md`` says how to re-tune.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class DedupSettings:
    """Dedup thresholds.  Changing the first four invalidates stored signatures."""

    # --- signature parameters (stored signatures made with others are recomputed)
    num_perm: int = 128
    shingle_size: int = 3
    quote_min_words: int = 6
    minhash_seed: int = 1
    # --- near-duplicate layer
    lsh_bands: int = 10
    lsh_rows: int = 6
    near_duplicate_jaccard: float = 0.5
    near_duplicate_containment: float = 0.6
    # --- same-story layer
    story_threshold: float = 1.14
    date_window_days: float = 3.0
    date_max_gap_days: float = 21.0
    max_candidates: int = 12
    candidate_terms: int = 24
    # --- meaning: embeddings of the lead and of sentences (monitor.dedup.linking)
    embed_chars: int = 400
    link_threshold: float = 0.74
    link_window_days: float = 2.0
    semantic_candidates: int = 8
    paraphrase_similarity: float = 0.75
    novel_max_similarity: float = 0.5
    index_window_days: float = 30.0
    # --- novelty
    novel_term_fraction: float = 0.6
    novel_min_terms: int = 4
    novel_fact_fraction: float = 0.4
    novel_min_facts: int = 3
    novel_min_sentences: int = 1
    novel_lead_sentences: int = 3

    def __post_init__(self) -> None:
        if self.lsh_bands * self.lsh_rows > self.num_perm:
            raise ValueError(
                f"lsh_bands * lsh_rows ({self.lsh_bands} * {self.lsh_rows}) "
                f"exceeds num_perm ({self.num_perm})"
            )
        if self.lsh_bands < 2:
            raise ValueError("lsh_bands must be at least 2")
        for name in (
            "near_duplicate_jaccard",
            "near_duplicate_containment",
            "novel_term_fraction",
            "novel_fact_fraction",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> DedupSettings:
        """Build from a mapping such as ``Settings.dedup.model_dump()`` (unknown keys rejected)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown dedup settings: {', '.join(unknown)}")
        return cls(**values)

    @property
    def lsh_jaccard(self) -> float:
        """The Jaccard similarity at which the LSH index finds a pair half of the time."""
        return float((1.0 / self.lsh_bands) ** (1.0 / self.lsh_rows))
