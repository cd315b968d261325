"""The dedup stage: decide for each new article whether it is news.

:mod:`monitor.dedup` is the pure engine; this module feeds it stored
articles and records its decisions.  Articles are classified after they
are stored, one at a time, oldest first, each decision committed with the
article's signature and story before the article joins the in-memory index.
So a crash loses nothing (an article not yet classified has
``deduped_at IS NULL`` and is picked up by the next run) and the index
never holds what the database does not (at start it is rebuilt from the
stored signatures, without reading any text).

Only articles that matched a topic are classified: the others are never
reported, so there is nothing to decide about them.  Seeds are the known
world: they are clustered together at first start, like any article.

Order does not matter: pending articles are taken by publication time and
then by the hash of their text (never by arrival, nor by the feed that
carried them), so two runs over the same articles make the same stories
whatever order a cycle stored them in.  They are read a batch
at a time so that the model embeds a batch's leads in one call; each is
still decided and committed on its own.  A feed's own boilerplate (the
same line in many of its items) is found from its stored items and set
aside as page furniture.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, exists, func, or_, select
from sqlalchemy.orm import Session

from monitor.config import Settings
from monitor.dedup import (
    ArticleText,
    Decision,
    DedupIndex,
    DedupSettings,
    Signature,
    StoredSignature,
)
from monitor.dedup.encoder import Encoder, default_encoder
from monitor.dedup.features import Analysis
from monitor.dedup.furniture import recurring_lines
from monitor.storage import Article, ArticleSignature, ArticleTopic, Database, Story

log = logging.getLogger(__name__)

BATCH = 32  # pending articles read and embedded together
FEED_SAMPLE = 40  # a feed's latest items looked at for its recurring lines
RELOAD_AFTER = timedelta(days=1)  # a long-running process rebuilds its index (the window moves)


@dataclass
class ClassifyReport:
    new_story: int = 0
    update: int = 0
    duplicate: int = 0
    failed: list[str] = field(default_factory=list)
    stopped: bool = False  # asked to stop before every pending article was classified

    def count(self, decision: Decision) -> None:
        setattr(self, decision.status, getattr(self, decision.status) + 1)

    def as_dict(self) -> dict[str, int]:
        return {"new_story": self.new_story, "update": self.update, "duplicate": self.duplicate}


def dedup_settings(settings: Settings) -> DedupSettings:
    """The engine's settings: the validated ``[dedup]`` section itself (one declaration)."""
    return settings.dedup


def _text_of(article: Article, recurring: frozenset[str] = frozenset()) -> ArticleText:
    return ArticleText(
        id=article.id,
        text=article.text,
        title=article.title,
        published=article.published_at,
        recurring=recurring,
        language=article.language,
    )


