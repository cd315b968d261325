"""Queries on feeds: syncing the config file's feeds into the database, listing, health.

Feeds from the config file are marked ``origin = "config"``; a feed that
disappears from the file is disabled, not deleted, so its articles and
history stay (``newsmon feeds remove`` deletes for real).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config import FeedSettings
from monitor.storage.models import Feed

REMOVED_FROM_CONFIG = "removed from the config file"


@dataclass
class FeedSyncReport:
    added: int = 0
    updated: int = 0
    disabled: int = 0


def sync_config_feeds(session: Session, feeds: Iterable[FeedSettings]) -> FeedSyncReport:
    report = FeedSyncReport()
    wanted = {f.url: f for f in feeds}
    rows = {f.url: f for f in session.scalars(select(Feed))}
    for url, conf in wanted.items():
        row = rows.get(url)
        if row is None:
            session.add(
                Feed(
                    url=url,
                    name=conf.name,
                    enabled=conf.enabled,
                    origin="config",
                    interval_s=conf.interval,
                    full_text=conf.full_text,
                )
            )
            report.added += 1
            continue
        changed = (row.name, row.interval_s, row.full_text, row.origin) != (
            conf.name or row.name,
            conf.interval,
            conf.full_text,
            "config",
        )
        if not conf.enabled and row.enabled:
            row.enabled, row.disabled_reason, changed = False, "disabled in the config file", True
        elif (
            conf.enabled
            and not row.enabled
            and row.disabled_reason
            in (
                REMOVED_FROM_CONFIG,
                "disabled in the config file",
            )
        ):
            row.enabled, row.disabled_reason, changed = True, None, True
        if changed:
            row.name = conf.name or row.name
            row.interval_s, row.full_text, row.origin = conf.interval, conf.full_text, "config"
            report.updated += 1
    for url, row in rows.items():
        if row.origin == "config" and url not in wanted and row.enabled:
            row.enabled, row.disabled_reason = False, REMOVED_FROM_CONFIG
            report.disabled += 1
    return report


def count_feeds(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Feed)) or 0


def last_fetch_time(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Feed.last_fetched_at)))


def next_fetch_time(session: Session, now: datetime) -> datetime | None:
    """When the next enabled feed is due; ``now`` if one was never fetched."""
    enabled = select(Feed).where(Feed.enabled)
    if session.scalar(
        select(func.count()).select_from(enabled.where(Feed.next_due_at.is_(None)).subquery())
    ):
        return now
    return session.scalar(select(func.min(Feed.next_due_at)).where(Feed.enabled))
