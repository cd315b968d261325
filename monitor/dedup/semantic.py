"""Stories as points in meaning space: an article is compared with a story as a whole.

Two reports of one event in two languages share almost no words, but
their embeddings (:mod:`monitor.dedup.encoder`) are close.  Comparing an
article with every known article would be linear in the corpus and would
let one odd member decide; instead each story keeps the *sum* of its
members' embeddings, so its centroid (the normalised sum) is updated in
O(1) when an article joins, and one matrix product ranks every story in
the index by meaning (Miranda et al., EMNLP 2018, cluster an article
stream the same way: each cluster is represented by its centroid).

The index keeps a row per story in one float32 matrix, grown by
doubling; a story's row is its embedding sum, so the cosine with the
centroid is ``(v · sum) / |sum|``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


class StoryVectors:
    """Story id -> the sum of its members' embeddings, and the last time one joined."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self._row: dict[int, int] = {}
        self._story: list[int] = []
        self._sums: F32 = np.zeros((64, dimensions), dtype=np.float32)
        self._norms: F32 = np.zeros(64, dtype=np.float32)

    def __len__(self) -> int:
        return len(self._story)

    def add(self, story_id: int, vector: npt.NDArray[np.floating[Any]]) -> None:
        """One more member of ``story_id`` with embedding ``vector`` (a unit vector)."""
        if not len(vector):
            return
        row = self._row.get(story_id)
        if row is None:
            row = len(self._story)
            if row == len(self._sums):
                self._sums = np.concatenate([self._sums, np.zeros_like(self._sums)])
                self._norms = np.concatenate([self._norms, np.zeros_like(self._norms)])
            self._row[story_id] = row
            self._story.append(story_id)
        self._sums[row] += vector.astype(np.float32)
        self._norms[row] = float(np.linalg.norm(self._sums[row]))

    def centroid_cosine(self, story_id: int, vector: F32) -> float:
        """Cosine of ``vector`` with the story's centroid (0 for a story without embeddings)."""
        row = self._row.get(story_id)
        if row is None or not len(vector) or self._norms[row] == 0.0:
            return 0.0
        return float(self._sums[row] @ vector / self._norms[row])

    def nearest(self, vector: F32, limit: int, floor: float) -> list[tuple[int, float]]:
        """Up to ``limit`` stories whose centroid is at least ``floor`` close, best first."""
        count = len(self._story)
        if not count or not len(vector):
            return []
        norms = self._norms[:count]
        scores = (self._sums[:count] @ vector) / np.where(norms > 0, norms, 1.0)
        top = np.argpartition(-scores, limit - 1)[:limit] if count > limit else np.arange(count)
        ranked = sorted(top.tolist(), key=lambda r: -float(scores[r]))
        return [(self._story[r], float(scores[r])) for r in ranked if scores[r] >= floor]

    def memory_bytes(self) -> int:
        return int(self._sums.nbytes + self._norms.nbytes)
