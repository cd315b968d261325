"""What a story knows, and what an article teaches it: sentences compared by meaning.

Novelty (:mod:`monitor.dedup.novelty`) decides from features; this module
feeds it what only the encoder can tell.  A story knows the sentences its
articles taught it, as embeddings stored in their signatures: every
sentence of its first article (and of a seed: the reader knows it), the
novel sentences of each update, nothing of a duplicate.  An incoming
article's sentences that words call new are embedded and compared with
them; the same embeddings are what it teaches its story if it turns out
to be an update, so no sentence is embedded twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from monitor.dedup.encoder import F32, Encoder, cosines, to_half
from monitor.dedup.features import Analysis
from monitor.dedup.novelty import SentenceVerdict, StoryKnowledge, judge, lexical
from monitor.dedup.settings import DedupSettings
from monitor.dedup.signatures import Signature

KNOWLEDGE_SENTENCES = 40  # sentences of a story's first article embedded as what it says
# Sentences of one article compared by meaning, at most (about 1 ms each); past them, words
# alone decide, as they did before embeddings.
MEANING_CHECKS = 16


def knowledge_of(
    members: Iterable[Signature], founders: Iterable[Signature], vectors: F32 | None = None
) -> StoryKnowledge:
    """What a story has said, told in the language of its ``founders`` (its first article, or
    its seeds): an article in another language is a translation unless its names and numbers
    say more.  ``vectors``: the members' embeddings already stacked (the index keeps them)."""
    knowledge = StoryKnowledge.of(members, vectors)
    languages = frozenset(s.language for s in founders if s.language)
    return replace(knowledge, languages=languages)


def assess(
    analysis: Analysis,
    knowledge: StoryKnowledge,
    settings: DedupSettings,
    encoder: Encoder | None,
) -> tuple[list[SentenceVerdict], dict[int, F32]]:
    """Each sentence known or novel (words first, then meaning for those words call new), and
    the embeddings computed on the way (sentence index -> vector)."""
    language = analysis.signature.language
    foreign = bool(language and knowledge.languages and language not in knowledge.languages)
    flagged = [
        i
        for i, sentence in enumerate(analysis.sentences)
        if lexical(sentence, knowledge, settings, foreign).candidate
    ][:MEANING_CHECKS]
    similarities = [math.nan] * len(analysis.sentences)
    embedded: dict[int, F32] = {}
    if flagged and encoder is not None and knowledge.vectors.size:
        vectors = encoder.encode([analysis.sentences[i].text for i in flagged])
        best = cosines(vectors, knowledge.vectors).max(axis=1)
        for i, vector, value in zip(flagged, vectors, best.tolist(), strict=True):
            similarities[i] = value
            embedded[i] = vector
    verdicts = judge(
        analysis.sentences, knowledge, settings, analysis.vocabulary, similarities, foreign
    )
    return verdicts, embedded


def teach(
    analysis: Analysis,
    status: str | None,
    novel: set[str],
    everything: bool,
    embedded: dict[int, F32],
    encoder: Encoder | None,
) -> Signature:
    """The article's signature with the sentence embeddings it teaches its story.

    ``status`` is its decision; ``novel`` the texts of its novel sentences; ``everything``
    teaches every sentence whatever the status (a seed); ``embedded`` are vectors already
    computed by :func:`assess`.
    """
    signature = analysis.signature
    if encoder is None or not len(signature.vector):
        return signature
    sentences = analysis.sentences
    if status == "new_story" or everything:
        rows = list(range(min(len(sentences), KNOWLEDGE_SENTENCES)))
    elif status == "update":
        rows = [i for i, sentence in enumerate(sentences) if sentence.text in novel]
    else:
        return signature
    missing = [i for i in rows if i not in embedded]
    computed = dict(zip(missing, encoder.encode([sentences[i].text for i in missing]), strict=True))
    vectors = [embedded[i] if i in embedded else computed[i] for i in rows]
    if not vectors:
        return signature
    return replace(signature, sentence_vectors=to_half(np.stack(vectors)))
