"""An entry scanned for the words of every query, and the helpers that read it.

Title and text are scanned as one document, ``title`` + a break + ``text``:
a phrase cannot run across the break (it is not a separator a phrase
allows), while ``NEAR`` counts words straight through it, because a
headline and the first sentence under it are about the same thing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from monitor.match.normalize import WORD_CHAR, Folded, shape_of
from monitor.match.query import LEAD_WORDS, FieldName, Scope

BREAK = "\n|\n"
# What may stand between two words of a phrase: white space (line breaks
# included), hyphens (so "secretary-general" is "secretary general") and
# apostrophes (so "d'État" is "d État").
_SEPARATORS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "-\u2010\u2011'’ʼ"

# A place in the text: one or more (first hit, last hit) ranges, more than
# one when NEAR joined two places.
Loc = tuple[tuple[int, int], ...]


class Span(NamedTuple):
    """Where a topic matched: ``field[start:end] == text``, for highlighting.

    A named tuple rather than a frozen dataclass: a long article yields a
    hundred of them, and a tuple is several times cheaper to make.
    """

    field: FieldName
    start: int
    end: int
    text: str


class Document:
    """One entry, scanned: the hits of query words in document order.

    Everything beyond the scan itself (how the text writes a hit, how far
    NEAR reaches) is computed on demand and kept, since most hits are never
    looked at and some are looked at by several topics.
    """

    __slots__ = (
        "_lead_end",
        "_reversed",
        "_shapes",
        "by_key",
        "ends",
        "folded",
        "keys",
        "places",
        "starts",
        "title_end",
    )

    def __init__(self, folded: Folded, vocabulary: re.Pattern[str], title_end: int) -> None:
        self.folded = folded
        self.title_end = title_end
        hits = [(m.start(), m.end(), m.group()) for m in vocabulary.finditer(folded.text)]
        self.starts = [hit[0] for hit in hits]
        self.ends = [hit[1] for hit in hits]
        self.keys = [hit[2] for hit in hits]
        self.by_key: dict[str, list[int]] = {}
        for index, key in enumerate(self.keys):
            self.by_key.setdefault(key, []).append(index)
        self._shapes = [0] * len(self.keys)
        self._reversed: str | None = None
        self._lead_end: int | None = None
        # Places of each term already evaluated, by (id of the term, scope):
        # the default topics share terms (NATO is also context for both people).
        self.places: dict[tuple[int, Scope | None], list[Loc] | None] = {}

    def shape(self, hit: int) -> int:
        """How the text writes the hit (:func:`~monitor.match.normalize.shape_of`), cached."""
        shape = self._shapes[hit]
        if not shape:
            origin = self.folded.origin
            token = self.folded.original[origin(self.starts[hit]) : origin(self.ends[hit])]
            shape = self._shapes[hit] = shape_of(token)
        return shape

    def in_scope(self, hit: int, scope: Scope | None) -> bool:
        if scope is None:
            return True
        if scope == "lead":
            return self.ends[hit] <= self.lead_end
        in_title = self.starts[hit] < self.title_end
        return in_title if scope == "title" else not in_title

    @property
    def lead_end(self) -> int:
        """Where the lead ends in the folded text: the title and the first words of the text."""
        if self._lead_end is None:
            text = self.folded.text
            body = min(self.title_end + len(BREAK), len(text))
            words = _words(LEAD_WORDS).match(text, body)
            self._lead_end = words.end() if words else body
        return self._lead_end

    def joined(self, left: int, right: int, joiner: str) -> bool:
        """Whether only separators (or the query's own punctuation) stand between two hits."""
        gap = self.folded.text[self.ends[left] : self.starts[right]]
        return bool(gap) and not gap.strip(_SEPARATORS + joiner)

    def reach(self, start: int, end: int, words: int) -> tuple[int, int]:
        """Character bounds of the ``words`` words before ``start`` and after ``end``.

        A place is within NEAR/n of ``[start, end)`` when it lies inside these
        bounds.  Counting outwards from each place, rather than numbering every
        word of the text, keeps the cost to the few words NEAR looks at.
        """
        text = self.folded.text
        pattern = _words(words + 1)
        after = pattern.match(text, end)
        if self._reversed is None:
            self._reversed = text[::-1]
        before = pattern.match(self._reversed, len(text) - start)
        return (
            len(text) - before.end() if before else 0,
            after.end() if after else len(text),
        )

    def span(self, first: int, last: int) -> Span:
        start = self.folded.origin(self.starts[first])
        end = self.folded.origin(self.ends[last])
        text = self.folded.original[start:end]
        if start < self.title_end:
            return Span("title", start, end, text)
        offset = self.title_end + len(BREAK)
        return Span("text", start - offset, end - offset, text)


@lru_cache(maxsize=64)
def _words(count: int) -> re.Pattern[str]:
    """Up to ``count`` words from where it is matched, with what separates them."""
    return re.compile(rf"(?:[\W_]*{WORD_CHAR}+){{1,{count}}}")


def vocabulary_pattern(words: set[str]) -> re.Pattern[str]:
    """One regex finding every query word, whole words only, in folded text."""
    pattern = _trie(words) if words else "(?!)"
    return re.compile(rf"(?<!{WORD_CHAR}){pattern}(?!{WORD_CHAR})")


_Trie = dict[str, "_Trie"]


def _trie(words: set[str]) -> str:
    """An alternation of ``words`` factored by common prefixes (nato|natoli -> nato(?:li)?)."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def render(node: _Trie) -> str:
        branches = [re.escape(c) + render(sub) for c, sub in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return render(trie)
