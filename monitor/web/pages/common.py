"""What the console's page modules share: the context, who acts, notices, errors.

A POST that changes something answers 303 back to the page it came from, with a
one-line notice kept in the session for the next page to show once (a notice in
the query string would let any link put words on the console's pages).  Input
that cannot be used gets a page saying so in one line, with status 400/404, and
nothing changes.  Database work runs in a worker thread: the daemon serves the
console from its own event loop, which must never wait on a query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from monitor.errors import FeedbackError
from monitor.web.access import actor as actor
from monitor.web.context import WebContext
from monitor.web.templating import ENV, page

T = TypeVar("T")

NOTICE = "notice"  # the session key of the one-line notice shown by the next page


def context(request: Request) -> WebContext:
    """The console's dependencies, set by the app (``app.state.ctx``)."""
    ctx: WebContext = request.app.state.ctx
    return ctx


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` (blocking work) in a worker thread and return its result."""
    return await run_in_threadpool(fn, *args, **kwargs)


async def with_session(ctx: WebContext, fn: Callable[[Session], T], operation: str) -> T:
    """``fn(session)`` in a worker thread, in one transaction: it commits when ``fn``
    returns; an exception (a FeedbackError: nothing applies) rolls it back whole."""

    def run() -> T:
        with ctx.db.session(operation) as session:
            return fn(session)

    return await run_in_threadpool(run)


async def apply_feedback(
    request: Request, fn: Callable[[Session], str], operation: str, back: str
) -> Response:
    """Apply one piece of feedback (``fn`` returns its one-line message) and go back to
    ``back`` showing it; a FeedbackError shows a page saying why, and nothing changed."""
    try:
        message = await with_session(context(request), fn, operation)
    except FeedbackError as exc:
        return problem(request, str(exc), back=back)
    return done(request, back, message)


def _has_session(request: Request) -> bool:
    return "session" in request.scope


def render(
    request: Request, name: str, values: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """A page, with the notice a previous POST left (shown once)."""
    notice = request.session.pop(NOTICE, None) if _has_session(request) else None
    return page(request, name, {"notice": notice, **(values or {})}, status)


def done(request: Request, url: str, message: str, *, error: bool = False) -> RedirectResponse:
    """303 to ``url`` (a path on this site), whose page shows ``message`` once."""
    if _has_session(request):
        request.session[NOTICE] = {"text": message, "error": error}
    return RedirectResponse(url, status_code=303)


def problem(request: Request, message: str, status: int = 400, back: str = "/") -> HTMLResponse:
    """A page saying in one line why the request could not be done (nothing changed)."""
    return render(request, "problem.html", {"message": message, "back": back}, status)


def field(form: FormData, name: str) -> str:
    """A text field of a form, stripped; "" when missing or a file."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def article_path(article_id: str) -> str:
    """The article page's path (ids are a seed's file stem: quote whatever they hold)."""
    return "/articles/" + quote(article_id, safe="")


def page_number(request: Request) -> int:
    """``?page=N`` as a positive number (anything else: the first page)."""
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def http_url(url: str | None) -> str | None:
    """``url`` if it may be a link on a page (http or https), else None.

    A feed decides its entries' links: ``javascript:`` or ``data:`` there must not
    become something a click runs, so such a URL is shown as text, never as an href.
    """
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def when(value: datetime | None) -> str:
    """A time as the pages show it (UTC, to the minute); "–" when there is none."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "–"


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """``text`` with the ``(start, end)`` spans in ``<mark>``, every piece escaped.

    The markup is built here from escaped pieces of the text and two fixed tags,
    so whatever the text holds (a feed's ``<script>``) stays text; overlapping
    spans are merged, spans outside the text are cut to it.
    """
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = Markup("")
    last = 0
    for start, end in merged:
        out += escape(text[last:start]) + Markup("<mark>") + escape(text[start:end])
        out += Markup("</mark>")
        last = end
    return out + escape(text[last:])


ENV.filters.update(http_url=http_url, when=when)
ENV.globals.update(highlight=highlight)
