"""Normalising a parsed entry into what newsmon stores.

* identity: the guid, else the canonical link, else a hash of title and
  date: stable across polls, so an entry is stored once per feed;
* canonical URL (see :mod:`.urls`);
* published time as an aware UTC datetime, or the first-seen time;
* title and summary as clean text (tags stripped with nh3, entities
  decoded, whitespace normalised), the original HTML kept beside them.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime

import nh3

from monitor.parse.feed import RawEntry
from monitor.parse.urls import canonical_url
from monitor.text import content_hash, squash_whitespace

# Built once: constructing a cleaner costs more than cleaning a summary.
_TEXT_ONLY = nh3.Cleaner(tags=set())
_BLOCK_TAGS = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|pre|hr)\b[^>]*>",
    re.I,
)


@dataclass(frozen=True)
class Entry:
    """An entry ready to be stored."""

    entry_key: str
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str
    summary: str
    summary_html: str
    text: str
    published: datetime
    published_known: bool
    author: str | None
    content_hash: str

    def article_id(self, feed_id: int) -> str:
        """A short id, stable for this entry of this feed."""
        digest = hashlib.sha256(f"{feed_id}\n{self.entry_key}".encode()).hexdigest()
        return digest[:20]


def html_to_text(fragment: str, *, keep_paragraphs: bool = False) -> str:
    """Strip all markup (scripts and styles with their content) and decode entities."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip() if keep_paragraphs else squash_whitespace(fragment)
    marked = _BLOCK_TAGS.sub("\n", fragment)
    text = html.unescape(_TEXT_ONLY.clean(marked))
    if not keep_paragraphs:
        return squash_whitespace(text)
    lines = (squash_whitespace(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def normalise(raw: RawEntry, first_seen: datetime) -> Entry:
    title = html_to_text(raw.title)
    summary_html = raw.summary_html or raw.content_html
    summary = html_to_text(summary_html)
    # Paragraphs are kept (one a line): dedup decides page furniture line by line.
    source = raw.content_html or summary_html
    body = html_to_text(source, keep_paragraphs=True) if source else ""
    if len(body) < len(summary):
        body = summary
    url = raw.link.strip() if raw.link else None
    canonical = canonical_url(url) if url else None
    if raw.guid:
        key = raw.guid.strip()
    elif canonical:
        key = canonical
    else:
        stamp = raw.published.isoformat() if raw.published else ""
        # No title either (a description-only item): its text is all that tells it apart.
        name = title or summary or body
        key = "sha1:" + hashlib.sha1(f"{name}\n{stamp}".encode(), usedforsecurity=False).hexdigest()
    return Entry(
        # Whole: storage fits an over-long key as prefix + hash, which stays unique.
        entry_key=key,
        guid=raw.guid,
        url=url,
        canonical_url=canonical,
        title=title,
        summary=summary,
        summary_html=summary_html,
        text=body,
        # Whole seconds: parsers disagree on fractions, and no reader needs them.
        published=(raw.published or first_seen).replace(microsecond=0),
        published_known=raw.published is not None,
        author=raw.author,
        content_hash=content_hash(f"{title}\n{body}"),
    )


def normalise_all(raws: list[RawEntry], first_seen: datetime) -> list[Entry]:
    return [normalise(raw, first_seen) for raw in raws]
