"""The control routes: ``GET /healthz``, ``GET /metrics``, ``POST /trigger/<kind>``.

``/healthz`` and ``/metrics`` are open (probes and scrapers hold no secrets); ``/healthz``
shows recipients' addresses only to a caller with the control token.  A trigger makes the
daemon work, so it needs ``Authorization: Bearer <token>`` (:mod:`monitor.daemon.token`),
checked before anything else about the request, so a stranger learns nothing, not even
400s.  Replies are JSON (``{"error": "..."}`` on failure), except ``/metrics``.

A trigger may wait minutes for its work (a whole poll cycle), so it waits in a thread of its
own (:func:`in_daemon_thread`), never on the event loop and never in the loop's shared
executor, which the poll cycle itself needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar, cast

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from monitor.daemon.triggers import (
    TRIGGER_KINDS,
    BadRequest,
    NotFound,
    TriggerKind,
    Unavailable,
    parse_trigger,
)
from monitor.web.context import ControlHandlers, WebContext
from monitor.web.responses import json_reply

T = TypeVar("T")

MAX_BODY = 64 * 1024
_NO_DAEMON = "no newsmon daemon stands behind this endpoint"


async def in_daemon_thread(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a new daemon thread; its result, awaited without blocking the loop.

    A daemon thread, so a trigger still waiting when the daemon exits does not hold the
    process; one per request, bounded by the server's connection cap.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():  # the request was cancelled meanwhile
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def work() -> None:
        try:
            outcome: tuple[bool, Any] = (True, fn(*args))
        except BaseException as exc:
            outcome = (False, exc)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=work, name="newsmon-trigger", daemon=True).start()
    return await future


def _ctx(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def _handlers(request: Request) -> ControlHandlers:
    handlers = _ctx(request).handlers
    if handlers is None:
        raise HTTPException(HTTPStatus.SERVICE_UNAVAILABLE, _NO_DAEMON)
    return handlers


def authorized(request: Request) -> bool:
    """Whether the request carries the control token (``Authorization: Bearer ...``)."""
    expected = _ctx(request).token
    if not expected:
        return False
    scheme, _, given = (request.headers.get("authorization") or "").strip().partition(" ")
    # compare_digest: the time taken does not tell how much of a guess was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode()
    )


async def healthz(request: Request) -> Response:
    handlers = _handlers(request)
    status, report = await run_in_threadpool(handlers.health, authorized(request))
    return json_reply(status, report)


async def metrics(request: Request) -> Response:
    handlers = _handlers(request)
    body, content_type = await run_in_threadpool(handlers.metrics)
    return Response(body, 200, {"Cache-Control": "no-store"}, media_type=content_type)


async def trigger(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in TRIGGER_KINDS:
        raise HTTPException(HTTPStatus.NOT_FOUND, f"no such endpoint: {request.url.path}")
    if not authorized(request):
        auth = {"WWW-Authenticate": 'Bearer realm="newsmon"'}
        return json_reply(401, {"error": "missing or wrong control token"}, auth)
    params = await _read_params(request)
    try:
        work = parse_trigger(cast(TriggerKind, kind), params)
    except BadRequest as exc:
        return json_reply(400, {"error": str(exc)})
    handlers = _handlers(request)
    try:
        result = await in_daemon_thread(handlers.trigger, work)
    except Unavailable as exc:
        return json_reply(503, {"error": str(exc)})
    except NotFound as exc:
        return json_reply(404, {"error": str(exc)})
    return json_reply(200 if work.wait else 202, result)


async def _read_params(request: Request) -> dict[str, Any]:
    """The JSON object in the body (an empty body is ``{}``), at most :data:`MAX_BODY` bytes."""
    too_big = HTTPException(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
    length = request.headers.get("content-length") or "0"
    if not (length.isascii() and length.isdigit()):
        raise HTTPException(HTTPStatus.BAD_REQUEST, "bad Content-Length")
    if int(length) > MAX_BODY:
        raise too_big
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise too_big
    if not body.strip():
        return {}
    try:
        params = json.loads(body)
    except ValueError as exc:
        raise HTTPException(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {exc}") from exc
    if not isinstance(params, dict):
        raise HTTPException(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
    return params


ROUTES: list[BaseRoute] = [
    Route("/healthz", healthz, methods=["GET"], name="healthz"),
    Route("/metrics", metrics, methods=["GET"], name="metrics"),
    Route("/trigger/{kind}", trigger, methods=["POST"], name="trigger"),
]
