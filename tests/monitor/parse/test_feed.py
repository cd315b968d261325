"""Parsing real feed documents (feedparser's fixtures) paired with what we expect of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.errors import EmptyResponse, NotAFeed
from monitor.parse.feed import declared_ttl, looks_like_html, parse_feed
from tests.feedserver import rss, rss_items
from tests.shared_corpus import FEEDPARSER as CORPUS
from tests.shared_corpus import needs_corpus

LARGE = CORPUS / "wellformed/sanitize/large_atom_feed_that_needs_css_sanitisation.xml"


@needs_corpus
def test_real_atom_feed() -> None:
    parsed = parse_feed(LARGE.read_bytes(), {"content-type": "application/atom+xml"}, "u")
    assert parsed.parser == "fastfeedparser"
    assert len(parsed.entries) == 15
    first = parsed.entries[0]
    assert first.guid == "tag:touchnokia.ru,2009://1.666"
    assert first.title == "Невидимая броня для Вашего Nokia 5800"
    assert (
        first.link == "http://touchnokia.ru/2009/09/nevidimaja-bronja-dlja-vashego-nokia-5800.html"
    )
    assert first.published == datetime(2009, 9, 9, 14, 19, 45, tzinfo=UTC)
    assert all(e.guid and e.link and e.title for e in parsed.entries)


@needs_corpus
@pytest.mark.parametrize(
    ("name", "charset", "title"),
    [
        ("koi8r.xml", "koi8-r", "Как пережить новогоднюю ночь"),
        ("shiftjis.xml", "shift_jis", None),
    ],
)
def test_http_charset_decides_for_undeclared_documents(
    name: str, charset: str, title: str | None
) -> None:
    """Legacy-encoded documents without a declaration decode by the HTTP charset."""
    body = (CORPUS / "illformed/chardet" / name).read_bytes()
    parsed = parse_feed(body, {"content-type": f"text/xml; charset={charset}"}, "u")
    assert parsed.parser == "feedparser"  # the HTTP charset disagrees with the UTF-8 default
    text = "".join(e.title for e in parsed.entries)
    assert text and "\ufffd" not in text
    if title is not None:
        assert text == title


@needs_corpus
def test_rdf_feed() -> None:
    parsed = parse_feed((CORPUS / "wellformed/rdf/rdf_item_rdf_about.xml").read_bytes(), {}, "u")
    assert len(parsed.entries) == 1


def test_html_page_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html>\n<html><head><title>Site</title></head><body>x</body></html>"
    assert looks_like_html(page)
    with pytest.raises(NotAFeed, match="HTML page"):
        parse_feed(page, {"content-type": "text/html"}, "u")


def test_empty_body() -> None:
    with pytest.raises(EmptyResponse):
        parse_feed(b"  \n", {}, "u")


def test_broken_xml_keeps_entries_and_warns() -> None:
    body = rss(rss_items("x", 2)).replace(
        b"</channel>", b"<item><title>a & b</title></item></channel>"
    )
    parsed = parse_feed(body, {}, "u")
    assert parsed.parser == "feedparser"
    assert len(parsed.entries) == 3
    assert parsed.warnings and "kept 3 readable entries" in parsed.warnings[0]


@pytest.mark.parametrize(
    ("snippet", "seconds"),
    [
        (b"<ttl>60</ttl>", 3600),
        (
            b"<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>",
            43200,
        ),
        (b"<sy:updatePeriod>hourly</sy:updatePeriod>", 3600),
        (b"<ttl>0</ttl>", None),
        (b"", None),
    ],
)
def test_declared_ttl(snippet: bytes, seconds: int | None) -> None:
    assert declared_ttl(b"<rss><channel>" + snippet + b"</channel></rss>") == seconds


JUNK = b"<item><title></title><description> </description></item><item>&bogus; <<</item>"


def test_broken_xml_drops_entries_with_nothing_to_identify_them() -> None:
    """A broken document yields empty items: they are dropped, and said so in one warning."""
    body = rss(rss_items("ok", 2)).replace(b"</channel>", JUNK + b"</channel>")
    parsed = parse_feed(body, {}, "u")
    assert [e.guid for e in parsed.entries] == ["ok-0", "ok-1"]
    [warning] = parsed.warnings
    assert "kept 2 readable entries" in warning and "dropped 2 empty entries" in warning


def test_well_formed_empty_items_are_dropped_with_a_warning() -> None:
    body = rss(rss_items("ok", 2)).replace(
        b"</channel>", b"<item></item><item><title/></item></channel>"
    )
    parsed = parse_feed(body, {}, "u")
    assert [e.guid for e in parsed.entries] == ["ok-0", "ok-1"]
    assert parsed.warnings == ["dropped 2 empty entries (no guid, link, title or text)"]


def test_description_only_items_are_kept() -> None:
    """RSS 2.0 allows an item with a description only: it is not junk."""
    body = rss([{"description": "First."}, {"description": "Second."}])
    parsed = parse_feed(body, {}, "u")
    assert [e.summary_html for e in parsed.entries] == ["First.", "Second."]
    assert parsed.warnings == []


LATIN1_CLAIM = (
    '<?xml version="1.0" encoding="{decl}"?><rss version="2.0"><channel><title>c</title>'
    "<item><guid>1</guid><title>R\u00e9sum\u00e9 of the NATO summit \u2013 day 1</title></item>"
    "</channel></rss>"
)


@pytest.mark.parametrize(
    ("decl", "content_type"),
    [
        ("iso-8859-1", "application/rss+xml"),
        ("windows-1252", "application/rss+xml"),
        ("utf-8", "application/rss+xml; charset=ISO-8859-1"),
        ("latin-1", "text/xml; charset=latin-1"),
    ],
)
def test_utf8_body_declared_latin1_is_read_as_utf8_with_a_warning(
    decl: str, content_type: str
) -> None:
    body = LATIN1_CLAIM.format(decl=decl).encode("utf-8")
    parsed = parse_feed(body, {"content-type": content_type}, "u")
    assert parsed.entries[0].title == "R\u00e9sum\u00e9 of the NATO summit \u2013 day 1"
    [warning] = parsed.warnings
    assert "is UTF-8" in warning and "read as UTF-8" in warning


def test_real_latin1_body_is_left_alone() -> None:
    body = LATIN1_CLAIM.format(decl="iso-8859-1").replace("\u2013", "-").encode("latin-1")
    parsed = parse_feed(body, {"content-type": "application/rss+xml"}, "u")
    assert parsed.entries[0].title == "R\u00e9sum\u00e9 of the NATO summit - day 1"
    assert parsed.warnings == []


def test_broken_xml_with_only_empty_items_is_not_a_feed() -> None:
    """As with a broken document that yields no item at all: nothing readable is a failure."""
    body = rss([]).replace(b"</channel>", JUNK + b"</channel>")
    with pytest.raises(NotAFeed, match="not a feed: line 2:"):
        parse_feed(body, {}, "u")
