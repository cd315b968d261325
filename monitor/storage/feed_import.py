"""Importing many feeds at once (``newsmon feeds import``): one pass, whatever the count.

Adding feeds one by one costs a lookup and a flush each, and the lookup
used to scan the unindexed name column too: 20,000 outlines took a minute,
100,000 never finished.  Here the existing feeds' URLs are read once into a
dict, and the new feeds go in as one bulk INSERT (batched by SQLAlchemy),
the re-enabled ones as one bulk UPDATE.  Outlines are matched by URL and
original URL only, never by name (see :mod:`monitor.storage.feeds`).

An outline that cannot be a feed (a URL too long to store, not http(s)) is
rejected with one line of reason and the others are imported; a title too
long for the name column is cut, with a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from monitor.storage.feeds import feed_name, feed_url_problem
from monitor.storage.limits import FEED_NAME_MAX, shorten
from monitor.storage.models import Feed
from monitor.urls_display import mask_url


@dataclass
class ImportReport:
    """What an import did; outlines are numbered from 1 in file order, URLs masked."""

    in_file: int = 0
    added: int = 0
    existing: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # number, URL, reason
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # number, URL, what changed


def import_feeds(
    session: Session, outlines: Iterable[tuple[str, str | None]], *, origin: str = "cli"
) -> ImportReport:
    """Subscribe to each ``(url, title)``; a feed already there is re-enabled (and renamed
    when the outline has a title), as ``newsmon feeds add`` does."""
    report = ImportReport()
    known = _known_feeds(session)
    updates: dict[int, dict[str, Any]] = {}
    new: dict[str, dict[str, Any]] = {}
    for number, (url, title) in enumerate(outlines, start=1):
        report.in_file += 1
        if (problem := feed_url_problem(url)) is not None:
            report.rejected.append((number, shorten(mask_url(url)), problem))
            continue
        name = feed_name(title)
        if title and name != title:
            note = f"title cut to {FEED_NAME_MAX} characters"
            report.notes.append((number, shorten(mask_url(url)), note))
        if url in new:  # twice in the file: the first outline wins, a later title renames
            new[url]["name"] = name or new[url]["name"]
            continue
        found = known.get(url)
        if found is None:
            new[url] = {"url": url, "origin_url": url, "name": name, "origin": origin}
            continue
        report.existing += 1
        feed_id, enabled, current = found
        if not enabled or (name and name != current):
            changes = updates.setdefault(feed_id, {"id": feed_id})
            changes.update(enabled=True, disabled_reason=None, name=name or current)
    if updates:
        session.execute(update(Feed), list(updates.values()))
    if new:
        session.execute(insert(Feed), list(new.values()))
    report.added = len(new)
    return report


def _known_feeds(session: Session) -> dict[str, tuple[int, bool, str | None]]:
    """(id, enabled, name) by URL and by original URL; a feed's own URL wins over
    another feed's original URL, and among equals the oldest feed."""
    rows = session.execute(
        select(Feed.id, Feed.url, Feed.origin_url, Feed.enabled, Feed.name).order_by(Feed.id)
    ).all()
    known: dict[str, tuple[int, bool, str | None]] = {}
    for feed_id, _, origin_url, enabled, name in rows:
        if origin_url:
            known.setdefault(origin_url, (feed_id, enabled, name))
    for feed_id, url, _, enabled, name in rows:
        known[url] = (feed_id, enabled, name)
    return known
