"""Text folding for matching: one folded form for query words and for entry text.

Why folding and not ``re.IGNORECASE``: news writes the same name as Rutte,
RUTTE, Rütte or Ru\u0308tte (a combining diaeresis), "Straße" and "Strasse".
Folding both the query and the text to lower case without diacritics lets a
single plain regex find them all, while the *case* a query word was written
in is kept aside (:class:`CaseRule`) and checked on the original text, so
"NATO" can still refuse the Italian word "nato".

The folded text can be longer or shorter than the original (ß becomes
"ss", a soft hyphen disappears), but spans must point into the original so
a digest can highlight them.  :class:`Folded` keeps a short list of
breakpoints instead of a per-character map: only the rare characters whose
fold is not exactly one character create one, so the common case costs a
``str.translate`` and nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum

# A word is a run of letters and digits in the folded text; the underscore
# that ``\w`` includes is not part of a word in news prose.
WORD_CHAR = r"[^\W_]"
WORD = re.compile(rf"{WORD_CHAR}+")

# Characters that only steer typesetting: deleted so "Se\xadcre\xadtary"
# (soft hyphens from HTML &shy;) reads as "secretary".
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# Letters that NFKD does not take apart but that readers treat as the base letter.
_EXTRA = {
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "ħ": "h",
    "ı": "i",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
}
_APOSTROPHES = frozenset("\u02bc")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_char(char: str) -> str:
    if char in _INVISIBLE or unicodedata.category(char) == "Mn":
        return ""
    if char in _APOSTROPHES:
        return "'"  # ʼ is a letter to Unicode, an apostrophe to a reader: Rubioʼs
    if not unicodedata.category(char).startswith("L"):
        # NFKD would turn ™ into "TM" and ² into "2": new word characters
        # where the text had none.  Only letters are decomposed.
        return char.casefold() if len(char.casefold()) == 1 else char
    lowered = char.casefold()
    if lowered in _EXTRA:
        return _EXTRA[lowered]
    decomposed = unicodedata.normalize("NFKD", lowered)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    base = base.casefold()
    return "".join(_EXTRA.get(c, c) for c in base) or char


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character."""

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        self[codepoint] = folded
        return folded


_TABLE = _FoldTable()


def fold_char(char: str) -> str:
    """The folded form of one character (possibly empty or two characters)."""
    return _TABLE[ord(char)]


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded text and the way back to offsets in the original."""

    original: str
    text: str
    _breaks: tuple[int, ...] = ()
    _deltas: tuple[int, ...] = ()

    def origin(self, position: int) -> int:
        """The offset in the original of folded offset ``position`` (a word start or end)."""
        if not self._breaks:
            return position
        index = bisect_right(self._breaks, position) - 1
        return position + (self._deltas[index] if index >= 0 else 0)


def fold(text: str) -> Folded:
    """Lower-case ``text``, strip diacritics and invisible characters, keep offsets."""
    if text.isascii():
        return Folded(text, text.lower())
    lowered = text.lower()
    if len(lowered) != len(text):  # İ lower-cases to two characters: take the slow road
        return _fold_slowly(text)
    # Only the non-ASCII runs need the table; most of them (quotes, dashes)
    # fold to themselves.
    pieces: list[str] = []
    breaks: list[int] = []
    deltas: list[int] = []
    delta = 0  # original offset minus folded offset, after the last odd character
    done = 0
    for run in _NON_ASCII.finditer(lowered):
        chunk = run.group()
        folded = chunk.translate(_TABLE)
        if folded == chunk:
            continue
        pieces += (lowered[done : run.start()], folded)
        done = run.end()
        # Even with equal lengths an "ß" (two) and a combining mark (none) may
        # cancel out, so the characters are looked at one by one.
        delta = _note_breaks(chunk, run.start(), delta, breaks, deltas)
    pieces.append(lowered[done:])
    return Folded(text, "".join(pieces), tuple(breaks), tuple(deltas))


def _fold_slowly(text: str) -> Folded:
    breaks: list[int] = []
    deltas: list[int] = []
    delta = 0
    for run in _NON_ASCII.finditer(text):
        delta = _note_breaks(run.group(), run.start(), delta, breaks, deltas)
    return Folded(text, text.translate(_TABLE), tuple(breaks), tuple(deltas))


def _note_breaks(chunk: str, start: int, delta: int, breaks: list[int], deltas: list[int]) -> int:
    """Record where characters of ``chunk`` fold to other than one character; new delta."""
    for offset, char in enumerate(chunk, start=start):
        width = len(_TABLE[ord(char)])
        if width == 1:
            continue
        folded_at = offset - delta
        delta += 1 - width
        breaks.append(folded_at + width)
        deltas.append(delta)
    return delta


# How a word is written in the text, as far as the case rules care: one bit
# each, so a rule is a mask and a check is one "&".
UPPER, TITLE, CAPITAL, LOWER, UNCASED = 1, 2, 4, 8, 16  # NATO, Nato, NaTo, nato, 2025


def shape_of(token: str) -> int:
    """The shape bit of a word as written in the text."""
    if token.isupper():
        return UPPER
    if token[:1].isupper():
        rest = token[1:]
        return TITLE if rest == rest.lower() else CAPITAL
    return LOWER if token != token.upper() else UNCASED


class CaseRule(Enum):
    """What the way a query word is written says about the text it may match.

    A lower-case word is a common word: any case matches.  A capitalised word
    is a name: the text must capitalise it too (so Rubio is not the Spanish
    adjective rubio).  An all-capitals word is an acronym: the text must write
    it in capitals or as a capitalised word, the way the British and Italian
    press write Nato (so NATO is not the Italian "nato", born).
    """

    ANY = "any"
    NAME = "name"
    ACRONYM = "acronym"

    @classmethod
    def of(cls, word: str) -> CaseRule:
        """The rule a query word, as written, asks for."""
        cased = [c for c in word if c.isupper() or c.islower()]
        if not cased or not cased[0].isupper():
            return cls.ANY
        if len(cased) >= 2 and all(c.isupper() for c in cased):
            return cls.ACRONYM
        return cls.NAME

    @property
    def mask(self) -> int:
        """The shapes of a word in the text (see :func:`shape_of`) this rule accepts."""
        return _ACCEPTS[self]

    def allows(self, token: str) -> bool:
        """Whether ``token``, as written in the text, may match a word with this rule."""
        return bool(shape_of(token) & _ACCEPTS[self])


_ACCEPTS = {
    CaseRule.ANY: UPPER | TITLE | CAPITAL | LOWER | UNCASED,
    CaseRule.NAME: UPPER | TITLE | CAPITAL | UNCASED,
    CaseRule.ACRONYM: UPPER | TITLE | UNCASED,
}


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word of a query term: its folded key and the case it asks for.

    ``joiner`` is the punctuation written between this word and the one
    before it in the query (the "." of "U.S.", the "&" of "AT&T"); the text
    may have it there too.
    """

    key: str
    rule: CaseRule
    joiner: str = ""


def query_words(text: str) -> tuple[QueryWord, ...]:
    """Split a query term into words the way entry text is split, keeping each one's case."""
    folded = fold(text)
    words: list[QueryWord] = []
    previous_end = 0
    for match in WORD.finditer(folded.text):
        start, end = folded.origin(match.start()), folded.origin(match.end())
        between = text[previous_end:start] if words else ""
        joiner = "".join(c for c in between if not c.isspace())
        words.append(QueryWord(match.group(), CaseRule.of(text[start:end]), joiner))
        previous_end = end
    return tuple(words)
