"""The HTTP client's rules, one at a time, against a real server on loopback.

The poll-cycle tests (``tests/monitor/test_cycle.py``) show each failure ends up as one
stored line; these pin down what :class:`~monitor.fetch.client.Fetcher` itself does:
redirects, limits, deadlines, decompression and how a broken connection is described.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from monitor.config import FetchSettings
from monitor.errors import (
    ConnectionFailed,
    FetchError,
    RedirectError,
    RequestTimeout,
    ResponseTooLarge,
)
from monitor.fetch.client import Fetcher, Response
from tests.feedserver import (
    FeedServer,
    Reply,
    never_answers,
    redirect,
    reply,
    resets,
    slow_drip,
    static,
)

BODY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def settings(**values: Any) -> FetchSettings:
    return FetchSettings.model_validate(
        {"timeout": 2.0, "connect_timeout": 1.0, "max_bytes": 100_000, **values}
    )


def get(url: str, **values: Any) -> Response:
    async def go() -> Response:
        async with Fetcher(settings(**values)) as fetcher:
            return await fetcher.get(url)

    return asyncio.run(go())


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_plain_get_returns_the_body_and_sends_our_headers(server: FeedServer) -> None:
    url = server.route("/feed", static(BODY))
    response = get(url)
    assert (response.status, response.body, response.url) == (200, BODY, url)
    assert response.permanent_url is None
    sent = server.requests_to("/feed")[0].headers
    assert sent["user-agent"].startswith("newsmon/")
    assert "gzip" in sent["accept-encoding"] and "rss+xml" in sent["accept"]


def test_error_status_is_returned_not_raised(server: FeedServer) -> None:
    assert get(server.route("/gone", reply(410, b"gone"))).status == 410


def test_permanent_chain_gives_the_new_url_and_a_temporary_hop_does_not(
    server: FeedServer,
) -> None:
    final = server.route("/final", static(BODY))
    server.route("/p2", redirect(final, 308))
    assert get(server.route("/p1", redirect(server.url("/p2"), 301))).permanent_url == final
    server.route("/t2", redirect(final, 302))
    mixed = get(server.route("/t1", redirect(server.url("/t2"), 301)))
    assert (mixed.url, mixed.permanent_url) == (final, None)


def test_relative_redirect_is_resolved(server: FeedServer) -> None:
    server.route("/there", static(BODY))
    assert get(server.route("/here", redirect("/there", 302))).url == server.url("/there")


def test_redirect_loop_and_chain_limit(server: FeedServer) -> None:
    server.route("/a", redirect(server.url("/b"), 302))
    server.route("/b", redirect(server.url("/a"), 302))
    with pytest.raises(RedirectError, match="redirect loop at"):
        get(server.url("/a"))
    for hop in range(3):
        server.route(f"/c{hop}", redirect(server.url(f"/c{hop + 1}"), 302))
    server.route("/c3", static(BODY))
    assert get(server.url("/c0"), max_redirects=3).status == 200
    with pytest.raises(RedirectError, match="more than 2 redirects"):
        get(server.url("/c0"), max_redirects=2)


def test_declared_length_over_the_limit_is_refused_before_reading(server: FeedServer) -> None:
    url = server.route("/big", reply(200, b"x" * 100_001))
    with pytest.raises(ResponseTooLarge, match="body of 100,001 bytes is over the 100,000"):
        get(url)


def test_undeclared_length_is_cut_at_the_limit(server: FeedServer) -> None:
    chunks = [b"x" * 10_000] * 11
    url = server.route("/chunked", lambda _r: Reply(200, iter(chunks)))
    with pytest.raises(ResponseTooLarge, match="stopped reading"):
        get(url)


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
    ],
)
def test_compressed_body_is_inflated(server: FeedServer, encoding: str, compress: Any) -> None:
    url = server.route("/z", reply(200, compress(BODY), Content_Encoding=encoding))
    assert get(url).body == BODY


def test_corrupt_and_unknown_encodings_are_one_line(server: FeedServer) -> None:
    corrupt = server.route("/corrupt", reply(200, b"not gzip at all", Content_Encoding="gzip"))
    with pytest.raises(FetchError, match="corrupt gzip body"):
        get(corrupt)
    odd = server.route("/odd", reply(200, b"x", Content_Encoding="x-snappy"))
    with pytest.raises(FetchError, match="unsupported Content-Encoding"):
        get(odd)


def test_total_deadline_holds_against_a_slow_drip(server: FeedServer) -> None:
    url = server.route("/drip", slow_drip(total=10_000, chunk=10, every=0.1))
    with pytest.raises(RequestTimeout, match="no complete response within 1 s"):
        get(url, timeout=1.0)


def test_silent_server_times_out(server: FeedServer) -> None:
    with pytest.raises(RequestTimeout):
        get(server.route("/hang", never_answers()), timeout=1.0)


def test_connection_refused_says_so() -> None:
    with pytest.raises(ConnectionFailed) as caught:
        get(f"http://127.0.0.1:{free_port()}/feed")
    assert str(caught.value) == "cannot connect: connection refused"


def test_reset_before_the_answer_says_so(server: FeedServer) -> None:
    with pytest.raises(ConnectionFailed) as caught:
        get(server.route("/rst", resets()))
    assert "connection reset by peer" in str(caught.value), str(caught.value)
    assert "\n" not in str(caught.value)


def test_reset_in_the_middle_of_the_body_says_so(server: FeedServer) -> None:
    with pytest.raises(ConnectionFailed) as caught:
        get(server.route("/rst-body", resets(b"<rss>" + b" " * 1000)))
    assert "connection reset by peer" in str(caught.value), str(caught.value)


def test_unresolvable_host_says_so() -> None:
    with pytest.raises(ConnectionFailed) as caught:
        get("http://no-such-host.invalid/feed")
    assert "cannot resolve no-such-host.invalid" in str(caught.value), str(caught.value)
