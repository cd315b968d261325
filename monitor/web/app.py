"""The console and control endpoint as one Starlette app: :func:`build_app`.

Layers, outermost first:

1. :class:`GuardMiddleware`: security headers on every reply, one DEBUG line per request
   (no query string, no link token, no header: the control token and the session cookie
   never reach a log), and an error in a route becomes a 500 reply of one line, not a
   dropped connection;
2. Starlette's ``SessionMiddleware``: the signed session cookie (``newsmon_session``);
3. :class:`~monitor.web.access.AccessMiddleware`: the login and the CSRF check;
4. the routes: control (:mod:`.control`), ``/static``, login/logout, and every page module's
   routes (:data:`monitor.web.pages.ROUTES`).

The headers: a Content-Security-Policy that allows no script at all (the console works
with forms and links only, so text from a feed that slips into a page still cannot run),
``nosniff``, and ``Referrer-Policy: no-referrer`` (a one-click link's token must not leak to
another site in a ``Referer``).  A reply that sets its own CSP keeps it (the digest viewer
frames a stored message under a stricter one).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.web import access, control, pages
from monitor.web.context import WebContext
from monitor.web.responses import error_reply, wants_html
from monitor.web.server import loggable_path

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
SESSION_COOKIE = "newsmon_session"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; frame-src 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def build_app(ctx: WebContext) -> Starlette:
    """The app serving ``ctx``: the control routes, the console's pages and their access."""
    if ctx.token is not None and not ctx.token:
        raise ValueError("the control endpoint needs a non-empty token")
    https = bool(ctx.settings.web.base_url and ctx.settings.web.base_url.startswith("https:"))
    middleware = [
        Middleware(GuardMiddleware),
        Middleware(
            SessionMiddleware,
            secret_key=ctx.secret,
            session_cookie=SESSION_COOKIE,
            max_age=ctx.settings.web.session_ttl,
            same_site="lax",
            https_only=https,
        ),
        Middleware(access.AccessMiddleware, ctx=ctx),
    ]
    routes: list[BaseRoute] = [
        *control.ROUTES,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *access.ROUTES,
        *page_routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _http_error},  # type: ignore[dict-item]
    )
    app.state.ctx = ctx
    return app


def page_routes() -> list[BaseRoute]:
    """Every page module's routes: importing a module under :mod:`monitor.web.pages` adds
    its routes to ``pages.ROUTES``."""
    for module in pkgutil.iter_modules(pages.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{pages.__name__}.{module.name}")
    return list(pages.ROUTES)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    """Starlette's 404/405 (and the routes' refusals) as one line of JSON, or a page."""
    path = request.url.path
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = f"no such {'page' if wants_html(request) else 'endpoint'}: {path}"
    elif exc.status_code == 405:
        allowed = ", ".join(m for m in (exc.headers or {}).get("Allow", "").split(", ") if m)
        message = f"{request.method} not allowed on {path} (use {allowed or 'another method'})"
    else:
        message = exc.detail
    return error_reply(request, exc.status_code, message, dict(exc.headers or {}))


class GuardMiddleware:
    """Security headers, the request log line, and errors as one-line 500 replies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        status = 0
        started = time.monotonic()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CSP
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if "cache-control" not in headers and not path.startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except ClientDisconnect:
            log.debug("%s %s: client gone", scope["method"], loggable_path(path))
        except Exception as exc:  # a route's bug must not take the endpoint down
            log.exception("web request %s %s failed", scope["method"], loggable_path(path))
            if status == 0:
                request = Request(scope)
                line = f"{type(exc).__name__}: {exc}".splitlines()[0]
                if wants_html(request):  # a page shows no internals; the log has them
                    line = f"Something went wrong ({type(exc).__name__}); see the daemon's log."
                await error_reply(request, 500, line)(scope, receive, send_with_headers)
        finally:
            client = scope.get("client")
            log.debug(
                "%s %s %s -> %s (%.0f ms)",
                client[0] if client else "-",
                scope["method"],
                loggable_path(path),
                status or "-",
                (time.monotonic() - started) * 1000,
            )
