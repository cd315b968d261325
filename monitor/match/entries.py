"""Matching feed entries: the pipeline's step between parsing and dedup.

Language detection costs about thirty times a match and loads ~180 MB of
models, so it runs only for entries that matched some topic: those are the
ones whose language is shown, stored and used for restrictions.  An entry
that matches nothing needs no language; nothing downstream looks at it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.match.language import detect_language, language_allowed
from monitor.match.matcher import TopicMatch, TopicMatcher
from monitor.parse.entry import Entry


@dataclass(frozen=True)
class EntryTopics:
    """What matching found for one entry."""

    language: str | None
    matches: tuple[TopicMatch, ...]


def match_entries(
    entries: Sequence[Entry],
    matcher: TopicMatcher,
    *,
    feed_languages: Sequence[str] = (),
    texts: Mapping[str, str] | None = None,
) -> dict[str, EntryTopics]:
    """Topic matches by entry key, for the entries about at least one topic.

    ``texts`` replaces an entry's text (full text fetched from the article
    page), so spans point into the text that is stored.
    """
    texts = texts or {}
    found: dict[str, EntryTopics] = {}
    for entry in entries:
        text = texts.get(entry.entry_key) or entry.text
        matches = matcher.match(entry.title, text)
        if not matches:
            continue
        language = detect_language(f"{entry.title}\n{text}")
        if not language_allowed(language, feed_languages):
            continue
        if language is not None and matcher.restricts_languages:
            matches = matcher.match(entry.title, text, language)
            if not matches:
                continue
        found[entry.entry_key] = EntryTopics(language, tuple(matches))
    return found
