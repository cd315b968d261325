"""Novelty: a sentence is novel when it brings facts the story has not reported."""

from __future__ import annotations

from monitor.dedup import ArticleText, DedupSettings, analyse
from monitor.dedup.novelty import StoryKnowledge, judge

SETTINGS = DedupSettings()
STORY = (
    "NATO Secretary-General Mark Rutte said on Tuesday that the United States remained "
    "committed to the alliance. Secretary of State Marco Rubio will miss the meeting of "
    "foreign ministers in Brussels on Wednesday. “I would not read anything into it,” Rutte said."
)


def verdicts(text: str) -> list[tuple[str, bool]]:
    known = StoryKnowledge.of([analyse(ArticleText("k", STORY), SETTINGS).signature])
    article = analyse(ArticleText("n", text), SETTINGS)
    return [(v.text, v.novel) for v in judge(article.sentences, known, SETTINGS)]


def test_a_retold_sentence_is_known() -> None:
    assert verdicts(
        "Rubio will miss Wednesday's meeting of NATO foreign ministers in Brussels."
    ) == [("Rubio will miss Wednesday's meeting of NATO foreign ministers in Brussels.", False)]


def test_new_names_and_numbers_are_novel() -> None:
    text = "Hungary's foreign minister Péter Szijjártó said Budapest would veto 3 proposals."
    assert verdicts(text) == [(text, True)]


def test_a_known_quotation_is_known_and_a_new_one_is_novel() -> None:
    known_quote = "“I would not read anything into it,” the secretary-general said."
    new_quote = "“The work continues with or without any single person at the table,” he said."
    assert verdicts(known_quote + "\n\n" + new_quote) == [(known_quote, False), (new_quote, True)]


def test_one_new_spelling_among_known_words_is_not_news() -> None:
    # "America" where the story said "United States": a rewording, not a fact.
    text = "Rutte said on Tuesday that America remained committed to the alliance."
    assert verdicts(text) == [(text, False)]


def test_mostly_new_words_are_novel_even_without_names() -> None:
    text = "The talks collapsed after delegations walked out over disputed wording on sanctions."
    assert verdicts(text) == [(text, True)]
