"""What an article a reader corrected teaches its story, recomputed before the index loads.

An article's stored signature carries the sentence embeddings it teaches its story, and
which ones depends on its decision: every sentence of a story's first article, the novel
ones of an update, none of a copy (:mod:`monitor.dedup.teaching`).  A reader who changes
the decision changes that too: an article made a story of its own must teach its new story
what it says, or the story's next report would look all new.  An article a reader calls
"not new" (or a retelling of another story) teaches every sentence, as a seed does: the
reader knows it.  Signatures stored before the feedback (``feedback_at`` later than the
row's ``created_at``) are recomputed from the text, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.dedup import ArticleText, DedupIndex, DedupSettings
from monitor.dedup.encoder import Encoder
from monitor.storage import Article, Database
from monitor.storage.decisions import store_signature, stored_signatures
from monitor.storage.feedback import stale_after_feedback

log = logging.getLogger(__name__)

TextsOf = Callable[[Session, Sequence[Article]], list[ArticleText]]


def relearn_corrected(
    db: Database, settings: DedupSettings, encoder: Encoder | None, texts_of: TextsOf
) -> int:
    """Recompute and store the signatures that predate their article's feedback; returns how
    many.  ``texts_of`` builds what the engine reads of stored articles (the classifier's,
    so a feed's boilerplate is set aside as when the article was first decided)."""
    with db.session() as session:
        ids = stale_after_feedback(session)
        if not ids:
            return 0
        log.info("dedup: recomputing %d signatures after readers' feedback", len(ids))
        articles = list(session.scalars(select(Article).where(Article.id.in_(ids))))
        engine = DedupIndex(settings, encoder)  # analysis only: it reads no index state
        stored = stored_signatures(session, ids)
        now = datetime.now(UTC)
        analyses = engine.analyse_many(texts_of(session, articles))
        for article, analysis in zip(articles, analyses, strict=True):
            known = article.is_seed or article.status == "duplicate"
            signature = engine.relearned(
                analysis, article.status, article.novel_sentences or [], everything=known
            )
            store_signature(session, article.id, signature.to_bytes(), stored)
            stored[article.id].created_at = now
        return len(articles)
