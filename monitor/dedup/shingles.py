"""Word shingles: the sets MinHash signatures summarise.

A k-shingle is a run of k consecutive normalised words (stopwords kept:
"the talks" and "talks the" are different texts).  Two copies of one text
share nearly all their shingles; a rewrite shares few.  A shingle's hash
is mixed from its words' stable 32-bit hashes with integer arithmetic in
numpy (no strings are built), so it is the same in every process and
cheap enough for every incoming article.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from monitor.dedup.tokens import term_hash, words

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio: spreads the bits
_SHIFT = np.uint64(29)


def hash_words(tokens: list[str]) -> U32:
    """The stable hash of each word, in order."""
    return np.fromiter((term_hash(t) for t in tokens), dtype=np.uint32, count=len(tokens))


def mix(first: U64, second: U32) -> U64:
    """Combine running hashes with the next word's hash (order matters)."""
    with np.errstate(over="ignore"):
        combined = (first ^ second.astype(np.uint64)) * _MULTIPLIER
    return combined ^ (combined >> _SHIFT)


def runs(hashes: U32, size: int) -> U32:
    """Hash of every run of ``size`` consecutive word hashes (one run if there are fewer)."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.uint32)
    size = min(size, len(hashes))
    count = len(hashes) - size + 1
    running = hashes[:count].astype(np.uint64)
    for offset in range(1, size):
        running = mix(running, hashes[offset : offset + count])
    return (running & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def shingle_hashes(text: str, size: int) -> list[int]:
    """Distinct hashes of the ``size``-word shingles of ``text``."""
    hashes: list[int] = np.unique(runs(hash_words(words(text)), size)).tolist()
    return hashes
