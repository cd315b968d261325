"""What the Fetcher does with connections: limits, keep-alive, proxies, odd headers, shutdown.

Against real servers on loopback: an aiohttp.web server in the test's own event loop
(it sees which client port each request came from and how many are in flight) and
the feed server of ``tests/feedserver.py``.
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

import pytest
from aiohttp import web

from monitor.config import FetchSettings
from monitor.fetch.addresses import IPNetwork
from monitor.fetch.client import Fetcher, Response
from tests.feedserver import FeedServer, never_answers, static

BODY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def settings(**values: Any) -> FetchSettings:
    return FetchSettings.model_validate({"timeout": 3.0, "connect_timeout": 1.0, **values})


async def serve(handler: Handler) -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_get("/{name}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, int(port)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def test_per_host_and_global_limits_hold_and_connections_are_reused() -> None:
    in_flight: dict[str, int] = {"127.0.0.1": 0, "localhost": 0}
    peak = {"127.0.0.1": 0, "localhost": 0, "all": 0}
    ports: set[int] = set()

    async def handler(request: web.Request) -> web.Response:
        host = request.host.split(":")[0]
        ports.add(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        in_flight[host] += 1
        peak[host] = max(peak[host], in_flight[host])
        peak["all"] = max(peak["all"], sum(in_flight.values()))
        await asyncio.sleep(0.05)
        in_flight[host] -= 1
        return web.Response(body=BODY)

    async def go() -> list[Response]:
        runner, port = await serve(handler)
        try:
            async with Fetcher(settings(concurrency=3, per_host=2)) as fetcher:
                urls = [f"http://{h}:{port}/f{i}" for h in in_flight for i in range(6)]
                return await asyncio.gather(*(fetcher.get(u) for u in urls))
        finally:
            await runner.cleanup()

    responses = asyncio.run(go())
    assert [r.status for r in responses] == [200] * 12
    assert peak == {"127.0.0.1": 2, "localhost": 2, "all": 3}
    # 12 requests on at most 2 connections per host (127.0.0.1 and localhost are two
    # hosts to the pool, though one server): the others were kept alive and reused.
    assert len(ports) <= 4


def test_long_and_repeated_headers_are_kept() -> None:
    """A 20 KB cookie (over aiohttp's 8 KiB default line limit) and repeated headers."""
    cookie = "session=" + "c" * 20_000

    async def handler(request: web.Request) -> web.Response:
        response = web.Response(body=BODY, content_type="application/rss+xml", charset="utf-8")
        response.headers.add("Set-Cookie", cookie)
        response.headers.add("Set-Cookie", "b=2")
        response.headers.add("X-Note", "one")
        response.headers.add("X-Note", "two")
        return response

    async def go() -> Response:
        runner, port = await serve(handler)
        try:
            async with Fetcher(settings()) as fetcher:
                return await fetcher.get(f"http://127.0.0.1:{port}/feed")
        finally:
            await runner.cleanup()

    response = asyncio.run(go())
    assert response.body == BODY
    assert response.headers["x-note"] == response.headers["X-Note"] == "one, two"
    plain = dict(response.headers)  # what the parser is given
    assert plain["x-note"] == "one, two" and plain["set-cookie"] == f"{cookie}, b=2"
    assert plain["content-type"].startswith("application/rss+xml")
    assert response.charset == "utf-8"


def test_proxy_from_the_environment_only_when_public_only_is_off(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed server stands in for the proxy: a proxied request carries the full URL."""
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url(""))
    via_proxy = "http://feeds.example/feed"
    server.route(via_proxy, static(BODY))
    assert asyncio.run(_get(settings(), via_proxy)).body == BODY
    assert [r.path for r in server.requests] == [via_proxy]

    direct = server.route("/feed", static(BODY))
    gate_on = settings(public_only=True)
    allowed = [ipaddress.ip_network("127.0.0.1/32")]
    assert asyncio.run(_get(gate_on, direct, allowed)).body == BODY
    assert [r.path for r in server.requests] == [via_proxy, "/feed"]  # not through the proxy


async def _get(values: FetchSettings, url: str, allowed: Sequence[IPNetwork] = ()) -> Response:
    async with Fetcher(values, allowed_networks=allowed) as fetcher:
        return await fetcher.get(url)


def test_cancelled_request_and_closed_fetcher_leave_no_warnings(
    server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The daemon's stop cancels feeds mid-request; nothing may be left unclosed."""
    hang = server.route("/hang", never_answers())
    ok = server.route("/feed", static(BODY))
    loop_errors: list[dict[str, Any]] = []

    async def go() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _l, c: loop_errors.append(c))
        async with Fetcher(settings(timeout=30.0)) as fetcher:
            assert (await fetcher.get(ok)).status == 200  # a kept-alive connection to close
            task = asyncio.create_task(fetcher.get(hang))
            while not server.requests_to("/hang"):
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        asyncio.run(go())
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert loop_errors == []
    assert "Unclosed" not in caplog.text
