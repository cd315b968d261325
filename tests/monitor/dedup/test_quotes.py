"""Quotations: six words repeated verbatim tie two reports together, even when cut shorter."""

from __future__ import annotations

from monitor.dedup.quotes import all_quote_hashes, quotations, quote_hashes


def test_quotations_of_six_words_or_more_are_found_across_quote_styles() -> None:
    text = (
        '“We’re going to remain in Nato,” he said. He called it "hysteria and hyperbole in the '
        'media about the alliance" and added "short one".'
    )
    assert quotations(text, 7) == [
        "hysteria and hyperbole in the media about the alliance",
    ]
    assert quotations(text, 6) == [
        "We’re going to remain in Nato,",
        "hysteria and hyperbole in the media about the alliance",
    ]


def test_a_quotation_cut_shorter_still_matches() -> None:
    full = quote_hashes("the United States is as active in Nato as it has ever been", 6)
    cut = quote_hashes("is as active in Nato as it has ever been", 6)
    assert cut and cut <= full
    assert not quote_hashes("a completely different sentence of several words", 6) & full


def test_curly_and_straight_quotes_give_the_same_windows() -> None:
    curly = all_quote_hashes("He said: “we will keep supporting Ukraine for as long”.", 6)
    straight = all_quote_hashes('He said: "we will keep supporting Ukraine for as long".', 6)
    assert curly == straight and curly
