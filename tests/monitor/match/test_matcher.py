"""Matching rules on real-looking text, one rule per test, and the explanation of a match."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.config import Settings, TopicSettings
from monitor.defaults import DEFAULT_TOPICS
from monitor.errors import ConfigError, QueryError
from monitor.match import Span, compile_topics
from tests.conftest import REPO


@dataclass(frozen=True)
class Topic:
    name: str
    query: str
    languages: list[str] = field(default_factory=list)


def matches(query: str, title: str, text: str = "") -> bool:
    return bool(compile_topics([Topic("t", query)]).match(title, text))


# -- word boundaries ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("Rutte", "Mark Rutte said", True),
        ("Rutte", "John Rutter's Gloria", False),
        ("Rutte", "trainer Gerard Rutten", False),
        ("NATO", "Jim Natoli scored", False),
        ("NATO", "Donato Bramante", False),
        ("NATO", "NATO2030 agenda", False),
        ("NATO", "the NATO-led mission", True),
        ("NATO", "Der Nato-Gipfel", True),
        ("NATO", "(NATO)", True),
        ("OTAN", "le sommet de l'OTAN", True),
        ("OTAN", "le sommet de l’Otan", True),
    ],
)
def test_word_boundaries(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


# -- diacritics and Unicode ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Rütte", "RÜTTE", "Ru\u0308tte", "Rutte", "ＲＵＴＴＥ"],
)
def test_diacritics_and_unicode_forms_are_ignored(text: str) -> None:
    assert matches("Rutte", f"Secretary-General {text} spoke")
    assert matches("Rütte", f"Secretary-General {text} spoke")


def test_folding_inside_phrases() -> None:
    assert matches('"Alianza atlántica"', "la Alianza Atlantica se reúne")
    assert matches("Außenminister", "US-Aussenminister Rubio")
    assert matches('"secrétaire d\'État"', "le secretaire d’Etat américain")


# -- possessives and apostrophes -----------------------------------------------


@pytest.mark.parametrize(
    "text", ["Rubio's visit", "Rubio’s visit", "Rubioʼs visit", "Rubios' visit"]
)
def test_possessives(text: str) -> None:
    expected = not text.startswith("Rubios")
    assert matches("Rubio", text) is expected
    assert matches('"Marco Rubio"', f"Marco {text}") is expected


def test_apostrophe_in_a_phrase_matches_either_apostrophe() -> None:
    assert matches('"Rubio\'s Coastal Grill"', "Rubio’s Coastal Grill closes")


# -- hyphens and line breaks in phrases -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "NATO secretary-general",
        "NATO Secretary General",
        "NATO secretary\u2011general",
        "NATO secretary\ngeneral",
        "NATO secretary-\ngeneral",
        "NATO secretary\u00a0general",
        "NATO Se\u00adcre\u00adtary General",
    ],
)
def test_phrase_across_hyphens_and_line_breaks(text: str) -> None:
    assert matches('"secretary general"', text)
    assert matches("secretary-general", text)


@pytest.mark.parametrize(
    "text",
    [
        "the secretary. General Smith",
        "secretary, general",
        "secretary of the general",
        "secretary — general",
    ],
)
def test_phrase_words_must_be_adjacent(text: str) -> None:
    assert not matches('"secretary general"', text)


def test_punctuation_written_in_the_query_is_allowed_there() -> None:
    assert matches("U.S.", "the U.S. envoy")
    assert matches("U.S.", "the U. S. envoy")
    assert matches('"AT&T"', "AT&T shares")
    assert not matches('"Marco Rubio"', "Marco. Rubio")


def test_phrase_does_not_run_from_title_into_text() -> None:
    assert not matches('"Marco Rubio"', "Interview with Marco", "Rubio said")


# -- case rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NATO allies", True),
        ("Nato allies", True),
        ("È nato a Roma", False),
        ("il bambino è nato ieri", False),
        ("NaTo", False),
    ],
)
def test_acronym_in_capitals_refuses_lower_case(text: str, expected: bool) -> None:
    assert matches("NATO", text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Marco Rubio", True),
        ("RUBIO VISITS BRUSSELS", True),
        ("el niño rubio", False),
        ("pelo rubio platino", False),
    ],
)
def test_capitalised_name_refuses_lower_case(text: str, expected: bool) -> None:
    assert matches("Rubio", text) is expected


def test_lower_case_query_word_matches_any_case() -> None:
    for text in ("secretary of state", "Secretary of State", "SECRETARY OF STATE"):
        assert matches('"secretary of state"', text)


def test_capitalised_phrase_word_keeps_its_rule() -> None:
    assert matches('"Secretary of State"', "Secretary of State Rubio")
    assert not matches('"Secretary of State"', "secretary of state Rubio")


# -- operators ----------------------------------------------------------------------


def test_and_or_not() -> None:
    query = 'Rubio (Trump OR Senate) -"Ricky Rubio"'
    assert matches(query, "Rubio and Trump")
    assert matches(query, "Rubio before the Senate")
    assert not matches(query, "Rubio alone")
    assert not matches(query, "Ricky Rubio and Trump")


def test_fields() -> None:
    assert matches("title:NATO", "NATO summit", "")
    assert not matches("title:NATO", "Summit", "NATO leaders")
    assert matches("text:NATO", "Summit", "NATO leaders")
    assert not matches("text:NATO", "NATO summit", "leaders")
    assert matches("title:Rubio text:NATO", "Rubio in Brussels", "NATO allies")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rutte, NATO", True),
        ("NATO chief Rutte", True),
        ("Rutte one two three NATO", True),
        ("Rutte one two three four NATO", False),
        ("Rutte", False),
    ],
)
def test_near_counts_words_between(text: str, expected: bool) -> None:
    assert matches("Rutte NEAR/3 NATO", text) is expected


def test_near_counts_through_the_title_break() -> None:
    assert matches("Rutte NEAR/3 NATO", "Mark Rutte", "NATO leaders")
    assert not matches("title:(Rutte NEAR/3 NATO)", "Mark Rutte", "NATO leaders")


def test_near_with_phrases_and_chains() -> None:
    assert matches('Rubio NEAR/2 "secretary of state"', "US secretary of state Marco Rubio")
    assert matches("a NEAR/1 b NEAR/1 c", "a b x c")
    assert not matches("a NEAR/1 b NEAR/1 c", "a b x y c")
    assert not matches("NATO NEAR/5 NATO", "NATO alone")
    assert matches("NATO NEAR/5 NATO", "NATO and NATO")


# -- explanations -------------------------------------------------------------------


def test_spans_point_into_the_original_fields() -> None:
    matcher = compile_topics([Topic("Rubio", '"Marco Rubio" OR (Rubio NEAR/3 senator)')])
    title = "Rütte, Straße — Marco\nRubio’s day"
    text = "The senator Rubio spoke; the Senator RUBIO left."
    [hit] = matcher.match(title, text)
    assert hit.topic == "Rubio"
    assert hit.fields == ("title", "text")
    assert hit.spans == (
        Span("title", 16, 27, "Marco\nRubio"),
        Span("text", 4, 11, "senator"),
        Span("text", 12, 17, "Rubio"),
        Span("text", 29, 36, "Senator"),
        Span("text", 37, 42, "RUBIO"),
    )
    for span in hit.spans:
        source = title if span.field == "title" else text
        assert source[span.start : span.end] == span.text


@settings(max_examples=150, deadline=None)
@given(
    st.text(st.sampled_from("NATO nato Rutte ßü\u0308\u00ad’-\n."), max_size=40),
    st.text(st.sampled_from("NATO Nato Rütte é\u200b’-\n,"), max_size=40),
)
def test_spans_always_slice_the_original(title: str, text: str) -> None:
    matcher = compile_topics([Topic("t", "NATO OR Rutte OR (NATO NEAR/2 Rutte)")])
    for hit in matcher.match(title, text):
        for span in hit.spans:
            source = title if span.field == "title" else text
            assert source[span.start : span.end] == span.text
            assert span.text.casefold().replace("\u0308", "").replace("ü", "u") in ("nato", "rutte")


# -- compiling, languages -----------------------------------------------------------


def test_compile_raises_query_error_naming_the_topic() -> None:
    with pytest.raises(QueryError, match=r"^topic 'Broken': query: 'NATO OR' at character 8: "):
        compile_topics([Topic("Fine", "NATO"), Topic("Broken", "NATO OR")])


def test_duplicate_topic_names_are_refused() -> None:
    with pytest.raises(ConfigError, match="two topics have this name"):
        compile_topics([Topic("NATO", "NATO"), Topic("NATO", "OTAN")])


def test_language_restriction() -> None:
    matcher = compile_topics(
        [Topic("fr", "OTAN", ["fr"]), Topic("any", "OTAN"), Topic("es", "OTAN", ["es", "pt"])]
    )
    names = lambda lang: [m.topic for m in matcher.match("L'OTAN", "", lang)]  # noqa: E731
    assert names("fr") == ["fr", "any"]
    assert names("fr-FR") == ["fr", "any"]
    assert names("ES") == ["any", "es"]
    assert names("de") == ["any"]
    assert names(None) == ["fr", "any", "es"]  # unknown: not dropped


def test_results_follow_configuration_order_and_nothing_matches_empty_text() -> None:
    matcher = compile_topics([Topic("b", "Rutte"), Topic("a", "NATO")])
    assert [m.topic for m in matcher.match("NATO and Rutte", "")] == ["b", "a"]
    assert matcher.match("", "") == []
    assert matcher.topics == ("b", "a")


def test_default_topics_compile_from_settings() -> None:
    settings_topics = [TopicSettings.model_validate(t) for t in DEFAULT_TOPICS]
    matcher = compile_topics(settings_topics)
    assert matcher.topics == ("NATO", "Marco Rubio", "Mark Rutte")
    found = matcher.match(
        "NATO chief Rutte meets Rubio",
        "Secretary of State Marco Rubio met Mark Rutte in Brussels.",
    )
    assert [m.topic for m in found] == ["NATO", "Marco Rubio", "Mark Rutte"]


def test_example_configuration_topics_compile() -> None:
    with (REPO / "newsmon.example.toml").open("rb") as fh:
        settings = Settings(**tomllib.load(fh))
    assert compile_topics(settings.topics).topics == tuple(t.name for t in settings.topics)


# -- other senses: the Italian participle "Nato" (born) -----------------------


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # The participle starting its sentence, then where and when: any place, any date.
        ("", "Nato a Canicattì il 12 marzo 1931, fu sindaco per vent'anni.", False),
        ("", "Lo ricordano tutti. Nato ad Ascoli nel 1948, insegnò latino.", False),
        ("", "Nato a San Donà di Piave, l'8 maggio 1960, era ingegnere.", False),
        ("", "Nato il 2 febbraio 1955 a Lecce, aveva tre figli.", False),
        ("", "«Nato nel 1939 in una famiglia di pescatori»", False),
        ("Nato a Trapani il 1° luglio 1944: addio al maestro", "", False),
        # The alliance: with an article, after a noun, or with no birth date.
        ("", "La Nato a Bruxelles il 3 dicembre discute di Ucraina.", True),
        ("", "Il vertice Nato a Vilnius il 11 luglio.", True),
        ("Nato a Bruxelles, riunione dei ministri degli Esteri", "", True),
        ("", "Nato in crisis as allies argue over spending", True),
        ("", "NATO a Roma il 2 giugno: parata", True),
        # Lower case is refused by the acronym rule anyway.
        ("", "È nato a Roma il 2 giugno 1946.", False),
    ],
)
def test_italian_born_is_not_nato(title: str, text: str, expected: bool) -> None:
    assert matches("NATO", title, text) is expected


def test_born_sense_leaves_other_mentions_of_the_alliance() -> None:
    text = "Nato a Bari il 3 aprile 1950, fu ambasciatore presso la Nato dal 1999."
    (hit,) = compile_topics([Topic("t", "NATO")]).match("", text)
    assert [span.text for span in hit.spans] == ["Nato"]
    assert hit.spans[0].start == text.rindex("Nato")


def test_lower_case_query_word_asks_for_every_sense() -> None:
    assert matches("nato", "", "Nato a Bari il 3 aprile 1950.")


# -- the lead -------------------------------------------------------------------


def test_lead_is_the_title_and_the_first_words_of_the_text() -> None:
    filler = " ".join(["word"] * 200)
    assert matches("lead:NATO", "NATO summit", filler)
    assert matches("lead:NATO", "Summit", "Allies of NATO met. " + filler)
    assert not matches("lead:NATO", "Summit", filler + " NATO")
    assert matches("lead:NATO", "Summit", " ".join(["word"] * 140) + " NATO")
    assert matches("text:NATO", "Summit", filler + " NATO")


def test_default_nato_needs_the_lead_or_two_mentions() -> None:
    matcher = compile_topics([TopicSettings.model_validate(t) for t in DEFAULT_TOPICS])
    filler = " ".join(["Officials met on Tuesday to discuss the budget."] * 30)
    once_late = filler + " The NATO summit is next month."
    twice_late = filler + " NATO allies agreed. Later, NATO said more."
    assert "NATO" not in {m.topic for m in matcher.match("Budget talks", once_late)}
    assert "NATO" in {m.topic for m in matcher.match("Budget talks", twice_late)}
    assert "NATO" in {m.topic for m in matcher.match("NATO budget talks", once_late)}


# -- Cyrillic and Greek -------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "topics"),
    [
        ("Саммит НАТО в Гааге", "Министры обсудили оборону.", {"NATO"}),
        ("Госсекретарь США Марко Рубио прибыл в Брюссель", "", {"Marco Rubio"}),
        ("Рубио встретился с коллегами", "Госсекретарь США обсудил Украину.", {"Marco Rubio"}),
        ("Рютте призвал союзников", "Генсек альянса выступил в Лондоне.", {"NATO", "Mark Rutte"}),
        ("Заявление генсека альянса", "Выступление в Вильнюсе.", {"NATO"}),
        ("Σύνοδος του ΝΑΤΟ στις Βρυξέλλες", "", {"NATO"}),
        ("Ο Μάρκο Ρούμπιο στην Αθήνα", "", {"Marco Rubio"}),
        ("Ο Ρούτε για την άμυνα της Ευρώπης", "", {"Mark Rutte"}),
        ("ΡΟΥΜΠΙΟ: ΝΕΑ ΣΥΝΑΝΤΗΣΗ ΣΤΟΝ ΛΕΥΚΟ ΟΙΚΟ", "", {"Marco Rubio"}),
    ],
)
def test_default_topics_in_cyrillic_and_greek(title: str, text: str, topics: set[str]) -> None:
    matcher = compile_topics([TopicSettings.model_validate(t) for t in DEFAULT_TOPICS])
    assert {m.topic for m in matcher.match(title, text)} == topics


# -- Portuguese -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "topics"),
    [
        ("Cúpula da Otan em Haia", "", {"NATO"}),
        (
            "Rubio chega a Brasília",
            "O chefe da diplomacia dos EUA reúne-se com Lula.",
            {"Marco Rubio"},
        ),
        (
            "Secretário de Estado dos EUA visita o México",
            "A viagem começa na segunda-feira. " * 8 + "Rubio também irá à Colômbia.",
            {"Marco Rubio"},
        ),
        ("Rutte pede aos aliados mais gastos com defesa", "", {"Mark Rutte"}),
        ("Ricky Rubio volta às quadras", "O armador espanhol jogou na NBA.", set()),
    ],
)
def test_default_topics_in_portuguese(title: str, text: str, topics: set[str]) -> None:
    matcher = compile_topics([TopicSettings.model_validate(t) for t in DEFAULT_TOPICS])
    assert {m.topic for m in matcher.match(title, text)} == topics
