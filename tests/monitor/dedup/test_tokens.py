"""Tokens: what two outlets' spellings of the same word have in common."""

from __future__ import annotations

import pytest

from monitor.dedup.tokens import name_groups, strip_dateline, term_hash, tokenize, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rutte’s", ["rutte"]),
        ("Rutte's", ["rutte"]),
        ("3,000 troops", ["3000", "troop"]),
        ("5% of GDP", ["5", "of", "gdp"]),
        ("5 percent", ["5", "percent"]),
        ("Løkke Andriï", ["lokke", "andrii"]),
        ("allies ally", ["ally", "ally"]),
        ("Kallas", ["kallas"]),  # names are not stemmed
        ("Dec. 2 and December", ["december", "2", "and", "december"]),
        ("U.S. F-35 M1", ["us", "f-35", "m1"]),
    ],
)
def test_normalisation(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_content_words_leave_out_stopwords() -> None:
    tokens = tokenize("He said the alliance would meet on Wednesday")
    assert [t.norm for t in tokens if t.is_content] == ["alliance", "meet", "wednesday"]


def test_names_are_runs_of_capitalised_words_not_titles_or_sentence_starts() -> None:
    tokens = tokenize("Officials said Belgium's prime minister, Bart De Wever, met Secretary Rubio")
    assert name_groups(tokens) == [("belgium",), ("bart", "de", "wever"), ("rubio",)]
    assert name_groups(tokenize("Viktor Orbán said no")) == [("viktor", "orban")]


@pytest.mark.parametrize(
    "text",
    [
        "THE HAGUE (Reuters) — Allies agreed",
        "BRUSSELS, Dec 2 — Allies agreed",
        "KYIV - Allies agreed",
    ],
)
def test_datelines_are_stripped(text: str) -> None:
    assert strip_dateline(text) == "Allies agreed"


def test_term_hashes_are_stable_across_processes() -> None:
    assert term_hash("rutte") == 1017314741  # CRC-32: the same everywhere, unlike hash()
