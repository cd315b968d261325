"""Page furniture: every reason, each language, lines that must stay, and recurring lines."""

from __future__ import annotations

import pytest

from monitor.dedup.furniture import (
    Cleaned,
    FurnitureLine,
    line_key,
    recurring_lines,
    strip_furniture,
)

BODY = (
    "The finance ministers of the eurozone agreed on Monday to delay the vote on the new budget "
    "rules until the spring, officials in the room said."
)


def reason_of(line: str) -> str | None:
    """The reason ``line`` is stripped when it follows a real paragraph, or None when kept."""
    cleaned = strip_furniture(f"{BODY}\n{line}")
    reasons = [f.reason for f in cleaned.furniture if f.text == line]
    return reasons[0] if reasons else None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("By Jane Doe and Max Mustermann", "byline"),
        ("Von: Erika Musterfrau", "byline"),
        ("Por María López", "byline"),
        ("Par Jean Dupont", "byline"),
        ("Door Pieter de Vries", "byline"),
        ("di Giulia Bianchi", "byline"),
        ("Authored by John Smith via Example.news,", "byline"),
        ("Anna Berg, Tom Holt Friday, 12 September 2025, 17:46", "byline"),
        ("— Jane Doe (@janedoe) March 3, 2025", "byline"),
        ("March 3, 2025", "date"),
        ("Updated 03 February 2025", "date"),
        ("Last updated: 05 Jun. 2025 21:06", "date"),
        ("Mittwoch, 4. Juni 2025", "date"),
        ("12/06/2025", "date"),
        ("Jul 15, 2025, 6:37am EDT", "date"),
        ("562", "counter"),
        ("1.6k", "counter"),
        ("3 min read", "counter"),
        ("Copyright 2024 Example Broadcasting Corp. All rights reserved.", "copyright"),
        ("© 2025 Beispiel Verlag. Alle Rechte vorbehalten.", "copyright"),
        ("Todos los derechos reservados.", "copyright"),
        ("Tutti i diritti riservati", "copyright"),
        ("Tous droits réservés", "copyright"),
        ("Sign up for our Morning Briefing newsletter.", "newsletter prompt"),
        ("Abonnez-vous à notre newsletter", "newsletter prompt"),
        ("Suscríbete a nuestro boletín", "newsletter prompt"),
        ("Iscriviti alla newsletter", "newsletter prompt"),
        ("Meld je aan voor de nieuwsbrief", "newsletter prompt"),
        (
            "Il vous reste 60% de cet article à lire. La suite est réservée aux abonnés.",
            "newsletter prompt",
        ),
        ("Share on FacebookShare on Twitter", "share prompt"),
        ("Comenta Compartir", "share prompt"),
        ("Follow us on Telegram for live updates", "share prompt"),
        ("Read more: Ministers clash over farm subsidies", "read-more link"),
        ("Lesen Sie auch: Streit um die Schuldenbremse", "read-more link"),
        ("Mehr zum Thema", "read-more link"),
        ("Leggi anche: la crisi del governo", "read-more link"),
        ("Lee también: El Gobierno aprueba los presupuestos", "read-more link"),
        ("Lire aussi : la réforme des retraites", "read-more link"),
        ("Lees ook: Kabinet valt over stikstof", "read-more link"),
        ("Leia também: Governo anuncia novo pacote", "read-more link"),
        ("RELATED | Five things to know about the vote", "read-more link"),
        ("Photo: Jane Doe", "photo credit"),
        ("Foto: Max Mustermann/dpa", "photo credit"),
        ("Bild: Archiv", "photo credit"),
        ("Nathan Example | Reuters", "photo credit"),
        (
            "The minister arrives at the summit venue. (John Roe/AFP via Getty Images)",
            "photo credit",
        ),
        ("The minister speaks to reporters. Photo by John Roe/UPI | License Photo", "photo credit"),
        ("Home News", "category label"),
        ("• Politics", "category label"),
        ("Economy, Trade, Jane Doe, Brussels", "category label"),
        ("Reuters", "agency tag"),
        ("(dpa)", "agency tag"),
        ("EFE", "agency tag"),
        ("ANSA", "agency tag"),
        ("AFP", "agency tag"),
        ("(With inputs from agencies.)", "agency tag"),
        ("Advertisement", "navigation"),
        ("Back to top button", "navigation"),
        ("Short Url", "navigation"),
        ("***", "navigation"),
        ("This story was first published on 3 March 2025 on example.com:", "publication note"),
        ("Diese Nachricht wurde am 03.04.2025 im Radio gesendet.", "publication note"),
    ],
)
def test_every_reason_in_every_language(line: str, reason: str) -> None:
    assert reason_of(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "Rubio to skip NATO meeting",
        "Ministers agree on a new budget rule",
        "Reuters said the talks had stalled after the minister left the room.",
        "The vote, held on March 3, 2025, passed by a wide margin.",
        "Die Abstimmung am 3. März 2025 endete mit einer knappen Mehrheit.",
        "Il voto si è svolto il 3 marzo 2025 con una larga maggioranza.",
        "Read the full statement, the spokesman told journalists, before you judge us.",
        "Copyright law reform passed the upper house on Tuesday.",
        "Millions signed up for the programme in its first week, the agency said.",
        "The photo showed the minister leaving the building by a side door.",
        "Follow-up talks are planned for next week in Geneva.",
        "Trump Meets Putin in Helsinki",
        "By the end of the day, no agreement had been reached.",
        "Police Response",
        "OTAN.",
    ],
)
def test_news_lines_are_kept(line: str) -> None:
    assert reason_of(line) is None


