"""New developments: which sentences of an article its story does not know yet.

When an article joins a known story, each of its sentences is compared
with everything the story's articles have said so far (their term and
quotation hashes).  A sentence is *novel* when it brings information a
reader would want reported: a quotation not heard before, names or numbers
the story never mentioned (several, or one among mostly new words: a
rewrite that says "America" where the story said "American" adds
nothing), or mostly new content words.  Everything
else (a rewording, a translation, a restated lead) is *known*.  Only novel
sentences make an article an ``update``; an article with none is a
``duplicate``, however differently it is worded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from monitor.dedup.features import SentenceFeatures
from monitor.dedup.settings import DedupSettings
from monitor.dedup.signatures import Signature

KNOWN_QUOTE_FRACTION = 0.5  # a quotation with at least this share of its windows known is known


@dataclass(frozen=True)
class StoryKnowledge:
    """What a story has said so far, as hash sets."""

    terms: frozenset[int]
    quotes: frozenset[int]

    @classmethod
    def of(cls, signatures: Iterable[Signature]) -> StoryKnowledge:
        terms: list[np.ndarray] = []
        quotes: list[np.ndarray] = []
        for signature in signatures:
            terms.append(signature.terms)
            quotes.append(signature.quotes)
        return cls(
            frozenset(np.concatenate(terms).tolist()) if terms else frozenset(),
            frozenset(np.concatenate(quotes).tolist()) if quotes else frozenset(),
        )


@dataclass(frozen=True)
class SentenceVerdict:
    """One sentence, known or novel, and why."""

    text: str
    novel: bool
    new_names: int
    new_numbers: int
    new_quote: bool
    new_terms: int
    terms: int
    new_facts: tuple[str, ...] = ()  # the new names and numbers, spelled

    @property
    def reason(self) -> str:
        if not self.novel:
            return "known"
        parts = []
        if self.new_names:
            parts.append(f"{self.new_names} new name{'s' if self.new_names > 1 else ''}")
        if self.new_numbers:
            parts.append(f"{self.new_numbers} new number{'s' if self.new_numbers > 1 else ''}")
        if self.new_quote:
            parts.append("new quotation")
        if not parts:
            parts.append(f"{self.new_terms} of {self.terms} words new")
        return ", ".join(parts)


def judge(
    sentences: list[SentenceFeatures],
    story: StoryKnowledge,
    settings: DedupSettings,
    vocabulary: dict[int, str] | None = None,
) -> list[SentenceVerdict]:
    """Known or novel, for each sentence of the incoming article."""
    verdicts = []
    for sentence in sentences:
        new_terms = sentence.terms - story.terms
        facts = (sentence.names | sentence.numbers) & new_terms
        new_names = len(sentence.names & new_terms)
        new_numbers = len(sentence.numbers & new_terms)
        spelled = tuple(sorted((vocabulary or {}).get(h, "?") for h in facts))
        new_quote = bool(sentence.quotes) and (
            len(sentence.quotes & story.quotes) < KNOWN_QUOTE_FRACTION * len(sentence.quotes)
        )
        share = len(new_terms) / max(len(sentence.terms), 1)
        wordy = len(new_terms) >= settings.novel_min_terms and share >= settings.novel_term_fraction
        new_facts = sum(1 for fact in sentence.facts if fact & new_terms)
        factual = new_facts >= settings.novel_min_facts or (
            new_facts >= 1 and share >= settings.novel_fact_fraction
        )
        verdicts.append(
            SentenceVerdict(
                text=sentence.text,
                novel=bool(new_quote or wordy or factual),
                new_names=new_names,
                new_numbers=new_numbers,
                new_quote=new_quote,
                new_terms=len(new_terms),
                terms=len(sentence.terms),
                new_facts=spelled,
            )
        )
    return verdicts
