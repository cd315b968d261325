"""Feed bytes to entries: fastfeedparser when it is safe, feedparser when it is needed.

feedparser is the reference: it copes with every broken feed on the web,
applies the HTTP charset rules (RFC 3023) and says when a document had XML
errors ("bozo").  It is also slow, about 3,000 items/s on one core here.
fastfeedparser (lxml underneath) is about 50x faster but silently recovers
from XML errors and ignores the HTTP charset.  So the fast path is taken
only when neither matters: the document is well-formed XML (checked with
expat, which costs a fraction of a parse) and the HTTP charset, if any,
agrees with the document's own.  Everything else goes to feedparser.
``tests/monitor/parse/test_differential.py`` shows both agree on the fields
newsmon uses.

Parsing is CPU-bound: the fetch cycle calls :func:`parse_feed` in a worker
thread so the event loop keeps fetching.
"""

from __future__ import annotations

import calendar
import codecs
import re
import xml.parsers.expat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import fastfeedparser
import feedparser

from monitor.errors import EmptyResponse, NotAFeed
from monitor.parse.charset import repair_utf8_declared_latin1

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
_RELATIVE_LINK = re.compile(rb"(?:href=[\"']|<link>\s*)(?!https?:|mailto:)", re.I)
_TTL = re.compile(rb"<ttl>\s*(\d+)\s*</ttl>", re.I)
_SY_PERIOD = re.compile(rb"<sy:updatePeriod>\s*(\w+)\s*</sy:updatePeriod>", re.I)
_SY_FREQUENCY = re.compile(rb"<sy:updateFrequency>\s*(\d+)\s*</sy:updateFrequency>", re.I)
_PERIOD_SECONDS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "monthly": 2592000,
    "yearly": 31536000,
}


@dataclass(frozen=True)
class RawEntry:
    """One entry as the parser gave it: text fields may still hold HTML."""

    guid: str | None
    link: str | None
    title: str
    summary_html: str
    content_html: str
    published: datetime | None
    author: str | None = None


@dataclass
class ParsedFeed:
    title: str | None
    link: str | None
    entries: list[RawEntry]
    parser: Literal["fastfeedparser", "feedparser"]
    ttl_s: int | None = None  # from <ttl> or sy:updatePeriod/updateFrequency
    warnings: list[str] = field(default_factory=list)
    errors: str | None = None  # the parser's first XML error, when it had to recover


