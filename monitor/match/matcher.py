"""Compiled topic matching: every topic at once, one scan of each entry.

Why one scan: the cost of matching is reading the text, not evaluating the
queries.  All the words of all topics go into a single regex, shaped as a
trie so the engine rejects most positions on their first character; it runs
once over the folded title and text (:mod:`.document`) and yields the few
places where a query word occurs.  Phrases, proximity, fields and case are
then checked on those hits only, so an entry that names none of the words
costs one regex pass.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from monitor.errors import ConfigError
from monitor.match.document import BREAK, Document, Loc, Span, vocabulary_pattern
from monitor.match.normalize import CaseRule, QueryWord, fold, query_words
from monitor.match.query import And, Field, FieldName, Near, Node, Not, Scope, Term, parse_query
from monitor.match.senses import has_other_senses, other_sense

_ANY_SHAPE = CaseRule.ANY.mask

__all__ = ["Span", "TopicMatch", "TopicMatcher", "TopicSpec", "compile_topics"]


class TopicSpec(Protocol):
    """What the matcher needs of a topic; :class:`monitor.config.TopicSettings` is one."""

    @property
    def name(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def languages(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """One topic that matched an entry, and why."""

    topic: str
    fields: tuple[FieldName, ...]
    spans: tuple[Span, ...]


class _Compiled(Protocol):
    def evaluate(self, doc: Document, scope: Scope | None) -> list[Loc] | None:
        """The places that make this node true (empty for an exclusion), or None if false."""


@dataclass(frozen=True, slots=True)
class _Term:
    words: tuple[QueryWord, ...]

    def evaluate(self, doc: Document, scope: Scope | None) -> list[Loc] | None:
        if self.words[0].key not in doc.by_key:
            return None  # most terms of a long query: settled without a look at the text
        key = (id(self), scope)
        if key not in doc.places:
            doc.places[key] = self._find(doc, scope)
        return doc.places[key]

    def _find(self, doc: Document, scope: Scope | None) -> list[Loc] | None:
        words = self.words
        if len(words) == 1:
            word = words[0]
            hits = doc.by_key.get(word.key, [])
            mask = word.rule.mask
            found: list[Loc] = [
                ((hit, hit),)
                for hit in hits
                if (mask == _ANY_SHAPE or doc.shape(hit) & mask) and doc.in_scope(hit, scope)
            ]
            if mask != _ANY_SHAPE and found and has_other_senses(word.key):
                found = [loc for loc in found if not other_sense(doc, loc[0][0])]
            return found or None
        # A phrase: start from its word with the fewest hits ("Hague", not "the").
        anchor, fewest = 0, None
        for position, word in enumerate(words):
            candidates = doc.by_key.get(word.key)
            if candidates is None:
                return None
            if fewest is None or len(candidates) < len(fewest):
                anchor, fewest = position, candidates
        assert fewest is not None
        found = []
        count = len(doc.keys)
        for hit in fewest:
            first, last = hit - anchor, hit - anchor + len(words) - 1
            if first < 0 or last >= count or not doc.in_scope(first, scope):
                continue
            for offset, word in enumerate(words):
                at = first + offset
                if (
                    doc.keys[at] != word.key
                    or not doc.shape(at) & word.rule.mask
                    or (offset and not doc.joined(at - 1, at, word.joiner))
                ):
                    break
            else:
                found.append(((first, last),))
        return found or None


@dataclass(frozen=True, slots=True)
class _And:
    items: tuple[_Compiled, ...]

    def evaluate(self, doc: Document, scope: Scope | None) -> list[Loc] | None:
        found: list[Loc] = []
        for item in self.items:
            locs = item.evaluate(doc, scope)
            if locs is None:
                return None
            found.extend(locs)
        return found


@dataclass(frozen=True, slots=True)
class _Or:
    items: tuple[_Compiled, ...]

    def evaluate(self, doc: Document, scope: Scope | None) -> list[Loc] | None:
        found: list[Loc] = []
        matched = False
        for item in self.items:
            locs = item.evaluate(doc, scope)
            if locs is not None:
                matched = True
                found.extend(locs)
        return found if matched else None


@dataclass(frozen=True, slots=True)
class _Not:
    item: _Compiled

    def evaluate(self, doc: Document, scope: Scope | None) -> list[Loc] | None:
        return [] if self.item.evaluate(doc, scope) is None else None


@dataclass(frozen=True, slots=True)
class _Field:
    name: Scope
    item: _Compiled

    def evaluate(self, doc: Document, scope: Scope | None) -> list[Loc] | None:
        return self.item.evaluate(doc, self.name)


@dataclass(frozen=True, slots=True)
class _Near:
    left: _Compiled
    right: _Compiled
    distance: int

    def evaluate(self, doc: Document, scope: Scope | None) -> list[Loc] | None:
        lefts = self.left.evaluate(doc, scope)
        rights = self.right.evaluate(doc, scope) if lefts is not None else None
        if lefts is None or rights is None:
            return None
        starts, ends = doc.starts, doc.ends
        placed = sorted((starts[loc[0][0]], ends[loc[-1][1]], loc) for loc in rights)
        firsts = [first for first, _, _ in placed]
        widest = max(last - first for first, last, _ in placed)
        found: list[Loc] = []
        for loc in lefts:
            start, end = starts[loc[0][0]], ends[loc[-1][1]]
            low, high = doc.reach(start, end, self.distance)
            for other_start, other_end, other in placed[
                bisect_left(firsts, low - widest) : bisect_left(firsts, high)
            ]:
                if other_start >= end:
                    near = other_start < high
                elif other_end <= start:
                    near = other_end > low
                else:
                    continue  # the same words cannot be near themselves
                if near:
                    found.append(loc + other if start < other_start else other + loc)
        return found or None


def _compile(
    node: Node, terms: dict[tuple[QueryWord, ...], _Term]
) -> tuple[_Compiled, frozenset[str] | None]:
    """The matcher of ``node`` and the words of which at least one must occur for it.

    The second value lets :meth:`TopicMatcher.match` skip a topic whose
    words are all absent without evaluating it; None means "no such set"
    (only an exclusion, which never stands alone).
    """
    if isinstance(node, Term):
        words = query_words(node.text)
        # One matcher per distinct term, so a document evaluates it once for all topics.
        term = terms.setdefault(words, _Term(words))
        return term, frozenset({words[0].key})
    if isinstance(node, Field):
        item, keys = _compile(node.query, terms)
        return _Field(node.name, item), keys
    if isinstance(node, Not):
        return _Not(_compile(node.query, terms)[0]), None
    if isinstance(node, Near):
        left, keys = _compile(node.left, terms)
        right, _ = _compile(node.right, terms)
        return _Near(left, right, node.distance), keys
    compiled = [_compile(item, terms) for item in node.items]
    items = tuple(c for c, _ in compiled)
    sets = [keys for _, keys in compiled]
    if isinstance(node, And):
        positive = [keys for keys in sets if keys is not None]
        return _And(items), min(positive, key=len) if positive else None
    if any(keys is None for keys in sets):  # pragma: no cover - the parser refuses these
        return _Or(items), None
    return _Or(items), frozenset().union(*(keys for keys in sets if keys is not None))


def _vocabulary_words(node: Node) -> set[str]:
    if isinstance(node, Term):
        return {word.key for word in query_words(node.text)}
    if isinstance(node, Field | Not):
        return _vocabulary_words(node.query)
    if isinstance(node, Near):
        return _vocabulary_words(node.left) | _vocabulary_words(node.right)
    return set().union(*(_vocabulary_words(item) for item in node.items))


@dataclass(frozen=True, slots=True)
class _Topic:
    name: str
    languages: frozenset[str]
    root: _Compiled
    keys: frozenset[str]


class TopicMatcher:
    """All topics, compiled; :meth:`match` is safe to call from several threads."""

    def __init__(self, topics: Sequence[_Topic], vocabulary: set[str]) -> None:
        self._topics = tuple(topics)
        self._vocabulary = vocabulary_pattern(vocabulary)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(topic.name for topic in self._topics)

    @property
    def restricts_languages(self) -> bool:
        """Whether any topic is limited to some languages (then the language matters)."""
        return any(topic.languages for topic in self._topics)

    def match(self, title: str, text: str, language: str | None = None) -> list[TopicMatch]:
        """The topics this entry is about, in configuration order, with their spans.

        ``language`` is the entry's ISO 639-1 code; a topic restricted to
        other languages is skipped.  None means unknown: no topic is skipped
        for it, since a missed story is worse than one more in the digest.
        """
        document = title + BREAK + text
        doc = Document(fold(document), self._vocabulary, len(title))
        if not doc.keys:
            return []
        lang = language.lower().replace("_", "-").split("-")[0] if language else None
        matches: list[TopicMatch] = []
        for topic in self._topics:
            if lang and topic.languages and lang not in topic.languages:
                continue
            if topic.keys.isdisjoint(doc.by_key):
                continue
            locs = topic.root.evaluate(doc, None)
            if locs is None:
                continue
            spans = tuple(doc.span(first, last) for first, last in _merge(locs))
            fields = tuple(dict.fromkeys(span.field for span in spans))
            matches.append(TopicMatch(topic.name, fields, spans))
        return matches


def _merge(locs: list[Loc]) -> list[tuple[int, int]]:
    """Hit ranges in text order, overlapping ones joined ("Marco Rubio" swallows "Rubio")."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted({part for loc in locs for part in loc}):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def compile_topics(topics: Sequence[TopicSpec]) -> TopicMatcher:
    """Parse and compile every topic, once, at start.

    Raises :class:`~monitor.errors.QueryError` naming the first topic whose
    query does not parse, or :class:`~monitor.errors.ConfigError` if two
    topics share a name (digests and exports tell topics apart by name).
    """
    compiled: list[_Topic] = []
    terms: dict[tuple[QueryWord, ...], _Term] = {}
    vocabulary: set[str] = set()
    seen: set[str] = set()
    for spec in topics:
        if spec.name in seen:
            raise ConfigError(f"topic {spec.name!r}", "two topics have this name")
        seen.add(spec.name)
        tree = parse_query(spec.query, topic=spec.name)
        root, keys = _compile(tree, terms)
        assert keys is not None  # the parser refuses queries made only of exclusions
        languages = frozenset(code.strip().lower() for code in spec.languages)
        compiled.append(_Topic(spec.name, languages, root, keys))
        vocabulary |= _vocabulary_words(tree)
    return TopicMatcher(compiled, vocabulary)
