"""Topic matching: which entries are about which topics, and where.

Pure functions of text (no database, no network), so the pipeline, the
digest and ``newsmon explain`` all get the same answer::

    matcher = compile_topics(settings.topics)        # once, at start; QueryError
    language = detect_language(f"{title}\\n{text}")
    for hit in matcher.match(title, text, language):
        hit.topic, hit.fields, hit.spans             # "NATO", ("title",), (Span(...),)

The query language and the matching rules are described in
``docs/topics.md``.
"""

from __future__ import annotations

from monitor.errors import QueryError
from monitor.match.language import LANGUAGES, detect_language, language_allowed
from monitor.match.matcher import Span, TopicMatch, TopicMatcher, TopicSpec, compile_topics
from monitor.match.query import Node, format_query, parse_query

__all__ = [
    "LANGUAGES",
    "Node",
    "QueryError",
    "Span",
    "TopicMatch",
    "TopicMatcher",
    "TopicSpec",
    "compile_topics",
    "detect_language",
    "format_query",
    "language_allowed",
    "parse_query",
]
