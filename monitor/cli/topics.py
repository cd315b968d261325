"""``newsmon topics list|test``: see the topics and try them on any text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from monitor.cli.common import console, emit_json, state
from monitor.match import (
    TopicMatch,
    TopicMatcher,
    TopicSpec,
    detect_language,
    format_query,
    parse_query,
)

app = typer.Typer(help="Show the topics and test them on a piece of text.", no_args_is_help=True)


def topic_rows(topics: Sequence[TopicSpec]) -> list[dict[str, Any]]:
    """The topics as ``topics list`` shows them (and the console's topics page)."""
    return [
        {
            "name": t.name,
            "query": t.query,
            "parsed": format_query(parse_query(t.query, topic=t.name)),
            "languages": list(t.languages),
        }
        for t in topics
    ]


def match_text(matcher: TopicMatcher, title: str, text: str) -> tuple[str | None, list[TopicMatch]]:
    """What ``topics test`` reports (and the console's topics page): the language
    detected in the title and text, and the topics they match there."""
    language = detect_language(f"{title}\n{text}")
    return language, matcher.match(title, text, language)


@app.command("list")
def list_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """The configured topics and their queries (as newsmon understood them)."""
    rows = topic_rows(state(ctx).settings.topics)
    if as_json:
        emit_json(rows)
        return
    table = Table("topic", "query", "languages")
    for row in rows:
        table.add_row(row["name"], row["parsed"], ", ".join(row["languages"]) or "any")
    console.print(table)


@app.command("test")
def test(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="Article text to match (use quotes)."),
    title: str = typer.Option("", "--title", help="A headline, matched as the title field."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Which topics a text matches, where, and the language detected."""
    language, matches = match_text(state(ctx).matcher, title, text)
    if as_json:
        emit_json(
            {
                "language": language,
                "matches": [
                    {
                        "topic": m.topic,
                        "fields": list(m.fields),
                        "spans": [list(s) for s in m.spans],
                    }
                    for m in matches
                ],
            }
        )
        return
    console.print(f"language: {language or 'unknown'}")
    if not matches:
        console.print("no topic matches")
    for match in matches:
        console.print(f"[bold]{match.topic}[/] in {', '.join(match.fields)}")
        for field_name, source in (("title", title), ("text", text)):
            spans = [s for s in match.spans if s.field == field_name]
            if not spans:
                continue
            shown = Text(source)
            for span in spans:
                shown.stylize("bold reverse", span.start, span.end)
            console.print(Text(f"  {field_name}: ") + shown)
