"""Document frequencies of terms, for IDF weights, in constant memory.

The story layer weighs a shared word by how rare it is among the articles
already known: "Landau" or "28 point" says more than "NATO" in a corpus of
NATO news.  Counting exactly would need a dictionary entry per distinct
term and word pair (tens of millions at 100,000 articles); instead each
hash is counted in one of 2**24 buckets (64 MB).  A collision can only
make a term look a little more common than it is, which lowers its weight
slightly; it never invents shared evidence.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

BUCKET_BITS = 24
_MASK = (1 << BUCKET_BITS) - 1
CHUNK = 2_000  # documents counted together by add_documents

F64 = npt.NDArray[np.float64]
U32 = npt.NDArray[np.uint32]


class DocumentFrequencies:
    """How many documents contain each (hashed) term."""

    def __init__(self) -> None:
        self._counts = np.zeros(1 << BUCKET_BITS, dtype=np.uint32)
        self.documents = 0

    def add(self, *hash_sets: U32) -> None:
        """Count one document containing the given (unique) hashes."""
        for hashes in hash_sets:
            if len(hashes):
                np.add.at(self._counts, hashes & _MASK, 1)
        self.documents += 1

    def add_documents(self, *columns: list[U32]) -> None:
        """Count many documents at once: ``columns`` are parallel lists of per-document
        unique hash arrays (terms, pairs...), taken a chunk at a time to bound memory."""
        documents = len(columns[0]) if columns else 0
        for start in range(0, documents, CHUNK):
            parts = [a for column in columns for a in column[start : start + CHUNK]]
            if parts:
                np.add.at(self._counts, np.concatenate(parts) & _MASK, 1)
        self.documents += documents

    def counts(self, hashes: U32) -> U32:
        """Document frequency of each hash."""
        counts: U32 = self._counts[hashes & _MASK]
        return counts

    def idf(self, hashes: U32, extra_documents: int = 0) -> F64:
        """Smoothed inverse document frequency, ``ln((N+1)/(df+1)) + 1``.

        ``extra_documents`` counts articles being classified that are not yet
        added (the query itself), so a term only the query has gets the top weight.
        """
        total = self.documents + extra_documents
        df = self._counts[hashes & _MASK].astype(np.float64)
        idf: F64 = np.log((total + 1.0) / (df + 1.0)) + 1.0
        return idf

    def max_idf(self, extra_documents: int = 0) -> float:
        return math.log(self.documents + extra_documents + 1.0) + 1.0
