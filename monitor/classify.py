"""The dedup stage: decide for each new article whether it is news.

:mod:`monitor.dedup` is the pure engine; this module feeds it stored
articles and records its decisions.  Articles are classified after they
are stored, oldest first, a batch at a time: a batch is read in one query,
its leads embedded in one call, and its decisions (with each article's
signature and story) committed in one transaction, as the poll cycle groups
its feeds' writes (a commit per article cost more than the engine).  So a
crash loses nothing: an article whose decision is not committed still has
``deduped_at IS NULL`` and is picked up by the next run.  Each article
joins the in-memory index as soon as it is decided (the next one is
compared with it); if the batch's transaction fails, the index is dropped
and rebuilt from the stored signatures (without reading any text), and the
batch is redone one article per transaction, so the index never keeps what
the database does not, and one refused write costs only its article.

Only articles that matched a topic are classified: the others are never
reported, so there is nothing to decide about them.  Seeds are the known
world: they are clustered together at first start, like any article.

Order does not matter: pending articles are taken by publication time and
then by the hash of their text (never by arrival, nor by the feed that
carried them), so two runs over the same articles make the same stories
whatever order a cycle stored them in.  A feed's own boilerplate (the
same line in many of its items) is found from its stored items and set
aside as page furniture.

Readers' feedback (:mod:`monitor.feedback.actions`) is honoured from then on: an
article a reader corrected is never decided again, and the warm index is
rebuilt when feedback changed a decision since it was loaded (checked before
each batch: one small query), after recomputing what each corrected article
teaches its story, so later copies of an article follow it to the story a
reader moved it to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, func, or_, select
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
from monitor.feedback.relearn import relearn_corrected
from monitor.storage import Article, ArticleSignature, Database, Story
from monitor.storage.decisions import (
    latest_texts,
    new_story,
    pending_ids,
    store_signature,
    stored_signatures,
    touch_stories,
)
from monitor.storage.feedback import last_article_feedback

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
        self._feedback_seen = 0  # the newest decision-changing feedback the index reflects

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

    def follow_feedback(self) -> bool:
        """Drop the warm index when readers' feedback changed a decision since it was loaded
        (it is rebuilt on next use, from the stories as they now are); True if dropped."""
        if self._index is None:
            return False
        with self.db.session() as session:
            latest = last_article_feedback(session)
        if latest == self._feedback_seen:
            return False
        log.info("dedup: readers' feedback changed decisions; reloading the index")
        self._index = None
        return True

    def _texts(self, session: Session, articles: Sequence[Article]) -> list[ArticleText]:
        """What the engine reads of stored articles, their feeds' boilerplate set aside."""
        recurring: dict[int, frozenset[str]] = {}
        self._load_recurring(session, {a.feed_id for a in articles}, recurring)
        return [_text_of(a, self._recurring(session, a.feed_id, recurring)) for a in articles]

    def _load(self) -> DedupIndex:
        relearn_corrected(self.db, self.settings, self.encoder, self._texts)
        with self.db.session() as session:
            # Read first: feedback given while this loads makes the next batch reload again.
            self._feedback_seen = last_article_feedback(session)
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
                self._load_recurring(session, {a.feed_id for a in stale}, recurring)
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
                    store_signature(session, article.id, signature.to_bytes())
                    if article.story_id is not None:
                        index.add(article.id, signature, article.story_id, seed=article.is_seed)
        log.debug("dedup index: %d articles", len(index))
        return index

    def cluster_seeds(self) -> int:
        """Cluster the seeds that have no story yet (all of them at first start)."""
        try:  # a failure, the commit's included: the index saw what the database did not keep
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
                decisions = index.cluster(
                    [_text_of(a) for a in seeds], new_story_id=self._story_factory(session)
                )
                now = datetime.now(UTC)
                for article, decision in zip(seeds, decisions, strict=True):
                    self._record(session, article, decision, index.signature(article.id), now)
                    if decision.status == "new_story":
                        story = session.get(Story, decision.story_id)
                        if story is not None:
                            story.title = article.title
                touch_stories(session, {d.story_id: now for d in decisions if d.story_id})
        except Exception:
            self._index = None
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
            ids = pending_ids(session, limit)
        recurring: dict[int, frozenset[str]] = {}
        stop = should_stop or (lambda: False)
        for start in range(0, len(ids), BATCH):
            if stop():
                report.stopped = True
                break
            batch = ids[start : start + BATCH]
            try:
                self._classify_batch(batch, recurring, report, stop)
            except Exception as exc:  # rolled back: the batch again, one transaction each
                self._index = None  # it saw what the database did not keep
                log.warning("dedup: a batch failed (%s); one article at a time", exc)
                self._classify_each(batch, report, stop)
            if report.stopped:
                break
        return report

    def _classify_batch(
        self,
        ids: Sequence[str],
        recurring: dict[int, frozenset[str]],
        report: ClassifyReport,
        stop: Callable[[], bool],
    ) -> None:
        """Decide a batch in one transaction, committed at the end (as the poll cycle groups
        its feeds' writes): one query reads the batch, one its feeds' items, one commit.

        Each article joins the index as soon as it is decided, since the next one must be
        compared with it; if anything fails after a write began, the whole transaction
        rolls back and the caller drops the index (rebuilt from the database), so
        nothing the database lacks stays known.  The engine failing on one article
        before anything of it is written costs only that article, as before."""
        self.follow_feedback()
        index = self.index
        decided: list[Decision] = []
        failed: list[str] = []
        with self.db.session() as session:
            wanted = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(ids)))}
            articles = [
                wanted[i] for i in ids if i in wanted and _undecided(wanted[i]) and i not in index
            ]
            self._load_recurring(session, {a.feed_id for a in articles}, recurring)
            texts = [_text_of(a, recurring.get(a.feed_id or -1, frozenset())) for a in articles]
            try:
                analyses: list[Analysis | None] = list(index.analyse_many(texts))
            except Exception as exc:  # analysed one by one below
                log.warning("dedup: analysing a batch failed (%s); one at a time", exc)
                analyses = [None] * len(texts)
            stored = stored_signatures(session, ids)
            touched: dict[int, datetime] = {}
            for article, text, analysis in zip(articles, texts, analyses, strict=True):
                if stop():
                    report.stopped = True
                    break
                try:  # the engine alone: nothing of this article is written yet
                    known = analysis if analysis is not None else index.analyse(text)
                    decision = index.classify(known)
                    signature = index.learned(known, decision)
                except Exception as exc:  # one article must not stop the others
                    log.exception("dedup failed for article %s", article.id)
                    failed.append(f"{article.id}: {type(exc).__name__}: {exc}")
                    continue
                if decision.story_id is None:
                    decision = _with_story(decision, new_story(session, article.title))
                assert decision.story_id is not None
                now = datetime.now(UTC)
                self._record(session, article, decision, signature, now, stored)
                touched[decision.story_id] = now
                index.add(article.id, signature, decision.story_id)
                decided.append(decision)
            touch_stories(session, touched)
        for decision in decided:  # committed
            report.count(decision)
        report.failed.extend(failed)

    def _classify_each(
        self, ids: Sequence[str], report: ClassifyReport, stop: Callable[[], bool]
    ) -> None:
        """A batch one article per transaction: a bad one costs only itself."""
        for article_id in ids:
            if stop():
                report.stopped = True
                return
            try:
                decision = self.classify_one(article_id)
            except Exception as exc:
                log.exception("dedup failed for article %s", article_id)
                report.failed.append(f"{article_id}: {type(exc).__name__}: {exc}")
                continue
            if decision is not None:
                report.count(decision)

    def _load_recurring(
        self, session: Session, feed_ids: set[int | None], cache: dict[int, frozenset[str]]
    ) -> None:
        """:meth:`_recurring` for many feeds in one query."""
        missing = {f for f in feed_ids if f is not None and f not in cache}
        for feed_id, texts in latest_texts(session, missing, FEED_SAMPLE).items():
            cache[feed_id] = recurring_lines(texts)

    def _recurring(
        self, session: Session, feed_id: int | None, cache: dict[int, frozenset[str]]
    ) -> frozenset[str]:
        """The lines a feed repeats in many of its items (its own boilerplate)."""
        if feed_id is None:
            return frozenset()
        if feed_id not in cache:
            self._load_recurring(session, {feed_id}, cache)
        return cache[feed_id]

    def classify_one(self, article_id: str, analysis: Analysis | None = None) -> Decision | None:
        """Decide about one stored article and commit the decision, then make it known."""
        self.follow_feedback()
        index = self.index
        if article_id in index:
            return None
        with self.db.session() as session:
            article = session.get(Article, article_id)
            if article is None or not _undecided(article):
                return None
            if analysis is None:
                recurring = self._recurring(session, article.feed_id, {})
                analysis = index.analyse(_text_of(article, recurring))
            decision = index.classify(analysis)
            if decision.story_id is None:
                decision = _with_story(decision, new_story(session, article.title))
            story_id = decision.story_id
            assert story_id is not None
            signature = index.learned(analysis, decision)
            now = datetime.now(UTC)
            self._record(session, article, decision, signature, now)
            touch_stories(session, {story_id: now})
        # Committed: now (and only now) the article becomes known.
        index.add(article_id, signature, story_id)
        return decision

    def _story_factory(self, session: Session) -> Callable[[], int]:
        return lambda: new_story(session, "")

    @staticmethod
    def _record(
        session: Session,
        article: Article,
        decision: Decision,
        signature: Signature,
        now: datetime,
        stored: dict[str, ArticleSignature] | None = None,
    ) -> None:
        """Write a decision on its article, and its signature.  The story's ``updated_at`` is
        the caller's (``touch_stories``, once per batch); ``stored``: the batch's existing
        signature rows, read together (None: looked up here)."""
        article.status = decision.status
        article.story_id = decision.story_id
        article.dedup_layer = decision.layer
        article.score = decision.score
        article.duplicate_of_id = decision.nearest_id if decision.status != "new_story" else None
        article.novel_sentences = list(decision.novel_sentences)
        article.dedup_evidence = decision.to_dict()
        article.deduped_at = now
        store_signature(session, article.id, signature.to_bytes(), stored)


def _with_story(decision: Decision, story_id: int) -> Decision:
    return replace(decision, story_id=story_id)


def _undecided(article: Article) -> bool:
    """Not decided yet, and not decided by a reader: feedback is never overruled."""
    return article.deduped_at is None and article.feedback_at is None