class Classifier:
    """The dedup index over the database; keep one per process (the daemon keeps it warm)."""

    def __init__(self, db: Database, settings: Settings, encoder: Encoder | None = None) -> None:
        self.db = db
        self.settings = dedup_settings(settings)
        self.encoder = encoder if encoder is not None else default_encoder()
        self._index: DedupIndex | None = None
        self._loaded_at = datetime.now(UTC)

    @property
    def index(self) -> DedupIndex:
        """The index, loaded from stored signatures on first use (and again once a day, so
        stories that left the time window leave memory)."""
        if self._index is None or datetime.now(UTC) - self._loaded_at > RELOAD_AFTER:
            self._index = self._load()
            self._loaded_at = datetime.now(UTC)
        return self._index

    def _window_start(self, session: Session) -> datetime | None:
        """Stories whose latest article is older than this stay out of memory (seeds stay)."""
        newest = session.scalar(select(func.max(Article.published_at)).where(~Article.is_seed))
        if newest is None:
            return None
        return newest - timedelta(days=self.settings.index_window_days)

    def _load(self) -> DedupIndex:
        with self.db.session() as session:
            since = self._window_start(session)
            query = (
                select(
                    ArticleSignature.article_id,
                    Article.story_id,
                    ArticleSignature.signature,
                    Article.is_seed,
                )
                .join(Article, Article.id == ArticleSignature.article_id)
                .where(Article.story_id.is_not(None))
                .order_by(Article.deduped_at, Article.id)
            )
            if since is not None:
                recent = (
                    select(Article.story_id)
                    .group_by(Article.story_id)
                    .having(
                        or_(
                            func.max(Article.published_at) >= since,
                            func.max(Article.is_seed.cast(Integer)) == 1,
                        )
                    )
                )
                query = query.where(Article.story_id.in_(recent))
            rows = session.execute(query)
            stored = (
                StoredSignature(a, s, bytes(b), bool(seed))
                for a, s, b, seed in rows
                if s is not None
            )
            index, report = DedupIndex.load(stored, self.settings, self.encoder)
        if report.stale:
            # Signatures made with other settings: recomputed from the text, once.
            log.info("recomputing %d dedup signatures (settings changed)", len(report.stale))
            with self.db.session() as session:
                stale = list(session.scalars(select(Article).where(Article.id.in_(report.stale))))
                recurring: dict[int, frozenset[str]] = {}
                for article, analysis in zip(
                    stale,
                    index.analyse_many(
                        [_text_of(a, self._recurring(session, a.feed_id, recurring)) for a in stale]
                    ),
                    strict=True,
                ):
                    signature = index.relearned(
                        analysis,
                        article.status,
                        article.novel_sentences or [],
                        everything=article.is_seed,
                    )
                    _store_signature(session, article.id, signature)
                    if article.story_id is not None:
                        index.add(article.id, signature, article.story_id, seed=article.is_seed)
        log.debug("dedup index: %d articles", len(index))
        return index

    def cluster_seeds(self) -> int:
        """Cluster the seeds that have no story yet (all of them at first start)."""
        with self.db.session() as session:
            seeds = list(
                session.scalars(
                    select(Article)
                    .where(Article.is_seed, Article.story_id.is_(None))
                    .order_by(Article.published_at.is_(None), Article.published_at, Article.id)
                )
            )
            if not seeds:
                return 0
            index = self.index
            try:
                decisions = index.cluster(
                    [_text_of(a) for a in seeds], new_story_id=self._story_factory(session)
                )
                for article, decision in zip(seeds, decisions, strict=True):
                    self._record(session, article, decision, index.signature(article.id))
                    if decision.status == "new_story":
                        story = session.get(Story, decision.story_id)
                        if story is not None:
                            story.title = article.title
            except Exception:
                self._index = None  # the index saw what the database did not keep
                raise
        return len(seeds)

    def classify_pending(
        self, limit: int | None = None, should_stop: Callable[[], bool] | None = None
    ) -> ClassifyReport:
        """Classify every topic-matched article not classified yet, oldest first.

        ``should_stop`` is asked between articles: a daemon shutting down stops
        there, and what is left stays pending for the next run.
        """
        report = ClassifyReport()
        with self.db.session() as session:
            query = (
                select(Article.id)
                .where(
                    Article.deduped_at.is_(None),
                    ~Article.is_seed,
                    exists().where(ArticleTopic.article_id == Article.id),
                )
                # Publication time, then the text's hash: never arrival order (fetched_at) nor
                # which feed carried it (the id), which vary from run to run.
                .order_by(Article.published_at, Article.content_hash, Article.id)
            )
            ids = list(session.scalars(query.limit(limit) if limit else query))
        recurring: dict[int, frozenset[str]] = {}
        for start in range(0, len(ids), BATCH):
            if should_stop is not None and should_stop():
                report.stopped = True
                break
            batch = ids[start : start + BATCH]
            try:
                analyses = self._analyse(batch, recurring)
            except Exception as exc:  # the batch is retried one by one
                log.warning("dedup: analysing a batch failed (%s); one at a time", exc)
                analyses = {}
            for article_id in batch:
                if should_stop is not None and should_stop():
                    report.stopped = True
                    break
                try:
                    decision = self.classify_one(article_id, analyses.get(article_id))
                except Exception as exc:  # one article must not stop the others
                    log.exception("dedup failed for article %s", article_id)
                    report.failed.append(f"{article_id}: {type(exc).__name__}: {exc}")
                    continue
                if decision is not None:
                    report.count(decision)
            if report.stopped:
                break
        return report

    def _analyse(
        self, ids: Sequence[str], recurring: dict[int, frozenset[str]]
    ) -> dict[str, Analysis]:
        """Analyses of a batch of stored articles, their leads embedded together."""
        with self.db.session() as session:
            articles = list(session.scalars(select(Article).where(Article.id.in_(ids))))
            texts = [_text_of(a, self._recurring(session, a.feed_id, recurring)) for a in articles]
        return {
            a.id: analysis
            for a, analysis in zip(articles, self.index.analyse_many(texts), strict=True)
        }

    def _recurring(
        self, session: Session, feed_id: int | None, cache: dict[int, frozenset[str]]
    ) -> frozenset[str]:
        """The lines a feed repeats in many of its items (its own boilerplate)."""
        if feed_id is None:
            return frozenset()
        if feed_id not in cache:
            texts = session.scalars(
                select(Article.text)
                .where(Article.feed_id == feed_id)
                .order_by(Article.published_at.desc(), Article.id)
                .limit(FEED_SAMPLE)
            )
            cache[feed_id] = recurring_lines(list(texts))
        return cache[feed_id]

    def classify_one(self, article_id: str, analysis: Analysis | None = None) -> Decision | None:
        """Decide about one stored article and commit the decision, then make it known."""
        index = self.index
        if article_id in index:
            return None
        with self.db.session() as session:
            article = session.get(Article, article_id)
            if article is None or article.deduped_at is not None:
                return None
            if analysis is None:
                recurring = self._recurring(session, article.feed_id, {})
                analysis = index.analyse(_text_of(article, recurring))
            decision = index.classify(analysis)
            story_id = decision.story_id
            if story_id is None:
                story = Story(title=article.title)
                session.add(story)
                session.flush()
                story_id = story.id
                decision = _with_story(decision, story_id)
            signature = index.learned(analysis, decision)
            self._record(session, article, decision, signature)
        # Committed: now (and only now) the article becomes known.
        index.add(article_id, signature, story_id)
        return decision

    def _story_factory(self, session: Session) -> Callable[[], int]:
        def new_story() -> int:
            story = Story(title="")
            session.add(story)
            session.flush()
            return story.id

        return new_story

    @staticmethod
    def _record(
        session: Session, article: Article, decision: Decision, signature: Signature
    ) -> None:
        now = datetime.now(UTC)
        article.status = decision.status
        article.story_id = decision.story_id
        article.dedup_layer = decision.layer
        article.score = decision.score
        article.duplicate_of_id = decision.nearest_id if decision.status != "new_story" else None
        article.novel_sentences = list(decision.novel_sentences)
        article.dedup_evidence = decision.to_dict()
        article.deduped_at = now
        story = session.get(Story, decision.story_id) if decision.story_id is not None else None
        if story is not None:
            story.updated_at = now
        _store_signature(session, article.id, signature)


def _store_signature(session: Session, article_id: str, signature: Signature) -> None:
    """Insert or replace an article's stored signature."""
    blob = signature.to_bytes()
    existing = session.get(ArticleSignature, article_id)
    if existing is None:
        session.add(ArticleSignature(article_id=article_id, signature=blob))
    else:
        existing.signature = blob


def _with_story(decision: Decision, story_id: int) -> Decision:
    return replace(decision, story_id=story_id)
