"""What ``newsmon status`` reports about the database, as one read.

The command renders; the counting lives here, next to the schema it counts,
so a change to a table changes one module.  Everything is ``count(*)`` or a
column select: the status of a database holding megabyte seeds costs the same
as that of an empty one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.storage.articles import count_articles
from monitor.storage.feeds import count_feeds, last_fetch_time, next_fetch_time
from monitor.storage.models import Digest, Story
from monitor.storage.seeds import SeedSummary, count_seeds, seed_summaries


@dataclass(frozen=True)
class Holdings:
    """What the database holds and when the next feed is due."""

    feeds: int
    articles: int
    seeds: int
    stories: int
    digests_pending: int
    seed_list: list[SeedSummary]
    last_fetch: datetime | None
    next_fetch: datetime | None


def holdings(session: Session, now: datetime) -> Holdings:
    """Counts, the seed corpus (without texts) and the fetch times, in one session."""
    return Holdings(
        feeds=count_feeds(session),
        articles=count_articles(session, seeds=False),
        seeds=count_seeds(session),
        stories=session.scalar(select(func.count()).select_from(Story)) or 0,
        digests_pending=session.scalar(
            select(func.count()).select_from(Digest).where(Digest.status == "pending")
        )
        or 0,
        seed_list=seed_summaries(session),
        last_fetch=last_fetch_time(session),
        next_fetch=next_fetch_time(session, now),
    )
