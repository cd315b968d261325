"""What newsmon does with no configuration file at all.

Kept apart from :mod:`monitor.config` so the defaults read as data: a few
real public feeds that cover NATO and US/European diplomacy, and the three
default topics.  The topic queries use the query language of
:mod:`monitor.match` and are written for precision (see docs/topics.md).
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
    # Why each query is written this way: docs/topics.md, "The default topics".
    {
        "name": "NATO",
        "query": (
            "NATO OR NAVO OR OTAN"
            ' OR "North Atlantic Treaty Organization" OR "North Atlantic Treaty Organisation"'
            ' OR "Atlantic alliance" OR "Alleanza atlantica" OR "Alliance atlantique"'
            ' OR "Alianza atlántica"'
            ' OR "Organizzazione del Trattato dell\'Atlantico del Nord"'
            ' OR "Organisation du traité de l\'Atlantique nord"'
            ' OR "Organización del Tratado del Atlántico Norte"'
            ' OR "Noord-Atlantische Verdragsorganisatie"'
        ),
    },
    {
        "name": "Marco Rubio",
        "query": (
            '"Marco Rubio" OR ((Rubio OR Rubios) NEAR/15 ('
            '"secretary of state" OR "State Department" OR secretary OR senator OR Sen'
            ' OR Republican OR Trump OR "White House" OR Washington OR US OR U.S. OR USA'
            ' OR American OR "national security" OR diplomat OR diplomats OR diplomacy'
            ' OR "foreign minister" OR "foreign ministers" OR allies OR NATO OR NAVO OR OTAN'
            ' OR "secretario de Estado" OR "Departamento de Estado" OR diplomacia'
            ' OR "Casa Blanca" OR senador OR republicano OR EE.UU. OR "Estados Unidos"'
            ' OR estadounidense OR "segretario di Stato" OR "dipartimento di Stato"'
            ' OR "Casa Bianca" OR senatore OR repubblicano OR statunitense OR americano'
            ' OR americana OR "secrétaire d\'État" OR "département d\'État" OR "Maison-Blanche"'
            ' OR sénateur OR américain OR américaine OR Außenminister OR "Weißen Haus"'
            ' OR Republikaner OR "Buitenlandse Zaken" OR "Witte Huis" OR Amerikaanse))'
        ),
    },
    {
        "name": "Mark Rutte",
        "query": (
            '"Mark Rutte" OR ((Rutte OR Ruttes) NEAR/20 ('
            'NATO OR NAVO OR OTAN OR "secretary general" OR "secretaris-generaal"'
            ' OR "segretario generale" OR "secretario general" OR "secrétaire général"'
            " OR Generalsekretär OR alliance OR allies OR Alleanza OR alleati OR Alianza"
            " OR aliados OR alliés OR Bündnis OR bondgenoten OR Dutch OR Netherlands"
            ' OR Nederland OR Nederlandse OR premier OR "prime minister" OR "primo ministro"'
            ' OR "primer ministro" OR minister-president OR Ministerpräsident OR VVD OR kabinet'
            ' OR olandese OR Olanda OR "Paesi Bassi" OR neerlandés OR holandés'
            ' OR "Países Bajos" OR néerlandais OR Pays-Bas OR niederländische'
            ' OR niederländischen OR Niederlande OR "The Hague" OR "Den Haag" OR Aia'
            ' OR "La Haya" OR "La Haye" OR Ukraine OR Oekraïne OR Ucraina OR Ucrania OR Kyiv'
            " OR Kiev OR Russia OR Rusland OR Rusia OR Russie OR Russland OR Trump OR Europe"
            " OR European OR Europa OR defence OR defense OR defensie OR difesa OR defensa"
            " OR défense OR Verteidigung))"
        ),
    },
]

DEFAULT_CONFIG_NAME: Final = "newsmon.toml"
"""Looked for in the working directory when neither ``--config`` nor
``NEWSMON_CONFIG`` names a file."""
