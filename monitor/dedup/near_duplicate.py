"""Near-duplicate layer: MinHash signatures in a datasketch LSH index.

Copies of one text (syndicated wire copy, a re-typeset page, a copy with
a new intro) share most of their word shingles, so their MinHash Jaccard
estimate is high and datasketch's :class:`~datasketch.MinHashLSH` finds
them in constant time.  A feed summary is the opposite case: a handful of
shingles, all inside a long known text, so its Jaccard similarity is tiny
but its *containment* is near 1.  Containment is estimated from the
Jaccard estimate and the two shingle counts,
``|A∩B| = J(|A|+|B|)/(1+J)``, for every candidate the LSH or the story
layer's term index proposes (an LSH tuned for low Jaccard would return
half the corpus; datasketch's LSH Ensemble cannot take insertions after it
is built).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitor.dedup.settings import DedupSettings
from monitor.dedup.signatures import MINHASH_SCHEME
from monitor.dedup.sketches import LeanMinHash, MinHashLSH

U32 = npt.NDArray[np.uint32]
F64 = npt.NDArray[np.float64]
MIN_MATCHES = 3  # fewer matching MinHash values than this says nothing about containment


@dataclass(frozen=True)
class Resemblance:
    """How much of two shingle sets is shared (MinHash estimates)."""

    jaccard: float
    containment: float  # of the new article in the known one (a summary in its source)
    coverage: float  # of the known article in the new one (a copy with additions)
    matches: int

    @property
    def best(self) -> float:
        return max(self.jaccard, self.containment, self.coverage)


class NearDuplicateIndex:
    """MinHash values of every known article, and an LSH index over them."""

    def __init__(self, settings: DedupSettings) -> None:
        self._settings = settings
        self._lsh = MinHashLSH(
            num_perm=settings.num_perm, params=(settings.lsh_bands, settings.lsh_rows)
        )
        self._values = np.zeros((64, settings.num_perm), dtype=np.uint32)
        self._sizes = np.zeros(64, dtype=np.float64)
        self.count = 0

    def add(self, doc: int, hashvalues: U32, shingle_count: int) -> None:
        """Index document number ``doc`` (numbers are given densely, 0, 1, 2...)."""
        if doc >= len(self._values):
            grown = max(2 * len(self._values), doc + 1)
            self._values = np.resize(self._values, (grown, self._settings.num_perm))
            self._sizes = np.resize(self._sizes, grown)
        self._values[doc] = hashvalues
        self._sizes[doc] = shingle_count
        self.count = max(self.count, doc + 1)
        minhash = LeanMinHash(
            seed=self._settings.minhash_seed, hashvalues=hashvalues, scheme=MINHASH_SCHEME
        )
        self._lsh.insert(doc, minhash, check_duplication=False)

    def query(self, hashvalues: U32) -> list[int]:
        """Documents whose Jaccard similarity is likely above the LSH threshold."""
        minhash = LeanMinHash(
            seed=self._settings.minhash_seed, hashvalues=hashvalues, scheme=MINHASH_SCHEME
        )
        return [int(doc) for doc in self._lsh.query(minhash)]

    def resemblance(
        self, hashvalues: U32, shingle_count: int, docs: list[int]
    ) -> list[Resemblance]:
        """Jaccard, containment and coverage estimates against each of ``docs``."""
        if not docs:
            return []
        rows = np.asarray(docs, dtype=np.int64)
        matches = (self._values[rows] == hashvalues).sum(axis=1)
        jaccard = matches / float(self._settings.num_perm)
        sizes = self._sizes[rows]
        shared = jaccard * (shingle_count + sizes) / (1.0 + jaccard)
        own = max(shingle_count, 1)
        containment = np.where(matches >= MIN_MATCHES, np.minimum(shared / own, 1.0), 0.0)
        coverage = np.where(
            matches >= MIN_MATCHES, np.minimum(shared / np.maximum(sizes, 1), 1.0), 0.0
        )
        return [
            Resemblance(float(j), float(c), float(v), int(m))
            for j, c, v, m in zip(jaccard, containment, coverage, matches, strict=True)
        ]

    def brute_force(self, hashvalues: U32, shingle_count: int) -> list[tuple[int, Resemblance]]:
        """Compare with every indexed document (for benchmarks: what the LSH saves)."""
        docs = list(range(self.count))
        return list(zip(docs, self.resemblance(hashvalues, shingle_count, docs), strict=True))