def parse_feed(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Parse a feed document; raise :class:`EmptyResponse` or :class:`NotAFeed`."""
    if not body.strip():
        raise EmptyResponse(url, "empty response (200 with no body)")
    ttl = declared_ttl(body)
    body, headers, charset_warning = repair_utf8_declared_latin1(body, headers)
    parsed = _parse(body, headers, url)
    parsed.ttl_s = ttl
    parsed.entries, dropped = _identifiable(parsed.entries)
    if parsed.errors and dropped and not parsed.entries:  # broken, and nothing readable
        raise NotAFeed(url, f"not a feed: {parsed.errors}")
    # One warning line per feed: the operator reads it on the feed's status.
    parts = [charset_warning] if charset_warning else []
    also = f", dropped {dropped} {_EMPTY}" if dropped else ""
    if parsed.errors:
        parts.append(
            f"feed has errors, kept {len(parsed.entries)} readable entries{also}: {parsed.errors}"
        )
    elif dropped:
        parts.append(f"dropped {dropped} {_EMPTY}")
    parsed.warnings = ["; ".join(parts)] if parts else []
    return parsed


def _parse(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    if _fast_path_is_safe(body, headers):
        try:
            parsed = _parse_fast(body)
        except (ValueError, TypeError, AttributeError):
            parsed = None  # e.g. a dialect fastfeedparser does not know: ask feedparser
        if parsed is not None and parsed.entries:
            return parsed
    return _parse_reference(body, headers, url)


def declared_ttl(body: bytes) -> int | None:
    """How often the publisher says the feed changes, in seconds (RSS <ttl> or syndication)."""
    head = body[:20000]
    if match := _TTL.search(head):
        minutes = int(match.group(1))
        return minutes * 60 if 0 < minutes < 525600 else None
    if match := _SY_PERIOD.search(head):
        period = _PERIOD_SECONDS.get(match.group(1).decode("ascii", "ignore").lower())
        if period:
            frequency = _SY_FREQUENCY.search(head)
            times = int(frequency.group(1)) if frequency else 1
            return period // max(times, 1)
    return None


def looks_like_html(body: bytes) -> bool:
    return bool(_HTML_START.match(body[:2048]))


# Constructs where fastfeedparser and feedparser read the same document
# differently (found by tests/monitor/parse/test_differential.py): base64 or
# escaped content modes, Atom 0.3, xml:base resolution, inline XHTML or
# naked markup, DTD entities, non-alternate links.  Rare in real feeds, and
# cheap to spot, so those documents simply take the reference parser.
_FAST_PATH_UNSAFE = (
    b"base64",
    b'mode="escaped"',
    b"purl.org/atom/ns#",
    b'type="xhtml"',
    b"<!ENTITY",
    b"fullitem",
    b"<svg",
    b"<math",
    b'rel="enclosure"',
    b"rel='enclosure'",
    b"/1999/xhtml",
    b"<body",
)


def _fast_path_is_safe(body: bytes, headers: Mapping[str, str]) -> bool:
    if looks_like_html(body):
        return False
    if any(marker in body for marker in _FAST_PATH_UNSAFE):
        return False
    if b"xml:base" in body and _RELATIVE_LINK.search(body):
        return False  # relative links resolved against xml:base: feedparser's job
    http_charset = _http_charset(headers.get("content-type", ""))
    if http_charset is not None and _codec(http_charset) != _codec(_document_encoding(body)):
        return False
    checker = xml.parsers.expat.ParserCreate()
    try:
        checker.Parse(body, True)
    except (xml.parsers.expat.ExpatError, ValueError, LookupError):
        return False
    return True


def _http_charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _document_encoding(body: bytes) -> str:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _XML_DECL.match(body[:512])
    return match.group(1).decode("ascii") if match else "utf-8"


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _parse_fast(body: bytes) -> ParsedFeed:
    result = fastfeedparser.parse(
        body, include_tags=False, include_media=False, include_enclosures=False
    )
    feed = result.get("feed", {}) or {}
    rdf = b"<rdf:RDF" in body[:4096]
    entries = [
        RawEntry(
            guid=_text(e.get("id")) if _has_guid(e) else None,
            link=_alternate_link(e)
            or (None if rdf or e.get("links") else _permalink_id(e.get("id"))),
            title=_text(e.get("title")) or "",
            summary_html=_text(e.get("description")) or "",
            content_html=_distinct_content(e),
            published=_iso(e.get("published")) or _iso(e.get("updated")),
            author=_text(e.get("author")),
        )
        for e in result.get("entries", [])
    ]
    return ParsedFeed(
        title=_text(feed.get("title")),
        link=_text(feed.get("link")),
        entries=entries,
        parser="fastfeedparser",
    )


def _permalink_id(ident: Any) -> str | None:
    # feedparser's "guidislink": an entry without a link is found at its id, if that is a URL.
    text = _text(ident)
    return text if text and text.lower().startswith(("http://", "https://")) else None


def _alternate_link(entry: Mapping[str, Any]) -> str | None:
    """The entry's alternate link, as feedparser chooses it: a rel="self" or "via" link
    is not where the article is."""
    links = entry.get("links") or []
    if not links:
        return _text(entry.get("link"))
    for item in links:
        if isinstance(item, Mapping) and item.get("rel") in (None, "", "alternate"):
            return _text(item.get("href"))
    return None


def _distinct_content(entry: Mapping[str, Any]) -> str:
    # fastfeedparser repeats the description as content when there is none.
    content = _first_content(entry.get("content"))
    return "" if content == (entry.get("description") or "") else content


def _has_guid(entry: Mapping[str, Any]) -> bool:
    # fastfeedparser fills a missing id with the link; feedparser leaves it empty.
    # Identity falls back to the link anyway, so only a real id counts as a guid.
    ident = entry.get("id")
    return bool(ident) and ident != entry.get("link")


def _parse_reference(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    result = feedparser.parse(
        body,
        response_headers={k.lower(): v for k, v in headers.items()},
        sanitize_html=False,
        resolve_relative_uris=True,
    )
    version = result.get("version", "")
    broken_and_empty = bool(result.get("bozo")) and not result.entries
    if (not version and not result.entries) or broken_and_empty:
        if looks_like_html(body):
            raise NotAFeed(url, "not a feed: the server sent an HTML page")
        reason = _bozo_reason(result) or "no RSS, Atom or RDF elements found"
        raise NotAFeed(url, f"not a feed: {reason}")
    feed = result.get("feed", {})
    entries = [
        RawEntry(
            guid=_text(e.get("id")),
            link=_text(e.get("link")),
            title=_text(e.get("title")) or "",
            summary_html=_text(e.get("summary")) or "",
            content_html=_first_content(e.get("content")),
            published=_struct(e.get("published_parsed")) or _struct(e.get("updated_parsed")),
            author=_text(e.get("author")),
        )
        for e in result.entries
    ]
    return ParsedFeed(
        title=_text(feed.get("title")),
        link=_text(feed.get("link")),
        entries=entries,
        parser="feedparser",
        errors=(_bozo_reason(result) or None) if result.get("bozo") else None,
    )


_EMPTY = "empty entries (no guid, link, title or text)"
_TAG = re.compile(r"<[^>]*>")


def _identifiable(entries: list[RawEntry]) -> tuple[list[RawEntry], int]:
    """The entries that carry something to identify or read them, and how many did not.

    A broken document makes parsers emit empty items (a stray ``<item>``, markup
    cut in half); stored, each is a row with no title, no link and a made-up key.
    """
    kept = [e for e in entries if e.guid or e.link or e.title.strip() or _has_text(e)]
    return kept, len(entries) - len(kept)


def _has_text(entry: RawEntry) -> bool:
    return bool(_TAG.sub("", entry.summary_html or entry.content_html).strip())


def _bozo_reason(result: Mapping[str, Any]) -> str:
    exc = result.get("bozo_exception")
    if exc is None:
        return ""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.replace("<unknown>:", "line ")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _first_content(value: Any) -> str:
    if isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and item.get("value"):
                return str(item["value"])
    return ""


def _iso(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _struct(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


__all__ = ["ParsedFeed", "RawEntry", "declared_ttl", "looks_like_html", "parse_feed"]
