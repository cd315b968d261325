"""The app as a whole, on a real uvicorn server: security headers on every reply, errors as
one line (JSON for programs, a page for browsers), the page modules' routes mounted, and
no secret or link token in the request log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from monitor.web import pages
from monitor.web.app import CSP, build_app
from tests.monitor.daemon.test_control import FakeHandlers
from tests.monitor.web.serving import Served, served, web_context

OWN_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


async def boom(request: Request) -> Response:
    raise RuntimeError("the database is gone\npostgresql://user:pw@db/newsmon")


async def own_policy(request: Request) -> Response:
    return PlainTextResponse("framed", headers={"Content-Security-Policy": OWN_CSP})


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Served]:
    app = build_app(web_context(tmp_path, handlers=FakeHandlers()))
    app.add_route("/test/boom", boom, methods=["GET", "POST"])
    app.add_route("/test/own-policy", own_policy)
    with served(app) as srv:
        yield srv


def client_for(srv: Served, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=srv.base, trust_env=False, timeout=10, headers=headers)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/healthz", 200),
        ("/metrics", 200),
        ("/static/console.css", 200),
        ("/no/such/page", 404),
        ("/test/boom", 500),
    ],
)
def test_every_reply_carries_the_security_headers(site: Served, path: str, status: int) -> None:
    with client_for(site) as client:
        response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-security-policy"] == CSP
    assert "script-src" not in CSP and "default-src 'none'" in CSP  # no script can run
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_reply_with_its_own_policy_keeps_it(site: Served) -> None:
    with client_for(site) as client:
        response = client.get("/test/own-policy")
    assert response.headers["content-security-policy"] == OWN_CSP
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_stylesheet_is_served_as_css(site: Served) -> None:
    with client_for(site) as client:
        response = client.get("/static/console.css")
    assert response.headers["content-type"].startswith("text/css")
    assert "body" in response.text


def test_errors_are_json_for_programs_and_pages_for_browsers(site: Served) -> None:
    with client_for(site) as program:
        missing = program.get("/no/such/page")
        assert missing.headers["content-type"] == "application/json"
        assert missing.json() == {"error": "no such endpoint: /no/such/page"}
    with client_for(site, Accept="text/html,application/xhtml+xml") as browser:
        page = browser.get("/no/such/page")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "no such page: /no/such/page" in page.text
        control = browser.get("/trigger/fetch")  # a control path answers JSON to anyone
        assert control.status_code == 405
        assert control.json()["error"] == "GET not allowed on /trigger/fetch (use POST)"


def test_a_failing_route_is_a_one_line_500_and_the_server_goes_on(
    site: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="monitor")
    with client_for(site) as program:
        response = program.get("/test/boom")
        assert response.status_code == 500
        assert response.json() == {"error": "RuntimeError: the database is gone"}
    with client_for(site, Accept="text/html") as browser:
        page = browser.get("/test/boom")
        assert page.status_code == 500
        assert "RuntimeError" in page.text
        assert "database is gone" not in page.text  # a page shows no internals
        assert "postgresql://" not in page.text
        assert browser.get("/healthz").status_code == 200
    assert sum("/test/boom failed" in r.getMessage() for r in caplog.records) == 2


def test_every_page_modules_routes_are_mounted(tmp_path: Path) -> None:
    added = Route("/test/added-by-a-page-module", own_policy, methods=["GET"])
    pages.ROUTES.append(added)
    try:
        app = build_app(web_context(tmp_path, handlers=FakeHandlers()))
        with served(app) as srv, client_for(srv) as client:
            assert client.get("/test/added-by-a-page-module").text == "framed"
    finally:
        pages.ROUTES.remove(added)
    paths = {getattr(route, "path", None) for route in app.routes}
    assert {"/healthz", "/metrics", "/trigger/{kind}", "/login", "/logout", "/static"} <= paths
    assert {getattr(route, "path", None) for route in pages.ROUTES} <= paths


def test_without_a_daemon_the_control_routes_say_so(tmp_path: Path) -> None:
    app = build_app(web_context(tmp_path, handlers=None))
    with served(app) as srv, client_for(srv) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"error": "no newsmon daemon stands behind this endpoint"}
        trigger = client.post("/trigger/fetch", headers={"Authorization": "Bearer nope"})
        assert trigger.status_code == 401  # the token is checked first, as ever


def test_the_request_log_has_no_query_string_and_no_link_token(
    site: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor")
    with client_for(site) as client:
        client.get("/healthz?probe=secret-value")
        client.get("/l/the-readers-link-token?x=1")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("monitor.web")]
    assert any("GET /healthz -> 200" in line for line in lines)
    assert any("GET /l/… ->" in line for line in lines)
    assert not any("secret-value" in line or "the-readers-link-token" in line for line in lines)
