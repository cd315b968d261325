"""The feeds page (``/feeds``): health, add, remove, import OPML, poll now.

Each action is the CLI's (``newsmon feeds add|remove|import``, ``newsmon trigger fetch``)
with the same checks, so a URL the CLI refuses is refused here in the same words.
Feed URLs and error lines are shown with credentials masked, as ``feeds list`` does.
"Poll now" hands the feed to the daemon and returns at once: a poll can take a
minute, and the page says it started rather than hold the browser.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from monitor.cli.feeds import feed_record, resolve_feed_url
from monitor.daemon.triggers import FetchRequest, NotFound, Unavailable
from monitor.errors import FeedError, OPMLError
from monitor.opml import read_opml
from monitor.storage.feed_import import ImportReport, import_feeds
from monitor.storage.feeds import add_feed, feed_url_problem, list_feeds
from monitor.storage.limits import FEED_NAME_MAX, shorten, without_nul
from monitor.storage.models import Feed
from monitor.urls_display import mask_url, mask_urls_in
from monitor.web.pages import ROUTES
from monitor.web.pages.common import context, done, field, in_thread, problem, render, with_session

log = logging.getLogger(__name__)

BACK = "/feeds"
OPML_MAX = 10 * 1024 * 1024  # an upload larger than this is not a subscription list


def _health(row: dict[str, Any]) -> str:
    """The status column as ``feeds list`` shows it."""
    return "disabled" if not row["enabled"] else str(row["last_status"] or "new")


async def feeds_page(request: Request) -> Response:
    """``GET /feeds``: every feed with its health."""
    ctx = context(request)

    def load(session: Session) -> list[dict[str, Any]]:
        return [feed_record(f) for f in list_feeds(session)]

    rows = await with_session(ctx, load, "listing feeds")
    for row in rows:
        row["health"] = _health(row)
    return render(
        request,
        "feeds.html",
        {"feeds": rows, "daemon": ctx.handlers is not None, "name_max": FEED_NAME_MAX},
    )


async def add(request: Request) -> Response:
    """``POST /feeds/add``: ``url``, optional ``name``; ``check`` fetches it first, as
    ``newsmon feeds add`` does (and finds a web page's own feed)."""
    ctx = context(request)
    form = await request.form()
    url, name = field(form, "url"), field(form, "name") or None
    if not url:
        return problem(request, "give the feed's URL", back=BACK)
    if name is not None and len(name) > FEED_NAME_MAX:
        return problem(
            request, f"the name is {len(name):,} characters; at most {FEED_NAME_MAX}", back=BACK
        )
    if (why := feed_url_problem(url)) is not None:
        return problem(request, f"cannot add {shorten(mask_url(url))}: {why}", back=BACK)
    feed_url, title = url, None
    if field(form, "check"):
        try:
            feed_url, title = await resolve_feed_url(url, ctx.settings.fetch)
        except FeedError as exc:
            return problem(request, mask_urls_in(str(exc)), back=BACK)
        if (why := feed_url_problem(feed_url)) is not None:
            shown = shorten(mask_url(feed_url))
            return problem(request, f"cannot add {shown}: {why}", back=BACK)

    def apply(session: Session) -> tuple[int, bool]:
        feed, created = add_feed(session, feed_url, name=name)
        feed.title = feed.title or without_nul(title)
        return feed.id, created

    feed_id, created = await with_session(ctx, apply, "adding a feed")
    found = f" (found on {mask_url(url)})" if feed_url != url else ""
    verb = "Added" if created else "Already subscribed, updated"
    message = f"{verb} feed {feed_id}: {mask_url(feed_url)}{found}" + (
        f" — {title}" if title else ""
    )
    return done(request, BACK, message)


async def remove(request: Request) -> Response:
    """``POST /feeds/<id>/remove``: stop polling it and forget it (its articles stay)."""
    ctx = context(request)
    feed_id: int = request.path_params["feed_id"]

    def apply(session: Session) -> str | None:
        feed = session.get(Feed, feed_id)
        if feed is None:
            return None
        message = f"Removed feed {feed.id}: {mask_url(feed.url)}"
        if feed.origin == "config":
            message += " (it is in the config file: remove it there too, or it comes back)"
        session.delete(feed)
        return message

    message = await with_session(ctx, apply, "removing a feed")
    if message is None:
        return problem(request, f"no feed {feed_id}", 404, back=BACK)
    return done(request, BACK, message)


async def import_opml(request: Request) -> Response:
    """``POST /feeds/import``: an OPML file (``opml``), imported as ``feeds import`` does."""
    ctx = context(request)
    form = await request.form(max_files=1, max_fields=10, max_part_size=OPML_MAX)
    upload = form.get("opml")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return problem(request, "choose an OPML file to import", back=BACK)
    body = await upload.read(OPML_MAX + 1)
    if len(body) > OPML_MAX:
        return problem(request, f"the file is over {OPML_MAX // 2**20} MB", back=BACK)
    shown = shorten(Path(upload.filename).name, 80)
    try:
        subscriptions = await in_thread(_read_opml, body, shown)
    except OPMLError as exc:
        return problem(request, str(exc), back=BACK)

    def apply(session: Session) -> ImportReport:
        return import_feeds(session, ((s.url, s.title) for s in subscriptions))

    report = await with_session(ctx, apply, "importing feeds")
    skipped = ""
    if report.rejected:
        number, url, reason = report.rejected[0]
        more = f" and {len(report.rejected) - 1} more" if len(report.rejected) > 1 else ""
        skipped = f", {len(report.rejected)} skipped (outline {number}, {url}: {reason}{more})"
    return done(request, BACK, f"{report.in_file} feeds in {shown}, {report.added} new{skipped}")


def _read_opml(body: bytes, shown: str) -> list[Any]:
    """The subscriptions in an uploaded OPML file, named as the user named it in errors."""
    with tempfile.TemporaryDirectory(prefix="newsmon-opml-") as tmp:
        path = Path(tmp) / "upload.opml"
        path.write_bytes(body)
        try:
            return list(read_opml(path))
        except OPMLError as exc:
            raise OPMLError(str(exc).replace(str(path), shown)) from None


async def poll(request: Request) -> Response:
    """``POST /feeds/<id>/poll``: ask the daemon to poll this feed now, without waiting."""
    ctx = context(request)
    feed_id: int = request.path_params["feed_id"]
    if ctx.handlers is None:
        return problem(request, "the daemon is not running: nothing polls (newsmon run)", 503, BACK)

    def load(session: Session) -> tuple[str, str] | None:
        feed = session.get(Feed, feed_id)
        return (feed.url, mask_url(feed.url)) if feed is not None else None

    found = await with_session(ctx, load, "finding a feed")
    if found is None:
        return problem(request, f"no feed {feed_id}", 404, back=BACK)
    url, shown = found
    try:
        # wait=False: the daemon accepts the poll and returns; the page does not wait for it.
        result = await in_thread(ctx.handlers.trigger, FetchRequest((url,), wait=False))
    except NotFound as exc:  # removed from the config since the page was shown
        return problem(request, str(exc), 404, back=BACK)
    except Unavailable as exc:  # the daemon is stopping
        return problem(request, str(exc), 503, back=BACK)
    note = " (a poll cycle was already running)" if result.get("already_running") else ""
    log.info("console: poll of feed %s requested", feed_id)
    return done(request, BACK, f"Polling started for feed {feed_id}: {shown}{note}")


ROUTES.extend(
    [
        Route("/feeds", feeds_page, methods=["GET"], name="feeds"),
        Route("/feeds/add", add, methods=["POST"], name="feed_add"),
        Route("/feeds/import", import_opml, methods=["POST"], name="feed_import"),
        Route("/feeds/{feed_id:int}/remove", remove, methods=["POST"], name="feed_remove"),
        Route("/feeds/{feed_id:int}/poll", poll, methods=["POST"], name="feed_poll"),
    ]
)
