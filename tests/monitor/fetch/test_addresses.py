"""``[fetch] public_only``: internal addresses are refused before any byte is sent to them.

The fetches run against the real feed server on 127.0.0.1 through the real client; a
refused one must leave the server's request log empty, which shows the check runs
before connecting, not on the answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from monitor.config import FetchSettings
from monitor.errors import FetchError
from monitor.fetch.addresses import (
    BlockedAddress,
    IPNetwork,
    address_class,
    refusal,
)
from monitor.fetch.client import Fetcher, Response
from tests.feedserver import FeedServer, redirect, static

BODY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
LOOPBACK_V4 = [ipaddress.ip_network("127.0.0.1/32")]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def get(url: str, allowed: Sequence[IPNetwork] = (), **values: Any) -> Response:
    settings = FetchSettings.model_validate({"timeout": 3.0, "connect_timeout": 1.0, **values})

    async def go() -> Response:
        async with Fetcher(settings, allowed_networks=allowed) as fetcher:
            return await fetcher.get(url)

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("169.254.169.254", "link-local (cloud metadata)"),
        ("169.254.1.1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("192.0.2.1", "private"),  # documentation range
        ("240.0.0.1", "private"),  # reserved class E (Python counts it as private)
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "unique local"),
        ("fd12:3456::1", "unique local"),
        ("fd00:ec2::254", "link-local (cloud metadata)"),
        ("::ffff:127.0.0.1", "loopback (IPv4 inside IPv6)"),
        ("::ffff:169.254.169.254", "link-local (cloud metadata) (IPv4 inside IPv6)"),
        ("64:ff9b::a00:1", "private (IPv4 inside IPv6)"),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", "loopback (IPv4 inside IPv6)"),  # 6to4 of 127.0.0.1
        ("ff02::1", "multicast"),
        ("8.8.8.8", None),
        ("151.101.1.69", None),
        ("2a00:1450:4001:82b::200e", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_address_class(address: str, kind: str | None) -> None:
    assert address_class(ipaddress.ip_address(address)) == kind


def test_refusal_needs_every_resolved_address_public() -> None:
    assert refusal("news.example", ["93.184.215.14"], ()) is None
    assert (
        refusal("news.example", ["93.184.215.14", "10.0.0.5"], ())
        == "news.example resolves to 10.0.0.5, a private address"
    )
    assert refusal("127.0.0.1", ["127.0.0.1"], ()) == "127.0.0.1 is a loopback address"
    assert refusal("fe80::1", ["fe80::1%2"], ()) == "fe80::1 is a link-local address"


def test_off_by_default_loopback_is_fetched(server: FeedServer) -> None:
    assert get(server.route("/feed", static(BODY))).status == 200


@pytest.mark.parametrize(
    ("host", "named"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("0x7f000001", "0x7f000001 resolves to 127.0.0.1, a loopback address"),
        ("2130706433", "2130706433 resolves to 127.0.0.1, a loopback address"),
        ("127.1", "127.1 resolves to 127.0.0.1, a loopback address"),
        ("localhost", "localhost resolves to"),
        ("[::1]", "::1 is a loopback address"),
        ("[::ffff:127.0.0.1]", "loopback (IPv4 inside IPv6) address"),
        ("169.254.169.254", "169.254.169.254 is a link-local (cloud metadata) address"),
    ],
)
def test_public_only_refuses_before_connecting(server: FeedServer, host: str, named: str) -> None:
    server.route("/feed", static(BODY))
    url = f"http://{host}:{server.port}/feed"
    with pytest.raises(BlockedAddress) as caught:
        get(url, public_only=True)
    message = str(caught.value)
    assert message.startswith(f"refused to fetch {url}: "), message
    assert named in message and message.endswith("[fetch] public_only is on")
    assert "\n" not in message and isinstance(caught.value, FetchError)
    assert caught.value.url == url
    assert server.requests == []  # nothing reached the server


def test_every_redirect_hop_is_checked(server: FeedServer) -> None:
    """Loopback 127.0.0.1 allowed (the test server), a redirect to 127.0.0.2 or to the cloud
    metadata address is refused: each hop opens its own connection through the gate."""
    ok = server.route("/feed", static(BODY))
    assert (
        get(ok, LOOPBACK_V4, public_only=True).status == 200
    )  # the allowed network really connects
    for target in (
        f"http://127.0.0.2:{server.port}/feed",
        "http://169.254.169.254/latest/meta-data/",
        f"http://0x7f000002:{server.port}/feed",
    ):
        start = server.route("/hop", redirect(target, 302))
        with pytest.raises(BlockedAddress) as caught:
            get(start, LOOPBACK_V4, public_only=True)
        assert str(caught.value).startswith(f"refused to fetch {target} (redirected from {start})")
    assert [r.path for r in server.requests] == ["/feed", "/hop", "/hop", "/hop"]


def test_name_resolving_to_an_allowed_and_a_blocked_address_is_refused(
    server: FeedServer,
) -> None:
    """``localhost`` is 127.0.0.1 and ::1 here: one allowed, one not, so refused."""
    import socket

    addresses = {info[4][0] for info in socket.getaddrinfo("localhost", 80)}
    if addresses <= {"127.0.0.1"}:
        pytest.skip("localhost resolves to 127.0.0.1 only on this machine")
    with pytest.raises(BlockedAddress, match="localhost resolves to ::1, a loopback address"):
        get(f"http://localhost:{server.port}/feed", LOOPBACK_V4, public_only=True)
    assert server.requests == []
