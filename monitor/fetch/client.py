"""The HTTP client: many feeds at once, but never too many, and never for too long.

* a global limit and a per-host limit on requests in flight (httpx limits
  connections per pool, not per host, so the per-host part is ours);
* connect and read timeouts from httpx, plus a total deadline around the
  whole exchange, redirects and body included, that a slow-drip or silent
  server cannot stretch;
* redirects followed by hand, to tell permanent ones (301/308, whose target
  becomes the feed's new URL) from temporary ones and to catch loops;
* the body read raw and inflated in bounded steps (:mod:`.decompress`);
* with ``[fetch] public_only``, connections to public addresses only, on every
  hop (:mod:`.addresses`).

Every failure becomes one :class:`~monitor.errors.FetchError` line.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from monitor import __version__
from monitor.config import FetchSettings
from monitor.errors import (
    ConnectionFailed,
    FetchError,
    RedirectError,
    RequestTimeout,
    ResponseTooLarge,
)
from monitor.fetch.addresses import BlockedAddress, public_only_transport
from monitor.fetch.decompress import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    BoundedDecoder,
    UnsupportedEncoding,
)
from monitor.fetch.describe import describe

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def user_agent(contact: str) -> str:
    """``newsmon/0.1.0 (+https://...)``: who we are and how a feed operator reaches us."""
    return f"newsmon/{__version__} (+{contact})"


@dataclass(frozen=True)
class Response:
    """A completed exchange: the final URL, status, headers and the whole (decoded) body."""

    requested_url: str
    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    permanent_url: str | None  # set when every hop was a permanent redirect
    elapsed_s: float


class FetcherStopped(Exception):
    """The request was about to start when the fetcher was told to stop: it never went out.

    Not a :class:`~monitor.errors.FeedError`: nothing is wrong with the feed,
    and nothing about it is recorded (it stays due).
    """


class Fetcher:
    """One per poll cycle; use as ``async with Fetcher(settings) as fetcher``."""

    def __init__(
        self, settings: FetchSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.settings = settings
        self._global = asyncio.Semaphore(settings.concurrency)
        self._stopping = False
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host)
        )
        limits = httpx.Limits(
            max_connections=settings.concurrency,
            max_keepalive_connections=settings.concurrency,
        )
        if transport is None and settings.public_only:
            transport = public_only_transport(limits)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            limits=limits,
            # A proxy would resolve and connect for us, out of reach of the address check.
            trust_env=not settings.public_only,
            headers={
                "User-Agent": user_agent(settings.contact),
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            follow_redirects=False,
            transport=transport,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, headers: Mapping[str, str] | None = None, *, accept: str = FEED_ACCEPT
    ) -> Response:
        """GET ``url`` within the limits; raise a :class:`FetchError` subclass on failure.

        Error statuses are returned, not raised: what a 304, 410 or 429 means
        for the feed is decided by the caller.
        """
        host = (urlsplit(url).hostname or "").lower()
        # Host first, then the global slot: a request queued behind a busy
        # host must not hold a global slot other hosts could use.
        async with self._hosts[host], self._global:
            if self._stopping:
                raise FetcherStopped(url)
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.settings.timeout):
                    return await self._follow(url, {"Accept": accept, **(headers or {})}, started)
            except TimeoutError:
                raise RequestTimeout(
                    url, f"no complete response within {self.settings.timeout:g} s"
                ) from None
            except httpx.TimeoutException as exc:
                raise RequestTimeout(url, f"timed out ({_phase(exc)})") from exc
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise FetchError(url, f"invalid URL: {exc}") from exc
            except httpx.HTTPError as exc:
                raise ConnectionFailed(url, describe(exc, host)) from exc

    def stop(self) -> None:
        """Start no new request; those in flight go on (cancel their tasks to cut them)."""
        self._stopping = True

    async def _follow(self, url: str, headers: dict[str, str], started: float) -> Response:
        seen = {url}
        current = url
        permanent = True
        for _hop in range(self.settings.max_redirects + 1):
            request = self._client.build_request("GET", current, headers=headers)
            try:
                response = await self._client.send(request, stream=True)
            except BlockedAddress as exc:  # raised where the connection is opened: name the URL
                hop = "" if current == url else f" (redirected from {url})"
                raise BlockedAddress(
                    url, f"refused to fetch {current}{hop}: {exc}; [fetch] public_only is on"
                ) from None
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    target = urljoin(current, location.strip())
                    permanent = permanent and response.status_code in PERMANENT_REDIRECTS
                    if target in seen:
                        raise RedirectError(url, f"redirect loop at {target}")
                    seen.add(target)
                    current = target
                    continue
                body = await self._read_body(url, response)
                return Response(
                    requested_url=url,
                    url=current,
                    status=response.status_code,
                    headers=response.headers,
                    body=body,
                    permanent_url=current if permanent and current != url else None,
                    elapsed_s=time.monotonic() - started,
                )
            finally:
                await response.aclose()
        raise RedirectError(url, f"more than {self.settings.max_redirects} redirects")

    async def _read_body(self, url: str, response: httpx.Response) -> bytes:
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
            async for raw in response.aiter_raw():
                chunks.extend(decoder.feed(raw))
            chunks.append(decoder.flush())
        except BodyTooLarge:
            raise ResponseTooLarge(
                url, f"body over the {limit:,}-byte limit (after decompression); stopped reading"
            ) from None
        except zlib.error as exc:
            raise FetchError(url, f"corrupt {decoder.encoding} body: {exc}") from exc
        return b"".join(chunks)


def _phase(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connecting"
    if isinstance(exc, httpx.ReadTimeout):
        return "waiting for data"
    if isinstance(exc, httpx.PoolTimeout):
        return "waiting for a free connection"
    return "sending the request"
