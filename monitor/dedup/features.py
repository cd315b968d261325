"""From an article's text to its signature and its sentences' features.

:func:`analyse` is the only place where text is read; every later step
compares hashes.  The signature goes into the index and the database.  The
sentence features live only while the article is classified, because
novelty ("which of its sentences are new?") is asked of the incoming
article and answered against the stored signatures of its story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

from monitor.dedup.quotes import all_quote_hashes, quote_hashes
from monitor.dedup.settings import DedupSettings
from monitor.dedup.shingles import runs
from monitor.dedup.signatures import MINHASH_SCHEME, Signature
from monitor.dedup.tokens import (
    Token,
    name_groups,
    strip_dateline,
    term_hash,
    tokenize,
    words,
)
from monitor.text import content_hash, split_sentences

MAX_COUNT = 65535
LEAD_SENTENCES = 3  # the lead (with the title) says what happened: who, what, when, where
HEADING_CAPITALISED = 0.6  # a "sentence" this Title Cased is a heading: its capitals name nobody
# The quoted part of one sentence: a matched pair, or an opening quote whose
# close is in a later sentence (quotations that run over a sentence end).
_SENTENCE_QUOTE = re.compile(r"[“\"]([^“”\"]+)(?:[”\"]|$)")


@dataclass(frozen=True)
class ArticleText:
    """What dedup needs of an article: its id, title, text and publication time (aware UTC)."""

    id: str
    text: str
    title: str = ""
    published: datetime | None = None

    @property
    def body(self) -> str:
        """The text, or the title for a headline-only feed entry."""
        return self.text if self.text.strip() else self.title


@dataclass(frozen=True)
class SentenceFeatures:
    """One sentence as novelty sees it (hashes as in :func:`~monitor.dedup.tokens.term_hash`)."""

    text: str
    terms: frozenset[int]
    names: frozenset[int]
    numbers: frozenset[int]
    quotes: frozenset[int]
    facts: tuple[frozenset[int], ...] = ()  # each name (all its parts) and each number


@dataclass(frozen=True)
class Analysis:
    """An incoming article, analysed: its signature plus what only its text can tell."""

    article: ArticleText
    signature: Signature
    sentences: list[SentenceFeatures]
    vocabulary: dict[int, str] = field(repr=False)

    def spell(self, hashes: Iterable[int]) -> list[str]:
        """The words behind term hashes, sorted (for explanations)."""
        return sorted({self.vocabulary[int(h)] for h in hashes if int(h) in self.vocabulary})


def identity_hash(value: int) -> int:
    """Shingles arrive already hashed; MinHash must not hash them again."""
    return value


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[object, ...]:
    """datasketch derives its permutations from the seed with a random generator: do it once."""
    template = MinHash(num_perm=num_perm, seed=seed, scheme=MINHASH_SCHEME)
    return tuple(template.permutations)


def make_minhash(hashes: list[int], settings: DedupSettings) -> LeanMinHash:
    """The datasketch MinHash of a set of 32-bit shingle hashes."""
    minhash = MinHash(
        num_perm=settings.num_perm,
        seed=settings.minhash_seed,
        hashfunc=identity_hash,
        permutations=_permutations(settings.num_perm, settings.minhash_seed),
        scheme=MINHASH_SCHEME,
    )
    if hashes:
        minhash.update_batch(hashes)
    return LeanMinHash(minhash)


def analyse(article: ArticleText, settings: DedupSettings) -> Analysis:
    """Signature and sentence features of ``article``."""
    body = article.body
    content: list[str] = []  # content words in order, title first
    keys: list[int] = []  # their hashes
    starts: list[int] = []  # where each sentence starts in ``content``: no pair crosses it
    lead: list[int] = []
    sequence: list[int] = []  # the hash of every word of the body, for shingles
    numbers: set[int] = set()
    if article.title and article.text.strip():
        title = [t for t in tokenize(article.title) if t.is_content]
        content.extend(t.norm for t in title)  # headlines are often Title Case: never names
        keys.extend(t.key for t in title)
        lead.extend(t.key for t in title)
    sentences = []
    names: set[int] = set()
    for number, sentence in enumerate(split_sentences(body)):
        tokens = tokenize(sentence)
        sequence.extend(t.key for t in tokens)
        starts.append(len(content))
        here = [t for t in tokens if t.is_content]
        content.extend(t.norm for t in here)
        keys.extend(t.key for t in here)
        numbers.update(t.key for t in here if t.is_number)
        if number < LEAD_SENTENCES:
            lead.extend(t.key for t in here)
        if number == 0 and strip_dateline(sentence) != sentence:
            tokens = tokenize(strip_dateline(sentence))  # "BRUSSELS (Reuters) —" is no news
        features = _sentence_features(sentence, tokens, settings)
        names |= features.names
        sentences.append(features)
    hashes = np.array(keys, dtype=np.uint32)
    terms, counts = np.unique(hashes, return_counts=True)
    pairs = runs(hashes, 2) if len(hashes) > 1 else np.zeros(0, dtype=np.uint32)
    if len(pairs):
        crossing = np.zeros(len(hashes), dtype=bool)
        crossing[[s for s in starts if 0 < s < len(hashes)]] = True
        pairs = pairs[~crossing[1:]]
    lead_terms, lead_counts = np.unique(np.array(lead, dtype=np.uint32), return_counts=True)
    shingles = np.unique(runs(np.array(sequence, dtype=np.uint32), settings.shingle_size))
    minhash = make_minhash(shingles.tolist(), settings)
    signature = Signature(
        content_hash=content_hash(body),
        hashvalues=np.asarray(minhash.hashvalues, dtype=np.uint32),
        shingle_count=len(shingles),
        terms=terms.astype(np.uint32),
        term_counts=np.minimum(counts, MAX_COUNT).astype(np.uint16),
        pairs=np.unique(pairs),
        names=np.array(sorted(names), dtype=np.uint32),
        numbers=np.array(sorted(numbers), dtype=np.uint32),
        quotes=np.array(sorted(all_quote_hashes(body, settings.quote_min_words)), dtype=np.uint32),
        lead=lead_terms.astype(np.uint32),
        lead_counts=np.minimum(lead_counts, MAX_COUNT).astype(np.uint16),
        published=article.published,
        shingle_size=settings.shingle_size,
        quote_min_words=settings.quote_min_words,
        minhash_seed=settings.minhash_seed,
    )
    vocabulary = dict(zip(hashes.tolist(), content, strict=True))
    return Analysis(article, signature, sentences, vocabulary)


def _sentence_features(
    sentence: str, tokens: list[Token], settings: DedupSettings
) -> SentenceFeatures:
    content = [t for t in tokens if t.is_content]
    quote_set: set[int] = set()
    has_quote = '"' in sentence or "“" in sentence
    for match in _SENTENCE_QUOTE.finditer(sentence) if has_quote else ():
        quoted = match.group(1)
        if len(words(quoted)) >= settings.quote_min_words:
            quote_set |= quote_hashes(quoted, settings.quote_min_words)
    alphabetic = [t for t in tokens if not t.is_number]
    heading = len(alphabetic) >= 3 and (
        sum(t.is_capitalised for t in alphabetic) >= HEADING_CAPITALISED * len(alphabetic)
    )
    groups = [] if heading else name_groups(tokens)
    numbers = frozenset(t.key for t in content if t.is_number)
    facts = [frozenset(term_hash(part) for part in group) for group in groups]
    facts.extend(frozenset([number]) for number in numbers)
    return SentenceFeatures(
        text=sentence,
        terms=frozenset(t.key for t in content),
        names=frozenset(h for fact in facts[: len(groups)] for h in fact),
        numbers=numbers,
        quotes=frozenset(quote_set),
        facts=tuple(facts),
    )
