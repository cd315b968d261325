"""Signatures: bytes and back, refused when foreign, and an index loaded from them alone."""

from __future__ import annotations

import struct
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from monitor.dedup import (
    ArticleText,
    DedupIndex,
    DedupSettings,
    Signature,
    SignatureError,
    StoredSignature,
    analyse,
)
from monitor.dedup.encoder import Encoder, to_half
from monitor.dedup.signatures import FORMAT_VERSION, MAGIC
from tests.monitor.dedup.labeled import load_items

TEXT = (
    "NATO foreign ministers met in Brussels on Wednesday. "
    "“We will keep supporting Ukraine for as long as it takes,” Rutte said. "
    "Allies agreed to spend 5% of GDP on defence by 2035."
)


def test_round_trip_keeps_every_field() -> None:
    article = ArticleText("x", TEXT, "Ministers meet", datetime(2025, 12, 3, 9, 30, tzinfo=UTC))
    signature = analyse(article, DedupSettings()).signature
    data = signature.to_bytes()
    back = Signature.from_bytes(data)
    assert back.content_hash == signature.content_hash
    assert back.published == signature.published
    assert back.shingle_count == signature.shingle_count
    for name in ("hashvalues", "terms", "term_counts", "pairs", "names", "numbers", "quotes"):
        assert np.array_equal(getattr(back, name), getattr(signature, name)), name
    assert back.minhash.jaccard(signature.minhash) == 1.0
    assert back.to_bytes() == data
    assert len(back.quotes) > 0 and len(back.numbers) >= 2


def test_undated_article_round_trips_without_a_date() -> None:
    signature = analyse(ArticleText("x", TEXT), DedupSettings()).signature
    assert Signature.from_bytes(signature.to_bytes()).published is None


@pytest.mark.parametrize("data", [b"", b"NMDS", b"something else entirely" * 10])
def test_foreign_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(SignatureError):
        Signature.from_bytes(data)


def test_truncated_bytes_are_refused() -> None:
    data = analyse(ArticleText("x", TEXT), DedupSettings()).signature.to_bytes()
    with pytest.raises(SignatureError, match="header says"):
        Signature.from_bytes(data[:-3])


def test_compatibility_follows_the_signature_parameters() -> None:
    signature = analyse(ArticleText("x", TEXT), DedupSettings()).signature
    assert signature.compatible(DedupSettings())
    assert signature.compatible(DedupSettings(story_threshold=2.0))  # not a signature parameter
    assert not signature.compatible(DedupSettings(num_perm=64, lsh_bands=8))
    assert not signature.compatible(DedupSettings(shingle_size=4))


def test_an_index_loaded_from_bytes_decides_like_the_one_that_made_them() -> None:
    items = load_items()
    known, later = items[:40], items[40:]
    original = DedupIndex()
    original.cluster([i.article for i in known if i.seed])
    for item in known:
        if not item.seed:
            original.ingest(item.article)
    rows = [
        StoredSignature(i.id, original.story_of(i.id), original.signature(i.id).to_bytes())
        for i in known
    ]
    loaded, report = DedupIndex.load(rows)
    assert report.loaded == len(known) and report.stale == []
    assert loaded.stories() == original.stories()
    for item in later:
        a, b = original.classify(item.article), loaded.classify(item.article)
        assert (a.status, a.story_id, a.layer, a.nearest_id) == (
            b.status,
            b.story_id,
            b.layer,
            b.nearest_id,
        ), item.id


def test_load_reports_stale_and_unreadable_rows() -> None:
    settings = DedupSettings()
    good = analyse(ArticleText("a", TEXT), settings).signature
    other = replace(good, shingle_size=5)
    rows = [
        StoredSignature("a", 1, good.to_bytes()),
        StoredSignature("b", 1, other.to_bytes()),
        StoredSignature("c", 2, b"garbage"),
    ]
    index, report = DedupIndex.load(rows, settings)
    assert report.loaded == 1 and report.stale == ["b", "c"]
    assert "a" in index and "b" not in index


