"""Novelty: a sentence is novel when it brings facts the story has not reported."""

from __future__ import annotations

import math

from monitor.dedup import ArticleText, DedupSettings, SentenceVerdict, analyse
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


# --- meaning: the similarity of each sentence to the closest one the story knows ----------
NAMES = "Hungary's foreign minister Péter Szijjártó said Budapest would veto 3 proposals."
WORDS = "The talks collapsed after delegations walked out over disputed wording on sanctions."
QUOTE = "“Nobody should read anything at all into my absence from this gathering,” he said."
RETOLD = "Rubio will miss Wednesday's meeting of NATO foreign ministers in Brussels."


def judged(text: str, similarity: float, settings: DedupSettings = SETTINGS) -> SentenceVerdict:
    known = StoryKnowledge.of([analyse(ArticleText("k", STORY), settings).signature])
    article = analyse(ArticleText("n", text), settings)
    (verdict,) = judge(article.sentences, known, settings, article.vocabulary, [similarity])
    return verdict


def test_new_names_said_in_the_words_of_a_known_sentence_are_known() -> None:
    above = judged(NAMES, SETTINGS.paraphrase_similarity + 0.05)
    assert not above.novel and above.paraphrase
    assert above.new_names >= 2 and above.new_numbers == 1  # words alone would call it news
    at = judged(NAMES, SETTINGS.paraphrase_similarity)  # the bar is inclusive
    assert not at.novel
    below = judged(NAMES, SETTINGS.paraphrase_similarity - 0.05)
    assert below.novel and not below.paraphrase  # facts are news unless it is a paraphrase


def test_new_facts_stay_novel_between_the_two_bars() -> None:
    middle = (SETTINGS.novel_max_similarity + SETTINGS.paraphrase_similarity) / 2
    assert judged(NAMES, middle).novel
    assert judged(QUOTE, middle).novel
    assert not judged(QUOTE, SETTINGS.paraphrase_similarity + 0.05).novel  # a reworded quote


def test_new_words_alone_must_also_be_far_from_everything_known() -> None:
    far = judged(WORDS, SETTINGS.novel_max_similarity - 0.1)
    assert far.novel and (far.new_names, far.new_numbers, far.new_quote) == (0, 0, False)
    assert not judged(WORDS, SETTINGS.novel_max_similarity).novel  # novel only strictly below
    middle = judged(WORDS, (SETTINGS.novel_max_similarity + SETTINGS.paraphrase_similarity) / 2)
    assert not middle.novel and middle.paraphrase
    # The bars are settings: a laxer one lets the same sentence through.
    lax = DedupSettings(novel_max_similarity=SETTINGS.paraphrase_similarity)
    assert judged(WORDS, SETTINGS.novel_max_similarity + 0.01, lax).novel


def test_a_sentence_known_by_its_words_stays_known_whatever_its_meaning() -> None:
    verdict = judged(RETOLD, 0.0)
    assert not verdict.novel and not verdict.lexically_new and not verdict.paraphrase


def test_without_a_similarity_words_decide_as_before() -> None:
    for text, novel in ((NAMES, True), (WORDS, True), (QUOTE, True), (RETOLD, False)):
        verdict = judged(text, math.nan)
        assert verdict.novel is novel, text
        assert verdict.similarity is None and not verdict.paraphrase


def test_reasons_say_why() -> None:
    middle = (SETTINGS.novel_max_similarity + SETTINGS.paraphrase_similarity) / 2
    names = judged(NAMES, middle)
    assert names.reason == f"{names.new_names} new names, 1 new number"
    assert set(names.new_facts) >= {"3", "peter", "szijjarto"}
    assert judged(QUOTE, math.nan).reason == "new quotation"
    words = judged(WORDS, 0.1)
    assert words.reason == f"{words.new_terms} of {words.terms} words new"
    assert judged(WORDS, 0.1234).similarity == 0.123  # rounded for explanations
    assert judged(WORDS, 0.6).reason == "known: says what the story said (similarity 0.60)"
    assert judged(NAMES, 0.8).reason == "known: says what the story said (similarity 0.80)"
    assert judged(RETOLD, 0.8).reason == "known"


def test_the_rest_of_a_cut_short_article_is_not_news() -> None:
    from monitor.dedup.novelty import continued

    first = judged("Rubio met Lavrov in Riyadh on Tuesday.", math.nan)
    later = [
        SentenceVerdict("a", False, 0, 0, False, 0, 3),
        SentenceVerdict("b", True, 2, 0, False, 2, 3),
        SentenceVerdict("c", True, 0, 1, False, 1, 3),
    ]
    kept = continued([first, *later], 2)
    assert [v.novel for v in kept] == [first.novel, False, False, False]
    assert kept[3].reason.startswith("known: the rest of a known article")
    assert continued(later, 5) == later


def test_a_text_that_stops_mid_sentence_is_cut_short() -> None:
    from monitor.dedup.features import is_cut_short

    assert is_cut_short("Rubio said the talks would go on until")
    assert is_cut_short("The talks continue …")
    assert not is_cut_short("The talks continue.")
    assert not is_cut_short("“We will stay,” he said.”")
    assert not is_cut_short("")
