"""Feed autodiscovery from an HTML page's <link rel="alternate">."""

from __future__ import annotations

from monitor.parse.discover import discover_feeds

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/feed+json" href="/feed.json">
<link rel="alternate" type="application/rss+xml" title="News" href="/rss.xml">
<LINK REL="Alternate" TYPE="application/atom+xml" HREF="https://cdn.example.org/atom.xml">
<link rel="alternate" hreflang="fr" href="/fr/">
</head><body></body></html>"""


def test_discovers_feeds_in_order_rss_and_atom_first() -> None:
    assert discover_feeds(PAGE, "https://example.org/news/") == [
        "https://example.org/rss.xml",
        "https://cdn.example.org/atom.xml",
        "https://example.org/feed.json",
    ]


def test_page_without_feeds() -> None:
    assert discover_feeds("<html><head></head></html>", "https://example.org/") == []
