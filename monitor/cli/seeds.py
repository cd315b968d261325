"""``newsmon seeds list|add``: the corpus of articles that count as already known."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from monitor.cli.common import console, emit_json, iso, state
from monitor.errors import SeedError
from monitor.seeds import SEED_SUFFIXES  # in a help text; the module is light (standard library)

log = logging.getLogger(__name__)
app = typer.Typer(help="List the seed corpus or add your own seed articles.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """List the seed articles in the database."""
    from monitor.storage.seeds import seed_summaries

    with state(ctx).db.session() as session:
        summaries = seed_summaries(session, with_chars=True)
    rows: list[dict[str, Any]] = [
        {
            "id": s.id,
            "title": s.title,
            "published": iso(s.published_at),
            "path": s.seed_path,
            "chars": s.chars,
        }
        for s in summaries
    ]
    if as_json:
        emit_json(rows)
        return
    table = Table("id", "published", "chars", "title")
    for row in rows:
        table.add_row(row["id"], (row["published"] or "")[:10], str(row["chars"]), row["title"])
    console.print(table)


@app.command("add")
def add(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(
        ..., help=f"Seed files ({', '.join(SEED_SUFFIXES)}) or folders of them.", exists=True
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Add seed files: copy them into the seed folder and load them now.

    A file's stem becomes its seed id; adding a file with the same name again
    updates that seed.  Files that cannot be read are reported and skipped.
    """
    from monitor.seeds import read_seeds, seed_files
    from monitor.storage.articles import upsert_seeds

    st = state(ctx)
    db = st.db  # open (and load the existing corpus) before copying new files in
    files = [f for p in paths for f in (seed_files(p) if p.is_dir() else [p])]
    result = read_seeds(files, st.settings.seeds.max_bytes)
    folder = st.settings.seeds.dir.expanduser()
    copied: list[str] = []
    good_paths = {doc.path for doc in result.docs}
    for path in good_paths:
        target = folder / path.name
        if target.resolve() != path.resolve():
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(str(target))
    with db.session() as session:
        report = upsert_seeds(session, result.docs)
    for error in result.errors:
        log.warning("seed skipped: %s", error)
    data = {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "copied_to": copied,
        "skipped": [str(e) for e in result.errors],
    }
    if as_json:
        emit_json(data)
    else:
        console.print(
            f"Seeds: {report.added} added, {report.updated} updated, {report.unchanged} unchanged"
            + (f"; copied into {folder}" if copied else "")
        )
    if result.errors and not result.docs:
        raise typer.Exit(1)


__all__ = ["SeedError", "app"]
