"""``newsmon feedback``: the console's and the digest links' corrections, from a shell.

For an operator without a browser at hand (a server reached over SSH) and for scripts: the
same actions (:mod:`monitor.feedback.actions`), recorded as given ``via`` ``cli`` by the
login name (or ``--as``).  A running daemon follows them from its next batch on.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any

import typer

from monitor.cli.common import console, emit_json, state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from monitor.feedback.actions import Actor, Outcome

app = typer.Typer(
    help="Correct newsmon's decisions and readers' preferences (as the console does).",
    no_args_is_help=True,
)

JSON = typer.Option(False, "--json", help="Print JSON.")
AS = typer.Option(None, "--as", help="Who gives the feedback (default: your login name).")
ARTICLE = typer.Argument(..., help="Article id or URL.")


def _actor(name: str | None) -> Actor:
    from monitor.feedback.actions import Actor

    if name is None:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no login name (a container's anonymous user)
            name = "cli"
    return Actor(name, "cli")


def _article_id(session: Session, key: str) -> str:
    from monitor.storage.stories import find_article

    found = find_article(session, key)
    if found is None:
        raise typer.BadParameter(f"no article with id or URL {key}", param_hint="ARTICLE")
    return found.id


def _show(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        row = outcome.feedback
        emit_json(
            {
                "changed": outcome.changed,
                "message": outcome.message,
                "feedback_id": row.id if row is not None else None,
            }
        )
    else:
        console.print(outcome.message, markup=False)


@app.command("new")
def new(
    ctx: typer.Context,
    article: str = ARTICLE,
    story: bool = typer.Option(
        False, "--story", help="A story of its own (default: an update of its story)."
    ),
    actor: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """ "This is new": the article becomes an update of its story, or (--story) a story of its
    own; the next digest shows it."""
    from monitor.feedback.actions import mark_new

    with state(ctx).db.session() as session:
        done = mark_new(session, _article_id(session, article), _actor(actor), as_story=story)
    _show(done, as_json)


@app.command("retelling")
def retelling(
    ctx: typer.Context,
    article: str = ARTICLE,
    story: int = typer.Argument(..., help="The story it retells."),
    actor: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """The article retells story STORY (if it led its own story, that story merges into it)."""
    from monitor.feedback.actions import mark_retelling

    with state(ctx).db.session() as session:
        done = mark_retelling(session, _article_id(session, article), story, _actor(actor))
    _show(done, as_json)


@app.command("not-new")
def not_new(
    ctx: typer.Context, article: str = ARTICLE, actor: str | None = AS, as_json: bool = JSON
) -> None:
    """ "Not new": the article retells its story."""
    from monitor.feedback.actions import mark_not_new

    with state(ctx).db.session() as session:
        done = mark_not_new(session, _article_id(session, article), _actor(actor))
    _show(done, as_json)


@app.command("mute")
def mute(
    ctx: typer.Context,
    story: int = typer.Argument(..., help="Story id."),
    recipient: str = typer.Argument(..., help="Recipient e-mail address."),
    actor: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """No more of this story in the recipient's digests."""
    from monitor.feedback.actions import mute_story

    with state(ctx).db.session() as session:
        done = mute_story(session, story, recipient, _actor(actor))
    _show(done, as_json)


@app.command("unmute")
def unmute(
    ctx: typer.Context,
    story: int = typer.Argument(..., help="Story id."),
    recipient: str = typer.Argument(..., help="Recipient e-mail address."),
    actor: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """The recipient gets this story's articles again."""
    from monitor.feedback.actions import unmute_story

    with state(ctx).db.session() as session:
        done = unmute_story(session, story, recipient, _actor(actor))
    _show(done, as_json)


@app.command("unsubscribe")
def unsubscribe(
    ctx: typer.Context,
    recipient: str = typer.Argument(..., help="Recipient e-mail address."),
    actor: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """No more digests to the recipient."""
    from monitor.feedback.actions import unsubscribe as unsubscribe_recipient

    with state(ctx).db.session() as session:
        done = unsubscribe_recipient(session, recipient, _actor(actor))
    _show(done, as_json)


@app.command("resubscribe")
def resubscribe(
    ctx: typer.Context,
    recipient: str = typer.Argument(..., help="Recipient e-mail address."),
    actor: str | None = AS,
    as_json: bool = JSON,
) -> None:
    """Digests to the recipient again."""
    from monitor.feedback.actions import resubscribe as resubscribe_recipient

    with state(ctx).db.session() as session:
        done = resubscribe_recipient(session, recipient, _actor(actor))
    _show(done, as_json)


@app.command("list")
def list_feedback(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="Most recent rows to show."),
    as_json: bool = JSON,
) -> None:
    """The most recent feedback, newest first: when, who, how, what."""
    from monitor.feedback.history import feedback_record
    from monitor.storage.feedback import recent

    with state(ctx).db.session() as session:
        rows: list[dict[str, Any]] = [feedback_record(f) for f in recent(session, limit)]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        when = row["at"][:16].replace("T", " ")
        about = f"article {row['article_id']}: " if row["article_id"] else ""
        console.print(
            f"{when} UTC  {row['actor']} ({row['via']})  {about}{row['description']}",
            markup=False,
        )
