"""Feed autodiscovery: the feeds an HTML page points to with <link rel="alternate">.

``newsmon feeds add https://example.org/`` then works with a site's home
page, as readers have done since 2005.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
)


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
            self.links.append((values["href"].strip(), kind, values.get("title", "")))


def discover_feeds(page: str, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page announces, RSS/Atom/RDF first, in page order."""
    collector = _LinkCollector()
    collector.feed(page)
    ordered = sorted(
        enumerate(collector.links),
        key=lambda item: (item[1][1] == "application/feed+json", item[0]),
    )
    seen: list[str] = []
    for _, (href, _kind, _title) in ordered:
        url = urljoin(base_url, href)
        if url not in seen:
            seen.append(url)
    return seen
