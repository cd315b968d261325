"""Text helpers shared by every stage: whitespace, content hashing, sentence-ish cuts."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WS = re.compile(r"\s+")
# Candidate sentence ends: . ! or ? (maybe closed by a quote or bracket)
# followed by space and a capital, digit or opening quote.  Candidates right
# after an abbreviation (U.S., Mr., Dec.) are refused in split_sentences.
# Any script's capitals count (Ελλάδα, Россия, Él), so the lookahead takes the next
# letter and split_sentences checks that it is upper case.
_BOUNDARY = re.compile(r"[.!?][\"”’')\]»]*\s+(?=[\"“‘'(\[«„¿¡]?(\w))")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "gen",
        "lt",
        "col",
        "capt",
        "sgt",
        "sen",
        "rep",
        "gov",
        "pres",
        "rev",
        "hon",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "approx",
        "fig",
    ]
)
_QUOTES = str.maketrans("’‘“”", "''\"\"")
WRAP_MIN = 60  # a line at least this long that ends mid-sentence was hard-wrapped
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")


def squash_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) into one space."""
    return _WS.sub(" ", text.replace("\u00a0", " ")).strip()


def normalise_for_hash(text: str) -> str:
    """The form two copies of one text share even if one was re-typeset.

    NFKC folds compatibility characters, curly quotes become straight ones,
    case and whitespace are ignored.
    """
    folded = unicodedata.normalize("NFKC", text)
    folded = folded.translate(_QUOTES)
    return squash_whitespace(folded).casefold()


def content_hash(text: str) -> str:
    """SHA-256 of :func:`normalise_for_hash`: equal for the same text under another URL."""
    return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences; paragraph breaks always end one."""
    sentences: list[str] = []
    for paragraph in _paragraphs(text):
        paragraph = squash_whitespace(paragraph)
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            following = match.group(1)
            if not (following.isupper() or following.isdigit()):
                continue
            before = paragraph[start : match.start() + 1]
            if before.endswith(".") and _is_abbreviation(before):
                continue
            sentences.append(paragraph[start : match.end()].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def _paragraphs(text: str) -> list[str]:
    """Blank lines and line ends after punctuation end a paragraph; so does a short line
    (a heading).  A long line ending mid-sentence was hard-wrapped and continues."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        if len(line) < WRAP_MIN or line.endswith((".", "!", "?", ":", '"', "”", "’", ")")):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _is_abbreviation(text: str) -> bool:
    """Whether ``text`` (ending in a period) ends with an abbreviation or initials."""
    word = text.rsplit(None, 1)[-1]
    return word[:-1].lower() in _ABBREVIATIONS or bool(_INITIALS.search(word))


def first_sentence(text: str) -> str:
    """The text up to the first sentence end (good enough for a title)."""
    sentences = split_sentences(text)
    return sentences[0] if sentences else ""


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary so it fits in ``limit`` characters, adding an ellipsis."""
    text = squash_whitespace(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-–—")
    return cut + "…"
