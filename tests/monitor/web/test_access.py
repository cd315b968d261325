"""Who may use the console: loopback without login, a login off the loopback, CSRF on every
POST, sessions that expire; over a real uvicorn server on 127.0.0.1 (an app built with
``login_required=True`` stands for a daemon bound off the loopback).

The page routes are replaced by two probes (``monitor.web.app.page_routes`` patched), so
these tests see the access rules alone, whatever the page modules do.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import itsdangerous
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.web import access
from monitor.web import app as app_module
from monitor.web.access import is_loopback, local_target, login_needed
from monitor.web.app import SESSION_COOKIE, build_app
from monitor.web.passwords import BadHash, check_password, hash_password, parse_hash
from tests.monitor.daemon.test_control import TOKEN, FakeHandlers, bearer
from tests.monitor.web.serving import SECRET, Served, served, web_context

PASSWORD = "correct horse battery staple"
HASH = hash_password(PASSWORD)


async def probe(request: Request) -> Response:
    """What the route saw: the actor the feedback would be recorded under, and the form."""
    who = access.actor(request)
    form = dict(await request.form()) if request.method == "POST" else {}
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    files = [k for k, v in form.items() if not isinstance(v, str)]
    return JSONResponse({"actor": [who.name, who.via], "form": fields, "files": files})


PROBES: list[BaseRoute] = [
    Route("/probe", probe, methods=["GET", "POST"]),
    Route("/l/{token}", probe, methods=["GET", "POST"]),
]


@pytest.fixture(autouse=True)
def probe_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "page_routes", lambda: list(PROBES))
    monkeypatch.setattr(access, "LOGIN_FAILURE_DELAY_S", 0.3)


def console(
    tmp_path: Path, *, login_required: bool, web: dict[str, Any] | None = None
) -> Iterator[Served]:
    settings = {"web": {"password_hash": HASH, "session_ttl": 3600, **(web or {})}}
    ctx = web_context(
        tmp_path, handlers=FakeHandlers(), login_required=login_required, settings=settings
    )
    with served(build_app(ctx)) as srv:
        yield srv


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Served]:
    """The console as it is bound off the loopback: a login is required."""
    yield from console(tmp_path, login_required=True)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Served]:
    """The console on the loopback: no login."""
    yield from console(tmp_path, login_required=False)


def browser(srv: Served) -> httpx.Client:
    return httpx.Client(
        base_url=srv.base, trust_env=False, timeout=10, headers={"Accept": "text/html"}
    )


def csrf_of(client: httpx.Client, path: str = "/login") -> str:
    """The CSRF token of the client's session, as a form on ``path`` carries it."""
    response = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert found, response.text
    return found.group(1)


def log_in(client: httpx.Client, password: str = PASSWORD, next_: str = "/") -> httpx.Response:
    token = csrf_of(client)
    return client.post("/login", data={"csrf_token": token, "password": password, "next": next_})


