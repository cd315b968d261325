"""Which HTTP client for polling many feeds at once: httpx or aiohttp, measured in one run.

A child process serves ``--feeds`` feeds (about 30 KB each) with a fixed latency
per response from one loopback address, or spread over ``--hosts`` addresses
(127.0.0.2, 127.0.0.3, ...); this process GETs every feed once, ``--concurrency``
at a time, with each client, and prints wall and CPU seconds (CPU of this process
only, so the server's work is not counted).  Best of ``--repeat`` runs.

    python benchmarks/http_clients.py       # 1,000 feeds, 200 ms, 100 in flight, 1 and 50 hosts

Clients: (a) one httpx.AsyncClient, as newsmon used it; (b) one httpx.AsyncClient
per host; (c) a bare aiohttp ClientSession; (d) newsmon's Fetcher (aiohttp, with
its limits, redirects, bounded decompression and checks), to show what it adds.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import time
from collections.abc import Awaitable, Callable, Coroutine
from multiprocessing.synchronize import Event
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import httpx
from aiohttp import web

from monitor.config import FetchSettings
from monitor.fetch.client import Fetcher

ITEM = "<item><title>Item {n}</title><link>https://example.org/{n}</link>" + (
    "<description>" + "lorem ipsum " * 20 + "</description></item>"
)
BODY = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' + "".join(
    ITEM.format(n=n) for n in range(100)) + "</channel></rss>").encode()  # fmt: skip


def serve(addresses: list[str], port: int, latency: float, ready: Event) -> None:
    async def feed(_request: web.Request) -> web.Response:
        await asyncio.sleep(latency)
        return web.Response(body=BODY, content_type="application/rss+xml")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}", feed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for address in addresses:
            await web.TCPSite(runner, address, port, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


Client = Callable[[list[str], int], Coroutine[Any, Any, None]]


async def httpx_one_pool(urls: list[str], concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
        await _gather(urls, concurrency, lambda url: _httpx_get(client, url))


async def httpx_pool_per_host(urls: list[str], concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    hosts = {urlsplit(u).hostname for u in urls}
    clients = {h: httpx.AsyncClient(limits=limits, trust_env=False) for h in hosts}
    try:
        await _gather(urls, concurrency, lambda u: _httpx_get(clients[urlsplit(u).hostname], u))
    finally:
        for client in clients.values():
            await client.aclose()


async def _httpx_get(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 200 and len(response.content) == len(BODY)


async def aiohttp_bare(urls: list[str], concurrency: int) -> None:
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await _gather(urls, concurrency, lambda url: _aiohttp_get(session, url))


async def _aiohttp_get(session: aiohttp.ClientSession, url: str) -> None:
    async with session.get(url) as response:
        assert response.status == 200 and len(await response.read()) == len(BODY)


async def newsmon_fetcher(urls: list[str], concurrency: int) -> None:
    settings = FetchSettings.model_validate(
        {"concurrency": concurrency, "per_host": concurrency, "timeout": 60.0}
    )
    async with Fetcher(settings) as fetcher:
        responses = await asyncio.gather(*(fetcher.get(url) for url in urls))
    assert all(r.status == 200 and r.body == BODY for r in responses)


async def _gather(urls: list[str], concurrency: int, get: Callable[[str], Awaitable[None]]) -> None:
    slots = asyncio.Semaphore(concurrency)

    async def one(url: str) -> None:
        async with slots:
            await get(url)

    await asyncio.gather(*(one(url) for url in urls))


CLIENTS: dict[str, Client] = {
    "(a) httpx, one AsyncClient": httpx_one_pool,
    "(b) httpx, one AsyncClient per host": httpx_pool_per_host,
    "(c) aiohttp ClientSession": aiohttp_bare,
    "(d) newsmon Fetcher (aiohttp)": newsmon_fetcher,
}


def measure(client: Client, urls: list[str], concurrency: int, repeat: int) -> tuple[float, float]:
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(client(urls, concurrency))
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per response")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    addresses = [f"127.0.0.{2 + n}" for n in range(max(args.hosts))]
    with socket.socket() as probe:
        probe.bind((addresses[0], 0))
        port = probe.getsockname()[1]
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(addresses, port, args.latency, ready))
    server.start()
    ready.wait(30)
    floor = args.feeds / args.concurrency * args.latency
    print(f"{args.feeds} feeds of {len(BODY):,} B, {args.latency * 1000:g} ms each, ", end="")
    print(f"{args.concurrency} in flight (floor {floor:.1f} s), best of {args.repeat}\n")
    print("| client | hosts | wall s | CPU s |\n|---|---:|---:|---:|")
    try:
        for hosts in args.hosts:
            urls = [f"http://{addresses[i % hosts]}:{port}/feed/{i}" for i in range(args.feeds)]
            for name, client in CLIENTS.items():
                wall, cpu = measure(client, urls, args.concurrency, args.repeat)
                print(f"| {name} | {hosts} | {wall:.2f} | {cpu:.2f} |", flush=True)
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
