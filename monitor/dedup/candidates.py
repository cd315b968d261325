"""Which known articles could be about the same story: an inverted index over terms.

Scoring an article against every known one is linear in the corpus; this
index makes the story layer sublinear.  A story is recognisable by its
rare words (a name, a place, a number: "Landau", "Szijjártó", "28"), so
an incoming article looks up only its ``candidate_terms`` rarest terms and
keeps the ``max_candidates`` articles that share the most weight with it.
Rare terms have short posting lists, so a query touches a few hundred
postings whether 1,000 or 100,000 articles are known.

Postings live in two parts: a sorted, compact array built in one pass when
the index is loaded (numpy, 4 bytes per posting), and a small dictionary
of additions since, merged into the array when it grows large.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

_SHIFT = np.uint64(32)
_LOW = np.uint64(0xFFFFFFFF)
_SLICE = 1 << 22  # postings unpacked at a time
MERGE_AT = 20_000  # additions kept in the dictionary before they are merged into the arrays


class CandidateIndex:
    """Term hash -> documents containing it."""

    def __init__(self) -> None:
        self._terms: U32 = np.zeros(0, dtype=np.uint32)
        self._offsets: I64 = np.zeros(1, dtype=np.int64)
        self._postings: U32 = np.zeros(0, dtype=np.uint32)
        self._recent: dict[int, list[int]] = {}
        self._recent_docs = 0

    def build(self, documents: list[U32]) -> None:
        """Replace the index with ``documents`` (the term arrays of documents 0, 1, 2...).

        Each posting is packed as ``term << 32 | doc`` into one array sorted in
        place, which keeps the peak memory near 16 bytes per posting.
        """
        total = sum(len(d) for d in documents)
        keys = np.empty(total, dtype=np.uint64)
        position = 0
        for doc, terms in enumerate(documents):
            keys[position : position + len(terms)] = (terms.astype(np.uint64) << _SHIFT) | doc
            position += len(terms)
        keys.sort()
        terms_sorted = np.empty(total, dtype=np.uint32)
        postings = np.empty(total, dtype=np.uint32)
        for start in range(0, total, _SLICE):
            part = keys[start : start + _SLICE]
            terms_sorted[start : start + _SLICE] = part >> _SHIFT
            postings[start : start + _SLICE] = part & _LOW
        del keys
        self._store(terms_sorted, postings)
        self._recent = {}
        self._recent_docs = 0

    def add(self, doc: int, terms: U32) -> None:
        """Index one more document."""
        for term in terms.tolist():
            self._recent.setdefault(term, []).append(doc)
        self._recent_docs += 1
        if self._recent_docs >= MERGE_AT:
            self._merge()

    def lookup(self, terms: U32, weights: F64, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` documents sharing the most weight with ``terms``, best first."""
        found: list[U32] = []
        found_weights: list[F64] = []
        if len(self._terms):
            where = np.searchsorted(self._terms, terms)
            where = np.minimum(where, len(self._terms) - 1)
            hit = self._terms[where] == terms
            for index, weight in zip(where[hit].tolist(), weights[hit].tolist(), strict=True):
                docs = self._postings[self._offsets[index] : self._offsets[index + 1]]
                found.append(docs)
                found_weights.append(np.full(len(docs), weight))
        for term, weight in zip(terms.tolist(), weights.tolist(), strict=True):
            recent = self._recent.get(term)
            if recent:
                found.append(np.array(recent, dtype=np.uint32))
                found_weights.append(np.full(len(recent), weight))
        if not found:
            return []
        docs = np.concatenate(found)
        unique, inverse = np.unique(docs, return_inverse=True)
        totals = np.bincount(inverse, weights=np.concatenate(found_weights))
        order = np.argsort(-totals, kind="stable")[:limit]
        return [(int(unique[i]), float(totals[i])) for i in order]

    def _merge(self) -> None:
        old_terms = np.repeat(self._terms, np.diff(self._offsets))
        new_terms = [np.full(len(d), t, dtype=np.uint32) for t, d in self._recent.items()]
        new_docs = [np.array(d, dtype=np.uint32) for d in self._recent.values()]
        self._set(
            np.concatenate([old_terms, *new_terms]), np.concatenate([self._postings, *new_docs])
        )
        self._recent = {}
        self._recent_docs = 0

    def _set(self, terms: U32, docs: U32) -> None:
        order = np.lexsort((docs, terms))
        self._store(terms[order], docs[order])

    def _store(self, terms: U32, docs: U32) -> None:
        """Keep postings sorted by term: unique terms, their offsets, and the documents."""
        if len(terms) == 0:
            self._terms = np.zeros(0, dtype=np.uint32)
            self._offsets = np.zeros(1, dtype=np.int64)
            self._postings = np.zeros(0, dtype=np.uint32)
            return
        starts = np.flatnonzero(terms[1:] != terms[:-1]) + 1
        starts = np.concatenate([np.zeros(1, dtype=np.int64), starts])
        self._terms = terms[starts]
        self._offsets = np.append(starts, len(terms)).astype(np.int64)
        self._postings = docs
