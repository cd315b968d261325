"""The Atom feeds (``/atom/all.xml``, ``/atom/topic/<name>.xml``): :mod:`alerts.atom` served.

Behind the console's access rules like every page, or opened by the feed's own token
(``?token=``) for readers that cannot log in: :class:`~monitor.web.access.AccessMiddleware`
lets a request that carries a token through to this route, which checks it, so a
wrong token is a 403 here, never a login page a feed reader cannot use.  The token is
never logged (the request log drops query strings).

Conditional GET: an ``ETag`` (a hash of the body) and ``Last-Modified`` (the newest
entry), and 304 when the reader's validators still hold; a reader polling every few
minutes fetches the body only when an entry came or went.
"""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alerts.atom import AtomFeed, FeedCache, FeedScope, token_opens
from alerts.summarize import ExtractiveSummariser
from monitor.web.pages import ROUTES
from monitor.web.pages.common import context, in_thread
from monitor.web.responses import error_reply

MEDIA_TYPE = "application/atom+xml; charset=utf-8"
TOKEN_PARAM = "token"
FEEDS = FeedCache()  # one per process: the daemon serves one console


async def all_topics(request: Request) -> Response:
    return await _serve(request, FeedScope())


async def one_topic(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in {t.name for t in context(request).settings.topics}:
        return error_reply(request, 404, f"no such topic: {name} (see newsmon topics list)")
    return await _serve(request, FeedScope(name))


async def _serve(request: Request, scope: FeedScope) -> Response:
    ctx = context(request)
    token = request.query_params.get(TOKEN_PARAM)
    if token is not None and not token_opens(ctx.secret, scope, token):
        return error_reply(
            request,
            403,
            "this feed's token is not valid (the URL was cut, or newsmon.secret changed): "
            "copy the feed's address again from the console's topics page",
        )
    site = (ctx.settings.web.base_url or str(request.base_url)).rstrip("/") + "/"
    topics = tuple(t.name for t in ctx.settings.topics)
    feed = await in_thread(
        FEEDS.feed, ctx.db, scope, topics, str(request.url), site, ExtractiveSummariser
    )
    headers = {
        "ETag": feed.etag,
        "Last-Modified": format_datetime(feed.updated, usegmt=True),
        # Stored by the reader and revalidated each time: never served stale.
        "Cache-Control": "private, no-cache",
    }
    if not_modified(request.headers, feed):
        return Response(status_code=304, headers=headers)
    return Response(feed.body, media_type=MEDIA_TYPE, headers=headers)


def not_modified(headers: Headers, feed: AtomFeed) -> bool:
    """RFC 9110 §13.2.2: ``If-None-Match`` decides when present; else ``If-Modified-Since``."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or feed.etag in tags
    since = headers.get("if-modified-since")
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # a date we cannot read: send the feed
    if moment.tzinfo is None:
        return False
    return feed.updated.replace(microsecond=0) <= moment


ROUTES.extend(
    [
        Route("/atom/all.xml", all_topics, methods=["GET"], name="atom_all"),
        Route("/atom/topic/{name:path}.xml", one_topic, methods=["GET"], name="atom_topic"),
    ]
)
