"""Entry normalisation: identity, canonical URL, dates, clean text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.parse.entry import html_to_text, normalise
from monitor.parse.feed import RawEntry
from monitor.parse.urls import canonical_url

SEEN = datetime(2026, 1, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://Example.COM/News/A?id=3#comments", "https://example.com/News/A?id=3"),
        ("https://example.com:443/a?utm_source=rss&utm_medium=x&p=1", "https://example.com/a?p=1"),
        ("http://example.com:8080/a?fbclid=1&gclid=2", "http://example.com:8080/a"),
        ("https://example.com", "https://example.com/"),
        ("not a url", "not a url"),
        ("http://[broken/", "http://[broken/"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def raw(**kw: object) -> RawEntry:
    base: dict[str, object] = {
        "guid": None,
        "link": None,
        "title": "T",
        "summary_html": "",
        "content_html": "",
        "published": None,
    }
    base.update(kw)
    return RawEntry(**base)  # type: ignore[arg-type]


def test_identity_prefers_guid_then_link_then_hash() -> None:
    assert normalise(raw(guid="g-1", link="https://x.org/a"), SEEN).entry_key == "g-1"
    assert normalise(raw(link="https://X.org/a?utm_source=t"), SEEN).entry_key == "https://x.org/a"
    hashed = normalise(raw(title="Only a title"), SEEN).entry_key
    assert (
        hashed.startswith("sha1:")
        and hashed == normalise(raw(title="Only a title"), SEEN).entry_key
    )
    assert hashed != normalise(raw(title="Another title"), SEEN).entry_key


def test_published_falls_back_to_first_seen() -> None:
    assert normalise(raw(), SEEN).published == SEEN
    stamp = datetime(2025, 4, 3, 10, 0, 0, 500, tzinfo=UTC)
    entry = normalise(raw(published=stamp), SEEN)
    assert entry.published == stamp.replace(microsecond=0) and entry.published_known


def test_clean_text_keeps_the_html_beside_it() -> None:
    html = "<p>Rutte &amp; Rubio met<br>in <b>Brussels</b>.</p><script>alert(1)</script>"
    entry = normalise(raw(title="Rutte &amp; <i>Rubio</i>", summary_html=html), SEEN)
    assert entry.title == "Rutte & Rubio"
    assert entry.summary == "Rutte & Rubio met in Brussels."
    assert entry.summary_html == html
    assert "alert" not in entry.text


def test_paragraphs_survive_in_full_content() -> None:
    text = html_to_text("<p>One &nbsp; two.</p>\n<p>Three.</p>", keep_paragraphs=True)
    assert text == "One two.\nThree."


def test_untitled_entries_without_guid_or_link_keep_distinct_identities() -> None:
    """Description-only RSS items (valid RSS 2.0) with no date must not share one key,
    or every one after the first would be taken for a copy and never stored."""
    first = RawEntry(None, None, "", "First story.", "", None)
    second = RawEntry(None, None, "", "Second story.", "", None)
    assert normalise(first, SEEN).entry_key != normalise(second, SEEN).entry_key
    titled = RawEntry(None, None, "Same title", "Changed summary.", "", None)
    again = RawEntry(None, None, "Same title", "Edited summary.", "", None)
    assert normalise(titled, SEEN).entry_key == normalise(again, SEEN).entry_key  # a title rules
