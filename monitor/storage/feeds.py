"""Queries on feeds: syncing the config file's feeds into the database, listing, health.

Feeds from the config file are marked ``origin = "config"``; a feed that
disappears from the file is disabled, not deleted, so its articles and
history stay (``newsmon feeds remove`` deletes for real).

A feed is the same feed as a URL when its URL or original URL is that URL;
never by its name, which is free text and may well look like another
feed's URL.  Values from outside (a URL from the config file or the command
line, headers and links from a poll) are checked or fitted against the
column sizes first (:mod:`monitor.storage.limits`): PostgreSQL refuses what
does not fit, and would fail the whole transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from monitor.config import FeedSettings
from monitor.storage.limits import (
    FEED_ETAG_MAX,
    FEED_LAST_MODIFIED_MAX,
    FEED_NAME_MAX,
    FEED_SITE_URL_MAX,
    FEED_URL_MAX,
    fit_text,
    fits,
    shorten,
    without_nul,
)
from monitor.storage.models import Feed
from monitor.urls_display import mask_url, mask_urls_in

log = logging.getLogger(__name__)

REMOVED_FROM_CONFIG = "removed from the config file"


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a feed (one line), or None if it can.

    Checked before anything is stored: a URL longer than the column cannot be
    cut (it would point elsewhere), and only http(s) can be polled.
    """
    if len(url) > FEED_URL_MAX:
        return f"URL is {len(url):,} characters, over the {FEED_URL_MAX:,} newsmon stores"
    if any(ord(ch) < 32 or ch.isspace() for ch in url):
        return "URL contains spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"not a valid URL: {exc}"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "not an http(s) URL"
    return None


def feed_name(name: str | None) -> str | None:
    """A display name as stored: NULs dropped, cut to the column (it is only shown)."""
    return fit_text(name, FEED_NAME_MAX) if name else None


@dataclass
class FeedSyncReport:
    added: int = 0
    updated: int = 0
    disabled: int = 0


