"""A story's embeddings stacked in one matrix: what linking and novelty compare with.

Each member contributes its lead embedding and the sentences it taught its
story (stored in its signature), the latest ``KNOWLEDGE_MEMBERS`` members
only.  Linking reads the rows to find the member an article's lead is
closest to, novelty to tell a paraphrase from news; both ask for the same
story once per article, so the matrix is built once per busy story and then
kept up to date as members join (rebuilding it from a few hundred
signatures for every article that joins a big story was most of the
engine's time).  The rows are the same, in the same order, as a fresh build.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from monitor.dedup.encoder import F32
from monitor.dedup.signatures import Signature

ROWS_CACHED = 64  # stories whose member embeddings are kept stacked (the busy ones)
KNOWLEDGE_MEMBERS = 200  # a story's novelty is judged against its latest this many articles

Rows = tuple[list[str], F32]


class StoryRows:
    """The stacked rows of the busiest ``ROWS_CACHED`` stories, over the index's own lists
    (read, never written here): members per story, each document's id, lead embedding and
    parsed signature."""

    def __init__(
        self,
        members: dict[int, list[int]],
        ids: Sequence[str],
        vectors: Sequence[npt.NDArray[np.float16]],
        signature_at: Callable[[int], Signature],
    ) -> None:
        self._members = members
        self._ids = ids
        self._vectors = vectors
        self._signature_at = signature_at
        self._rows: OrderedDict[int, Rows] = OrderedDict()

    def of(self, story: int) -> Rows:
        """The story's rows, with the id of the member each row is from."""
        cached = self._rows.get(story)
        if cached is not None:
            self._rows.move_to_end(story)
            return cached
        ids: list[str] = []
        rows: list[npt.NDArray[np.float16]] = []
        for doc in self._members[story][-KNOWLEDGE_MEMBERS:]:
            stacked = self._member_rows(doc)
            if stacked is not None:
                rows.append(stacked)
                ids.extend([self._ids[doc]] * len(stacked))
        matrix = np.concatenate(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)
        self._rows[story] = (ids, matrix)
        if len(self._rows) > ROWS_CACHED:
            self._rows.popitem(last=False)
        return ids, matrix

    def joined(self, story: int, doc: int) -> None:
        """``doc`` has just joined ``story`` (it is its last member): the rows of the member
        that left the latest ``KNOWLEDGE_MEMBERS`` go, ``doc``'s are appended."""
        cached = self._rows.get(story)
        if cached is None:
            return
        ids, matrix = cached
        members = self._members[story]
        if len(members) > KNOWLEDGE_MEMBERS:
            gone = self._ids[members[-KNOWLEDGE_MEMBERS - 1]]
            drop = 0
            while drop < len(ids) and ids[drop] == gone:
                drop += 1
            ids, matrix = ids[drop:], matrix[drop:]
        stacked = self._member_rows(doc)
        if stacked is not None:
            ids = ids + [self._ids[doc]] * len(stacked)
            added = stacked.astype(np.float32)
            matrix = np.concatenate([matrix, added]) if len(matrix) else added
        if not ids:
            matrix = np.zeros((0, 0), np.float32)
        self._rows[story] = (ids, matrix)

    def _member_rows(self, doc: int) -> npt.NDArray[np.float16] | None:
        """A member's lead embedding and the sentences it taught, stacked (None: no lead)."""
        if not len(self._vectors[doc]):
            return None
        taught = self._signature_at(doc).sentence_vectors
        block = [self._vectors[doc][None, :]]
        if taught.size:
            block.append(taught)
        return np.concatenate(block)
