"""Same-story layer: rewrites and translations share few shingles but the same event.

Evidence, between the incoming article and one known article:

* ``lead``: cosine of the IDF-weighted words of the title and first
  sentences; news is written as an inverted pyramid, so two reports of one
  event have similar leads while two articles on one topic share words
  all over but not in their leads;
* ``text``: cosine of content-word TF-IDF vectors (a translation keeps the
  words, not their order);
* ``phrases``: cosine of IDF-weighted consecutive content-word pairs
  ("allied foreign", "28 point", "three five"): what two reports of one
  event share and two articles on one topic do not;
* ``names``: IDF-weighted cosine of the capitalised name parts both mention;
* ``quotes``: how many six-word windows of quotations both contain; one
  verbatim quotation is strong evidence (rewrites keep quotes);
* ``days_apart``: publication times; stories have a life of days, so two
  dated articles more than ``date_max_gap_days`` apart are never one story.

The weights of :func:`combine` were chosen on the labeled set (see
``docs/dedup.md``); every number is kept for ``newsmon explain``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from monitor.dedup.frequencies import DocumentFrequencies
from monitor.dedup.settings import DedupSettings
from monitor.dedup.signatures import Signature

U32 = npt.NDArray[np.uint32]
F64 = npt.NDArray[np.float64]

# Weights of the evidence in the story score (measured; see docs/dedup.md).
LEAD_WEIGHT = 4.0
TEXT_WEIGHT = 1.0
PHRASE_WEIGHT = 2.0
NAME_WEIGHT = 0.3
QUOTE_BONUS = 0.5
DATE_BONUS = 0.05
# Two short texts that share four words ("RSS", "test", "aggregator", "support") are not one story
# however high their cosine: below this many shared content words (and no shared
# quotation) the score is 0.
MIN_SHARED_TERMS = 5


@dataclass(frozen=True)
class Weighted:
    """A hashed bag of words with its IDF weights and norm, computed once per query."""

    hashes: U32
    weights: F64
    norm: float


def weigh(
    hashes: U32, counts: npt.NDArray[np.uint16] | None, freqs: DocumentFrequencies, extra: int
) -> Weighted:
    """TF-IDF weights (log-scaled counts, or binary when ``counts`` is None)."""
    weights = freqs.idf(hashes, extra)
    if counts is not None:
        weights = weights * (1.0 + np.log(np.maximum(counts, 1)))
    return Weighted(hashes, weights, float(np.sqrt(np.dot(weights, weights))))


def norm_of(
    hashes: U32, counts: npt.NDArray[np.uint16] | None, freqs: DocumentFrequencies, extra: int
) -> float:
    return weigh(hashes, counts, freqs, extra).norm


def cosine(
    query: Weighted,
    hashes: U32,
    counts: npt.NDArray[np.uint16] | None,
    norm: float,
    freqs: DocumentFrequencies,
    extra: int,
) -> tuple[float, U32]:
    """Cosine of the query's bag with a known article's (whose ``norm`` is given), and the
    hashes they share.  Only the shared hashes are weighed: a sorted search, no set union."""
    if query.norm == 0.0 or norm == 0.0 or not len(hashes):
        return 0.0, np.zeros(0, dtype=np.uint32)
    where = np.minimum(np.searchsorted(hashes, query.hashes), len(hashes) - 1)
    hit = hashes[where] == query.hashes
    shared = query.hashes[hit]
    known = freqs.idf(shared, extra)
    if counts is not None:
        known = known * (1.0 + np.log(np.maximum(counts[where[hit]], 1)))
    return float(np.dot(query.weights[hit], known) / (query.norm * norm)), shared


@dataclass(frozen=True)
class Norms:
    """Norms of a known article's weighted bags: they change only as rarity drifts, so the
    index computes them once and refreshes them when the corpus has grown."""

    lead: float
    text: float
    phrases: float
    names: float
    documents: int


def norms(signature: Signature, freqs: DocumentFrequencies, extra: int) -> Norms:
    return Norms(
        lead=norm_of(signature.lead, signature.lead_counts, freqs, extra),
        text=norm_of(signature.terms, signature.term_counts, freqs, extra),
        phrases=norm_of(signature.pairs, None, freqs, extra),
        names=norm_of(signature.names, None, freqs, extra),
        documents=freqs.documents,
    )


def batch_norms(signatures: list[Signature], freqs: DocumentFrequencies) -> list[Norms]:
    """:func:`norms` of many signatures at once (vectorised; used when an index is loaded)."""
    columns = []
    for hashes_name, counts_name in (
        ("lead", "lead_counts"),
        ("terms", "term_counts"),
        ("pairs", None),
        ("names", None),
    ):
        arrays: list[U32] = [getattr(s, hashes_name) for s in signatures]
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        weights = freqs.idf(np.concatenate(arrays)) if arrays else np.zeros(0)
        if counts_name is not None and len(weights):
            counts = np.concatenate([getattr(s, counts_name) for s in signatures])
            weights = weights * (1.0 + np.log(np.maximum(counts, 1)))
        squares = np.zeros(len(arrays))
        filled = lengths > 0
        if len(weights):
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            squares[filled] = np.add.reduceat(weights * weights, starts[filled])
        columns.append(np.sqrt(squares).tolist())
    return [
        Norms(lead, text, phrases, names, freqs.documents)
        for lead, text, phrases, names in zip(*columns, strict=True)
    ]


@dataclass(frozen=True)
class QueryVectors:
    """The incoming article's weighted bags (built once, compared with every candidate)."""

    lead: Weighted
    text: Weighted
    phrases: Weighted
    names: Weighted
    quotes: U32
    published: datetime | None


