"""From an article's text to its signature and its sentences' features.

:func:`analyse` is the only place where text is read; every later step
compares hashes and vectors.  First the page furniture is set aside
(:mod:`monitor.dedup.furniture`: bylines, share counters, "Read more"
lines are never news, and are kept only to be shown by ``explain``), then
the words, names (normalised across languages by
:mod:`monitor.dedup.aliases`), quotations and the embedding of the title
and lead are taken.  The signature goes into the index and the database.
The sentence features live only while the article is classified, because
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
import numpy.typing as npt

from monitor.dedup.aliases import resolve_tokens
from monitor.dedup.encoder import F32, Encoder, to_half
from monitor.dedup.furniture import FurnitureLine, strip_furniture
from monitor.dedup.quotes import all_quote_hashes, quote_hashes
from monitor.dedup.settings import DedupSettings
from monitor.dedup.shingles import runs
from monitor.dedup.signatures import MINHASH_SCHEME, Signature, encoder_id
from monitor.dedup.sketches import LeanMinHash, MinHash
from monitor.dedup.tokens import (
    Token,
    is_english,
    name_groups,
    strip_dateline,
    term_hash,
    tokenize,
    words,
)
from monitor.text import content_hash, split_sentences

U32 = npt.NDArray[np.uint32]
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
    # line keys of lines its feed repeats in many items (monitor.dedup.furniture.recurring_lines)
    recurring: frozenset[str] = frozenset()
    language: str | None = None  # ISO 639-1, as detected when topics were matched

    @property
    def body(self) -> str:
        """The text, or the title for a headline-only feed entry."""
        return self.text if self.text.strip() else self.title


@dataclass(frozen=True)
class Prepared:
    """An article's text with the furniture set aside, and the part whose meaning is embedded."""

    article: ArticleText
    body: str
    furniture: tuple[FurnitureLine, ...]
    lead: str  # title and first characters of the body: what the article reports


def prepare(article: ArticleText, settings: DedupSettings) -> Prepared:
    """Set the furniture aside and pick the lead to embed (no model needed yet)."""
    cleaned = strip_furniture(article.text, article.recurring) if article.text.strip() else None
    body = cleaned.text if cleaned is not None and cleaned.text.strip() else article.body
    furniture = cleaned.furniture if cleaned is not None else ()
    lead = body[: settings.embed_chars]
    if article.title and article.text.strip():
        lead = f"{article.title}\n{lead}"
    return Prepared(article, body, furniture, lead)


def embed_leads(prepared: list[Prepared], encoder: Encoder | None) -> list[F32 | None]:
    """The lead embeddings of many articles in one call (the model streams its weights once)."""
    if encoder is None or not prepared:
        return [None] * len(prepared)
    vectors = encoder.encode([p.lead for p in prepared])
    return list(vectors)


@dataclass(frozen=True)
class SentenceFeatures:
    """One sentence as novelty sees it (hashes as in :func:`~monitor.dedup.tokens.term_hash`)."""

    text: str
    terms: frozenset[int]
    names: frozenset[int]
    numbers: frozenset[int]
    quotes: frozenset[int]
    facts: tuple[frozenset[int], ...] = ()  # each name (all its parts) and each number
    entities: frozenset[int] = frozenset()  # names as language-independent keys
    entity_keys: tuple[str, ...] = ()  # the alias tables' keys among them, spelled


@dataclass(frozen=True)
class Analysis:
    """An incoming article, analysed: its signature plus what only its text can tell."""

    article: ArticleText
    signature: Signature
    sentences: list[SentenceFeatures]
    vocabulary: dict[int, str] = field(repr=False)
    furniture: tuple[FurnitureLine, ...] = ()
    # the text's shingles in order, and the sentence each starts in (for sentence_of)
    shingle_order: U32 = field(default_factory=lambda: np.zeros(0, dtype=np.uint32), repr=False)
    shingle_owner: npt.NDArray[np.int32] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int32), repr=False
    )

    def sentence_of(self, shingle: int) -> int | None:
        """The sentence a shingle first occurs in, or None (asked only of a copy of a text its
        feed cut short, so the search is not made for every article)."""
        where = np.flatnonzero(self.shingle_order == np.uint32(shingle))
        return int(self.shingle_owner[where[0]]) if len(where) else None

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


