"""The article page (``/articles/<id>``): ``newsmon explain`` as a page, and the feedback forms.

The record is the one ``newsmon explain`` prints (:func:`monitor.cli.stories.explain_record`),
so the page and the command cannot disagree about why an article was decided as it was.
The three corrections ("this is new (update)", "this is a new story", "retelling of
story #N") each post to ``/articles/<id>/feedback`` and come back here with one line
saying what changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.cli.stories import explain_record
from monitor.errors import FeedbackError
from monitor.feedback import actions
from monitor.storage import console as queries
from monitor.storage.models import Article
from monitor.storage.stories import find_article
from monitor.web.pages import ROUTES
from monitor.web.pages.common import (
    actor,
    apply_feedback,
    article_path,
    context,
    field,
    problem,
    render,
    with_session,
)

# What the feedback form's ``action`` may be: the label on its button.
ACTIONS = {
    "new_update": "This is new (an update)",
    "new_story": "This is a new story",
    "retelling": "Retelling of story #",
}


async def article_page(request: Request) -> Response:
    """``GET /articles/<id>``: the article's explain record, its digests and feedback."""
    ctx = context(request)
    article_id: str = request.path_params["article_id"]

    def load(session: Session) -> dict[str, Any] | None:
        row = find_article(session, article_id)
        if row is None:
            return None
        record = explain_record(session, row)
        return {
            "a": record,
            "title_spans": [
                (span[1], span[2])
                for match in record["topic_matches"]
                for span in match["spans"]
                if span and span[0] == "title"
            ],
            "shown": queries.shown_in_digests(session, [row.id]).get(row.id, []),
            "history": record.get("feedback", []),
        }

    values = await with_session(ctx, load, "reading an article")
    if values is None:
        return problem(request, f"no article {article_id}", 404)
    return render(request, "article.html", {**values, "actions": ACTIONS})


async def feedback(request: Request) -> Response:
    """``POST /articles/<id>/feedback``: ``action`` (and ``story`` for a retelling)."""
    article_id: str = request.path_params["article_id"]
    back = article_path(article_id)
    form = await request.form()
    action = field(form, "action")
    if action not in ACTIONS:
        return problem(request, f"unknown feedback {action!r}", back=back)
    target: int | None = None
    if action == "retelling":
        raw = field(form, "story").lstrip("#")
        if not raw.isdigit() or not 0 < int(raw) < 2**31:
            return problem(request, "say which story it retells: a story number", back=back)
        target = int(raw)
    who = actor(request)

    def apply(session: Session) -> str:
        if session.get(Article, article_id) is None:
            raise FeedbackError(f"no article {article_id}")
        if target is not None:
            outcome = actions.mark_retelling(session, article_id, target, who)
        else:
            outcome = actions.mark_new(session, article_id, who, as_story=action == "new_story")
        return outcome.message

    return await apply_feedback(request, apply, "applying feedback", back)


ROUTES.extend(
    [
        Route("/articles/{article_id}", article_page, methods=["GET"], name="article"),
        Route(
            "/articles/{article_id}/feedback",
            feedback,
            methods=["POST"],
            name="article_feedback",
        ),
    ]
)
