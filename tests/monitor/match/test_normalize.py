"""Folding: what becomes equal, and how offsets find their way back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.match.normalize import WORD, CaseRule, fold, query_words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("NATO", "nato"),
        ("Rütte", "rutte"),
        ("Ru\u0308tte", "rutte"),  # combining diaeresis
        ("Straße", "strasse"),
        ("Løkke", "lokke"),
        ("Sprūds", "spruds"),
        ("Œuvre", "oeuvre"),
        ("Se\u00adcre\u00adtary", "secretary"),  # soft hyphens
        ("ＮＡＴＯ", "nato"),  # full-width
        ("NATO™", "nato™"),  # no new word characters from symbols
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text).text == folded


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ ßæ\u0308\u00adÉ’-\n\u200bﬁ.İ")))
def test_word_offsets_map_back_to_the_original(text: str) -> None:
    folded = fold(text)
    for match in WORD.finditer(folded.text):
        start, end = folded.origin(match.start()), folded.origin(match.end())
        assert 0 <= start < end <= len(text)
        assert fold(text[start:end]).text == match.group()


@pytest.mark.parametrize(
    ("word", "rule"),
    [
        ("nato", CaseRule.ANY),
        ("secretary", CaseRule.ANY),
        ("iPhone", CaseRule.ANY),
        ("Rubio", CaseRule.NAME),
        ("A", CaseRule.NAME),
        ("NATO", CaseRule.ACRONYM),
        ("OTAN", CaseRule.ACRONYM),
        ("2025", CaseRule.ANY),
    ],
)
def test_case_rule_of_a_query_word(word: str, rule: CaseRule) -> None:
    assert CaseRule.of(word) is rule


@pytest.mark.parametrize(
    ("rule", "token", "allowed"),
    [
        (CaseRule.ACRONYM, "NATO", True),
        (CaseRule.ACRONYM, "Nato", True),
        (CaseRule.ACRONYM, "nato", False),
        (CaseRule.ACRONYM, "NaTo", False),
        (CaseRule.NAME, "Rubio", True),
        (CaseRule.NAME, "RUBIO", True),
        (CaseRule.NAME, "rubio", False),
        (CaseRule.ANY, "rubio", True),
        (CaseRule.ANY, "RUBIO", True),
    ],
)
def test_case_rule_on_text(rule: CaseRule, token: str, allowed: bool) -> None:
    assert rule.allows(token) is allowed


def test_query_words_keep_case_and_punctuation_between() -> None:
    words = query_words("U.S. Secretary-General d'État")
    assert [w.key for w in words] == ["u", "s", "secretary", "general", "d", "etat"]
    assert [w.rule for w in words][2:4] == [CaseRule.NAME, CaseRule.NAME]
    assert [w.joiner for w in words] == ["", ".", ".", "-", "", "'"]
