"""``newsmon feeds add|list|remove|import|export``.

Feed URLs are shown with their credentials masked (``user:***@``); the
database keeps them, since polling needs them, and so does ``feeds
export``, whose OPML is a backup meant to be imported again.  Input the
database cannot store (a URL over its column, a name too long) is refused
with one line before anything is fetched or written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from monitor.cli.common import console, emit_json, err_console, iso, state
from monitor.config import FetchSettings, parse_duration
from monitor.errors import FeedError
from monitor.urls_display import mask_url, mask_urls_in

if TYPE_CHECKING:
    from monitor.storage.models import Feed

app = typer.Typer(help="Add, list, remove, import and export feeds.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print JSON.")


async def resolve_feed_url(url: str, settings: FetchSettings) -> tuple[str, str | None]:
    """The feed URL to subscribe to and its title: ``url`` itself if it is a feed,
    else the first feed the HTML page announces with <link rel="alternate">."""
    from monitor.fetch.client import FEED_ACCEPT, Fetcher
    from monitor.parse.discover import discover_feeds
    from monitor.parse.feed import looks_like_html, parse_feed

    async with Fetcher(settings) as fetcher:
        response = await fetcher.get(url, accept=FEED_ACCEPT)
        if response.status >= 400:
            raise FeedError(url, f"HTTP {response.status}")
        if looks_like_html(response.body):
            page = response.body.decode(response.charset or "utf-8", "replace")
            candidates = discover_feeds(page, response.url)
            if not candidates:
                raise FeedError(url, "not a feed, and the page links to no feed")
            return await resolve_feed_url(candidates[0], settings)
        parsed = parse_feed(response.body, dict(response.headers), url)
        return response.permanent_url or url, parsed.title


def _refuse(message: str) -> typer.Exit:
    """A usage error as one line on stderr (exit 2), rather than click's boxed usage text."""
    err_console.print(f"newsmon: error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(2)


def _check_url(url: str) -> None:
    from monitor.storage.feeds import feed_url_problem
    from monitor.storage.limits import shorten

    if (problem := feed_url_problem(url)) is not None:
        raise _refuse(f"cannot add {shorten(mask_url(url))}: {problem}")


def _masked(text: str | None) -> str | None:
    return mask_urls_in(text) if text else text


def feed_record(feed: Feed) -> dict[str, Any]:
    """A feed as printed and listed (and the console shows it): credentials masked."""
    return {
        "id": feed.id,
        "url": mask_url(feed.url),
        "name": feed.name or feed.title,
        "enabled": feed.enabled,
        "origin": feed.origin,
        "interval_s": feed.interval_s,
        "full_text": feed.full_text,
        "last_status": feed.last_status,
        "last_fetched_at": iso(feed.last_fetched_at),
        "last_success_at": iso(feed.last_success_at),
        "consecutive_errors": feed.consecutive_errors,
        "last_error": _masked(feed.last_error),
        "last_warning": _masked(feed.last_warning),
        "next_due_at": iso(feed.next_due_at),
        "disabled_reason": _masked(feed.disabled_reason),
    }


@app.command("add")
def add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="Feed URL, or a web page that links to its feed."),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    interval: str | None = typer.Option(None, "--interval", help="Polling interval, e.g. 15m, 1h."),
    full_text: bool = typer.Option(False, "--full-text", help="Extract each article's full text."),
    no_check: bool = typer.Option(False, "--no-check", help="Add without fetching it first."),
    as_json: bool = JSON,
) -> None:
    """Subscribe to a feed; a web page's own feed is found through its <link rel="alternate">."""
    from monitor.storage.feeds import add_feed
    from monitor.storage.limits import FEED_NAME_MAX, without_nul

    st = state(ctx)
    try:
        seconds = int(parse_duration(interval)) if interval else None  # type: ignore[call-overload]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--interval") from None
    if name is not None and len(name) > FEED_NAME_MAX:
        raise _refuse(f"--name is {len(name):,} characters; a name has at most {FEED_NAME_MAX}")
    _check_url(url)
    title = None
    feed_url = url
    if not no_check:
        try:
            feed_url, title = asyncio.run(resolve_feed_url(url, st.settings.fetch))
        except FeedError as exc:  # one line, as main() prints it, but with the password masked
            err_console.print(f"newsmon: error: {mask_urls_in(str(exc))}", markup=False)
            raise typer.Exit(1) from None
        _check_url(feed_url)  # the feed a page links to may be another URL
    with st.db.session() as session:
        feed, created = add_feed(
            session, feed_url, name=name, interval_s=seconds, full_text=full_text
        )
        feed.title = feed.title or without_nul(title)
        row = feed_record(feed)
    if as_json:
        emit_json({"created": created, "feed": row})
        return
    found = f" (found on {mask_url(url)})" if feed_url != url else ""
    verb = "Added" if created else "Already subscribed, updated"
    console.print(
        f"{verb} feed {row['id']}: {row['url']}{found}" + (f" — {title}" if title else ""),
        markup=False,
    )


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON) -> None:
    """List feeds with their health: last status, errors, next poll."""
    from monitor.storage.feeds import list_feeds

    with state(ctx).db.session() as session:
        rows = [feed_record(f) for f in list_feeds(session)]
    if as_json:
        emit_json(rows)
        return
    table = Table("id", "feed", "status", "errors", "next poll", "problem")
    for r in rows:
        status = "disabled" if not r["enabled"] else str(r["last_status"] or "new")
        problem = r["disabled_reason"] or r["last_error"] or r["last_warning"] or ""
        table.add_row(
            str(r["id"]),
            r["name"] or r["url"],
            status,
            str(r["consecutive_errors"]),
            (r["next_due_at"] or "now")[:16],
            problem,
        )
    console.print(table)


