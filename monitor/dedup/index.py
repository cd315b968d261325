"""The dedup index: every known article, and the three layers over them.

:class:`DedupIndex` is the engine's one stateful object and its whole
public surface: analyse an article, classify it (pure: nothing changes),
add it under a story, and load everything back from stored signatures at
start.  It holds no text and touches no database; what it needs of an
article after classification is its :class:`~monitor.dedup.signatures.Signature`,
kept as the very bytes the caller stores, so memory stays near the size
of the signatures themselves.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from monitor.dedup.candidates import CandidateIndex
from monitor.dedup.decide import Candidate, Decision, choose, choose_lexical, decide
from monitor.dedup.encoder import F32, Encoder
from monitor.dedup.features import Analysis, ArticleText, analyse, embed_leads, prepare
from monitor.dedup.frequencies import DocumentFrequencies
from monitor.dedup.linking import StoryLink, best_link, story_links
from monitor.dedup.near_duplicate import NearDuplicateIndex
from monitor.dedup.novelty import (
    SentenceVerdict,
    StoryKnowledge,
    continued,
)
from monitor.dedup.semantic import StoryVectors
from monitor.dedup.settings import DedupSettings
from monitor.dedup.signatures import ParsedSignatures, Signature, encoder_id
from monitor.dedup.story import Norms, QueryVectors, batch_norms, compare, norms, query_vectors
from monitor.dedup.story_dates import StoryDates
from monitor.dedup.story_rows import KNOWLEDGE_MEMBERS, StoryRows
from monitor.dedup.teaching import assess, knowledge_of, teach

EXCERPT_COVERAGE = 0.5  # share of a cut-short member's shingles an article must hold to copy it
NORMS_REFRESH = 1.1  # recompute a cached norm once the corpus has grown by this factor
LOAD_CHUNK = 5_000  # signatures whose norms are computed together at load (bounds memory)


@dataclass(frozen=True)
class StoredSignature:
    """One row the caller stored: an article id, its story id, its signature bytes."""

    article_id: str
    story_id: int
    signature: bytes
    seed: bool = False


@dataclass
class LoadReport:
    """What :meth:`DedupIndex.load` did: loaded rows, and ids whose signature must be redone."""

    loaded: int = 0
    stale: list[str] = field(default_factory=list)


class DedupIndex:
    """Known articles and their stories; classifies new articles against them."""

    def __init__(
        self, settings: DedupSettings | None = None, encoder: Encoder | None = None
    ) -> None:
        self.settings = settings or DedupSettings()
        self.encoder = encoder
        self._encoder_id = encoder_id(encoder.name if encoder is not None else None)
        self._semantic = StoryVectors(encoder.dimensions if encoder is not None else 512)
        self._vectors: list[npt.NDArray[np.float16]] = []  # each article's lead embedding
        self._seed_stories: set[int] = set()
        self._is_seed: list[bool] = []
        self._story_entities: dict[int, set[int]] = {}
        self._taught: tuple[str, dict[int, F32]] | None = None  # last classify's sentence vectors
        self._ids: list[str] = []
        self._blobs: list[bytes] = []
        self._doc: dict[str, int] = {}
        self._story: list[int] = []
        self._dates = StoryDates()
        self._parsed = ParsedSignatures(self._blobs)  # the busy members', parsed once
        self._members: dict[int, list[int]] = {}
        self._rows = StoryRows(self._members, self._ids, self._vectors, self.signature_at)
        self._by_hash: dict[str, int] = {}
        self._near = NearDuplicateIndex(self.settings)
        self._terms = CandidateIndex()
        self._freqs = DocumentFrequencies()
        self._norms: list[Norms | None] = []

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._doc

    def story_of(self, article_id: str) -> int:
        return self._story[self._doc[article_id]]

    def stories(self) -> dict[int, list[str]]:
        """Story id -> article ids, in the order they joined."""
        return {sid: [self._ids[d] for d in docs] for sid, docs in self._members.items()}

    def signature(self, article_id: str) -> Signature:
        return self._parsed[self._doc[article_id]]

    def analyse(self, article: ArticleText) -> Analysis:
        """Signature and sentence features of an article (reads its text once)."""
        return analyse(article, self.settings, self.encoder)

    def analyse_many(self, articles: Sequence[ArticleText]) -> list[Analysis]:
        """:meth:`analyse` for many articles, their leads embedded in one call."""
        prepared = [prepare(a, self.settings) for a in articles]
        vectors = embed_leads(prepared, self.encoder)
        return [
            analyse(p, self.settings, self.encoder, vector=v)
            for p, v in zip(prepared, vectors, strict=True)
        ]

    # ------------------------------------------------------------------ classifying
    def classify(self, article: ArticleText | Analysis, *, exhaustive: bool = False) -> Decision:
        """Decide about an article without changing the index.

        ``exhaustive`` compares it with every known article instead of the
        candidates the LSH and term index propose (slow; for benchmarks).
        """
        analysis = article if isinstance(article, Analysis) else self.analyse(article)
        return self._classify(analysis, extra=1, exhaustive=exhaustive)

    def _classify(self, analysis: Analysis, extra: int, exhaustive: bool = False) -> Decision:
        signature = analysis.signature
        exact_doc = self._by_hash.get(signature.content_hash)
        exact = (self._ids[exact_doc], self._story[exact_doc]) if exact_doc is not None else None
        docs = range(len(self._ids)) if exhaustive else self._candidate_docs(signature, extra)
        candidates = self._evidence(analysis, list(docs), extra)
        links = self._links(analysis, candidates)
        if len(signature.vector):
            link = best_link(links, self.settings)
        else:
            link = choose_lexical([c for c in candidates if not c.excluded_by_date], self.settings)
        match = choose(exact, candidates, link, self.settings)
        verdicts = []
        if match is not None and match.layer != "exact":
            verdicts = self._judge(analysis, match.story_id)
            cut = self._cut_in(analysis, candidates, match.story_id)
            if cut is not None:
                verdicts = continued(verdicts, cut)
        return decide(
            analysis.article.id,
            match,
            verdicts,
            candidates,
            links,
            analysis.furniture,
            self.settings,
        )

    def _cut_in(self, analysis: Analysis, candidates: list[Candidate], story_id: int) -> int | None:
        """The sentence where a member of the story that the article copies was cut short by
        its feed (its last shingle is in the article), or None."""
        cuts = []
        for c in candidates:
            if c.story_id != story_id or c.resemblance.coverage < EXCERPT_COVERAGE:
                continue
            cut = self.signature(c.article_id).cut
            sentence = analysis.sentence_of(cut) if cut else None
            if sentence is not None:
                cuts.append(sentence)
        return max(cuts) if cuts else None

    def _judge(self, analysis: Analysis, story_id: int) -> list[SentenceVerdict]:
        verdicts, embedded = assess(
            analysis, self._knowledge(story_id), self.settings, self.encoder
        )
        self._taught = (analysis.article.id, embedded)
        return verdicts

    def _links(self, analysis: Analysis, candidates: list[Candidate]) -> list[StoryLink]:
        best: dict[int, tuple[float, str]] = {}
        for c in candidates:
            if not c.excluded_by_date and c.story_score() > best.get(c.story_id, (-1.0, ""))[0]:
                best[c.story_id] = (c.story_score(), c.article_id)
        return story_links(analysis, best, self, self.settings)

    # -------------------------------------------------- what linking reads (linking.Stories)
    def nearest(self, vector: F32, limit: int, floor: float) -> list[tuple[int, float]]:
        return self._semantic.nearest(vector, limit, floor)

    def centroid_cosine(self, story: int, vector: F32) -> float:
        return self._semantic.centroid_cosine(story, vector)

    def member_vectors(self, story: int) -> tuple[list[str], F32]:
        """Each member's lead embedding and the sentences it taught the story, with the id of
        the member each row is from: a report whose lead says what one sentence of a known
        article said reports that article's story.  The same rows are what novelty compares
        sentences with (:mod:`monitor.dedup.story_rows` keeps them stacked)."""
        return self._rows.of(story)

    def story_entities(self, story: int) -> set[int]:
        return self._story_entities.get(story, set())

    def entity_weights(self, signature: Signature) -> dict[int, float]:
        """The article's entities, each weighted by its rarity among known articles."""
        if not len(signature.entities):
            return {}
        idf = self._freqs.idf(signature.entities, 1)
        return dict(zip(signature.entities.tolist(), idf.tolist(), strict=True))

    def days_to_story(self, signature: Signature, story: int) -> float | None:
        if signature.published is None:
            return None
        gap = self._dates.nearest_gap(story, signature.published.timestamp())
        return gap / 86400.0 if gap is not None else None

    def is_seed_story(self, story: int) -> bool:
        return story in self._seed_stories

    def _candidate_docs(self, signature: Signature, extra: int) -> list[int]:
        settings = self.settings
        docs = set(self._near.query(signature.hashvalues))
        df = self._freqs.counts(signature.terms)
        known = df + extra >= 2  # someone besides the query has the term
        if known.any():
            terms = signature.terms[known]
            rare = np.argsort(df[known], kind="stable")[: settings.candidate_terms]
            weights = self._freqs.idf(terms[rare], extra)
            found = self._terms.lookup(terms[rare], weights, settings.max_candidates)
            docs.update(doc for doc, _ in found)
        return sorted(docs)

    def _evidence(self, analysis: Analysis, docs: list[int], extra: int) -> list[Candidate]:
        if not docs:
            return []
        signature = analysis.signature
        vectors: QueryVectors = query_vectors(signature, self._freqs, extra)
        resemblances = self._near.resemblance(signature.hashvalues, signature.shingle_count, docs)
        excluded = self.stories_out_of_time(signature, {self._story[d] for d in docs})
        candidates = []
        for doc, resemblance in zip(docs, resemblances, strict=True):
            known = self._parsed[doc]
            evidence = compare(
                vectors, known, self._norms_of(doc, known, extra), self._freqs, extra, self.settings
            )
            candidates.append(
                Candidate(
                    article_id=self._ids[doc],
                    story_id=self._story[doc],
                    resemblance=resemblance,
                    story=evidence,
                    shared_names=tuple(analysis.spell(evidence.shared_names)),
                    excluded_by_date=self._story[doc] in excluded,
                )
            )
        return candidates

    def _norms_of(self, doc: int, known: Signature, extra: int) -> Norms:
        cached = self._norms[doc]
        if cached is None or self._freqs.documents > NORMS_REFRESH * cached.documents + 1:
            cached = self._norms[doc] = norms(known, self._freqs, extra)
        return cached

    def stories_out_of_time(self, signature: Signature, stories: set[int]) -> set[int]:
        """Stories whose dated articles are all further than ``date_max_gap_days`` away."""
        if signature.published is None:
            return set()
        when = signature.published.timestamp()
        limit = self.settings.date_max_gap_days * 86400.0
        out = set()
        for story in stories:
            gap = self._dates.nearest_gap(story, when)
            if gap is not None and gap > limit:
                out.add(story)
        return out

    def _knowledge(self, story_id: int) -> StoryKnowledge:
        members = self._members.get(story_id, [])
        founders = [d for d in members if self._is_seed[d]] or members[:1]
        return knowledge_of(
            (self.signature_at(d) for d in members[-KNOWLEDGE_MEMBERS:]),
            (self.signature_at(d) for d in founders),
            self.member_vectors(story_id)[1],
        )

    def signature_at(self, doc: int) -> Signature:
        return self._parsed[doc]

    # ------------------------------------------------------------------ adding
    def learned(
        self, analysis: Analysis, decision: Decision, everything: bool = False
    ) -> Signature:
        """The signature to store and :meth:`add` for a classified article: its own, plus the
        embeddings of the sentences it teaches its story (every sentence of a new story, up to
        ``KNOWLEDGE_SENTENCES``; the novel ones of an update; none for a duplicate).
        ``everything``: all its sentences, whatever its status (a seed: the reader knows it).
        """
        taught = self._taught[1] if self._taught and self._taught[0] == decision.article_id else {}
        novel = {v.text for v in decision.sentences if v.novel}
        return teach(analysis, decision.status, novel, everything, taught, self.encoder)

    def relearned(
        self, analysis: Analysis, status: str | None, novel: Sequence[str], everything: bool
    ) -> Signature:
        """:meth:`learned` for an article decided earlier (its signature is being recomputed)."""
        return teach(analysis, status, set(novel), everything, {}, self.encoder)

    def add(
        self, article_id: str, signature: Signature | bytes, story_id: int, seed: bool = False
    ) -> None:
        """Make an article known, as a member of ``story_id`` (its signature, or its bytes).

        Store and add :meth:`learned`'s signature, so the sentences the article
        teaches its story are known from then on."""
        self._add(article_id, signature, story_id, count_terms=True, seed=seed)

    def _add(
        self,
        article_id: str,
        signature: Signature | bytes,
        story_id: int,
        count_terms: bool,
        seed: bool = False,
    ) -> None:
        if article_id in self._doc:
            raise ValueError(f"article {article_id!r} is already in the dedup index")
        blob = signature if isinstance(signature, bytes) else signature.to_bytes()
        # Views of the bytes kept, not the caller's arrays: those would be a second copy.
        parsed = Signature.from_bytes(blob)
        if not parsed.compatible(self.settings, self._encoder_id):
            raise ValueError(f"signature of {article_id!r} was made with other dedup settings")
        doc = self._register(article_id, blob, parsed, story_id, seed)
        self._near.add(doc, parsed.hashvalues, parsed.shingle_count)
        self._terms.add(doc, parsed.terms)
        if count_terms:
            self._freqs.add(parsed.terms, parsed.pairs)
        self._norms[doc] = norms(parsed, self._freqs, 0)

    def ingest(
        self, article: ArticleText | Analysis, new_story_id: Callable[[], int] | None = None
    ) -> Decision:
        """Classify an article and add it.

        A new story gets the id ``new_story_id()`` returns, or the next free one.
        """
        analysis = article if isinstance(article, Analysis) else self.analyse(article)
        decision = self._classify(analysis, extra=1)
        return self._join(analysis, decision, new_story_id, count_terms=True, seed=False)

    def cluster(
        self,
        articles: Sequence[ArticleText | Analysis],
        new_story_id: Callable[[], int] | None = None,
    ) -> list[Decision]:
        """Ingest a batch known all at once (the seed corpus at first start).

        The batch's words count towards rarity before any of it is compared,
        so the first articles are weighed with the whole batch's statistics,
        as the later ones are.
        """
        texts = [a for a in articles if not isinstance(a, Analysis)]
        fresh = iter(self.analyse_many(texts))
        analyses = [a if isinstance(a, Analysis) else next(fresh) for a in articles]
        for analysis in analyses:
            self._freqs.add(analysis.signature.terms, analysis.signature.pairs)
        decisions = []
        for analysis in analyses:
            decision = self._classify(analysis, extra=0)
            decisions.append(
                self._join(analysis, decision, new_story_id, count_terms=False, seed=True)
            )
        return decisions

    def _join(
        self,
        analysis: Analysis,
        decision: Decision,
        new_story_id: Callable[[], int] | None,
        count_terms: bool,
        seed: bool,
    ) -> Decision:
        story_id = decision.story_id
        if story_id is None:
            story_id = new_story_id() if new_story_id else self._next_story_id()
            decision = _with_story(decision, story_id)
        signature = self.learned(analysis, decision, everything=seed)
        self._add(analysis.article.id, signature, story_id, count_terms, seed=seed)
        return decision

    def _next_story_id(self) -> int:
        return max(self._members, default=0) + 1

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(
        cls,
        rows: Iterable[StoredSignature],
        settings: DedupSettings | None = None,
        encoder: Encoder | None = None,
    ) -> tuple[DedupIndex, LoadReport]:
        """Rebuild an index from stored signatures, without reading any text.

        Rows whose signature was made with other settings (or is unreadable)
        are not loaded; their ids are in the report's ``stale`` list, to be
        analysed again and :meth:`add`-ed.  Nothing is recomputed from text:
        MinHash values go into the LSH as stored, term arrays into the term
        index and the document frequencies.
        """
        index = cls(settings, encoder)
        report = LoadReport()
        term_arrays = []
        pair_arrays = []
        for row in rows:
            try:
                signature = Signature.from_bytes(row.signature)
            except ValueError:
                report.stale.append(row.article_id)
                continue
            if (
                not signature.compatible(index.settings, index._encoder_id)
                or row.article_id in index._doc
            ):
                report.stale.append(row.article_id)
                continue
            doc = index._register(row.article_id, row.signature, signature, row.story_id, row.seed)
            index._near.add(doc, signature.hashvalues, signature.shingle_count)
            term_arrays.append(signature.terms)
            pair_arrays.append(signature.pairs)
        index._terms.build(term_arrays)
        index._freqs.add_documents(term_arrays, pair_arrays)
        del term_arrays, pair_arrays
        for start in range(0, len(index._blobs), LOAD_CHUNK):
            chunk = [Signature.from_bytes(b) for b in index._blobs[start : start + LOAD_CHUNK]]
            index._norms[start : start + len(chunk)] = batch_norms(chunk, index._freqs)
        report.loaded = len(index._ids)
        return index, report

    def _register(
        self, article_id: str, blob: bytes, signature: Signature, story_id: int, seed: bool
    ) -> int:
        doc = len(self._ids)
        self._vectors.append(signature.vector)
        self._is_seed.append(seed)
        self._semantic.add(story_id, signature.vector)
        self._story_entities.setdefault(story_id, set()).update(signature.entities.tolist())
        if seed:
            self._seed_stories.add(story_id)
        self._ids.append(article_id)
        self._doc[article_id] = doc
        self._blobs.append(blob)
        self._story.append(story_id)
        self._dates.add(
            story_id, signature.published.timestamp() if signature.published else math.nan
        )
        self._members.setdefault(story_id, []).append(doc)
        self._rows.joined(story_id, doc)
        self._by_hash.setdefault(signature.content_hash, doc)
        self._norms.append(None)
        return doc


def _with_story(decision: Decision, story_id: int) -> Decision:
    return replace(decision, story_id=story_id)
