"""``newsmon fetch``: one poll cycle now, by hand."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli.common import console, emit_json, err_console, state
from monitor.urls_display import mask_urls_deep, mask_urls_in

if TYPE_CHECKING:
    from monitor.cycle_report import CycleSummary, FeedResult
    from monitor.runner import CycleOutcome


def fetch(
    ctx: typer.Context,
    feeds: list[str] = typer.Option(
        [],
        "--feed",
        "-f",
        help="Poll only this feed (URL or name); repeat for several. Default: every enabled feed.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document with the results."),
) -> None:
    """Poll feeds now, whether or not they are due, and store their new entries.

    Exits 0 when the cycle ran, even if some feeds failed (their errors are
    listed and stored on the feed); 2 on a configuration or usage error.
    Never runs beside another cycle on the same database (the daemon's, say):
    it then waits for that one and shows its result instead.
    """
    from monitor.cycle import select_jobs
    from monitor.runner import CycleRunner

    st = state(ctx)
    db, settings = st.db, st.settings
    jobs = select_jobs(db, settings, urls=feeds)
    if feeds:
        found = {j.url for j in jobs}
        missing = [f for f in feeds if f not in found and not any(j.label == f for j in jobs)]
        if missing and not jobs:
            raise typer.BadParameter(
                f"no such feed: {', '.join(missing)} (see newsmon feeds list)", param_hint="--feed"
            )
    runner = CycleRunner(db, settings, st.matcher)
    show_progress = not as_json and sys.stdout.isatty() and len(jobs) > 1
    if show_progress:
        progress = Progress(
            TextColumn("fetching"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        task = progress.add_task("feeds", total=len(jobs))

        def advance(_result: FeedResult) -> None:
            progress.advance(task)

        with progress:
            outcome = asyncio.run(runner.run("cli", urls=feeds, on_feed_done=advance))
    else:
        outcome = asyncio.run(runner.run("cli", urls=feeds))
    show_outcome(outcome, as_json)


def show_outcome(outcome: CycleOutcome, as_json: bool) -> None:
    """Print a cycle's result (``newsmon fetch``, ``newsmon trigger fetch``)."""
    if outcome.already_running:
        err_console.print(
            "newsmon: a poll cycle was already running; showing its result",
            markup=False,
            soft_wrap=True,
        )
    if outcome.status == "failed":
        if as_json:  # what ran before the failure, for scripts; the cause goes to stderr
            emit_json(mask_urls_deep(outcome.as_dict()))
        err_console.print(
            f"newsmon: error: the poll cycle failed: {outcome.error}", markup=False, soft_wrap=True
        )
        raise typer.Exit(1)
    if as_json:
        emit_json(mask_urls_deep(outcome.as_dict()))
    elif outcome.report is not None:
        print_report(outcome.report)
    else:
        console.print(f"The poll cycle ended: {outcome.status}.")


def print_report(report: CycleSummary) -> None:
    f, e, d = report.feeds, report.entries, report.dedup
    skipped = f" ({f.skipped} skipped: newsmon was stopping)" if f.skipped else ""
    console.print(
        f"Polled {f.total} feeds in {report.duration_s:.1f} s: {f.ok} ok, "
        f"{f.not_modified} not modified, {f.failed} failed{skipped}; "
        f"{e.seen} entries seen, {e.new} new, [bold]{e.matched} about your topics[/]"
    )
    console.print(
        f"Of those: {d.new_story} new stories, {d.update} updates to known stories, "
        f"{d.duplicate} duplicates set aside"
    )
    if report.errors:
        table = Table("feed", "error", title="Failed feeds", title_justify="left")
        for note in report.errors:
            table.add_row(mask_urls_in(note.feed), mask_urls_in(note.text))
        console.print(table)
    for note in report.warnings:
        console.print(
            f"[yellow]warning[/] {mask_urls_in(note.feed)}: {mask_urls_in(note.text)}",
            soft_wrap=True,
        )
