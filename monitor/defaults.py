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

# Why each query is written this way: docs/topics.md, "The default topics".

# The alliance's names: the acronyms in Latin, Cyrillic and Greek letters
# (all capitals: the text may write Nato, not the Italian "nato"), the
# spelled-out names, and "the secretary general of the alliance".
_NATO_NAMES: Final = (
    "NATO OR NAVO OR OTAN OR НАТО OR ΝΑΤΟ"
    ' OR "North Atlantic Treaty Organization" OR "North Atlantic Treaty Organisation"'
    ' OR "Atlantic alliance" OR "Alleanza atlantica" OR "Alliance atlantique"'
    ' OR "Alianza atlántica" OR "Aliança Atlântica"'
    ' OR "Organizzazione del Trattato dell\'Atlantico del Nord"'
    ' OR "Organisation du traité de l\'Atlantique nord"'
    ' OR "Organización del Tratado del Atlántico Norte"'
    ' OR "Organização do Tratado do Atlântico Norte"'
    ' OR "Noord-Atlantische Verdragsorganisatie"'
    ' OR "Североатлантический альянс" OR "Североатлантического альянса"'
    ' OR "Североатлантическому альянсу" OR "Североатлантическим альянсом"'
    ' OR "Североатлантическом альянсе" OR "Организация Североатлантического договора"'
    ' OR "Организации Североатлантического договора"'
    ' OR "Βορειοατλαντική Συμμαχία" OR "Βορειοατλαντικής Συμμαχίας"'
    ' OR "Βορειοατλαντικό Σύμφωνο"'
    ' OR (("secretary general" OR "secretario general" OR "secretário-geral"'
    ' OR "segretario generale" OR "secrétaire général" OR Generalsekretär'
    ' OR генсек OR генсека OR генсеку OR генсеком OR "генеральный секретарь"'
    ' OR "генерального секретаря" OR "генеральному секретарю" OR "генеральным секретарем"'
    ' OR "γενικός γραμματέας" OR "γενικού γραμματέα" OR "γενικό γραμματέα")'
    " NEAR/3 (alliance OR Alleanza OR Alianza OR Aliança OR Bündnisses OR альянса"
    " OR Συμμαχίας))"
)

# Where the United States' secretary of state is named by his office.
_SECRETARY_OF_STATE: Final = (
    '"secretary of state" OR "State Department" OR "secretario de Estado"'
    ' OR "Departamento de Estado" OR "secretário de Estado" OR "segretario di Stato"'
    ' OR "dipartimento di Stato" OR "secrétaire d\'État" OR "département d\'État"'
    ' OR US-Außenminister OR "amerikanische Außenminister" OR госсекретарь OR госсекретаря'
    ' OR "государственный секретарь" OR Госдеп OR Госдепартамент OR держсекретар'
    ' OR "υπουργός Εξωτερικών των ΗΠΑ" OR "ΥΠΕΞ των ΗΠΑ" OR "Στέιτ Ντιπάρτμεντ"'
)

