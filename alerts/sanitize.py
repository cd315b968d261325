"""Making feed text safe to put in an e-mail.

Everything a feed sends is untrusted: a title may carry ``<script>``, an
``onerror=`` attribute or a ``javascript:`` link, by accident or on purpose.
Three defences, each enough on its own for what it covers:

* :func:`clean_text` strips any markup with nh3 (scripts and styles lose
  their content too) and returns plain text; the digest never includes a
  feed's HTML;
* the HTML template autoescapes everything, and :func:`highlight_html`
  escapes each piece before wrapping matched words in ``<strong>``;
* :func:`safe_url` lets only ``http`` and ``https`` links become ``href``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import nh3
from markupsafe import Markup, escape

from monitor.text import squash_whitespace

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_BAD = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")


def clean_text(value: str | None) -> str:
    """Plain text from whatever a feed put in a field: tags removed (with the content of
    scripts and styles), entities decoded, control characters and runs of spaces gone."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        value = html.unescape(nh3.clean(value, tags=set()))
    return squash_whitespace(_CONTROL.sub(" ", value))


def strip_markup(value: str) -> str:
    """Like :func:`clean_text` but keeping line breaks, which tell paragraphs apart for
    sentence splitting."""
    if "<" in value or "&" in value:
        value = html.unescape(nh3.clean(value, tags=set()))
    return _CONTROL.sub(" ", value)


def safe_url(value: str | None) -> str | None:
    """The URL if it is an absolute ``http(s)`` link a mail client may open, else None."""
    if not value:
        return None
    url = value.strip()
    if _URL_BAD.search(url) or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def host_of(url: str | None) -> str | None:
    """``www.bbc.co.uk`` -> ``bbc.co.uk``: a readable outlet name when a feed has none."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def span_terms(spans: Iterable[Sequence[Any]], topic: str | None = None) -> list[str]:
    """The words to highlight for one topic's stored spans (``[field, start, end, text]``),
    longest first so "Marco Rubio" is highlighted whole rather than as "Rubio".

    A NEAR query's spans include its context words ("Rubio" near "Washington");
    highlighting those is noise.  So when ``topic`` is given, a span that contains
    a word of the topic's name is cut down to the name ("US Secretary of State
    Marco Rubio" -> "Marco Rubio"), and the other spans are dropped, unless no
    span contains the name (an article that says only "OTAN").
    """
    texts = [clean_text(s[3]) for s in spans if len(s) >= 4 and isinstance(s[3], str)]
    texts = [t for t in texts if t]
    name_words = {_fold(w) for w in _WORDS.findall(topic or "") if len(w) > 1}
    if name_words:
        named = [cut for t in texts if (cut := _cut_to_name(t, name_words))]
        texts = named or texts
    return sorted(set(texts), key=lambda t: (-len(t), t))


_WORDS = re.compile(r"\w+")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _cut_to_name(text: str, name_words: set[str]) -> str | None:
    """The part of ``text`` from its first to its last word of the topic name, if any."""
    hits = [m for m in _WORDS.finditer(text) if _fold(m.group(0)) in name_words]
    if not hits:
        return None
    return text[hits[0].start() : hits[-1].end()]


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in terms)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def highlight_html(text: str, terms: Sequence[str]) -> Markup:
    """``text`` escaped for HTML, each occurrence of a term wrapped in ``<strong class=hl>``."""
    pattern = _pattern(tuple(terms))
    if pattern is None:
        return escape(text)
    parts: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(Markup('<strong class="hl">%s</strong>') % match.group(0))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