def analyse(
    article: ArticleText | Prepared,
    settings: DedupSettings,
    encoder: Encoder | None = None,
    vector: F32 | None = None,
) -> Analysis:
    """Signature and sentence features of ``article``.

    ``vector`` is the lead's embedding when the caller computed it with
    others (:func:`embed_leads`); otherwise ``encoder`` computes it here,
    and with neither the signature has no embedding (the lexical layers
    still work).
    """
    prepared = article if isinstance(article, Prepared) else prepare(article, settings)
    article = prepared.article
    body = prepared.body
    if vector is None and encoder is not None:
        vector = encoder.encode([prepared.lead])[0]
    content: list[str] = []  # content words in order, title first
    keys: list[int] = []  # their hashes
    starts: list[int] = []  # where each sentence starts in ``content``: no pair crosses it
    lead: list[int] = []
    sequence: list[int] = []  # the hash of every word of the body, for shingles
    owner: list[int] = []  # the sentence each word of ``sequence`` is in
    numbers: set[int] = set()
    if article.title and article.text.strip():
        title = [t for t in tokenize(article.title) if t.is_content]
        content.extend(t.norm for t in title)  # headlines are often Title Case: never names
        keys.extend(t.key for t in title)
        lead.extend(t.key for t in title)
    sentences = []
    names: set[int] = set()
    entities: set[int] = set()
    spelled: dict[int, str] = {}  # entity key hashes -> keys, for explanations
    split = [(sentence, tokenize(sentence)) for sentence in split_sentences(body)]
    english = is_english([t for _, tokens in split for t in tokens])
    for number, (sentence, tokens) in enumerate(split):
        sequence.extend(t.key for t in tokens)
        owner.extend([number] * len(tokens))
        starts.append(len(content))
        here = [t for t in tokens if t.is_content]
        content.extend(t.norm for t in here)
        keys.extend(t.key for t in here)
        numbers.update(t.key for t in here if t.is_number)
        if number < LEAD_SENTENCES:
            lead.extend(t.key for t in here)
        if number == 0 and strip_dateline(sentence) != sentence:
            tokens = tokenize(strip_dateline(sentence))  # "BRUSSELS (Reuters) —" is no news
        features = _sentence_features(sentence, tokens, settings, english)
        names |= features.names
        entities |= features.entities
        spelled.update((term_hash(key), key) for key in features.entity_keys)
        sentences.append(features)
    hashes = np.array(keys, dtype=np.uint32)
    # Entity keys count as words too: they are what two languages' texts share.
    with_entities = np.concatenate([hashes, np.array(list(spelled), dtype=np.uint32)])
    terms, counts = np.unique(with_entities, return_counts=True)
    pairs = runs(hashes, 2) if len(hashes) > 1 else np.zeros(0, dtype=np.uint32)
    if len(pairs):
        crossing = np.zeros(len(hashes), dtype=bool)
        crossing[[s for s in starts if 0 < s < len(hashes)]] = True
        pairs = pairs[~crossing[1:]]
    lead_terms, lead_counts = np.unique(np.array(lead, dtype=np.uint32), return_counts=True)
    in_order = runs(np.array(sequence, dtype=np.uint32), settings.shingle_size)
    shingles = np.unique(in_order)
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
        entities=np.array(sorted(entities), dtype=np.uint32),
        vector=to_half(vector) if vector is not None else np.zeros(0, dtype=np.float16),
        language=(article.language or ("en" if english else ""))[:2],
        encoder_id=encoder_id(encoder.name) if vector is not None and encoder else 0,
        # the last shingle of whole words: the last word of an excerpt may be cut too
        cut=int(in_order[-2]) if len(in_order) > 1 and is_cut_short(body) else 0,
    )
    vocabulary = dict(zip(hashes.tolist(), content, strict=True))
    vocabulary.update(spelled)
    # A copy of a text that a feed cut short goes on past the cut (novelty finds where with
    # sentence_of); this text's own last shingle marks its cut.
    owners = np.array(owner[: len(in_order)], dtype=np.int32)
    return Analysis(article, signature, sentences, vocabulary, prepared.furniture, in_order, owners)


def _sentence_features(
    sentence: str, tokens: list[Token], settings: DedupSettings, english: bool = True
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
    keys = entity_keys(tokens)
    if not english:  # one capitalised word proves nothing there, unless it is a known entity
        groups = [g for g in groups if len(g) > 1 or g[0] in keys]
    # A name the alias tables know is one fact in every language ("Brüssel" is "brussels").
    facts = [frozenset(term_hash(keys.get(part, part)) for part in group) for group in groups]
    named = frozenset(h for fact in facts for h in fact)
    facts.extend(frozenset([number]) for number in numbers)
    known_keys = tuple(sorted(set(keys.values())))
    key_hashes = frozenset(term_hash(k) for k in known_keys)
    return SentenceFeatures(
        text=sentence,
        terms=frozenset(t.key for t in content) | key_hashes,
        names=named,
        numbers=numbers,
        quotes=frozenset(quote_set),
        facts=tuple(facts),
        entities=named | key_hashes,
        entity_keys=known_keys,
    )


_SENTENCE_ENDS = (".", "!", "?", '"', "”", "’", "»", ")")


def is_cut_short(body: str) -> bool:
    """Whether a text stops mid-sentence or on an ellipsis: a feed's excerpt of an article."""
    end = body.rstrip()
    return bool(end) and (end.endswith(("…", "...")) or not end.endswith(_SENTENCE_ENDS))


def _alias_word(raw: str) -> str:
    """The word the alias tables look up: ``l'OTAN`` -> ``OTAN``, ``Rubio's`` -> ``Rubio``."""
    if "'" not in raw and "’" not in raw:
        return raw
    head, _, tail = raw.replace("’", "'").partition("'")
    return tail if len(head) <= 3 and tail[:1].isupper() else head


def entity_keys(tokens: list[Token]) -> dict[str, str]:
    """Each token (by its comparable form) that names a known entity -> the entity's key."""
    raw = [_alias_word(t.raw) for t in tokens]
    keys: dict[str, str] = {}
    for start, end, key in resolve_tokens(raw):
        for token in tokens[start:end]:
            keys[token.norm] = key
    return keys
