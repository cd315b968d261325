"""Queries on articles: storing seeds, listing them, counting.

Seeds are upserted by id (the file stem): loading the same folder twice
changes nothing, and editing a seed file updates its row in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.seeds import SeedDoc
from monitor.storage.models import Article
from monitor.text import content_hash


@dataclass
class SeedLoadReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert_seeds(session: Session, docs: Iterable[SeedDoc]) -> SeedLoadReport:
    """Insert new seeds, update changed ones, leave identical ones alone."""
    report = SeedLoadReport()
    docs = list(docs)
    existing = {
        a.id: a
        for a in session.scalars(select(Article).where(Article.id.in_([d.id for d in docs])))
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


def list_seeds(session: Session) -> list[Article]:
    return list(session.scalars(select(Article).where(Article.is_seed).order_by(Article.id)))


def count_articles(session: Session, *, seeds: bool) -> int:
    return (
        session.scalar(select(func.count()).select_from(Article).where(Article.is_seed == seeds))
        or 0
    )