# -- who needs a login ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.4.5", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.10", False),
        ("newsmon.example.org", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def settings_for(host: str, password_hash: str | None = None) -> Settings:
    web = {"password_hash": password_hash} if password_hash else {}
    return Settings.model_validate({"daemon": {"control_host": host}, "web": web})


def test_login_is_needed_only_off_the_loopback() -> None:
    assert login_needed(settings_for("127.0.0.1")) is False
    assert login_needed(settings_for("127.0.0.1", HASH)) is False
    assert login_needed(settings_for("0.0.0.0", HASH)) is True


def test_off_the_loopback_without_a_hash_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        login_needed(settings_for("0.0.0.0"))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("[web] password_hash: not set")
    assert "'0.0.0.0' is not a loopback address" in message
    assert "newsmon web hash-password" in message


def test_a_damaged_hash_is_a_config_error_even_on_the_loopback() -> None:
    with pytest.raises(ConfigError, match=r"^\[web\] password_hash: not a hash from"):
        login_needed(settings_for("127.0.0.1", "plaintext-password"))


def test_newsmon_run_refuses_to_start_off_the_loopback_without_a_hash(tmp_path: Path) -> None:
    (tmp_path / "newsmon.toml").write_text(
        "[database]\n"
        f'url = "sqlite:///{tmp_path / "n.db"}"\n'
        "[daemon]\n"
        'control_host = "0.0.0.0"\n'
        "control_port = 1\n"
        f'data_dir = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("newsmon: config error: [web] password_hash: not set")
    assert not (tmp_path / "data").exists()  # refused before anything was written


# -- the login ------------------------------------------------------------------------------


def test_off_the_loopback_a_page_redirects_to_the_login(remote: Served) -> None:
    with browser(remote) as client:
        response = client.get("/probe?topic=nato")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fprobe%3Ftopic%3Dnato"
        posted = client.post("/probe", data={"x": "1"})
        assert posted.status_code == 403
        assert "log in first" in posted.text
        assert client.get("/login").status_code == 200


def test_the_right_password_logs_in_and_goes_where_it_was_asked(remote: Served) -> None:
    with browser(remote) as client:
        response = log_in(client, next_="/probe?topic=nato")
        assert response.status_code == 303
        assert response.headers["location"] == "/probe?topic=nato"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "httponly" in cookie.lower()
        assert "samesite=lax" in cookie.lower()
        assert "Max-Age=3600" in cookie
        assert "secure" not in cookie.lower()  # no https base_url: the cookie must work on http
        seen = client.get("/probe")
        assert seen.status_code == 200
        assert seen.json()["actor"] == ["admin", "console"]


def test_a_wrong_password_is_refused_slowly_and_logged_without_it(
    remote: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor")
    with browser(remote) as client:
        started = time.monotonic()
        response = log_in(client, password="wrong password guess")
        assert time.monotonic() - started >= 0.3  # access.LOGIN_FAILURE_DELAY_S here
        assert response.status_code == 401
        assert "Wrong password" in response.text
        assert client.get("/probe").status_code == 303  # still not logged in
        assert log_in(client, password="").status_code == 401
    failures = [r for r in caplog.records if "login failed" in r.getMessage()]
    assert len(failures) == 2
    assert all(r.levelno == logging.WARNING for r in failures)
    assert "wrong password guess" not in caplog.text
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize(
    ("given", "target"),
    [
        ("/stories/3?x=1", "/stories/3?x=1"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_after_the_login_only_local_paths(given: str | None, target: str) -> None:
    assert local_target(given) == target


def test_the_login_redirect_never_leaves_the_site(remote: Served) -> None:
    with browser(remote) as client:
        response = log_in(client, next_="//evil.example/x")
        assert response.status_code == 303
        assert response.headers["location"] == "/"


def test_logout_ends_the_session(remote: Served) -> None:
    with browser(remote) as client:
        log_in(client)
        token = csrf_from_session(client)
        out = client.post("/logout", data={"csrf_token": token})
        assert out.status_code == 303
        assert out.headers["location"] == "/login"
        assert client.get("/probe").status_code == 303


def forged_cookie(session: dict[str, Any], *, age: float, secret: str = SECRET) -> str:
    """A session cookie as Starlette signs it, made ``age`` seconds ago."""

    class Backdated(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age)

    data = base64.b64encode(json.dumps(session).encode())
    return Backdated(secret).sign(data).decode()


def test_a_session_older_than_session_ttl_is_no_login(remote: Served) -> None:
    session = {"user": "admin", "csrf": "c" * 32}
    with browser(remote) as client:
        client.cookies.set(SESSION_COOKIE, forged_cookie(session, age=60))
        assert client.get("/probe").status_code == 200  # a fresh one is a login ...
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, forged_cookie(session, age=3601))
        assert client.get("/probe").status_code == 303  # ... one past session_ttl is not
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, forged_cookie(session, age=0, secret="another key"))
        assert client.get("/probe").status_code == 303  # nor one signed with another key


def test_each_use_renews_the_session(remote: Served) -> None:
    with browser(remote) as client:
        client.cookies.set(
            SESSION_COOKIE, forged_cookie({"user": "admin", "csrf": "c" * 32}, age=3000)
        )
        response = client.get("/probe")
        assert response.status_code == 200
        renewed = response.headers["set-cookie"].split(";")[0].removeprefix(f"{SESSION_COOKIE}=")
        itsdangerous.TimestampSigner(SECRET).unsign(renewed, max_age=5)  # signed just now


def test_the_cookie_is_secure_when_the_console_is_reached_over_https(tmp_path: Path) -> None:
    for srv in console(tmp_path, login_required=True, web={"base_url": "https://news.example.org"}):
        with browser(srv) as client:
            cookie = client.get("/login").headers.get("set-cookie", "")
            assert "; secure" in cookie.lower()


# -- what needs no login ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/metrics", 200),
        ("GET", "/static/console.css", 200),
        ("GET", "/login", 200),
        ("GET", "/l/some-signed-token", 200),
        ("POST", "/l/some-signed-token", 200),
        ("POST", "/trigger/fetch", 401),  # the bearer token decides, not a session
    ],
)
def test_exempt_paths_need_no_login(remote: Served, method: str, path: str, status: int) -> None:
    with httpx.Client(base_url=remote.base, trust_env=False, timeout=10) as client:
        response = client.request(method, path)
    assert response.status_code == status
    assert "log in first" not in response.text


def test_a_trigger_with_the_token_works_without_login_or_csrf(remote: Served) -> None:
    with httpx.Client(base_url=remote.base, trust_env=False, timeout=10) as client:
        response = client.post("/trigger/fetch", json={"wait": True}, headers=bearer(TOKEN))
    assert response.status_code == 200


# -- CSRF ---------------------------------------------------------------------------------------


def test_on_the_loopback_pages_need_no_login_but_posts_need_the_csrf_token(local: Served) -> None:
    with browser(local) as client:
        assert client.get("/probe").json()["actor"] == ["console", "console"]
        refused = client.post("/probe", data={"x": "1"})
        assert refused.status_code == 403
        assert "not sent from this console" in refused.text
        token = csrf_from_session(client)  # the refusal page started the session
        accepted = client.post("/probe", data={"x": "1", "csrf_token": token})
        assert accepted.status_code == 200
        assert accepted.json()["form"] == {"x": "1", "csrf_token": token}


def csrf_from_session(client: httpx.Client) -> str:
    """The session's CSRF token, read from its (signed, not encrypted) cookie."""
    raw = client.cookies[SESSION_COOKIE]
    data = itsdangerous.TimestampSigner(SECRET).unsign(raw)
    token: str = json.loads(base64.b64decode(data))["csrf"]
    return token


def test_a_csrf_token_of_another_session_is_refused(local: Served) -> None:
    with browser(local) as mine, browser(local) as theirs:
        mine.post("/probe", data={})  # a session (and a token) for each
        theirs.post("/probe", data={})
        their_token = csrf_from_session(theirs)
        assert csrf_from_session(mine) != their_token
        assert mine.post("/probe", data={"csrf_token": their_token}).status_code == 403
        assert mine.post("/probe", data={"csrf_token": ""}).status_code == 403


def test_a_form_with_a_file_carries_its_token_too(local: Served) -> None:
    with browser(local) as client:
        client.post("/probe", data={})
        token = csrf_from_session(client)
        files = {"opml": ("feeds.opml", b"<opml version='2.0'/>", "text/x-opml")}
        response = client.post("/probe", data={"csrf_token": token}, files=files)
        assert response.status_code == 200
        assert response.json()["files"] == ["opml"]
        refused = client.post("/probe", data={"csrf_token": "nope"}, files=files)
        assert refused.status_code == 403


def test_signed_links_take_posts_without_a_session(remote: Served) -> None:
    with httpx.Client(base_url=remote.base, trust_env=False, timeout=10) as client:
        response = client.post("/l/some-signed-token", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert response.json()["form"] == {"List-Unsubscribe": "One-Click"}


def test_a_login_post_needs_the_csrf_token_too(remote: Served) -> None:
    with browser(remote) as client:
        response = client.post("/login", data={"password": PASSWORD})
        assert response.status_code == 403
        assert client.get("/probe").status_code == 303


def test_secrets_never_reach_the_log(remote: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor")
    caplog.set_level(logging.DEBUG, logger="uvicorn")
    with browser(remote) as client:
        log_in(client, next_="/probe?q=secret-query")
        client.get("/probe?q=secret-query")
        client.get("/l/a-link-token-of-a-reader")
        cookie = client.cookies[SESSION_COOKIE]
        token = csrf_from_session(client)
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("monitor", "uvicorn"))
    )
    assert "GET /probe" in ours  # requests are logged ...
    assert "GET /l/…" in ours
    for secret in (PASSWORD, cookie, token, SECRET, "secret-query", "a-link-token-of-a-reader"):
        assert secret not in ours  # ... never a secret, a query string or a link's token


# -- passwords ----------------------------------------------------------------------------------


def test_a_hash_checks_its_password_and_no_other() -> None:
    again = hash_password(PASSWORD)
    assert again != HASH  # a new salt each time
    assert HASH.startswith("scrypt:16384:8:1:")
    for stored in (HASH, again):
        assert check_password(PASSWORD, stored)
        assert not check_password(PASSWORD + " ", stored)
        assert not check_password("", stored)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plaintext",
        "scrypt:16384:8:1:c2FsdA",  # a part missing
        "bcrypt$16384$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
        "scrypt:1000:8:1:c2FsdHNhbHQ:a2V5a2V5a2V5a2V5a2V5a2V5",  # n not a power of two
        "scrypt:1073741824:8:1:c2FsdHNhbHQ:a2V5a2V5a2V5a2V5a2V5a2V5",  # n too big to try
        "scrypt:16384:8:1:!!:a2V5a2V5a2V5a2V5a2V5a2V5",
    ],
)
def test_a_damaged_hash_matches_nothing_and_says_why(stored: str) -> None:
    assert not check_password(PASSWORD, stored)
    with pytest.raises(BadHash) as info:
        parse_hash(stored)
    assert "\n" not in str(info.value)


def test_the_hash_password_command_reads_stdin_and_prints_a_usable_hash(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "web", "hash-password"],
        input="s3cret phrase\n",
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    stored = done.stdout.strip()
    assert check_password("s3cret phrase", stored)
    assert f'password_hash = "{stored}"' in done.stderr
    assert "s3cret phrase" not in done.stdout + done.stderr
    settings = Settings.model_validate(
        {"daemon": {"control_host": "0.0.0.0"}, "web": {"password_hash": stored}}
    )
    assert login_needed(settings) is True
