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

Words alone cannot see a paraphrase or a translation: a German sentence
shares no words with its English original, and German capitalises every
noun, so its "names" look new.  So the sentences that words call new are
then compared by meaning with what the story has said (its sentence
embeddings): one at least ``paraphrase_similarity`` close to a known
sentence says nothing new, whatever its words (a retranslated or shortened
quotation included).  A sentence new on words alone, without a new name,
number or quotation, must also be far from everything known
(``novel_max_similarity``): an outcome told in new words is news, the
same facts told again are not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from monitor.dedup.features import SentenceFeatures
from monitor.dedup.settings import DedupSettings
from monitor.dedup.signatures import Signature

KNOWN_QUOTE_FRACTION = 0.5  # a quotation with at least this share of its windows known is known
FOREIGN_DISCOUNT = 0.15


@dataclass(frozen=True)
class StoryKnowledge:
    """What a story has said so far, as hash sets."""

    terms: frozenset[int]
    quotes: frozenset[int]
    # unit rows: the sentences the story has taught and its members' leads
    vectors: npt.NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.float32)
    )
    languages: frozenset[str] = frozenset()  # the languages it was told in

    @classmethod
    def of(
        cls, signatures: Iterable[Signature], vectors: npt.NDArray[np.float32] | None = None
    ) -> StoryKnowledge:
        """From the members' signatures; their embeddings (leads and taught sentences) are
        stacked here unless ``vectors`` already holds them."""
        terms: list[np.ndarray] = []
        quotes: list[np.ndarray] = []
        stacked: list[np.ndarray] = []
        for signature in signatures:
            terms.append(signature.terms)
            quotes.append(signature.quotes)
            if vectors is None and len(signature.vector):
                stacked.append(signature.vector[None, :])
                if signature.sentence_vectors.size:
                    stacked.append(signature.sentence_vectors)
        if vectors is None:
            vectors = (
                np.concatenate(stacked).astype(np.float32)
                if stacked
                else np.zeros((0, 0), dtype=np.float32)
            )
        return cls(
            frozenset(np.concatenate(terms).tolist()) if terms else frozenset(),
            frozenset(np.concatenate(quotes).tolist()) if quotes else frozenset(),
            vectors,
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
    similarity: float | None = None  # to the closest sentence the story knows (when compared)
    continued: bool = False  # past the cut of a known article its feed had cut short

    @property
    def paraphrase(self) -> bool:
        """New by its words, known by its meaning."""
        return not self.novel and self.similarity is not None and self.lexically_new

    @property
    def lexically_new(self) -> bool:
        return bool(self.new_names or self.new_numbers or self.new_quote or self.new_terms)

    @property
    def reason(self) -> str:
        if not self.novel:
            if self.continued:
                return "known: the rest of a known article whose feed had cut it short"
            if self.similarity is not None and self.lexically_new:
                return f"known: says what the story said (similarity {self.similarity:.2f})"
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


@dataclass(frozen=True)
class Lexical:
    """What words alone say of one sentence (before meaning is compared)."""

    new_terms: int
    new_names: int
    new_numbers: int
    new_quote: bool
    factual: bool
    wordy: bool
    facts: tuple[int, ...]

    @property
    def candidate(self) -> bool:
        """Worth comparing by meaning: words say it may be new."""
        return self.new_quote or self.factual or self.wordy


def lexical(
    sentence: SentenceFeatures,
    story: StoryKnowledge,
    settings: DedupSettings,
    foreign: bool = False,
) -> Lexical:
    """``foreign``: the article is not in its story's words (a translation): new words and
    verbatim quotations say nothing there, only names and numbers (and meaning) do."""
    new_terms = sentence.terms - story.terms
    new_quote = (
        not foreign
        and bool(sentence.quotes)
        and (len(sentence.quotes & story.quotes) < KNOWN_QUOTE_FRACTION * len(sentence.quotes))
    )
    share = len(new_terms) / max(len(sentence.terms), 1)
    wordy = (
        not foreign
        and len(new_terms) >= settings.novel_min_terms
        and share >= settings.novel_term_fraction
    )
    # A name is new when most of its parts are ("Foreign Minister Marco Rubio" is not).
    new_facts = sum(1 for fact in sentence.facts if 2 * len(fact & new_terms) > len(fact))
    factual = new_facts >= settings.novel_min_facts or (
        new_facts >= 1 and share >= settings.novel_fact_fraction
    )
    return Lexical(
        new_terms=len(new_terms),
        new_names=len(sentence.names & new_terms),
        new_numbers=len(sentence.numbers & new_terms),
        new_quote=new_quote,
        factual=factual,
        wordy=wordy,
        facts=tuple(sorted((sentence.names | sentence.numbers) & new_terms)),
    )


def judge(
    sentences: list[SentenceFeatures],
    story: StoryKnowledge,
    settings: DedupSettings,
    vocabulary: dict[int, str] | None = None,
    similarities: list[float] | None = None,
    foreign: bool = False,
) -> list[SentenceVerdict]:
    """Known or novel, for each sentence of the incoming article.

    ``similarities[i]`` is sentence i's cosine with the closest sentence the
    story knows, or NaN where it was not compared (see :func:`lexical`:
    only sentences that words call new are).
    """
    verdicts = []
    for i, sentence in enumerate(sentences):
        words = lexical(sentence, story, settings, foreign)
        similarity = similarities[i] if similarities is not None else math.nan
        compared = not math.isnan(similarity)
        novel = words.candidate
        # Across languages the same sentence scores lower (measured: 0.52 against 0.68 for
        # same-event leads), so a translation's paraphrase bar is lower by that much.
        bar = settings.paraphrase_similarity - (FOREIGN_DISCOUNT if foreign else 0.0)
        if compared and similarity >= bar:
            novel = False
        elif compared and not (words.factual or words.new_quote):
            novel = words.wordy and similarity < settings.novel_max_similarity
        spelled = tuple(sorted((vocabulary or {}).get(h, "?") for h in words.facts))
        verdicts.append(
            SentenceVerdict(
                text=sentence.text,
                novel=novel,
                new_names=words.new_names,
                new_numbers=words.new_numbers,
                new_quote=words.new_quote,
                new_terms=words.new_terms,
                terms=len(sentence.terms),
                new_facts=spelled,
                similarity=round(similarity, 3) if compared else None,
            )
        )
    return verdicts


def continued(verdicts: list[SentenceVerdict], cut: int) -> list[SentenceVerdict]:
    """Sentences from number ``cut`` on are the rest of a known article that its feed had cut
    short there: a reader who saw the excerpt has not missed a development, so they are known."""
    return [
        replace(v, novel=False, continued=True) if i >= cut and v.novel else v
        for i, v in enumerate(verdicts)
    ]
