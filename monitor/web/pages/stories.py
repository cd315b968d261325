"""The stories pages: the list (``/``, newest first, filtered) and one story, with mute/unmute.

A story is shown with its articles, their outlets, languages and dates, and for each
article the digests that carried it (to whom, when), so a reader can see what went
out and what was held back as a retelling.  Muting is per recipient: the list of
recipients is the configuration's (:func:`alerts.recipients.resolve_recipients`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alerts.recipients import resolve_recipients
from monitor.config import Settings
from monitor.errors import ConfigError, FeedbackError
from monitor.feedback import actions
from monitor.feedback.history import feedback_record
from monitor.storage import console as queries
from monitor.web.pages import ROUTES
from monitor.web.pages.common import (
    actor,
    apply_feedback,
    context,
    field,
    page_number,
    problem,
    render,
    with_session,
)


def recipient_keys(settings: Settings) -> list[str]:
    """The configured recipients, as Digest and StoryMute rows name them (case-folded).

    A configuration whose recipients do not resolve has none to mute for; the daemon
    refuses to start with it anyway, so the page only has to stay up.
    """
    try:
        return [r.key for r in resolve_recipients(settings)]
    except ConfigError:
        return []


async def stories_list(request: Request) -> Response:
    """``GET /?topic=&status=&page=``: stories newest first, ``PAGE_SIZE`` a page."""
    ctx = context(request)
    topic = request.query_params.get("topic", "").strip() or None
    status = request.query_params.get("status", "").strip() or None
    if status is not None and status not in queries.STATUSES:
        return problem(request, f"unknown status {status!r}: one of {', '.join(queries.STATUSES)}")
    number = page_number(request)

    def load(session: Session) -> dict[str, Any]:
        found = queries.story_page(session, topic=topic, status=status, page=number)
        names = [t.name for t in ctx.settings.topics]
        topics = names + [t for t in queries.known_topics(session) if t not in names]
        return {"found": found, "topics": topics}

    values = await with_session(ctx, load, "reading stories")
    return render(
        request,
        "stories.html",
        {**values, "topic": topic, "status": status, "statuses": queries.STATUSES},
    )


async def story_detail(request: Request) -> Response:
    """``GET /stories/<id>``: one story, its feedback history, mute/unmute per recipient."""
    ctx = context(request)
    story_id: int = request.path_params["story_id"]

    def load(session: Session) -> dict[str, Any] | None:
        found = queries.stories_by_id(session, [story_id])
        if not found:
            return None
        history = [feedback_record(f) for f in queries.story_feedback(session, story_id)]
        return {"story": found[0], "history": history}

    values = await with_session(ctx, load, "reading stories")
    if values is None:
        return problem(request, f"no story #{story_id}", 404)
    recipients = recipient_keys(ctx.settings)
    muted = set(values["story"].muted_for)
    # Recipients no longer configured who still have a mute can be unmuted too.
    rows = [(r, r in muted) for r in recipients] + [
        (r, True) for r in sorted(muted) if r not in recipients
    ]
    return render(request, "story.html", {**values, "recipients": rows})


async def _mute(request: Request, mute: bool) -> Response:
    """``POST /stories/<id>/mute|unmute`` with ``recipient``: then back to the story."""
    ctx = context(request)
    story_id: int = request.path_params["story_id"]
    back = f"/stories/{story_id}"
    form = await request.form()
    recipient = field(form, "recipient").casefold()
    if not recipient:
        return problem(request, "say which recipient to mute the story for", back=back)
    who = actor(request)

    def apply(session: Session) -> str:
        if not queries.stories_by_id(session, [story_id]):
            raise FeedbackError(f"no story #{story_id}")
        known = set(recipient_keys(ctx.settings))
        if mute and recipient not in known:
            raise FeedbackError(f"{recipient} is not a configured recipient")
        act = actions.mute_story if mute else actions.unmute_story
        return act(session, story_id, recipient, who).message

    return await apply_feedback(request, apply, "applying feedback", back)


async def mute(request: Request) -> Response:
    return await _mute(request, True)


async def unmute(request: Request) -> Response:
    return await _mute(request, False)


ROUTES.extend(
    [
        Route("/", stories_list, methods=["GET"], name="stories"),
        Route("/stories/{story_id:int}", story_detail, methods=["GET"], name="story"),
        Route("/stories/{story_id:int}/mute", mute, methods=["POST"], name="story_mute"),
        Route("/stories/{story_id:int}/unmute", unmute, methods=["POST"], name="story_unmute"),
    ]
)
