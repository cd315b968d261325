"""Short summaries of articles, made locally.

A digest should tell a reader what a story is about in two or three
sentences, without sending the text to any service.  The default is
*extractive*: it picks sentences from the article itself, so it can neither
invent a fact nor misquote a source.  The lead sentence comes first (news is
written with the essentials on top); the others are the most *central*
sentences, ranked TextRank-style over TF-IDF cosine similarity: a sentence
that shares rare words with many others states what the article keeps coming
back to.

Anything with a ``summarise`` method of the same shape (:class:`Summariser`)
can replace it, e.g. an abstractive model later.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from monitor.text import normalise_for_hash, shorten, split_sentences

MAX_SENTENCE_CHARS = 320
MAX_SUMMARY_CHARS = 620
MAX_CANDIDATES = 60  # a long article's later sentences rarely make its summary; keeps it O(60²)
MIN_WORDS = 6

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# Lines that are page furniture rather than news.
_BOILERPLATE = re.compile(
    r"^(read more|related|advertisement|image|photo|video|sign up|subscribe|share this|"
    r"click here|follow us|all rights reserved|copyright|views?:)",
    re.IGNORECASE,
)
# Photo captions and credits: "... the meeting (Virginia Mayo/AP)", "Photograph: Reuters".
_CAPTION = re.compile(
    r"\([^()]*(?:/|\b)(?:AP|AFP|Reuters|Getty Images|EPA|PA|Bloomberg)\)\s*$|"
    r"\b(?:Photograph|Photo|Image|Credit):\s",
)
_STOPWORD_LIST = """
    a about after again against all also an and any are as at be because been before being
    between both but by can could did do does during each for from had has have having he her
    here hers him his how i if in into is it its itself just may me more most my no nor not of
    off on once only or other our out over own said same says she should so some such than that
    the their them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your"""
_STOPWORDS = frozenset(_STOPWORD_LIST.split())


class Summariser(Protocol):
    """Turns an article into a few sentences for a digest."""

    def summarise(self, title: str, text: str, max_sentences: int = 3) -> list[str]:
        """At most ``max_sentences`` sentences, in reading order; empty if there is no text."""
        ...


class ExtractiveSummariser:
    """Lead sentence plus the most central others (TF-IDF + TextRank); pure Python, fast."""

    def __init__(self, damping: float = 0.85, iterations: int = 40) -> None:
        self.damping = damping
        self.iterations = iterations

    def summarise(self, title: str, text: str, max_sentences: int = 3) -> list[str]:
        candidates = candidate_sentences(title, text)
        if len(candidates) <= max_sentences:
            return _fit([shorten(s, MAX_SENTENCE_CHARS) for s in candidates])
        vectors = _tfidf([_terms(s) for s in candidates])
        scores = self._textrank(vectors)
        chosen = [0]  # the lead
        for index in sorted(range(1, len(candidates)), key=lambda i: (-scores[i], i)):
            if len(chosen) >= max_sentences:
                break
            if all(_cosine(vectors[index], vectors[c]) < 0.6 for c in chosen):
                chosen.append(index)
        return _fit([shorten(candidates[i], MAX_SENTENCE_CHARS) for i in sorted(chosen)])

    def _textrank(self, vectors: Sequence[dict[str, float]]) -> list[float]:
        n = len(vectors)
        weights = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                weights[i][j] = weights[j][i] = _cosine(vectors[i], vectors[j])
        totals = [sum(row) or 1.0 for row in weights]
        scores = [1.0 / n] * n
        for _ in range(self.iterations):
            scores = [
                (1 - self.damping) / n
                + self.damping * sum(weights[j][i] / totals[j] * scores[j] for j in range(n))
                for i in range(n)
            ]
        return scores


def candidate_sentences(title: str, text: str) -> list[str]:
    """The article's sentences that read as news: long enough, not the title again, not
    page furniture ("Read more:", "views: 208", photo captions, question sub-headings)."""
    title_key = normalise_for_hash(title)
    seen: set[str] = set()
    out: list[str] = []
    for sentence in split_sentences(text)[: MAX_CANDIDATES * 2]:
        key = normalise_for_hash(sentence)
        words = _WORD.findall(sentence)
        if len(words) < MIN_WORDS or key in seen or _BOILERPLATE.match(sentence):
            continue
        if sentence.endswith("?") or _CAPTION.search(sentence):
            continue  # a sub-heading asking a question, or a photo caption
        if title_key and key == title_key:
            continue
        seen.add(key)
        out.append(sentence)
        if len(out) >= MAX_CANDIDATES:
            break
    return out


def _fit(sentences: list[str]) -> list[str]:
    """Drop trailing sentences while the summary is too long to read at a glance."""
    while len(sentences) > 2 and sum(len(s) for s in sentences) > MAX_SUMMARY_CHARS:
        sentences = sentences[:-1]
    return sentences


def _terms(sentence: str) -> list[str]:
    return [
        w
        for w in (m.casefold() for m in _WORD.findall(sentence))
        if len(w) > 2 and w not in _STOPWORDS
    ]


def _tfidf(documents: Sequence[list[str]]) -> list[dict[str, float]]:
    n = len(documents)
    df = Counter(term for doc in documents for term in set(doc))
    vectors: list[dict[str, float]] = []
    for doc in documents:
        counts = Counter(doc)
        vec = {t: (1 + math.log(c)) * _idf(n, df[t]) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors


def _idf(documents: int, containing: int) -> float:
    return math.log((1 + documents) / (1 + containing)) + 1


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())
