"""The control endpoint over real HTTP: a real server on a free port, a real client.

The endpoint is the web app's control routes (:mod:`monitor.web.control`) served by
:class:`~monitor.web.server.WebServer` (uvicorn) on an event loop of the test's own.
The handlers are a small test double of :class:`ControlHandlers` (our own interface),
which records what it was asked to do, so "refused" can be checked as "nothing ran".
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor.config import Settings
from monitor.daemon.client import ControlClient
from monitor.daemon.metrics import Metrics
from monitor.daemon.token import ensure_token
from monitor.daemon.triggers import (
    DigestRequest,
    FetchRequest,
    NotFound,
    TriggerRequest,
    Unavailable,
)
from monitor.errors import ControlAuthError, ControlError, DaemonError, DaemonNotRunning
from monitor.web.app import build_app
from monitor.web.control import MAX_BODY
from monitor.web.server import WebServer
from tests.monitor.web.serving import Served, served, web_context

TOKEN = "test-token-0123456789"


class FakeHandlers:
    def __init__(self) -> None:
        self.calls: list[TriggerRequest] = []
        self.metrics_obj = Metrics()
        self.health_reply: tuple[int, dict[str, Any]] = (200, {"status": "ok"})
        self.trigger_reply: dict[str, Any] = {"done": True}
        self.refuse_with: Exception | None = None
        self.fail_with: Exception | None = None
        self.release = threading.Event()
        self.block = False
        self.health_calls: list[bool] = []

    def health(self, detailed: bool) -> tuple[int, dict[str, Any]]:
        self.health_calls.append(detailed)
        if self.fail_with is not None:
            raise self.fail_with
        return self.health_reply

    def metrics(self) -> tuple[bytes, str]:
        return self.metrics_obj.render()

    def trigger(self, request: TriggerRequest) -> dict[str, Any]:
        self.calls.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        if self.refuse_with is not None:
            raise self.refuse_with
        if self.block:
            self.release.wait(10)
        return {**self.trigger_reply, "request": repr(request)}


@pytest.fixture
def handlers() -> Iterator[FakeHandlers]:
    fake = FakeHandlers()
    yield fake
    fake.release.set()  # let a blocked request thread finish


def control_app(tmp_path: Path, handlers: FakeHandlers, token: str | None = TOKEN) -> Any:
    return build_app(web_context(tmp_path, handlers=handlers, token=token))


@pytest.fixture
def server(handlers: FakeHandlers, tmp_path: Path) -> Iterator[Served]:
    with served(control_app(tmp_path, handlers)) as srv:
        yield srv
        handlers.release.set()  # a request still blocked in the handler ends before the stop


def url(server: Served, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def raw(method: str, server: Served, path: str, **kwargs: Any) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=5) as client:
        return client.request(method, url(server, path), **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_port_zero_picks_a_real_port(server: Served) -> None:
    assert server.port > 0


def test_healthz_needs_no_token(server: Served, handlers: FakeHandlers) -> None:
    response = raw("GET", server, "/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}
    handlers.health_reply = (503, {"status": "stale", "at": datetime(2024, 5, 1, tzinfo=UTC)})
    status, body = ControlClient("127.0.0.1", server.port, None).health()
    assert (status, body) == (503, {"status": "stale", "at": "2024-05-01T00:00:00+00:00"})


def test_metrics_needs_no_token(server: Served) -> None:
    response = raw("GET", server, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    names = {f.name for f in text_string_to_metric_families(response.text)}
    assert {"newsmon_cycles", "newsmon_info", "newsmon_cycle_running"} <= names


@pytest.mark.parametrize(
    "headers",
    [
        {},
        bearer("wrong"),
        bearer(TOKEN + "x"),
        {"Authorization": TOKEN},
        {"Authorization": "Basic x"},
    ],
    ids=["none", "wrong", "longer", "no-scheme", "basic"],
)
def test_trigger_without_the_token_is_refused_and_does_nothing(
    server: Served, handlers: FakeHandlers, headers: dict[str, str]
) -> None:
    response = raw("POST", server, "/trigger/fetch", json={"x": 1}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "error" in response.json()
    assert handlers.calls == []


def test_trigger_with_the_token_runs_the_handler(server: Served, handlers: FakeHandlers) -> None:
    client = ControlClient("127.0.0.1", server.port, TOKEN)
    assert client.trigger("fetch", {"feeds": ["a"]}) == {
        "done": True,
        "request": repr(FetchRequest(("a",), True)),
    }
    assert client.trigger("digest", {"recipient": "r@example.org", "wait": False})["done"]
    response = raw("POST", server, "/trigger/fetch", headers=bearer(TOKEN))  # no body at all
    assert response.status_code == 200
    assert handlers.calls == [
        FetchRequest(("a",), True),
        DigestRequest("r@example.org", False),
        FetchRequest((), True),
    ]


@pytest.mark.parametrize(
    ("kind", "body"),
    [("fetch", {"feeds": "a"}), ("fetch", {"feeds": [1]}), ("digest", {"recipient": 3})],
)
def test_a_malformed_trigger_is_a_400_and_reaches_no_handler(
    server: Served, handlers: FakeHandlers, kind: str, body: dict[str, Any]
) -> None:
    response = raw("POST", server, f"/trigger/{kind}", json=body, headers=bearer(TOKEN))
    assert response.status_code == 400
    assert "expected" in response.json()["error"]
    assert handlers.calls == []


@pytest.mark.parametrize(
    ("refusal", "status"), [(Unavailable("stopping"), 503), (NotFound("x"), 404)]
)
def test_refusals_map_to_their_status(
    server: Served, handlers: FakeHandlers, refusal: Exception, status: int
) -> None:
    handlers.refuse_with = refusal
    response = raw("POST", server, "/trigger/fetch", json={}, headers=bearer(TOKEN))
    assert response.status_code == status
    assert response.json() == {"error": str(refusal)}


def test_client_with_a_refused_token_names_the_token_file(
    server: Served, handlers: FakeHandlers, tmp_path: Path
) -> None:
    token_file = tmp_path / "newsmon.token"
    client = ControlClient("127.0.0.1", server.port, "stale", token_file=token_file)
    with pytest.raises(ControlAuthError) as info:
        client.trigger("fetch", {})
    assert str(info.value) == (
        f"the daemon refused the token in {token_file}: is this the daemon's data folder?"
    )
    assert handlers.calls == []


def test_client_without_a_token_file_says_where_it_looked(
    server: Served, handlers: FakeHandlers, tmp_path: Path
) -> None:
    settings = Settings.model_validate(
        {"daemon": {"control_port": server.port, "data_dir": str(tmp_path)}}
    )
    client = ControlClient.from_settings(settings)
    assert client.health()[0] == 200
    with pytest.raises(ControlAuthError) as info:
        client.trigger("fetch", {})
    assert str(info.value) == (
        f"no control token in {tmp_path} (the daemon writes newsmon.token there when it starts)"
    )
    assert handlers.calls == []


def test_from_settings_reads_the_daemons_token(tmp_path: Path, handlers: FakeHandlers) -> None:
    token = ensure_token(tmp_path)
    with served(control_app(tmp_path, handlers, token)) as srv:
        settings = Settings.model_validate(
            {"daemon": {"control_host": "0.0.0.0", "control_port": srv.port, "data_dir": tmp_path}}
        )
        assert ControlClient.from_settings(settings).trigger("digest", {"now": True})["done"]
    assert handlers.calls == [DigestRequest(None, True)]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nope", 404),
        ("POST", "/trigger/unknown", 404),
        ("GET", "/trigger/fetch", 405),
        ("POST", "/healthz", 405),
        ("DELETE", "/metrics", 405),
        ("PUT", "/trigger/digest", 405),
    ],
)
def test_unknown_paths_and_wrong_methods(
    server: Served, handlers: FakeHandlers, method: str, path: str, status: int
) -> None:
    response = raw(method, server, path, headers=bearer(TOKEN))
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert "error" in response.json()
    assert handlers.calls == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_a_400(
    server: Served, handlers: FakeHandlers, body: bytes
) -> None:
    response = raw("POST", server, "/trigger/fetch", content=body, headers=bearer(TOKEN))
    assert response.status_code == 400
    assert handlers.calls == []


def test_a_body_over_the_limit_is_a_413(server: Served, handlers: FakeHandlers) -> None:
    body = b'{"x": "' + b"a" * MAX_BODY + b'"}'
    response = raw("POST", server, "/trigger/fetch", content=body, headers=bearer(TOKEN))
    assert response.status_code == 413
    assert handlers.calls == []
    assert raw("GET", server, "/healthz").status_code == 200


def test_a_failing_handler_is_a_500_and_the_server_goes_on(
    server: Served, handlers: FakeHandlers
) -> None:
    handlers.fail_with = RuntimeError("database is gone\nsecond line")
    response = raw("GET", server, "/healthz")
    assert response.status_code == 500
    assert response.json() == {"error": "RuntimeError: database is gone"}
    client = ControlClient("127.0.0.1", server.port, TOKEN)
    with pytest.raises(ControlError) as info:
        client.trigger("fetch", {})
    assert info.value.status == 500
    assert "\n" not in str(info.value)
    assert "RuntimeError: database is gone" in str(info.value)
    handlers.fail_with = None
    assert client.health() == (200, {"status": "ok"})


def test_an_error_reply_becomes_a_control_error(server: Served, handlers: FakeHandlers) -> None:
    handlers.refuse_with = Unavailable("newsmon is shutting down")
    with pytest.raises(ControlError) as info:
        ControlClient("127.0.0.1", server.port, TOKEN).trigger("fetch", {})
    assert info.value.status == 503
    assert str(info.value).endswith("HTTP 503: newsmon is shutting down")


def test_health_answers_while_a_trigger_runs(server: Served, handlers: FakeHandlers) -> None:
    handlers.block = True
    client = ControlClient("127.0.0.1", server.port, TOKEN)
    worker = threading.Thread(target=client.trigger, args=("fetch", {}), kwargs={"timeout": 10})
    worker.start()
    try:
        assert client.health()[0] == 200
    finally:
        handlers.release.set()
        worker.join(10)
    assert handlers.calls == [FetchRequest((), True)]


def test_a_slow_trigger_times_out_with_one_line(server: Served, handlers: FakeHandlers) -> None:
    handlers.block = True
    with pytest.raises(ControlError, match=r"did not answer /trigger/fetch within 0.3s"):
        ControlClient("127.0.0.1", server.port, TOKEN).trigger("fetch", {}, timeout=0.3)


def test_a_port_in_use_is_one_clear_line(handlers: FakeHandlers, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        srv = WebServer(control_app(tmp_path, handlers), "127.0.0.1", port)
        with pytest.raises(ControlError) as info:
            asyncio.run(srv.start())
    assert isinstance(info.value, DaemonError)
    assert str(info.value) == (
        f"cannot listen on 127.0.0.1:{port}: address already in use "
        "(another daemon? set [daemon] control_port)"
    )
    asyncio.run(srv.stop())  # never started: still fine


def test_nothing_listening_is_daemon_not_running() -> None:
    port = free_port()
    client = ControlClient("127.0.0.1", port, TOKEN)
    with pytest.raises(DaemonNotRunning) as info:
        client.health()
    assert str(info.value) == f"no newsmon daemon is listening on 127.0.0.1:{port}"
    with pytest.raises(DaemonNotRunning):
        client.trigger("fetch", {})


def test_stop_is_idempotent_and_closes_the_port(handlers: FakeHandlers, tmp_path: Path) -> None:
    with served(control_app(tmp_path, handlers)) as srv:
        port = srv.port
        assert ControlClient("127.0.0.1", port, None).health()[0] == 200
        srv.call(srv.server.stop())
        srv.call(srv.server.stop())
    with pytest.raises(DaemonNotRunning):
        ControlClient("127.0.0.1", port, None).health()


def test_a_reply_that_is_not_json_is_a_control_error() -> None:
    other = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    thread = threading.Thread(target=other.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        client = ControlClient("127.0.0.1", other.server_address[1], None)
        with pytest.raises(ControlError, match="is not JSON: is a newsmon daemon listening"):
            client.health()
    finally:
        other.shutdown()
        other.server_close()


def test_the_token_never_reaches_the_log(server: Served, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor")
    ControlClient("127.0.0.1", server.port, TOKEN).trigger("fetch", {})
    raw("POST", server, "/trigger/fetch", headers=bearer(TOKEN + "-wrong"))
    assert "/trigger/fetch" in caplog.text  # requests are logged ...
    assert TOKEN not in caplog.text  # ... but never their token


def test_an_empty_token_is_refused(handlers: FakeHandlers, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-empty token"):
        control_app(tmp_path, handlers, "")
