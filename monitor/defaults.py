"""What newsmon does with no configuration file at all.

Kept apart from :mod:`monitor.config` so the defaults read as data: a few
real public feeds that cover NATO and US/European diplomacy, and the three
default topics.  The topic queries use the query language of
:mod:`monitor.match` and are written for precision (see README, "Topics").
"""

from __future__ import annotations

from typing import Final

DEFAULT_FEEDS: Final[list[dict[str, object]]] = [
    {"name": "NATO News", "url": "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"},
    {"name": "BBC News - World", "url": "https://feeds.bbci.co.uk/news/world/rss.xml"},
    {"name": "The Guardian - World", "url": "https://www.theguardian.com/world/rss"},
    {"name": "NPR - World", "url": "https://feeds.npr.org/1004/rss.xml"},
    {"name": "Politico Europe", "url": "https://www.politico.eu/feed/"},
    {"name": "DW - All topics (RDF)", "url": "https://rss.dw.com/rdf/rss-en-all"},
]

DEFAULT_TOPICS: Final[list[dict[str, object]]] = [
    {
        "name": "NATO",
        "query": 'NATO OR Nato OR "North Atlantic Treaty Organization" OR OTAN',
    },
    {
        "name": "Marco Rubio",
        "query": '"Marco Rubio" OR (Rubio ("Secretary of State" OR "State Department"))',
    },
    {
        "name": "Mark Rutte",
        "query": (
            '"Mark Rutte" OR (Rutte (NATO OR "secretary-general" OR "secretary general" OR Dutch))'
        ),
    },
]

DEFAULT_CONFIG_NAME: Final = "newsmon.toml"
"""Looked for in the working directory when neither ``--config`` nor
``NEWSMON_CONFIG`` names a file."""