DEFAULT_TOPICS: Final[list[dict[str, object]]] = [
    {
        "name": "NATO",
        # About NATO: named in the lead (the title and the first 150 words),
        # or at least twice; one passing mention deep in the text is not enough.
        "query": f"lead:({_NATO_NAMES}) OR (({_NATO_NAMES}) NEAR/1000 ({_NATO_NAMES}))",
    },
    {
        "name": "Marco Rubio",
        "query": (
            '"Marco Rubio" OR "Марко Рубио" OR "Μάρκο Ρούμπιο"'
            f" OR (title:({_SECRETARY_OF_STATE}) text:(Rubio OR Рубио OR Ρούμπιο))"
            " OR ((Rubio OR Rubios OR Рубио OR Ρούμπιο) NEAR/15 ("
            f"{_SECRETARY_OF_STATE}"
            " OR secretary OR senator OR Sen"
            ' OR Republican OR Trump OR "White House" OR Washington OR US OR U.S. OR USA'
            ' OR American OR "national security" OR diplomat OR diplomats OR diplomacy'
            ' OR "foreign minister" OR "foreign ministers" OR allies OR NATO OR NAVO OR OTAN'
            " OR diplomacia"
            ' OR "Casa Blanca" OR senador OR republicano OR EE.UU. OR "Estados Unidos"'
            ' OR estadounidense OR "jefe de la diplomacia" OR canciller'
            ' OR "Casa Branca" OR EUA OR norte-americano OR norte-americana OR estadunidense'
            ' OR "chefe da diplomacia" OR chanceler'
            ' OR "Casa Bianca" OR senatore OR repubblicano OR statunitense OR americano'
            ' OR americana OR "Stati Uniti"'
            ' OR "Maison-Blanche" OR sénateur OR américain OR américaine OR "États-Unis"'
            ' OR Außenminister OR "Weißen Haus" OR Republikaner'
            ' OR "Buitenlandse Zaken" OR "Witte Huis" OR Amerikaanse'
            " OR США OR Вашингтон OR Вашингтона OR Трамп OR Трампа OR Трампу OR Трампом"
            ' OR "Белый дом" OR "Белого дома" OR "Белом доме" OR госсекретарем'
            " OR госсекретарём OR госсекретарю OR Госдепа OR Госдепартамента OR сенатор"
            " OR сенатора OR американский OR американского OR американской OR дипломатии"
            " OR НАТО OR держсекретаря OR Білий OR Білого"
            " OR ΗΠΑ OR ΥΠΕΞ OR Ουάσιγκτον OR Τραμπ"
            ' OR "Λευκός Οίκος" OR "Λευκού Οίκου" OR "Λευκό Οίκο" OR "υπουργός Εξωτερικών"'
            ' OR "υπουργού Εξωτερικών" OR γερουσιαστής OR αμερικανός OR ΝΑΤΟ))'
        ),
    },
    {
        "name": "Mark Rutte",
        "query": (
            '"Mark Rutte" OR "Марк Рютте" OR "Марка Рютте" OR "Μαρκ Ρούτε"'
            f" OR (title:(Rutte OR Ruttes OR Рютте OR Ρούτε) text:({_NATO_NAMES}))"
            " OR ((Rutte OR Ruttes OR Рютте OR Ρούτε) NEAR/20 ("
            'NATO OR NAVO OR OTAN OR НАТО OR ΝΑΤΟ OR "secretary general" OR "secretaris-generaal"'
            ' OR "segretario generale" OR "secretario general" OR "secrétaire général"'
            ' OR "secretário-geral" OR Generalsekretär'
            " OR alliance OR allies OR Alleanza OR alleati OR Alianza"
            " OR aliados OR alliés OR Aliança OR Bündnis OR bondgenoten OR Dutch OR Netherlands"
            ' OR Nederland OR Nederlandse OR premier OR "prime minister" OR "primo ministro"'
            ' OR "primer ministro" OR primeiro-ministro OR minister-president'
            " OR Ministerpräsident OR VVD OR kabinet"
            ' OR olandese OR Olanda OR "Paesi Bassi" OR neerlandés OR holandés OR holandês'
            ' OR "Países Bajos" OR "Países Baixos" OR néerlandais OR Pays-Bas'
            " OR niederländische OR niederländischen OR Niederlande"
            ' OR "The Hague" OR "Den Haag" OR Aia OR "La Haya" OR "La Haye" OR Haia'
            " OR Ukraine OR Oekraïne OR Ucraina OR Ucrania OR Ucrânia OR Kyiv"
            " OR Kiev OR Russia OR Rusland OR Rusia OR Russie OR Russland OR Rússia OR Trump"
            " OR Europe OR European OR Europa OR defence OR defense OR defensie OR difesa"
            " OR defensa OR défense OR defesa OR Verteidigung"
            " OR генсек OR генсека OR генсеком OR альянс OR альянса OR альянсе OR альянсу"
            ' OR "генеральный секретарь" OR "генерального секретаря" OR союзники OR союзников'
            " OR Нидерландов OR Нидерландах OR нидерландский OR премьер OR премьера"
            " OR Украина OR Украины OR Украине OR Украину OR Россия OR России OR Россию"
            " OR Трамп OR Трампа OR Трампу OR Трампом OR Европа OR Европы OR Европе OR обороны"
            ' OR "γενικός γραμματέας" OR "γενικού γραμματέα" OR Συμμαχία OR Συμμαχίας'
            " OR σύμμαχοι OR Ολλανδία OR Ολλανδός OR πρωθυπουργός OR Ουκρανία OR Ουκρανίας"
            " OR Ρωσία OR Ρωσίας OR Τραμπ OR Ευρώπη OR Ευρώπης OR άμυνα OR άμυνας))"
        ),
    },
]

DEFAULT_CONFIG_NAME: Final = "newsmon.toml"
"""Looked for in the working directory when neither ``--config`` nor
``NEWSMON_CONFIG`` names a file."""
