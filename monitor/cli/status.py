"""``newsmon init`` and ``newsmon status``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from monitor.cli.common import console, emit_json, iso, state
from monitor.config import Settings

if TYPE_CHECKING:
    from monitor.storage import Database

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document instead of a table.")


def init(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Create or upgrade the database and load the seed corpus.

    Safe to run any number of times: the schema is only upgraded when a
    newer one exists, and seeds are only added or updated when their files
    changed.  Every other command does this on its own at start, too.
    """
    st = state(ctx)
    db = st.db
    report = st.start_report
    assert report is not None, "opening the database reports what it did"
    data = {
        "database": db.url,
        "revision": report.revision,
        "migrated": report.migrated,
        "seeds": {
            "added": report.seeds.added,
            "updated": report.seeds.updated,
            "unchanged": report.seeds.unchanged,
            "skipped": [str(e) for e in report.seed_errors],
        },
        "feeds": {
            "added": report.feeds.added,
            "updated": report.feeds.updated,
            "disabled": report.feeds.disabled,
        },
    }
    if as_json:
        emit_json(data)
        return
    console.print(
        f"Database [bold]{db.url}[/] at revision {report.revision}"
        + (" (upgraded)" if report.migrated else " (up to date)")
    )
    s = report.seeds
    console.print(
        f"Seeds: {s.added} added, {s.updated} updated, {s.unchanged} unchanged"
        + (f", {len(report.seed_errors)} skipped (see warnings)" if report.seed_errors else "")
    )
    f = report.feeds
    console.print(f"Feeds from config: {f.added} added, {f.updated} updated, {f.disabled} disabled")


def collect_status(settings: Settings, db: Database, now: datetime) -> dict[str, Any]:
    """Everything ``newsmon status`` reports, as plain data (the queries are in
    :mod:`monitor.storage.status`)."""
    from monitor.cron import cron_trigger
    from monitor.runner import last_cycle
    from monitor.storage import migrate
    from monitor.storage.status import holdings

    trigger = cron_trigger(settings.digest.schedule, settings.digest.timezone)
    cycle = last_cycle(db)
    with db.session() as session:
        held = holdings(session, now)
    return {
        "database": {
            "url": db.url,
            "backend": db.engine.dialect.name,
            "revision": migrate.current_revision(db.engine),
        },
        "counts": {
            "feeds": held.feeds,
            "articles": held.articles,
            "seeds": held.seeds,
            "stories": held.stories,
            "digests_pending": held.digests_pending,
        },
        "seeds": [
            {"id": s.id, "title": s.title, "published": iso(s.published_at)} for s in held.seed_list
        ],
        "last_fetch": iso(held.last_fetch),
        "last_cycle": None
        if cycle is None
        else {
            "trigger": cycle.trigger,
            "status": cycle.status,
            "finished_at": iso(cycle.finished_at),
        },
        "next_runs": {
            "fetch": iso(held.next_fetch),
            "digest": iso(trigger.get_next_fire_time(None, now)),
        },
    }


def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show the database, what it holds, and when newsmon will next fetch and send."""
    st = state(ctx)
    data = collect_status(st.settings, st.db, datetime.now(UTC))
    if as_json:
        emit_json(data)
        return
    db, counts, runs = data["database"], data["counts"], data["next_runs"]
    console.print(f"Database  {db['url']} ({db['backend']}, revision {db['revision']})")
    console.print(
        f"Holds     {counts['feeds']} feeds, {counts['articles']} articles, "
        f"{counts['seeds']} seeds, {counts['stories']} stories, "
        f"{counts['digests_pending']} digests pending"
    )
    console.print(f"Last fetch  {data['last_fetch'] or 'never'}")
    if data["last_cycle"]:
        c = data["last_cycle"]
        console.print(f"Last cycle  {c['finished_at']} ({c['trigger']}, {c['status']})")
    console.print(f"Next fetch  {runs['fetch'] or 'no enabled feeds'}")
    console.print(f"Next digest {runs['digest']} ({st.settings.digest.timezone})")
    table = Table("seed", "published", "title", title="Seed corpus", title_justify="left")
    for seed in data["seeds"]:
        table.add_row(seed["id"], (seed["published"] or "")[:10], seed["title"])
    console.print(table)
