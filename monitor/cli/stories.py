"""``newsmon explain``, ``newsmon stories`` and ``newsmon export``: audit what dedup decided."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import typer
from rich.markup import escape
from rich.table import Table

from monitor.cli.common import console, emit_json, iso, state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from monitor.storage import Article

JSON = typer.Option(False, "--json", help="Print JSON.")


def article_record(article: Article) -> dict[str, Any]:
    """One article as ``export`` writes it (and ``explain --json`` starts from)."""
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "published": iso(article.published_at),
        "feed": (article.feed.name or article.feed.title or article.feed.url)
        if article.feed
        else None,
        "is_seed": article.is_seed,
        "topics": [t.topic for t in article.topics],
        "language": article.language,
        "status": article.status,
        "story_id": article.story_id,
        "duplicate_of": article.duplicate_of_id,
        "score": article.score,
        "layer": article.dedup_layer,
        "novel_sentences": article.novel_sentences or [],
    }


def explain_record(session: Session, row: Article) -> dict[str, Any]:
    """Everything ``newsmon explain`` shows about one article, as data: the CLI prints it,
    the console's article page (monitor.web.pages.articles) renders the same record."""
    from monitor.storage.stories import article_titles, story_title

    record = article_record(row)
    record["topic_matches"] = [
        {"topic": t.topic, "fields": t.fields, "spans": t.spans} for t in row.topics
    ]
    evidence = row.dedup_evidence or {}
    title = story_title(session, row.story_id)
    record["story"] = {"id": row.story_id, "title": title} if title is not None else None
    titles = article_titles(session, [c["article_id"] for c in evidence.get("candidates", [])])
    record["candidates"] = [
        {**c, "title": titles.get(c["article_id"])} for c in evidence.get("candidates", [])
    ]
    record["sentences"] = evidence.get("sentences", [])
    record["links"] = evidence.get("links", [])
    record["furniture"] = evidence.get("furniture", [])
    record["feedback"] = feedback_history(session, row.id)
    return record


def feedback_history(session: Session, article_id: str) -> list[dict[str, Any]]:
    """Readers' feedback about the article, oldest first: who, when, what, the decision
    before (a decision by the ``feedback`` layer is a reader's, not the engine's)."""
    from monitor.feedback.history import feedback_record
    from monitor.storage.feedback import history

    return [feedback_record(f) for f in history(session, article_id)]


def explain(
    ctx: typer.Context,
    article: str = typer.Argument(..., help="Article id or URL."),
    as_json: bool = JSON,
) -> None:
    """Why newsmon decided what it did about one article: status, story, the evidence for
    each candidate story (meaning, shared entities, words, dates), nearest known articles,
    and every sentence: known, novel or page furniture, and why."""
    from monitor.storage.stories import find_article

    with state(ctx).db.session() as session:
        row = find_article(session, article)
        if row is None:
            raise typer.BadParameter(f"no article with id or URL {article}", param_hint="ARTICLE")
        record = explain_record(session, row)
    if as_json:
        emit_json(record)
        return
    console.print(f"[bold]{record['title']}[/]  ({record['id']})")
    console.print(f"url        {record['url'] or '-'}")
    console.print(f"topics     {', '.join(record['topics']) or 'none'}")
    console.print(
        f"status     {record['status'] or 'not classified yet'}"
        + (f", decided by the {record['layer']} layer" if record["layer"] else "")
    )
    if record["story"]:
        console.print(f"story      {record['story']['id']}: {record['story']['title']}")
    if record["duplicate_of"]:
        score = "" if record["score"] is None else f" (score {record['score']:.2f})"
        console.print(f"nearest    {record['duplicate_of']}{score}")
    for f in record.get("feedback", []):
        when = f["at"][:16].replace("T", " ")
        console.print(
            f"feedback   {when} UTC by {escape(f['actor'])} ({f['via']}): "
            f"{escape(f['description'])}"
        )
    if record["candidates"]:
        table = Table(
            "known article",
            "story",
            "jaccard",
            "containment",
            "story score",
            "title",
            title="Nearest known articles",
            title_justify="left",
        )
        for c in record["candidates"][:8]:
            res, story_ev = c.get("resemblance", {}), c.get("story", {})
            table.add_row(
                c["article_id"],
                str(c.get("story_id")),
                f"{res.get('jaccard', 0):.2f}",
                f"{res.get('containment', 0):.2f}",
                f"{story_ev.get('score', 0):.2f}",
                (c["title"] or "")[:60],
            )
        console.print(table)
    if record["links"]:
        _print_links(record["links"])
    _print_sentences(record)


def _print_links(links: list[dict[str, Any]]) -> None:
    """The story-level evidence: what made the article join a story, or start one."""
    table = Table(
        "story",
        "score",
        "meaning (centroid / best)",
        "entities",
        "shared entities",
        "words",
        "days",
        title="Candidate stories (meaning, entities, words, dates)",
        title_justify="left",
    )
    for link in links[:6]:
        days = link.get("days_apart")
        table.add_row(
            f"{link['story_id']}{' (seed)' if link.get('seed') else ''}",
            f"{link['score']:.2f}",
            f"{link['centroid']:.2f} / {link['best_member']:.2f}",
            f"{link['entities']:.2f}",
            escape(", ".join(link.get("shared_entities", [])[:6])),
            f"{link['lexical']:.2f}",
            "-" if days is None else f"{days:.1f}",
        )
    console.print(table)


