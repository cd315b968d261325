"""The pages behind a digest's one-click links: ``/l/<token>``.

GET only says what the link will do and shows a button; the button POSTs to the same
address, which does it.  Mail scanners and link previews fetch every URL in a message,
so a GET that acted would mark articles and unsubscribe readers nobody asked for.  The
RFC 8058 one-click POST (body ``List-Unsubscribe=One-Click``, sent by a mail client's own
"unsubscribe" button to the List-Unsubscribe URL) is the same POST.

The signature is the capability: no login and no CSRF token (H1's access middleware
exempts ``/l/*``), since a reader has no session and a forged POST could only do what the
link already lets its holder do.  A link that is not ours, altered or expired gets a page
saying so (400 / 410) and changes nothing.  The pages carry no console navigation (a
reader cannot use the console), are never cached, and send no Referer onwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from monitor.errors import FeedbackError, LinkError, LinkExpired
from monitor.feedback import actions
from monitor.feedback.actions import Actor, Outcome
from monitor.feedback.links import LinkClaim, verify_link
from monitor.storage.feedback import resolve_story
from monitor.storage.models import Article, StoryMute, Unsubscription
from monitor.web.pages import ROUTES
from monitor.web.pages.common import context, with_session
from monitor.web.templating import ENV

log = logging.getLogger(__name__)

ONE_CLICK_FIELD: Final = "List-Unsubscribe"
ONE_CLICK_VALUE: Final = "One-Click"
HEADERS: Final = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in this page's URL
    "X-Robots-Tag": "noindex, nofollow",
}


@dataclass(frozen=True)
class Wording:
    """What one kind of link says before and after."""

    question: str
    button: str
    done: str
    effect: str


WORDING: Final = {
    "not_new": Wording(
        question="Not new?",
        button="Mark as not new",
        done="Marked as not new",
        effect="newsmon will count this article as a retelling of its story, something you "
        "already knew: it is not shown as news again.",
    ),
    "mute": Wording(
        question="Mute this story?",
        button="Mute story",
        done="Story muted",
        effect="Your digests will carry no more updates of this story. Whoever runs newsmon "
        "can unmute it for you.",
    ),
    "unsubscribe": Wording(
        question="Unsubscribe?",
        button="Unsubscribe",
        done="Unsubscribed",
        effect="newsmon will send no more digests to this address. Whoever runs newsmon can "
        "subscribe you again.",
    ),
}


@dataclass(frozen=True)
class Target:
    """What the link is about, as the page shows it; ``already`` when it is done."""

    label: str  # the article's or story's title, or the address
    already: str | None = None
    missing: str | None = None  # the article or story is gone


def describe(session: Session, claim: LinkClaim) -> Target:
    """What ``claim`` names, read without changing anything (the GET page)."""
    if claim.action == "not_new":
        article = session.get(Article, claim.article_id) if claim.article_id else None
        if article is None:
            return Target("", missing="The article this link names is no longer in newsmon.")
        already = "It is already marked as not new." if article.status == "duplicate" else None
        return Target(article.title or f"article {article.id}", already)
    if claim.action == "mute":
        assert claim.story_id is not None  # LinkClaim checks it
        story, _ = resolve_story(session, claim.story_id)
        if story is None:
            return Target("", missing="The story this link names is no longer in newsmon.")
        muted = session.get(StoryMute, (story.id, claim.recipient)) is not None
        return Target(story.title or f"story {story.id}", "It is already muted." if muted else None)
    gone = session.scalars(
        select(Unsubscription).where(Unsubscription.recipient == claim.recipient)
    ).first()
    return Target(claim.recipient, "This address is already unsubscribed." if gone else None)


def apply(session: Session, claim: LinkClaim, actor: Actor) -> Outcome:
    """Do what ``claim`` says, as ``actor`` (FeedbackError: nothing changed)."""
    if claim.action == "not_new":
        assert claim.article_id is not None
        return actions.mark_not_new(session, claim.article_id, actor)
    if claim.action == "mute":
        assert claim.story_id is not None
        return actions.mute_story(session, claim.story_id, claim.recipient, actor)
    return actions.unsubscribe(session, claim.recipient, actor)


async def show(request: Request) -> Response:
    """GET: what the link will do, and the button that does it; changes nothing."""
    ctx = context(request)
    claim = _claim(request)
    if isinstance(claim, Response):
        return claim
    target = await with_session(ctx, lambda s: describe(s, claim), "read a link's target")
    words = WORDING[claim.action]
    if target.missing:
        return _page(request, "Gone", target.missing, status=404)
    if target.already:
        return _page(request, words.done, target.already, label=target.label)
    return _page(request, words.question, words.effect, label=target.label, button=words.button)


async def act(request: Request) -> Response:
    """POST: do it (the page's button, or a mail client's RFC 8058 one-click POST)."""
    ctx = context(request)
    claim = _claim(request)
    if isinstance(claim, Response):
        return claim
    form = await request.form()
    one_click = form.get(ONE_CLICK_FIELD) == ONE_CLICK_VALUE and claim.action == "unsubscribe"
    actor = Actor(claim.recipient, "list-unsubscribe" if one_click else "link")
    try:
        outcome = await with_session(ctx, lambda s: apply(s, claim, actor), "apply a link")
    except FeedbackError as exc:
        log.info("one-click %s link of %s not applied: %s", claim.action, claim.recipient, exc)
        return _page(request, "Not done", f"{exc}. Nothing was changed.", status=409)
    log.info(
        "one-click %s link of %s (%s): %s",
        claim.action,
        claim.recipient,
        actor.via,
        outcome.message if outcome.changed else "already so",
    )
    words = WORDING[claim.action]
    if not outcome.changed:
        return _page(request, words.done, f"Already done: {outcome.message}.")
    return _page(request, words.done, f"Done: {outcome.message}.", detail=words.effect)


def _claim(request: Request) -> LinkClaim | Response:
    """The link's claim, or the page for a link that is not valid (400) or expired (410)."""
    ctx = context(request)
    token = request.path_params.get("token", "")
    try:
        return verify_link(ctx.secret, token, ctx.settings.web.link_ttl)
    except LinkExpired as exc:
        log.debug("%s of an expired one-click link", request.method)
        return _page(request, "Link expired", _sentence(str(exc)), status=410)
    except LinkError as exc:
        log.debug("%s of a one-click link that is not valid", request.method)
        return _page(request, "Link not valid", _sentence(str(exc)), status=400)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _page(
    request: Request,
    heading: str,
    message: str,
    *,
    status: int = 200,
    label: str | None = None,
    button: str | None = None,
    detail: str | None = None,
) -> HTMLResponse:
    # Rendered without the console's page helper: it would start a session (a cookie with
    # a CSRF token) for a reader who needs neither.
    values = {
        "request": request,
        "nav": (),  # a reader has no use for the console's navigation
        "user": None,
        "csrf_token": "",
        "heading": heading,
        "message": message,
        "label": label,
        "button": button,
        "detail": detail,
        "error": status >= 400,
    }
    html = ENV.get_template("link.html").render(values)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


ROUTES.append(Route("/l/{token}", show, methods=["GET"], name="link"))
ROUTES.append(Route("/l/{token}", act, methods=["POST"], name="link_act"))
