"""The term index and document frequencies behind the story layer's candidates."""

from __future__ import annotations

import numpy as np

from monitor.dedup import candidates as candidates_module
from monitor.dedup.candidates import CandidateIndex
from monitor.dedup.frequencies import DocumentFrequencies


def arr(*values: int) -> np.ndarray:
    return np.array(sorted(values), dtype=np.uint32)


def test_lookup_ranks_documents_by_shared_weight_across_built_and_recent_parts() -> None:
    index = CandidateIndex()
    index.build([arr(1, 2, 3), arr(3, 4)])
    index.add(2, arr(4, 5))
    found = index.lookup(arr(3, 4, 5), np.array([1.0, 2.0, 4.0]), limit=10)
    assert found == [(2, 6.0), (1, 3.0), (0, 1.0)]
    assert index.lookup(arr(3, 4, 5), np.array([1.0, 2.0, 4.0]), limit=1) == [(2, 6.0)]
    assert index.lookup(arr(99), np.array([1.0]), limit=5) == []


def test_recent_additions_merge_into_the_arrays() -> None:
    index = CandidateIndex()
    merge_at = candidates_module.MERGE_AT
    for doc in range(merge_at + 3):
        index.add(doc, arr(doc % 7, 1000))
    assert len(index._recent) > 0  # the last three since the merge
    found = dict(index.lookup(arr(1000), np.array([1.0]), limit=merge_at + 10))
    assert len(found) == merge_at + 3


def test_document_frequencies_and_idf() -> None:
    freqs = DocumentFrequencies()
    freqs.add(arr(1, 2))
    freqs.add(arr(2, 3))
    assert freqs.counts(arr(1, 2, 3, 4)).tolist() == [1, 2, 1, 0]
    idf = freqs.idf(arr(1, 2, 4))
    assert idf[2] > idf[0] > idf[1]  # unseen > rare > common
    bulk = DocumentFrequencies()
    bulk.add_documents([arr(1, 2), arr(2, 3)])
    assert bulk.counts(arr(1, 2, 3)).tolist() == [1, 2, 1] and bulk.documents == 2