def _print_sentences(record: dict[str, Any]) -> None:
    """Each sentence with its verdict, and the lines set aside as page furniture."""
    sentences = record["sentences"]
    if sentences:
        console.print("[bold]Sentences[/]")
    for sentence in sentences:
        mark = "[green]novel[/]" if sentence.get("novel") else "[dim]known[/]"
        console.print(f"  {mark} {escape(sentence['text'])}")
        console.print(f"        [dim]{escape(sentence.get('reason', ''))}[/]")
    if not sentences:
        for text in record["novel_sentences"]:
            console.print(f"  [green]novel[/] {escape(text)}")
    for line in record["furniture"]:
        console.print(
            f"  [yellow]furniture[/] {escape(line['text'])}  [dim]({escape(line['reason'])})[/]"
        )


def stories(
    ctx: typer.Context,
    as_json: bool = JSON,
    limit: int = typer.Option(50, "--limit", help="Most recent stories to show."),
) -> None:
    """Stories (clusters of articles about one event), newest first, with their articles."""
    from monitor.storage.stories import recent_stories

    with state(ctx).db.session() as session:
        rows = recent_stories(session, limit)
        data: list[dict[str, Any]] = [
            {
                "id": s.id,
                "title": s.title,
                "updated": iso(s.updated_at),
                "articles": [
                    {
                        "id": a.id,
                        "title": a.title,
                        "status": a.status,
                        "is_seed": a.is_seed,
                        "url": a.url,
                        "published": iso(a.published_at),
                    }
                    for a in sorted(s.articles, key=lambda a: a.deduped_at or a.fetched_at)
                ],
            }
            for s in rows
        ]
    if as_json:
        emit_json(data)
        return
    for story in data:
        console.print(f"[bold]{story['id']}. {story['title']}[/]")
        for a in story["articles"]:
            kind = "seed" if a["is_seed"] else a["status"]
            console.print(f"    {kind:<10} {a['id']}  {a['title'][:80]}")


def export(
    ctx: typer.Context,
    fmt: str = typer.Option("jsonl", "--format", help="Output format (jsonl)."),
    since: str | None = typer.Option(
        None, "--since", help="Only articles fetched (seeds: loaded) on or after this date."
    ),
    feedback: bool = typer.Option(
        False,
        "--feedback",
        help="Only the articles readers corrected, as labels in the real-news dev set's "
        "format (labels.jsonl), to score newsmon on them.",
    ),
    context: bool = typer.Option(
        False,
        "--context",
        help="With --feedback: also each of their stories' first article (uncorrected), "
        "so that the retellings have what they retell when the labels are scored.",
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write to this file instead of standard output; with --feedback, the articles' "
        "texts go to articles/ beside it.",
        dir_okay=False,
    ),
) -> None:
    """Every stored article as one JSON line: id, url, title, published, feed, topics,
    status, story_id, duplicate_of, score, novel_sentences.  With --feedback: one line per
    article a reader corrected (id, event, kind, role, url, title, date, language, topics,
    new_facts, furniture, note)."""
    if fmt != "jsonl":
        raise typer.BadParameter("only jsonl is supported", param_hint="--format")
    if feedback and since:
        raise typer.BadParameter("--since does not apply to --feedback", param_hint="--since")
    if context and not feedback:
        raise typer.BadParameter("--context goes with --feedback", param_hint="--context")
    if output is not None and not output.parent.is_dir():
        raise typer.BadParameter(f"no such folder: {output.parent}", param_hint="--output")
    if feedback:
        _export_feedback(ctx, output, context)
        return
    from monitor.seeds import parse_date
    from monitor.storage.stories import articles_for_export

    cutoff: datetime | None = None
    if since:
        cutoff, _ = parse_date(since)
        if cutoff is None:
            try:
                cutoff = datetime.fromisoformat(since).astimezone(UTC)
            except ValueError:
                raise typer.BadParameter(f"not a date: {since}", param_hint="--since") from None
    with state(ctx).db.session() as session, _opened(output) as out:
        for article in articles_for_export(session, cutoff):
            out.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")


@contextmanager
def _opened(output: Path | None) -> Iterator[TextIO]:
    """Standard output, or ``output`` written whole or not at all (a temporary file renamed
    into place: an interrupted export leaves no half file to be scored)."""
    if output is None:
        yield sys.stdout
        return
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            yield out
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


def _export_feedback(ctx: typer.Context, output: Path | None, context: bool) -> None:
    """``export --feedback``: the corrected articles as labels (and, to a file, their texts)."""
    from monitor.feedback.export import TEXTS_DIR, write_labels, write_texts

    with state(ctx).db.session() as session:
        with _opened(output) as out:
            ids = write_labels(session, out, context)
        if output is None:
            return
        folder = output.parent / TEXTS_DIR
        skipped = write_texts(session, ids, folder)
    print(
        f"{len(ids)} article{'s' * (len(ids) != 1)} written to {output}, "
        f"their texts to {folder}{os.sep}",
        file=sys.stderr,
    )
    for article_id in skipped:
        print(f"text of {article_id!r} not written: its id is not a file name", file=sys.stderr)
