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

The gate is aiohttp's resolver (:class:`CheckingResolver`): the connector asks
it for the addresses of every host it connects to, and connects to what it
returns, nothing else.  aiohttp does not ask the resolver about hosts that look
like an IP address (digits and dots, or a colon), so the client checks those
itself before every hop with :meth:`CheckingResolver.check_literal`, decoding
them the way the socket layer would.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence

from aiohttp.abc import AbstractResolver, ResolveResult

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


class CheckingResolver(AbstractResolver):
    """aiohttp's resolver for newsmon: ``getaddrinfo``, then, with ``public_only``, the gate.

    Used with ``public_only`` off too, so a failed lookup reads the same either way
    (aiohttp's default would switch to aiodns when that happens to be installed).
    ``allowed`` networks pass the gate (the tests allow loopback to reach their server).
    """

    def __init__(self, *, public_only: bool, allowed: Sequence[IPNetwork] = ()) -> None:
        self.public_only = public_only
        self.allowed = tuple(allowed)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
        results: list[ResolveResult] = []
        for info_family, _, proto, _, sockaddr in infos:
            address, port_found = str(sockaddr[0]), int(sockaddr[1])
            scope = sockaddr[3] if len(sockaddr) == 4 else 0  # IPv6: (addr, port, flow, scope)
            if scope and "%" not in address:
                address = f"{address}%{scope}"  # the interface of a link-local address
            results.append(
                ResolveResult(
                    hostname=host,
                    host=address,
                    port=port_found,
                    family=info_family,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        if not results:
            raise OSError(f"{host} resolves to no address")
        if self.public_only:
            reason = refusal(host, dict.fromkeys(r["host"] for r in results), self.allowed)
            if reason is not None:
                raise BlockedAddress(host, reason)
        return results  # only what was checked: the connection makes no lookup of its own

    def check_literal(self, host: str) -> None:
        """Raise :class:`BlockedAddress` if ``host`` is an address literal the gate refuses.

        ``0x7f000001``, ``2130706433`` and ``127.1`` are all 127.0.0.1 to the socket
        layer, which decodes them without DNS (``AI_NUMERICHOST``): so does this check.
        A name is left to :meth:`resolve`.  Digits-and-dots or a colon that do not
        decode are refused: aiohttp would hand them to the socket layer unchecked.
        """
        if not self.public_only:
            return
        try:
            infos = socket.getaddrinfo(
                host, None, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
            )
        except socket.gaierror:
            if ":" in host or host.replace(".", "").isdigit():
                raise BlockedAddress(host, f"{host} is not an address newsmon can check") from None
            return
        reason = refusal(host, dict.fromkeys(str(i[4][0]) for i in infos), self.allowed)
        if reason is not None:
            raise BlockedAddress(host, reason)

    async def close(self) -> None:
        """Nothing to release: lookups run in the event loop's default executor."""
