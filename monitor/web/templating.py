"""Server-rendered pages: one Jinja2 environment, autoescaping always on.

Everything a page shows from a feed (titles, summaries, outlet names) is text, and
autoescaping turns it into text in the page; nothing from a feed is ever marked safe.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

TEMPLATES = Path(__file__).with_name("templates")

NAV = (("/", "Stories"), ("/feeds", "Feeds"), ("/digests", "Digests"), ("/topics", "Topics"))


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its file name
        trim_blocks=True,
        lstrip_blocks=True,
    )


ENV = _environment()


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use); every form posts it back."""
    session = request.session
    token = session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render template ``name`` with the page's ``context`` and what every page needs."""
    values = {
        "request": request,
        "nav": NAV,
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        "user": request.session.get("user") if "session" in request.scope else None,
        **(context or {}),
    }
    return HTMLResponse(ENV.get_template(name).render(values), status_code=status)
