"""``[fetch] public_only``: feeds, redirects and article pages on public addresses only.

Whoever chooses the URLs newsmon fetches can otherwise make it request an
internal service on their behalf (server-side request forgery): the cloud
metadata service at ``169.254.169.254``, an admin page on ``127.0.0.1``, a
database console on the office network.  The answer then lands in a feed's
error line, or, with ``full_text``, in an article's stored text.

The check is made on the address actually connected to, not on the URL's
spelling: the host name is resolved here, *every* address it resolves to must
be public, and the connection goes to the address that was checked (so a DNS
answer that changes between the check and the connection, "DNS rebinding",
changes nothing).  The resolver does the decoding, so the other spellings of
loopback (``0x7f000001``, ``2130706433``, ``127.1``) are caught as what they
are.  Each redirect hop opens its own connection and passes the same gate.

It sits in httpcore's network backend, the one place every connection of the
client is opened.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence

import anyio
import httpcore
import httpx

from monitor.errors import BlockedAddress as BlockedAddress  # defined with the error tree

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, not routed publicly
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv4 embedded in the last 32 bits
_METADATA = {ipaddress.IPv4Address("169.254.169.254"), ipaddress.IPv6Address("fd00:ec2::254")}


def address_class(ip: IPAddress) -> str | None:
    """What kind of non-public address ``ip`` is ("loopback", "link-local", ...); None if public.

    IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, NAT64,
    6to4, Teredo) are judged by the IPv4 address inside, which is where they lead.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            kind = address_class(inner)
            return f"{kind} (IPv4 inside IPv6)" if kind else None
    if ip in _METADATA:
        return "link-local (cloud metadata)"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.IPv6Network("fc00::/7"):
        return "unique local"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared (carrier-grade NAT)"
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def refusal(host: str, addresses: Iterable[str], allowed: Sequence[IPNetwork]) -> str | None:
    """Why ``host`` may not be fetched (one phrase), or None when every address is public."""
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%")[0])  # drop an IPv6 zone ("fe80::1%eth0")
        if any(ip in net for net in allowed):
            continue
        kind = address_class(ip)
        if kind is None:
            continue
        where = f"{host} is" if _same(host, ip) else f"{host} resolves to {ip},"
        return f"{where} a {kind} address"
    return None


def _same(host: str, ip: IPAddress) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")) == ip
    except ValueError:
        return False


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving and vetting every address before connecting."""

    def __init__(self, allowed: Sequence[IPNetwork] = ()) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allowed = tuple(allowed)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        reason = refusal(host, addresses, self._allowed)
        if reason is not None:
            raise BlockedAddress(host, reason)
        last: Exception | None = None
        for address in addresses:  # to the addresses checked, never to a new lookup
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # _resolve returns at least one address
        raise last

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            with anyio.fail_after(timeout):
                infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress(path, "Unix sockets are not fetched when public_only is on")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def public_only_transport(
    limits: httpx.Limits, allowed: Sequence[IPNetwork] = ()
) -> httpx.AsyncHTTPTransport:
    """httpx's own transport with the connection pool built on :class:`PublicOnlyBackend`.

    httpx offers no argument for httpcore's network backend, so the pool it built
    is replaced by the same pool with ours; ``tests/monitor/fetch/test_addresses.py``
    fails if a new httpx stops using it.  ``allowed`` networks pass (tests use loopback).
    """
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=PublicOnlyBackend(allowed),
    )
    return transport
