"""The HTTP client: many feeds at once, but never too many, and never for too long.

Built on aiohttp, whose connection pool (``TCPConnector``) hands out a free
connection per host in constant time.  httpx's pool walked every connection for
every queued request: at 1,000 feeds and 100 in flight that walk was most of
a poll cycle's CPU (``benchmarks/http_clients.py`` measures both).

* a global limit and a per-host limit on requests in flight: our semaphores,
  host first, then global (by the host asked for; redirect hops ride on the
  request's slots).  The connector's limit is the global one, so a request
  that holds its slots never waits inside aiohttp; connections are kept alive
  and reused;
* connect and read timeouts from aiohttp, plus a total deadline around the
  whole exchange, redirects and body included, that a slow-drip or silent
  server cannot stretch;
* redirects followed by hand, to tell permanent ones (301/308, whose target
  becomes the feed's new URL) from temporary ones and to catch loops;
* the body read raw and inflated in bounded steps (:mod:`.decompress`);
* header lines up to 64 KiB (aiohttp's default of 8 KiB fails sites that set
  big cookies);
* with ``[fetch] public_only``, connections to public addresses only, on every
  hop (:mod:`.addresses`), and no proxy (it would resolve and connect out of
  reach of the check).  With it off, ``HTTP(S)_PROXY``/``NO_PROXY`` are
  honoured, as they were with httpx;
* certificates checked against certifi's bundle, or ``SSL_CERT_FILE`` /
  ``SSL_CERT_DIR`` when set (what httpx did, so a feed trusted before still is).

Every failure becomes one :class:`~monitor.errors.FetchError` line.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import ssl
import time
import urllib.request
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import aiohttp
import certifi
from yarl import URL

from monitor import __version__
from monitor.config import FetchSettings
from monitor.errors import (
    ConnectionFailed,
    FetchError,
    RedirectError,
    RequestTimeout,
    ResponseTooLarge,
)
from monitor.fetch.addresses import BlockedAddress, CheckingResolver, IPNetwork
from monitor.fetch.decompress import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    BoundedDecoder,
    UnsupportedEncoding,
)
from monitor.fetch.describe import describe, timeout_phase

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MAX_HEADER_LINE = 64 * 1024  # a status or header line longer than this fails the exchange


def _proxies_configured() -> bool:
    """Whether the environment names a proxy (``HTTP_PROXY``, ``HTTPS_PROXY``, ...).

    aiohttp, told to trust the environment, reads it and ``~/.netrc`` again for
    every request: a file stat and parse per feed, ~5% of a 1,000-feed cycle.
    Where no proxy is set there is nothing to find, so it is not told to look.
    """
    return bool(urllib.request.getproxies_environment())


def host_key(url: str) -> str:
    """What ``[fetch] per_host`` counts requests by: the URL's host, lower-cased, without
    its port.  Queue mode plans its batches by the same key (:mod:`monitor.queue.batches`),
    so the limit holds across workers exactly as within one fetcher."""
    return (urlsplit(url).hostname or "").lower()


def user_agent(contact: str) -> str:
    """``newsmon/0.1.0 (+https://...)``: who we are and how a feed operator reaches us."""
    return f"newsmon/{__version__} (+{contact})"


class ResponseHeaders(Mapping[str, str]):
    """Response headers: names in lower case, looked up in any case, repeats joined by ", ".

    A plain mapping of one string per name, so ``dict(headers)`` (what the parser
    is given) keeps every value of a repeated header, as httpx's ``Headers`` did.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            self._values[key] = f"{self._values[key]}, {value}" if key in self._values else value

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"ResponseHeaders({self._values!r})"


@dataclass(frozen=True)
class Response:
    """A completed exchange: the final URL, status, headers and the whole (decoded) body."""

    requested_url: str
    url: str
    status: int
    headers: ResponseHeaders
    body: bytes
    permanent_url: str | None  # set when every hop was a permanent redirect
    elapsed_s: float

    @property
    def charset(self) -> str | None:
        """The ``charset`` of the Content-Type header, if it names one Python knows."""
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        name = message.get_content_charset()
        try:
            return codecs.lookup(name).name if name else None
        except LookupError:
            return None


class FetcherStopped(Exception):
    """The request was about to start when the fetcher was told to stop: it never went out.

    Not a :class:`~monitor.errors.FeedError`: nothing is wrong with the feed,
    and nothing about it is recorded (it stays due).
    """


class Fetcher:
    """One per poll cycle; use as ``async with Fetcher(settings) as fetcher``.

    ``allowed_networks`` pass the ``public_only`` gate (tests allow loopback).
    """

    def __init__(
        self, settings: FetchSettings, *, allowed_networks: Sequence[IPNetwork] = ()
    ) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.concurrency)
        self._stopping = False
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host)
        )
        self._resolver = CheckingResolver(
            public_only=settings.public_only, allowed=allowed_networks
        )
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        # Made here, not in __init__: a session belongs to the running event loop.
        settings = self.settings
        connector = aiohttp.TCPConnector(
            # Each get() holds at most one connection at a time, so this never makes one wait.
            limit=settings.concurrency,
            # No per-host limit in the pool: ours is by the host asked for, and a redirect hop
            # to a shared host (a feed proxy) must not queue here under the connect timeout.
            limit_per_host=0,
            resolver=self._resolver,
            ssl=_ssl_context(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None,  # the whole exchange is under asyncio.timeout in get()
                connect=settings.connect_timeout,  # resolving and connecting
                sock_connect=settings.connect_timeout,
                sock_read=settings.timeout,
            ),
            headers={
                "User-Agent": user_agent(settings.contact),
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            auto_decompress=False,  # BoundedDecoder inflates, counting as it goes
            trust_env=not settings.public_only and _proxies_configured(),
            max_line_size=MAX_HEADER_LINE,
            max_field_size=MAX_HEADER_LINE,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(
        self, url: str, headers: Mapping[str, str] | None = None, *, accept: str = FEED_ACCEPT
    ) -> Response:
        """GET ``url`` within the limits; raise a :class:`FetchError` subclass on failure.

        Error statuses are returned, not raised: what a 304, 410 or 429 means
        for the feed is decided by the caller.
        """
        host = host_key(url)
        # Host first, then the global slot: a request queued behind a busy
        # host must not hold a global slot other hosts could use.
        async with self._hosts[host], self._global:
            if self._stopping:
                raise FetcherStopped(url)
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.settings.timeout):
                    return await self._follow(url, {"Accept": accept, **(headers or {})}, started)
            except aiohttp.ServerTimeoutError as exc:  # a TimeoutError too: before the next
                raise RequestTimeout(url, f"timed out ({timeout_phase(exc)})") from exc
            except TimeoutError:
                raise RequestTimeout(
                    url, f"no complete response within {self.settings.timeout:g} s"
                ) from None
            except aiohttp.InvalidURL as exc:  # a host aiohttp will not connect to
                raise FetchError(url, f"invalid URL: {exc}") from exc
            except (aiohttp.ClientError, OSError) as exc:
                raise ConnectionFailed(url, describe(exc, host)) from exc

    def stop(self) -> None:
        """Start no new request; those in flight go on (cancel their tasks to cut them)."""
        self._stopping = True

    async def _follow(self, url: str, headers: dict[str, str], started: float) -> Response:
        if self._session is None:
            raise RuntimeError("use the Fetcher as `async with Fetcher(settings) as fetcher`")
        seen = {url}
        current = url
        permanent = True
        for _hop in range(self.settings.max_redirects + 1):
            target = _http_url(url, current)
            try:
                self._resolver.check_literal(target.host or "")  # aiohttp skips the resolver
                response = await self._session.get(target, headers=headers, allow_redirects=False)
            except BlockedAddress as exc:  # raised where the connection is opened: name the URL
                hop = "" if current == url else f" (redirected from {url})"
                raise BlockedAddress(
                    url, f"refused to fetch {current}{hop}: {exc}; [fetch] public_only is on"
                ) from None
            # An unread body (a redirect, an error) closes the connection on release.
            async with response:
                location = response.headers.get("location")
                if response.status in REDIRECT_STATUSES and location:
                    target_url = urljoin(current, location.strip())
                    permanent = permanent and response.status in PERMANENT_REDIRECTS
                    if target_url in seen:
                        raise RedirectError(url, f"redirect loop at {target_url}")
                    seen.add(target_url)
                    current = target_url
                    continue
                body = await self._read_body(url, response)
                return Response(
                    requested_url=url,
                    url=current,
                    status=response.status,
                    headers=ResponseHeaders(response.headers.items()),
                    body=body,
                    permanent_url=current if permanent and current != url else None,
                    elapsed_s=time.monotonic() - started,
                )
        raise RedirectError(url, f"more than {self.settings.max_redirects} redirects")

    async def _read_body(self, url: str, response: aiohttp.ClientResponse) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if (
            declared.isdigit()
            and int(declared) > limit
            and "content-encoding" not in response.headers
        ):
            raise ResponseTooLarge(
                url, f"body of {int(declared):,} bytes is over the {limit:,}-byte limit"
            )
        try:
            decoder = BoundedDecoder(response.headers.get("content-encoding"), limit)
        except UnsupportedEncoding as exc:
            raise FetchError(url, f"unsupported Content-Encoding {exc}") from None
        chunks: list[bytes] = []
        try:
            async for raw in response.content.iter_any():
                chunks.extend(decoder.feed(raw))
            chunks.append(decoder.flush())
        except BodyTooLarge:
            raise ResponseTooLarge(
                url, f"body over the {limit:,}-byte limit (after decompression); stopped reading"
            ) from None
        except zlib.error as exc:
            raise FetchError(url, f"corrupt {decoder.encoding} body: {exc}") from exc
        return b"".join(chunks)


def _http_url(url: str, current: str) -> URL:
    """``current`` as aiohttp will see it; an ``invalid URL`` line if it is no http(s) URL."""
    try:
        parsed = URL(current)
    except ValueError as exc:
        raise FetchError(url, f"invalid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(url, f"invalid URL: {current} is not an http(s) URL with a host")
    return parsed


def _ssl_context() -> ssl.SSLContext:
    """certifi's bundle, unless ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` names another."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    return ssl.create_default_context(cafile=certifi.where())