def query_vectors(signature: Signature, freqs: DocumentFrequencies, extra: int) -> QueryVectors:
    return QueryVectors(
        lead=weigh(signature.lead, signature.lead_counts, freqs, extra),
        text=weigh(signature.terms, signature.term_counts, freqs, extra),
        phrases=weigh(signature.pairs, None, freqs, extra),
        names=weigh(signature.names, None, freqs, extra),
        quotes=signature.quotes,
        published=signature.published,
    )


@dataclass(frozen=True)
class StoryEvidence:
    """Why (or why not) two articles report the same story."""

    lead: float
    text: float
    phrases: float
    names: float
    shared_names: tuple[int, ...]
    shared_terms: int
    shared_quotes: int
    days_apart: float | None
    score: float


def days_between(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return abs((a - b).total_seconds()) / 86400.0


def compare(
    query: QueryVectors,
    known: Signature,
    known_norms: Norms,
    freqs: DocumentFrequencies,
    extra: int,
    settings: DedupSettings,
) -> StoryEvidence:
    """The evidence that ``known`` and the query report one story, with its score."""
    lead, _ = cosine(query.lead, known.lead, known.lead_counts, known_norms.lead, freqs, extra)
    text, shared_terms = cosine(
        query.text, known.terms, known.term_counts, known_norms.text, freqs, extra
    )
    phrases, _ = cosine(query.phrases, known.pairs, None, known_norms.phrases, freqs, extra)
    names, shared_names = cosine(query.names, known.names, None, known_norms.names, freqs, extra)
    shared_quotes = 0
    if len(query.quotes) and len(known.quotes):
        where = np.minimum(np.searchsorted(known.quotes, query.quotes), len(known.quotes) - 1)
        shared_quotes = int((known.quotes[where] == query.quotes).sum())
    days = days_between(query.published, known.published)
    score = combine(lead, text, phrases, names, shared_quotes, days, settings)
    if len(shared_terms) < MIN_SHARED_TERMS and not shared_quotes:
        score = 0.0
    return StoryEvidence(
        lead=lead,
        text=text,
        phrases=phrases,
        names=names,
        shared_names=tuple(int(h) for h in shared_names),
        shared_terms=len(shared_terms),
        shared_quotes=shared_quotes,
        days_apart=days,
        score=score,
    )


def combine(
    lead: float,
    text: float,
    phrases: float,
    names: float,
    shared_quotes: int,
    days_apart: float | None,
    settings: DedupSettings,
) -> float:
    """One score from the evidence; 0 when the dates rule the pair out."""
    if days_apart is not None and days_apart > settings.date_max_gap_days:
        return 0.0
    score = LEAD_WEIGHT * lead + TEXT_WEIGHT * text + PHRASE_WEIGHT * phrases + NAME_WEIGHT * names
    if shared_quotes:
        score += QUOTE_BONUS
    if days_apart is not None and days_apart <= settings.date_window_days:
        score += DATE_BONUS
    return score
