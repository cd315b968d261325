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
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import exists, select
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
from monitor.storage import Article, ArticleSignature, ArticleTopic, Database, Story

log = logging.getLogger(__name__)


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
    return DedupSettings.from_mapping(settings.dedup.model_dump())


def _text_of(article: Article) -> ArticleText:
    return ArticleText(
        id=article.id, text=article.text, title=article.title, published=article.published_at
    )


class Classifier:
    """The dedup index over the database; keep one per process (the daemon keeps it warm)."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = dedup_settings(settings)
        self._index: DedupIndex | None = None

    @property
    def index(self) -> DedupIndex:
        """The index, loaded from stored signatures on first use."""
        if self._index is None:
            self._index = self._load()
        return self._index

    def _load(self) -> DedupIndex:
        with self.db.session() as session:
            rows = session.execute(
                select(ArticleSignature.article_id, Article.story_id, ArticleSignature.signature)
                .join(Article, Article.id == ArticleSignature.article_id)
                .where(Article.story_id.is_not(None))
                .order_by(Article.deduped_at, Article.id)
            )
            stored = (StoredSignature(a, s, bytes(b)) for a, s, b in rows if s is not None)
            index, report = DedupIndex.load(stored, self.settings)
        if report.stale:
            # Signatures made with other settings: recomputed from the text, once.
            log.info("recomputing %d dedup signatures (settings changed)", len(report.stale))
            with self.db.session() as session:
                for article in session.scalars(select(Article).where(Article.id.in_(report.stale))):
                    analysis = index.analyse(_text_of(article))
                    _store_signature(session, article.id, analysis.signature)
                    if article.story_id is not None:
                        index.add(article.id, analysis.signature, article.story_id)
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
                .order_by(Article.published_at, Article.fetched_at, Article.id)
            )
            ids = list(session.scalars(query.limit(limit) if limit else query))
        for article_id in ids:
            if should_stop is not None and should_stop():
                report.stopped = True
                break
            try:
                decision = self.classify_one(article_id)
            except Exception as exc:  # one article must not stop the others
                log.exception("dedup failed for article %s", article_id)
                report.failed.append(f"{article_id}: {type(exc).__name__}: {exc}")
                continue
            if decision is not None:
                report.count(decision)
        return report

    def classify_one(self, article_id: str) -> Decision | None:
        index = self.index
        if article_id in index:
            return None
        with self.db.session() as session:
            article = session.get(Article, article_id)
            if article is None or article.deduped_at is not None:
                return None
            analysis = index.analyse(_text_of(article))
            decision = index.classify(analysis)
            story_id = decision.story_id
            if story_id is None:
                story = Story(title=article.title)
                session.add(story)
                session.flush()
                story_id = story.id
                decision = _with_story(decision, story_id)
            self._record(session, article, decision, analysis.signature)
        # Committed: now (and only now) the article becomes known.
        index.add(article_id, analysis.signature, story_id)
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
