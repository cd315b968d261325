"""An article's signature: everything dedup needs to compare it, as compact bytes.

The signature is what the database stores next to an article, so that a
restart loads the index without recomputing anything from text: the
MinHash values (datasketch ``affine32`` scheme), the shingle count (for
containment estimates), the content hash (exact layer), the publication
time, and hashed sets of terms (with counts), content-word pairs, names,
numbers, quotation windows and the lead's terms (story layer and novelty),
and the meaning side: the article's embedding (title and lead), the
embeddings of the sentences it taught its story (all of a story's first
article, the novel ones of an update) and its named entities as
language-independent keys (``Brüssel`` and ``Bruselas`` are one).

The header carries a format version and the parameters the signature was
made with; :meth:`Signature.compatible` tells whether a stored signature
can be used with the current settings or must be recomputed from text.
Arrays returned by :meth:`Signature.from_bytes` are read-only views of the
bytes, so loading many signatures copies almost nothing.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from monitor.dedup.settings import DedupSettings
from monitor.dedup.sketches import LeanMinHash
from monitor.errors import SignatureError as SignatureError  # defined with the error tree

MAGIC = b"NMDS"
FORMAT_VERSION = 2
MINHASH_SCHEME = "affine32"
# magic, version, flags, num_perm, shingle_size, quote_min_words, minhash seed,
# published (epoch seconds), sha-256 content hash, language (ISO 639-1 or blank), shingle
# count, and the lengths of the terms, pairs, names, numbers, quotes, lead and entities arrays, the
# embedding width and the number of sentence embeddings.
_HEADER = struct.Struct("<4sBBHBBId32s2sIIIIIIIIHHII")
_HAS_PUBLISHED = 1

U32 = npt.NDArray[np.uint32]
U16 = npt.NDArray[np.uint16]
F16 = npt.NDArray[np.float16]


def encoder_id(name: str | None) -> int:
    """A stable 32-bit id of an encoder's name (0 for none): embeddings of two models are not
    comparable, so a signature made by another model is recomputed."""
    return zlib.crc32(name.encode("utf-8")) or 1 if name else 0


@dataclass(frozen=True, eq=False)
class Signature:
    """The comparable summary of one article; hash arrays are sorted and unique."""

    content_hash: str
    hashvalues: U32
    shingle_count: int
    terms: U32
    term_counts: U16
    pairs: U32
    names: U32
    numbers: U32
    quotes: U32
    lead: U32
    lead_counts: U16
    published: datetime | None
    shingle_size: int
    quote_min_words: int
    minhash_seed: int
    entities: U32 = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    vector: F16 = field(default_factory=lambda: np.zeros(0, dtype=np.float16))
    sentence_vectors: F16 = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float16))
    language: str = ""  # ISO 639-1, or "" when unknown
    encoder_id: int = 0  # encoder_id() of the model that made the embeddings (0: none)
    cut: int = 0  # the last shingle of a text that stops mid-sentence (a feed excerpt), else 0

    @property
    def num_perm(self) -> int:
        return len(self.hashvalues)

    @property
    def minhash(self) -> LeanMinHash:
        """The datasketch MinHash these values came from (for LSH and Jaccard)."""
        return LeanMinHash(
            seed=self.minhash_seed, hashvalues=self.hashvalues, scheme=MINHASH_SCHEME
        )

    def compatible(self, settings: DedupSettings, encoder: int = 0) -> bool:
        """Made with the parameters ``settings`` asks for, and its embeddings with the model
        whose :func:`encoder_id` is ``encoder`` (0: none); else recompute it from text."""
        return (
            self.encoder_id == encoder
            and self.num_perm == settings.num_perm
            and self.shingle_size == settings.shingle_size
            and self.quote_min_words == settings.quote_min_words
            and self.minhash_seed == settings.minhash_seed
        )

    def to_bytes(self) -> bytes:
        """Serialise for storage; :meth:`from_bytes` reads it back without any text."""
        header = _HEADER.pack(
            MAGIC,
            FORMAT_VERSION,
            _HAS_PUBLISHED if self.published is not None else 0,
            self.num_perm,
            self.shingle_size,
            self.quote_min_words,
            self.minhash_seed,
            self.published.timestamp() if self.published is not None else 0.0,
            bytes.fromhex(self.content_hash),
            self.language.encode("ascii", "replace")[:2].ljust(2),
            self.shingle_count,
            len(self.terms),
            len(self.pairs),
            len(self.names),
            len(self.numbers),
            len(self.quotes),
            len(self.lead),
            len(self.entities),
            len(self.vector),
            len(self.sentence_vectors) if self.sentence_vectors.size else 0,
            self.encoder_id,
            self.cut,
        )
        arrays = (
            self.hashvalues,
            self.terms,
            self.pairs,
            self.names,
            self.numbers,
            self.quotes,
            self.lead,
            self.entities,
        )
        counts = (self.term_counts, self.lead_counts)
        vectors = (self.vector, self.sentence_vectors)
        return b"".join(
            [
                header,
                *(a.astype("<u4").tobytes() for a in arrays),
                *(c.astype("<u2").tobytes() for c in counts),
                *(v.astype("<f2").tobytes() for v in vectors if v.size),
            ]
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Read a signature written by :meth:`to_bytes`, or raise :class:`SignatureError`."""
        if len(data) < _HEADER.size or data[:4] != MAGIC:
            raise SignatureError("not a newsmon dedup signature")
        (
            _magic,
            version,
            flags,
            num_perm,
            shingle_size,
            quote_min_words,
            seed,
            published,
            digest,
            language,
            shingle_count,
            *lengths,
        ) = _HEADER.unpack_from(data)
        if version != FORMAT_VERSION:
            raise SignatureError(f"signature format {version}, expected {FORMAT_VERSION}")
        *lengths, width, sentences, encoder, cut = lengths
        counts = [num_perm, *lengths]
        halves = width * (1 + sentences)
        expected = _HEADER.size + 4 * sum(counts) + 2 * (lengths[0] + lengths[-2] + halves)
        if len(data) != expected:
            raise SignatureError(f"signature is {len(data)} bytes, its header says {expected}")
        offset = _HEADER.size
        arrays: list[U32] = []
        for count in counts:
            arrays.append(np.frombuffer(data, dtype="<u4", count=count, offset=offset))
            offset += 4 * count
        term_counts: U16 = np.frombuffer(data, dtype="<u2", count=lengths[0], offset=offset)
        offset += 2 * lengths[0]
        lead_counts: U16 = np.frombuffer(data, dtype="<u2", count=lengths[-2], offset=offset)
        offset += 2 * lengths[-2]
        vector: F16 = np.frombuffer(data, dtype="<f2", count=width, offset=offset)
        offset += 2 * width
        sentence_vectors: F16 = np.frombuffer(
            data, dtype="<f2", count=width * sentences, offset=offset
        ).reshape(sentences, width)
        return cls(
            content_hash=digest.hex(),
            hashvalues=arrays[0],
            shingle_count=shingle_count,
            terms=arrays[1],
            term_counts=term_counts,
            pairs=arrays[2],
            names=arrays[3],
            numbers=arrays[4],
            quotes=arrays[5],
            lead=arrays[6],
            lead_counts=lead_counts,
            entities=arrays[7],
            vector=vector,
            sentence_vectors=sentence_vectors,
            language=language.decode("ascii", "replace").strip(),
            encoder_id=encoder,
            cut=cut,
            published=datetime.fromtimestamp(published, UTC) if flags & _HAS_PUBLISHED else None,
            shingle_size=shingle_size,
            quote_min_words=quote_min_words,
            minhash_seed=seed,
        )


class ParsedSignatures:
    """Signatures parsed from a growing list of stored bytes, the recently used ones kept.

    Novelty and linking read the latest members of a busy story for every
    article that joins it (up to a few hundred signatures each time), and
    parsing one costs some twenty numpy views; kept parsed, each is read
    once.  Parsed views share the bytes' memory, so an entry costs only the
    objects; ``size`` bounds them.  The bytes of a position never change.
    """

    def __init__(self, blobs: list[bytes], size: int = 4096) -> None:
        self._blobs = blobs
        self._size = size
        self._parsed: dict[int, Signature] = {}

    def __getitem__(self, position: int) -> Signature:
        parsed = self._parsed.pop(position, None)  # re-inserted: the newest entry
        if parsed is None:
            parsed = Signature.from_bytes(self._blobs[position])
            if len(self._parsed) >= self._size:
                del self._parsed[next(iter(self._parsed))]  # the least recently used
        self._parsed[position] = parsed
        return parsed
