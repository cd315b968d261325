"""Who may use the console, and proof that a form was posted from the console itself.

* On the loopback (127.0.0.0/8, ::1, ``localhost``) no login is needed: whoever can reach
  the port is on this machine, like the CLI.  Bound to any other address, every page asks
  for a login (one password, its scrypt hash in ``[web] password_hash``), and the daemon
  refuses to start without that hash (:func:`login_needed`).
* The login lives in a signed session cookie (Starlette's ``SessionMiddleware``, keyed with
  ``newsmon.secret``); a login lasts ``[web] session_ttl`` seconds after its last use.
* Every POST carries the session's CSRF token in a form field, checked here, on the
  loopback too: a web page the operator visits could otherwise post to 127.0.0.1.  Not
  checked on ``/trigger/*`` (a bearer token, not a cookie, authorises those) and ``/l/*``
  (the signed link is the capability, and a mail client's one-click POST has no session).
* Exempt from the login: the control routes (``/healthz``, ``/metrics``, ``/trigger/*``),
  the signed links (``/l/*``), ``/static/*`` and ``/login`` itself; and an Atom feed
  (``/atom/*``) asked for with a ``token``, which its route checks
  (:mod:`monitor.web.pages.atom`): a feed reader cannot log in.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.feedback.actions import Actor
from monitor.web.context import WebContext
from monitor.web.passwords import BadHash, check_password, parse_hash
from monitor.web.responses import error_reply
from monitor.web.templating import page

log = logging.getLogger(__name__)

USER = "admin"  # one operator; the name only labels the session and the feedback history
LOGIN_FAILURE_DELAY_S = 1.0  # after a wrong password: guessing costs time
MAX_FORM_BYTES = 8 * 1024 * 1024  # a form post, an OPML upload included
_OPEN_PATHS = frozenset({"/healthz", "/metrics", "/login"})
_OPEN_PREFIXES = ("/trigger/", "/l/", "/static/")
_NO_CSRF_PATHS = frozenset({"/healthz", "/metrics"})  # GET only: a POST there is a 405
_NO_CSRF_PREFIXES = ("/trigger/", "/l/")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the port to this machine."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:  # a host name (or a wildcard): it may well be reachable from outside
        return False


def login_needed(settings: Settings) -> bool:
    """Whether the console must ask for a login; :class:`ConfigError` (one line) when it
    must and no usable ``[web] password_hash`` is configured."""
    host = settings.daemon.control_host
    stored = settings.web.password_hash
    if stored is not None:
        try:
            parse_hash(stored.get_secret_value())
        except BadHash as exc:
            raise ConfigError("[web] password_hash", str(exc)) from exc
    if is_loopback(host):
        return False
    if stored is None:
        raise ConfigError(
            "[web] password_hash",
            f"not set, but [daemon] control_host = {host!r} is not a loopback address, so "
            "the console needs a login: make a hash with `newsmon web hash-password`",
        )
    return True


def actor(request: Request) -> Actor:
    """Who gives feedback from the console: the logged-in user, else "console"."""
    user = request.session.get("user") if "session" in request.scope else None
    return Actor(user if isinstance(user, str) and user else "console", "console")


def local_target(value: str | None) -> str:
    """``value`` if it is a path on this site (where to go after the login), else ``/``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value) or urlsplit(value).netloc:
        return "/"
    return value


def _is_open(path: str) -> bool:
    return path in _OPEN_PATHS or path.startswith(_OPEN_PREFIXES)


def _feed_with_token(request: Request) -> bool:
    return request.url.path.startswith("/atom/") and "token" in request.query_params


def _csrf_exempt(path: str) -> bool:
    return path in _NO_CSRF_PATHS or path.startswith(_NO_CSRF_PREFIXES)


def _same_token(given: object, expected: object) -> bool:
    if not isinstance(given, str) or not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class AccessMiddleware:
    """The login requirement and the CSRF check, before any route runs (inside the
    session middleware: it reads ``scope["session"]``)."""

    def __init__(self, app: ASGIApp, ctx: WebContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        path, method = request.url.path, request.method
        session = request.session
        if session.get("user"):
            # Re-signed with the time of this use: a login lasts session_ttl from its last use.
            mark_modified = getattr(session, "mark_modified", None)
            if mark_modified is not None:
                mark_modified()
        elif self.ctx.login_required and not (_is_open(path) or _feed_with_token(request)):
            await self._login_first(request)(scope, receive, send)
            return
        if method not in _SAFE_METHODS and not _csrf_exempt(path):
            try:
                body = await _read_body(request)
            except ClientDisconnect:
                return
            except HTTPException as exc:
                await error_reply(request, exc.status_code, exc.detail)(scope, receive, send)
                return
            original = receive
            receive = _replay(body, original)
            try:
                form = await Request(scope, _replay(body, original)).form()
            except HTTPException as exc:  # a damaged multipart body
                await error_reply(request, exc.status_code, exc.detail)(scope, receive, send)
                return
            token = form.get("csrf_token")
            await form.close()
            if not _same_token(token, session.get("csrf")):
                log.info("refused a %s to %s: no valid CSRF token", method, path)
                message = (
                    "This form was not sent from this console's current session (it expired, "
                    "or another site sent it). Reload the page and try again."
                )
                await error_reply(request, 403, message)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _login_first(request: Request) -> Response:
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return error_reply(request, 403, "log in first")


async def _read_body(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise HTTPException(413, f"the form is over {MAX_FORM_BYTES // (1024 * 1024)} MiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise HTTPException(413, f"the form is over {MAX_FORM_BYTES // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out ``body`` (already read) first, then what comes next
    (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# -- the login page -------------------------------------------------------------------------


def _ctx(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def _login_page(request: Request, target: str, *, failed: bool = False) -> Response:
    return page(request, "login.html", {"next": target, "failed": failed}, 401 if failed else 200)


async def login_form(request: Request) -> Response:
    target = local_target(request.query_params.get("next"))
    if not _ctx(request).login_required or request.session.get("user"):
        return RedirectResponse(target, status_code=303)
    return _login_page(request, target)


async def login(request: Request) -> Response:
    """The password (the CSRF token was checked by the middleware)."""
    ctx = _ctx(request)
    form: FormData = await request.form()
    target = local_target(_text(form.get("next")))
    if not ctx.login_required:
        return RedirectResponse(target, status_code=303)
    password = _text(form.get("password"))
    stored = ctx.settings.web.password_hash
    ok = bool(password) and stored is not None
    if ok and stored is not None:
        ok = await run_in_threadpool(check_password, password, stored.get_secret_value())
    client = request.client.host if request.client else "?"
    if not ok:
        log.warning("console login failed from %s", client)  # never the password
        await asyncio.sleep(LOGIN_FAILURE_DELAY_S)
        return _login_page(request, target, failed=True)
    session = request.session
    session.clear()  # a new session at login: nothing from before carries over
    session["user"] = USER
    session["csrf"] = secrets.token_urlsafe(24)
    log.info("console login from %s", client)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    request.session.clear()
    target = "/login" if _ctx(request).login_required else "/"
    return RedirectResponse(target, status_code=303)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


ROUTES: list[BaseRoute] = [
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