@app.command("remove")
def remove(
    ctx: typer.Context,
    feed: str = typer.Argument(..., help="Feed id, URL or name."),
    as_json: bool = JSON,
) -> None:
    """Stop polling a feed and forget it (its stored articles stay)."""
    from monitor.storage.feeds import find_feed

    with state(ctx).db.session() as session:
        row = find_feed(session, feed)
        if row is None:
            raise typer.BadParameter(f"no such feed: {feed}", param_hint="FEED")
        removed = feed_record(row)
        if row.origin == "config":
            console.print(
                "[yellow]note[/] this feed is in the config file; remove it there too, "
                "or it comes back at the next start"
            )
        session.delete(row)
    if as_json:
        emit_json({"removed": removed})
    else:
        console.print(f"Removed feed {removed['id']}: {removed['url']}", markup=False)


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="OPML file."),
    as_json: bool = JSON,
) -> None:
    """Subscribe to every feed in an OPML file (as exported by feed readers).

    An outline that cannot be a feed is skipped with one line on stderr; the
    others are imported, all in one transaction.
    """
    from monitor.opml import read_opml
    from monitor.storage.feed_import import import_feeds

    subscriptions = read_opml(path)
    with state(ctx).db.session() as session:
        report = import_feeds(session, ((sub.url, sub.title) for sub in subscriptions))
    for number, url, reason in report.rejected:
        err_console.print(
            f"newsmon: outline {number} skipped ({url}): {reason}", markup=False, soft_wrap=True
        )
    for number, url, note in report.notes:
        err_console.print(
            f"newsmon: outline {number}: {note} ({url})", markup=False, soft_wrap=True
        )
    if as_json:
        emit_json(
            {
                "in_file": report.in_file,
                "added": report.added,
                "existing": report.existing,
                "rejected": [
                    {"outline": number, "url": url, "reason": reason}
                    for number, url, reason in report.rejected
                ],
            }
        )
    else:
        skipped = f", {len(report.rejected)} skipped" if report.rejected else ""
        console.print(
            f"{report.in_file} feeds in {path}, {report.added} new{skipped}", markup=False
        )


@app.command("export")
def export(
    ctx: typer.Context,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
) -> None:
    """Write all feeds as OPML."""
    from monitor.opml import Subscription, write_opml
    from monitor.storage.feeds import list_feeds

    with state(ctx).db.session() as session:
        subs = [Subscription(f.url, f.name or f.title) for f in list_feeds(session)]
    text = write_opml(subs)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
