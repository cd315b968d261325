"""Parsing real feed documents (feedparser's fixtures) paired with what we expect of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.errors import EmptyResponse, NotAFeed
from monitor.parse.feed import declared_ttl, looks_like_html, parse_feed
from tests.conftest import DATA
from tests.feedserver import rss, rss_items

CORPUS = DATA / "corpus"
LARGE = CORPUS / "wellformed/sanitize/large_atom_feed_that_needs_css_sanitisation.xml"


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
