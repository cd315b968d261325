"""Feed text made safe: markup stripped, links restricted, highlights escaped."""

from __future__ import annotations

import pytest

from alerts.sanitize import clean_text, highlight_html, safe_url, span_terms


def test_clean_text_strips_markup_and_script_content() -> None:
    assert clean_text('A <script>alert("x")</script>B <b onclick="y()">C</b> &amp; D') == (
        "A B C & D"
    )
    assert clean_text("<img src=x onerror=alert(1)>Photo") == "Photo"
    assert clean_text("profits < 5% and > 2%") == "profits < 5% and > 2%"
    assert clean_text(None) == "" and clean_text("a\x00b\n\nc") == "a b c"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "https://example.org/a b",
        'https://example.org/"onmouseover="x',
        "//example.org/no-scheme",
        "https:///no-host",
        "",
        None,
    ],
)
def test_unsafe_urls_are_not_links(url: str | None) -> None:
    assert safe_url(url) is None


def test_safe_urls_pass_unchanged() -> None:
    url = "https://www.example.org/news/2025/12/03/story?id=7&lang=en#top"
    assert safe_url(url) == url
    assert safe_url("http://example.org/") == "http://example.org/"


def test_highlight_escapes_everything_but_its_own_tag() -> None:
    out = highlight_html('<b>NATO</b> & "Rutte" <script>', ["NATO", "Rutte"])
    assert str(out) == (
        '&lt;b&gt;<strong class="hl">NATO</strong>&lt;/b&gt; &amp; '
        '&#34;<strong class="hl">Rutte</strong>&#34; &lt;script&gt;'
    )
    assert str(highlight_html("NATOs NATO", ["NATO"])) == 'NATOs <strong class="hl">NATO</strong>'


def test_span_terms_keep_the_name_not_the_near_context() -> None:
    spans = [
        ["text", 0, 34, "US Secretary of State Marco Rubio"],
        ["text", 40, 47, "Washington"],
        ["title", 0, 5, "Rubio"],
    ]
    assert span_terms(spans, "Marco Rubio") == ["Marco Rubio", "Rubio"]
    assert span_terms([["text", 0, 4, "OTAN"]], "NATO") == ["OTAN"]  # no name word: kept
    assert span_terms([["text", 0, 5, "Rütte"]], "Mark Rutte") == ["Rütte"]
