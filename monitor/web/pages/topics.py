"""The topics page (``/topics``): the queries, their Atom feeds, and a form to test them on
pasted text.

The list and the test are ``newsmon topics list`` and ``newsmon topics test``
(:func:`monitor.cli.topics.topic_rows`, :func:`~monitor.cli.topics.match_text`); the
page adds the matched spans highlighted in the text, built from escaped pieces
(:func:`monitor.web.pages.common.highlight`), so pasted markup stays text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alerts.atom import FeedScope, feed_token
from monitor.cli.topics import match_text, topic_rows
from monitor.errors import ConfigError
from monitor.match import compile_topics
from monitor.web.pages import ROUTES
from monitor.web.pages.common import context, field, highlight, in_thread, problem, render

TEXT_MAX = 200_000  # characters of pasted text: a long article, not a book
BACK = "/topics"


async def topics_page(request: Request) -> Response:
    """``GET /topics``: the topics and the (empty) test form."""
    return render(request, "topics.html", _listing(request))


def _listing(request: Request) -> dict[str, Any]:
    topics = context(request).settings.topics
    return {
        "topics": topic_rows(topics),
        "feeds": feed_addresses(request),
        "chosen": "",
        "title": "",
        "text": "",
        "result": None,
    }


def feed_addresses(request: Request) -> list[tuple[str, str]]:
    """(label, URL with its token) of every Atom feed, for readers that cannot log in:
    on ``[web] base_url`` when set (the address readers reach), else this page's host."""
    ctx = context(request)
    base = (ctx.settings.web.base_url or str(request.base_url)).rstrip("/")
    scopes = [FeedScope(), *(FeedScope(t.name) for t in ctx.settings.topics)]
    return [
        (
            scope.topic or "all topics",
            f"{base}{scope.path}?{urlencode({'token': feed_token(ctx.secret, scope)})}",
        )
        for scope in scopes
    ]


async def test(request: Request) -> Response:
    """``POST /topics/test``: ``topic`` (empty: all), ``title``, ``text``; the page again,
    with which topics match where."""
    topics = context(request).settings.topics
    form = await request.form()
    chosen, title = field(form, "topic"), field(form, "title")
    raw = form.get("text")
    text = raw if isinstance(raw, str) else ""
    if not (title or text.strip()):
        return problem(request, "paste a text (or a title) to test the topics on", back=BACK)
    if len(text) + len(title) > TEXT_MAX:
        return problem(request, f"the text is over {TEXT_MAX:,} characters", back=BACK)
    wanted = [t for t in topics if not chosen or t.name == chosen]
    if not wanted:
        return problem(request, f"no topic named {chosen!r}", back=BACK)
    try:
        matcher = compile_topics(wanted)
    except ConfigError as exc:  # the daemon refuses such a config; the page says why
        return problem(request, str(exc), back=BACK)
    language, matches = await in_thread(match_text, matcher, title, text)
    result = {
        "language": language,
        "matches": [
            {
                "topic": m.topic,
                "fields": list(m.fields),
                "title": highlight(title, [(s.start, s.end) for s in m.spans if s.field == "title"])
                if any(s.field == "title" for s in m.spans)
                else None,
                "text": highlight(text, [(s.start, s.end) for s in m.spans if s.field == "text"])
                if any(s.field == "text" for s in m.spans)
                else None,
            }
            for m in matches
        ],
    }
    values = {**_listing(request), "chosen": chosen, "title": title, "text": text}
    return render(request, "topics.html", {**values, "result": result})


ROUTES.extend(
    [
        Route("/topics", topics_page, methods=["GET"], name="topics"),
        Route("/topics/test", test, methods=["POST"], name="topics_test"),
    ]
)