@pytest.mark.parametrize(
    ("text", "dateline", "rest"),
    [
        ("BRUSSELS (Reuters) — " + BODY, "BRUSSELS (Reuters) —", BODY),
        (
            "Brüssel (dpa) - Die Außenminister der Allianz kommen am Mittwoch zu ihrem letzten "
            "Treffen des Jahres zusammen.",
            "Brüssel (dpa) -",
            "Die Außenminister",
        ),
        (
            "MADRID, 2 dic (EFE).- El Gobierno aprobó este martes el proyecto de presupuestos para "
            "el próximo año.",
            "MADRID, 2 dic (EFE).-",
            "El Gobierno",
        ),
        (
            "Washington/Brüssel - Trotz der laufenden Verhandlungen hält die Regierung eine "
            "Teilnahme für unwahrscheinlich.",
            "Washington/Brüssel -",
            "Trotz",
        ),
    ],
)
def test_a_leading_dateline_is_trimmed_and_reported(text: str, dateline: str, rest: str) -> None:
    cleaned = strip_furniture(text)
    assert cleaned.furniture == (FurnitureLine(dateline, "dateline"),)
    assert cleaned.text.startswith(rest)


def test_only_the_first_kept_line_loses_a_dateline() -> None:
    second = "PARIS (AFP) — " + BODY
    cleaned = strip_furniture(f"{BODY}\n{second}")
    assert cleaned.text == f"{BODY}\n{second}"
    assert cleaned.furniture == ()


def test_whole_text_keeps_news_and_blank_lines_in_order() -> None:
    text = "\n".join(
        [
            "Home News",
            "April 3, 2025",
            BODY,
            "",
            "562",
            "SHARES",
            "Short Url",
            "Officials expect a decision before the summer recess.",
            "Read more: Other story",
        ]
    )
    cleaned = strip_furniture(text)
    assert isinstance(cleaned, Cleaned)
    assert cleaned.text == f"{BODY}\n\nOfficials expect a decision before the summer recess."
    assert [f.reason for f in cleaned.furniture] == [
        "category label",
        "date",
        "counter",
        "counter",
        "navigation",
        "read-more link",
    ]


def test_line_key_normalises_case_digits_and_spaces() -> None:
    assert line_key("  Copyright 2024  Example Corp. ") == line_key("copyright 2025 example corp.")
    assert line_key("1.6k") == line_key("562.3k") == "0.0k"
    assert line_key("A  b\tc") == "a b c"


FOOTER = "Get the morning briefing from Example City in your inbox every day."
WIRE = "The central bank raised its key interest rate by a quarter point on Thursday."


def test_recurring_lines_need_three_items_and_half_the_feed() -> None:
    feed = [f"Story {i} happened.\n{FOOTER}" for i in range(4)]
    assert line_key(FOOTER) in recurring_lines(feed)
    # A sentence two items share (a wire copy and its update) is not boilerplate.
    assert line_key(WIRE) not in recurring_lines([WIRE, f"{WIRE}\nMore.", "Other news."])
    # Three items, but in a long feed history: a story told three times, not a template.
    history = [f"{WIRE}\nDetail {i}." for i in range(3)] + [f"Item {i}." for i in range(10)]
    assert line_key(WIRE) not in recurring_lines(history)
    assert line_key(WIRE) in recurring_lines(history, min_items=3, min_share=0.2)


def test_a_line_counts_once_per_item_and_digits_do_not_split_it() -> None:
    feed = [
        f"{word} happened.\nCopyright {year} Example Corp.\nCopyright {year} Example Corp."
        for word, year in (("Alpha", 2020), ("Beta", 2021), ("Gamma", 2022))
    ]
    assert recurring_lines(feed) == frozenset({line_key("Copyright 2020 Example Corp.")})
    assert recurring_lines([f"x\n{FOOTER}"] * 2) == frozenset()


def test_recurring_lines_are_stripped_as_furniture() -> None:
    recurring = recurring_lines([f"Item {i}.\n{FOOTER}" for i in range(5)])
    cleaned = strip_furniture(f"{BODY}\n{FOOTER}", recurring)
    assert cleaned.text == BODY
    assert cleaned.furniture == (FurnitureLine(FOOTER, "recurring in feed"),)
