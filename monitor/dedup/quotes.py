"""Quotations: a sentence someone said, repeated word for word, ties two articles together.

Rewrites change the reporter's words but keep the quotes, so a quotation
of six or more words found verbatim in both articles is strong evidence
that they report the same event.  Each quotation is reduced to the hashes
of its windows of ``min_words`` words, so a quote that one outlet cut
shorter still matches the longer one it was cut from.
"""

from __future__ import annotations

import re
import zlib

from monitor.dedup.tokens import words

# Curly double quotes, or straight ones; a quotation may run over a line break
# (paragraph-per-sentence layouts) but not over a whole page.
_QUOTE_SPANS = (
    re.compile(r"“([^“”]{1,800})”"),
    re.compile(r'"([^"]{1,800})"'),
)


def quotations(text: str, min_words: int) -> list[str]:
    """The quoted passages of ``text`` with at least ``min_words`` words, in order."""
    found: list[tuple[int, str]] = []
    for pattern in _QUOTE_SPANS:
        for match in pattern.finditer(text):
            quote = " ".join(match.group(1).split())
            if len(words(quote)) >= min_words:
                found.append((match.start(), quote))
    return [quote for _, quote in sorted(found)]


def quote_hashes(quote: str, min_words: int) -> set[int]:
    """Hashes of every ``min_words``-word window of one quotation."""
    tokens = words(quote)
    return {
        zlib.crc32(("q:" + " ".join(tokens[i : i + min_words])).encode("utf-8"))
        for i in range(len(tokens) - min_words + 1)
    }


def all_quote_hashes(text: str, min_words: int) -> set[int]:
    """Window hashes of every quotation in ``text``."""
    hashes: set[int] = set()
    for quote in quotations(text, min_words):
        hashes |= quote_hashes(quote, min_words)
    return hashes