def sync_config_feeds(session: Session, feeds: Iterable[FeedSettings]) -> FeedSyncReport:
    report = FeedSyncReport()
    wanted = {f.url: f for f in feeds}
    all_rows = list(session.scalars(select(Feed)))
    # A feed is found by the URL it was configured with, even after a
    # permanent redirect changed the URL it is polled at.
    rows = {f.url: f for f in all_rows} | {f.origin_url: f for f in all_rows if f.origin_url}
    for url, conf in list(wanted.items()):
        if (problem := feed_url_problem(url)) is not None:
            log.warning("config feed %s skipped: %s", shorten(mask_url(url)), problem)
            del wanted[url]
            continue
        name = feed_name(conf.name)
        row = rows.get(url)
        if row is None:
            session.add(
                Feed(
                    url=url,
                    origin_url=url,
                    name=name,
                    enabled=conf.enabled,
                    origin="config",
                    interval_s=conf.interval,
                    full_text=conf.full_text,
                    languages=list(conf.languages),
                )
            )
            report.added += 1
            continue
        changed = (row.name, row.interval_s, row.full_text, row.origin, row.languages or []) != (
            name or row.name,
            conf.interval,
            conf.full_text,
            "config",
            list(conf.languages),
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
            row.name = name or row.name
            row.interval_s, row.full_text, row.origin = conf.interval, conf.full_text, "config"
            row.languages = list(conf.languages)
            report.updated += 1
    for row in all_rows:
        if row.origin == "config" and not {row.url, row.origin_url} & set(wanted) and row.enabled:
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


@dataclass
class FeedUpdate:
    """What one poll found out about a feed, to be written with its entries in one commit."""

    fetched_at: datetime
    status: int | None
    ok: bool
    next_due_at: datetime
    error: str | None = None
    warning: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    keep_validators: bool = False  # a failure keeps the last good ETag/Last-Modified/hash
    new_url: str | None = None  # after a permanent redirect
    disable_reason: str | None = None
    title: str | None = None
    site_url: str | None = None
    ttl_s: int | None = None


def apply_feed_update(session: Session, feed_id: int, update: FeedUpdate) -> Feed | None:
    """Write a poll's outcome on the feed row; returns the feed (None if it was removed)."""
    feed = session.get(Feed, feed_id)
    if feed is None:
        return None
    feed.last_fetched_at = update.fetched_at
    feed.last_status = update.status
    feed.next_due_at = update.next_due_at
    if update.ok:
        feed.last_success_at = update.fetched_at
        feed.consecutive_errors = 0
        feed.last_error = None
        feed.last_warning = without_nul(update.warning)
    else:
        feed.consecutive_errors += 1
        feed.last_error = without_nul(update.error)
    if not update.keep_validators:
        # An ETag or date too long to store is dropped: the next poll is unconditional.
        feed.etag = update.etag if fits(update.etag, FEED_ETAG_MAX) else None
        modified = update.last_modified
        feed.last_modified = modified if fits(modified, FEED_LAST_MODIFIED_MAX) else None
        feed.body_hash = update.body_hash or feed.body_hash
    if update.title:
        feed.title = without_nul(update.title)
    if update.site_url:
        feed.site_url = update.site_url if fits(update.site_url, FEED_SITE_URL_MAX) else None
    if update.ttl_s is not None or update.ok:
        feed.ttl_s = update.ttl_s if update.ttl_s is not None else feed.ttl_s
    if update.disable_reason:
        feed.enabled = False
        feed.disabled_reason = without_nul(update.disable_reason)
    if update.new_url and update.new_url != feed.url:
        _move(session, feed, update.new_url)
    return feed


def _move(session: Session, feed: Feed, new_url: str) -> None:
    """Follow a permanent redirect, unless the new URL cannot be stored or is taken."""
    shown = shorten(mask_url(new_url))
    if (problem := feed_url_problem(new_url)) is not None:
        feed.last_warning = f"moved permanently to {shown}, still polled here: {problem}"
        return
    taken = session.scalar(select(Feed.id).where(Feed.url == new_url))
    if taken is None:
        feed.origin_url = feed.origin_url or feed.url
        feed.url = new_url
    else:
        feed.last_warning = mask_urls_in(f"moved permanently to {new_url}, which is already a feed")


def select_feeds(
    session: Session, *, urls: Sequence[str] = (), due_before: datetime | None = None
) -> list[Feed]:
    """Enabled feeds to poll: the named ones (by URL, original URL or name), or those due."""
    query = select(Feed).where(Feed.enabled).order_by(Feed.id)
    if urls:
        query = (
            select(Feed)
            .where(or_(Feed.url.in_(urls), Feed.origin_url.in_(urls), Feed.name.in_(urls)))
            .order_by(Feed.id)
        )
    elif due_before is not None:
        query = query.where(or_(Feed.next_due_at.is_(None), Feed.next_due_at <= due_before))
    return list(session.scalars(query))


def find_feed(session: Session, key: str) -> Feed | None:
    """A feed by id, URL, original URL or name, in that order: a URL finds its own feed
    even when another feed's name happens to be that URL."""
    if key.isdigit():
        return session.get(Feed, int(key))
    for column in (Feed.url, Feed.origin_url, Feed.name):
        found = session.scalars(select(Feed).where(column == key).order_by(Feed.id)).first()
        if found is not None:
            return found
    return None


def feed_by_url(session: Session, url: str) -> Feed | None:
    """The feed polled at ``url`` or first added as ``url`` (never matched by name)."""
    rows = session.scalars(select(Feed).where(or_(Feed.url == url, Feed.origin_url == url)))
    return min(rows, key=lambda feed: (feed.url != url, feed.id), default=None)


def add_feed(
    session: Session,
    url: str,
    *,
    name: str | None = None,
    interval_s: int | None = None,
    full_text: bool = False,
    origin: str = "cli",
) -> tuple[Feed, bool]:
    """Add a feed (or re-enable it); returns the row and whether it is new.

    ``url`` must pass :func:`feed_url_problem` (a ValueError otherwise: callers
    check first, to tell the user in their own words); a long name is cut.
    """
    if (problem := feed_url_problem(url)) is not None:
        raise ValueError(f"{shorten(mask_url(url))}: {problem}")
    name = feed_name(name)
    feed = feed_by_url(session, url)
    if feed is not None:
        feed.enabled, feed.disabled_reason = True, None
        feed.name = name or feed.name
        feed.interval_s = interval_s or feed.interval_s
        feed.full_text = full_text or feed.full_text
        return feed, False
    feed = Feed(
        url=url,
        origin_url=url,
        name=name,
        interval_s=interval_s,
        full_text=full_text,
        origin=origin,
    )
    session.add(feed)
    session.flush()
    return feed, True


def list_feeds(session: Session) -> list[Feed]:
    return list(session.scalars(select(Feed).order_by(Feed.id)))
