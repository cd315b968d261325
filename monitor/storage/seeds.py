"""Queries on the seed corpus for showing it: ``newsmon status`` and ``newsmon seeds list``.

Why a module of its own: a seed's text can be megabytes, and a listing needs
its id, title and date only.  These queries select those columns (and the
text's length, computed by the database) instead of whole ``Article`` rows,
so listing the corpus costs the same whatever its seeds weigh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.storage.models import Article


@dataclass(frozen=True)
class SeedSummary:
    """A seed as a listing shows it."""

    id: str
    title: str
    published_at: datetime | None
    seed_path: str | None
    chars: int | None  # the text's length, when asked for


def seed_summaries(session: Session, *, with_chars: bool = False) -> list[SeedSummary]:
    """Every seed in id order, without its text (``with_chars``: with the text's length)."""
    length = func.length(Article.text) if with_chars else None
    columns = [Article.id, Article.title, Article.published_at, Article.seed_path]
    query = select(*columns, *([length.label("chars")] if length is not None else []))
    rows = session.execute(query.where(Article.is_seed).order_by(Article.id)).all()
    return [
        SeedSummary(
            id=row.id,
            title=row.title,
            published_at=row.published_at,
            seed_path=row.seed_path,
            chars=row.chars if with_chars else None,
        )
        for row in rows
    ]


def count_seeds(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article).where(Article.is_seed)) or 0


def count_unclustered_seeds(session: Session) -> int:
    """Seeds not in a story yet: at start, newsmon clusters them before anything else."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Article)
            .where(Article.is_seed, Article.story_id.is_(None))
        )
        or 0
    )
