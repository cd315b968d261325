"""Replies shared by the routes and middleware: JSON for programs, a page for people.

The control endpoint's clients (``newsmon trigger``, probes, scrapers) read JSON: every
error there is ``{"error": "..."}``.  A browser asks for HTML (``Accept: text/html``) and
gets a short page saying the same thing.  The control paths always answer JSON.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

CONTROL_PATHS = ("/healthz", "/metrics")
CONTROL_PREFIX = "/trigger/"


def is_control_path(path: str) -> bool:
    return path in CONTROL_PATHS or path.startswith(CONTROL_PREFIX)


def wants_html(connection: HTTPConnection) -> bool:
    """A browser (it asks for text/html), not a program, on a console path."""
    if is_control_path(connection.url.path):
        return False
    return "text/html" in connection.headers.get("accept", "")


def json_reply(
    status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    """One JSON document (dates as ISO 8601), never cached."""
    body = json.dumps(payload, default=_jsonable, ensure_ascii=False).encode() + b"\n"
    response = Response(body, status, headers, media_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def error_reply(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """``message`` (one line) as JSON, or as a page for a browser."""
    if not wants_html(request):
        return json_reply(status, {"error": message}, headers)
    from monitor.web.templating import page  # Jinja2: only when a page is due

    response = page(request, "error.html", {"status": status, "message": message}, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _jsonable(value: object) -> str:
    """Dates as ISO 8601, anything else as its str(): a reply should not fail on a type."""
    return value.isoformat() if isinstance(value, datetime | date) else str(value)
