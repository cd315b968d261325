"""Queries on articles: storing seeds, listing them, counting.

Seeds are upserted by id (the file stem): loading the same folder twice
changes nothing, and editing a seed file updates its row in place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from monitor.seeds import SeedDoc
from monitor.storage.limits import ARTICLE_ID_MAX, ARTICLE_URL_MAX, shorten, storable, without_nul
from monitor.storage.models import Article
from monitor.text import content_hash

log = logging.getLogger(__name__)


@dataclass
class SeedLoadReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert_seeds(session: Session, docs: Iterable[SeedDoc]) -> SeedLoadReport:
    """Insert new seeds, update changed ones, leave identical ones alone.

    Values are made to fit their columns (:mod:`monitor.storage.limits`): NULs
    go, a URL too long to store is dropped, and a seed whose id (its file stem)
    is too long is skipped with one warning, so one odd file costs no other seed.
    """
    report = SeedLoadReport()
    docs = [_storable(doc) for doc in docs if _id_fits(doc)]
    # Only what the comparison needs: a stored seed's text can be megabytes.
    columns = load_only(Article.id, Article.content_hash, Article.published_at)
    existing = {
        a.id: a
        for a in session.scalars(
            select(Article).options(columns).where(Article.id.in_([d.id for d in docs]))
        )
    }
    for doc in docs:
        digest = content_hash(f"{doc.title}\n{doc.text}")
        row = existing.get(doc.id)
        if row is None:
            session.add(
                Article(
                    id=doc.id,
                    is_seed=True,
                    seed_path=str(doc.path),
                    title=doc.title,
                    text=doc.text,
                    url=doc.url,
                    published_at=doc.published,
                    content_hash=digest,
                )
            )
            report.added += 1
        elif row.content_hash != digest or row.published_at != doc.published:
            row.title, row.text, row.url = doc.title, doc.text, doc.url
            row.published_at, row.content_hash = doc.published, digest
            row.is_seed, row.seed_path = True, str(doc.path)
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _id_fits(doc: SeedDoc) -> bool:
    if len(doc.id) <= ARTICLE_ID_MAX and "\x00" not in doc.id:
        return True
    log.warning(
        "seed %s (%s) skipped: its id is over the %d characters newsmon stores",
        shorten(doc.id),
        doc.path,
        ARTICLE_ID_MAX,
    )
    return False


def _storable(doc: SeedDoc) -> SeedDoc:
    url = without_nul(doc.url)
    return replace(
        doc,
        title=storable(doc.title),
        text=storable(doc.text),
        url=url if url is None or len(url) <= ARTICLE_URL_MAX else None,
    )


def list_seeds(session: Session) -> list[Article]:
    return list(session.scalars(select(Article).where(Article.is_seed).order_by(Article.id)))


def count_articles(session: Session, *, seeds: bool) -> int:
    return (
        session.scalar(select(func.count()).select_from(Article).where(Article.is_seed == seeds))
        or 0
    )


@dataclass(frozen=True)
class DecisionMark:
    """How many articles are decided, the newest decision, the newest correction: changes
    whenever any process classifies or a reader corrects a decision (the count changes
    too, so it holds whatever the machines' clocks say).  What a cache of decisions (a
    warm classifier's index, a rendered feed) compares to know it is still current."""

    decided: int
    newest: datetime | None
    newest_feedback: datetime | None


def decision_mark(session: Session) -> DecisionMark:
    """The current :class:`DecisionMark` (an indexed count and two maxima)."""
    decided, newest = session.execute(
        select(func.count(), func.max(Article.deduped_at)).where(Article.deduped_at.is_not(None))
    ).one()
    feedback = session.scalar(select(func.max(Article.feedback_at)))
    return DecisionMark(int(decided), newest, feedback)