def v1_bytes(signature: Signature) -> bytes:
    """The signature as format 1 wrote it (before entities and embeddings)."""
    header = struct.Struct("<4sBBHBBId32sIIIIIII").pack(
        MAGIC,
        1,
        1 if signature.published is not None else 0,
        signature.num_perm,
        signature.shingle_size,
        signature.quote_min_words,
        signature.minhash_seed,
        signature.published.timestamp() if signature.published is not None else 0.0,
        bytes.fromhex(signature.content_hash),
        signature.shingle_count,
        len(signature.terms),
        len(signature.pairs),
        len(signature.names),
        len(signature.numbers),
        len(signature.quotes),
        len(signature.lead),
    )
    arrays = (
        signature.hashvalues,
        signature.terms,
        signature.pairs,
        signature.names,
        signature.numbers,
        signature.quotes,
        signature.lead,
    )
    counts = (signature.term_counts, signature.lead_counts)
    return b"".join(
        [
            header,
            *(a.astype("<u4").tobytes() for a in arrays),
            *(c.astype("<u2").tobytes() for c in counts),
        ]
    )


def test_v2_round_trip_keeps_entities_and_embeddings(encoder: Encoder) -> None:
    settings = DedupSettings()
    article = ArticleText("x", TEXT, "Ministers meet", datetime(2025, 12, 3, 9, 30, tzinfo=UTC))
    analysis = analyse(article, settings, encoder)
    sentences = to_half(encoder.encode([s.text for s in analysis.sentences]))
    signature = replace(analysis.signature, sentence_vectors=sentences)
    assert signature.vector.shape == (512,) and signature.vector.dtype == np.float16
    assert sentences.shape == (3, 512)
    assert len(signature.entities) > 0
    data = signature.to_bytes()
    assert data[4] == FORMAT_VERSION == 2
    back = Signature.from_bytes(data)
    for name in ("hashvalues", "terms", "term_counts", "lead", "lead_counts", "entities"):
        assert np.array_equal(getattr(back, name), getattr(signature, name)), name
    assert back.vector.dtype == np.float16 and np.array_equal(back.vector, signature.vector)
    assert back.sentence_vectors.dtype == np.float16
    assert back.sentence_vectors.shape == (3, 512)
    assert np.array_equal(back.sentence_vectors, sentences)
    assert back.to_bytes() == data
    assert not back.vector.flags.writeable  # views of the bytes, not copies
    assert not back.sentence_vectors.flags.writeable
    assert float(np.linalg.norm(back.vector.astype(np.float32))) == pytest.approx(1.0, abs=1e-3)


def test_v2_round_trip_with_a_lead_embedding_and_no_sentences(encoder: Encoder) -> None:
    signature = analyse(ArticleText("x", TEXT), DedupSettings(), encoder).signature
    back = Signature.from_bytes(signature.to_bytes())
    assert np.array_equal(back.vector, signature.vector)
    assert back.sentence_vectors.size == 0


def test_v2_round_trip_without_an_encoder_has_no_embeddings() -> None:
    signature = analyse(ArticleText("x", TEXT), DedupSettings()).signature
    back = Signature.from_bytes(signature.to_bytes())
    assert back.vector.size == 0 and back.sentence_vectors.size == 0
    assert np.array_equal(back.entities, signature.entities)


def test_truncated_embeddings_are_refused(encoder: Encoder) -> None:
    analysis = analyse(ArticleText("x", TEXT), DedupSettings(), encoder)
    sentences = to_half(encoder.encode([s.text for s in analysis.sentences]))
    data = replace(analysis.signature, sentence_vectors=sentences).to_bytes()
    with pytest.raises(SignatureError, match="header says"):
        Signature.from_bytes(data[:-2])
    with pytest.raises(SignatureError, match="header says"):
        Signature.from_bytes(data + b"\0\0")


def test_a_format_1_signature_is_refused_and_reloaded_as_stale() -> None:
    settings = DedupSettings()
    article = ArticleText("a", TEXT, "Ministers meet", datetime(2025, 12, 3, tzinfo=UTC))
    signature = analyse(article, settings).signature
    old = v1_bytes(signature)
    assert old[:4] == MAGIC and old[4] == 1
    with pytest.raises(SignatureError, match="format 1"):
        Signature.from_bytes(old)
    index, report = DedupIndex.load(
        [StoredSignature("a", 1, old), StoredSignature("b", 2, signature.to_bytes())], settings
    )
    assert report.loaded == 1 and report.stale == ["a"]
    assert "a" not in index and "b" in index
