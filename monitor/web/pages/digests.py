"""The digests pages: every digest (``/digests``), one digest as it was sent (``/digests/<id>``).

A digest is shown from the stored message itself, the bytes that went to the SMTP
server, so the page is what the recipient got, not a re-rendering.  Its HTML part is
served alone at ``/digests/<id>/html`` into a sandboxed ``<iframe>``, with a CSP of its
own that allows no script, no network and no navigation: the HTML carries feed text
and links, and must stay inert even if the sanitizer ever let something through.
The recipients who unsubscribed are listed with a button to take them back.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from monitor.feedback import actions
from monitor.storage import console as queries
from monitor.storage.models import Digest
from monitor.web.pages import ROUTES
from monitor.web.pages.common import (
    actor,
    apply_feedback,
    context,
    field,
    problem,
    render,
    with_session,
)

BACK = "/digests"

# The digest's own HTML: inline styles and data: images only (what the renderer emits),
# sandboxed (no script, no forms, no top navigation), framed by the console alone.
DIGEST_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def parse(raw: bytes) -> EmailMessage:
    """The stored message as an email object (the same parser a mail client would use)."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)  # policy.default makes EmailMessage
    return message


def part(message: EmailMessage, subtype: str) -> str | None:
    """The text of the message's ``text/<subtype>`` body, if it has one."""
    body = message.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return None
    content = body.get_content()
    return content if isinstance(content, str) else None


async def digests_page(request: Request) -> Response:
    """``GET /digests``: the newest digests, and the recipients who unsubscribed."""
    ctx = context(request)

    def load(session: Session) -> dict[str, Any]:
        return {
            "digests": queries.digests(session),
            "total": queries.digest_count(session),
            "unsubscribed": list(queries.unsubscribed(session)),
        }

    values = await with_session(ctx, load, "listing digests")
    return render(request, "digests.html", values)


async def digest_page(request: Request) -> Response:
    """``GET /digests/<id>``: one digest's facts, its HTML (framed) and its text part."""
    ctx = context(request)
    digest_id: int = request.path_params["digest_id"]

    def load(session: Session) -> dict[str, Any] | None:
        digest = session.get(Digest, digest_id)
        if digest is None:
            return None
        message = parse(digest.message)
        articles = [d.article_id for d in digest.deliveries]
        return {
            "digest": digest,
            "headers": {k: str(message.get(k, "")) for k in ("From", "To", "Date", "Subject")},
            "text": part(message, "plain"),
            "has_html": part(message, "html") is not None,
            "articles": articles,
        }

    values = await with_session(ctx, load, "reading a digest")
    if values is None:
        return problem(request, f"no digest {digest_id}", 404, back=BACK)
    return render(request, "digest.html", values)


async def digest_html(request: Request) -> Response:
    """``GET /digests/<id>/html``: the HTML part as sent, under its own strict CSP."""
    ctx = context(request)
    digest_id: int = request.path_params["digest_id"]

    def load(session: Session) -> str | None:
        raw = session.get(Digest, digest_id)
        return part(parse(raw.message), "html") if raw is not None else None

    html = await with_session(ctx, load, "reading a digest")
    if html is None:
        html, status = "<p>This digest has no HTML part.</p>", 404
    else:
        status = 200
    return HTMLResponse(
        html,
        status_code=status,
        headers={"Content-Security-Policy": DIGEST_CSP, "Cache-Control": "no-store"},
    )


async def resubscribe(request: Request) -> Response:
    """``POST /digests/resubscribe`` with ``recipient``: digests go to them again."""
    form = await request.form()
    recipient = field(form, "recipient")
    if not recipient:
        return problem(request, "say which recipient to resubscribe", back=BACK)
    who = actor(request)

    def apply(session: Session) -> str:
        return actions.resubscribe(session, recipient, who).message

    return await apply_feedback(request, apply, "resubscribing", BACK)


ROUTES.extend(
    [
        Route("/digests", digests_page, methods=["GET"], name="digests"),
        Route("/digests/resubscribe", resubscribe, methods=["POST"], name="resubscribe"),
        Route("/digests/{digest_id:int}", digest_page, methods=["GET"], name="digest"),
        Route("/digests/{digest_id:int}/html", digest_html, methods=["GET"], name="digest_html"),
    ]
)
