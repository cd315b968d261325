"""Where a poll cycle parses, normalises and matches: beside the event loop, on another core.

A first cycle over many feeds is CPU work, not waiting: 20,000 new items are
parsed, turned into text, matched and their language detected, about 0.2 ms
each.  In threads that work shares one core with the event loop and the
database writer (Python runs one thread at a time), so the cycle takes three
times as long as the network does (``benchmarks/fetch.py``).  With many feeds
it therefore goes to a worker *process*, which runs on the second core while
this one fetches and stores; with few, threads, since starting a process
(imports, ~0.5 s of CPU) would cost more than it saves.

The worker is spawned, not forked: the cycle's process already runs threads
(the database writer, the daemon's), and a fork copies their locks in
whatever state they are.  It lives for one cycle, so the language models it
loads (~185 MB) go with it.  Entries and errors cross the process boundary
pickled; a worker that dies fails the feeds it was working on with one line
each, and the next feed gets a new worker.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from monitor.errors import WorkerFailed
from monitor.match import TopicMatcher
from monitor.match.entries import EntryTopics, match_entries
from monitor.parse.entry import Entry, normalise_all
from monitor.parse.feed import parse_feed

log = logging.getLogger(__name__)

T = TypeVar("T")

PROCESS_FROM_FEEDS = 50  # fewer feeds than this: threads (a process costs ~0.5 s to start)


@dataclass(frozen=True)
class ParsedEntries:
    """A parsed feed as the cycle needs it: its normalised entries, their topic matches (by
    entry key, only the matched ones) and what the feed said of itself."""

    entries: list[Entry]
    topics: dict[str, EntryTopics]
    title: str | None
    link: str | None
    ttl_s: int | None
    warnings: list[str] = field(default_factory=list)


# -- what runs in the worker (or in a thread) ----------------------------------------------

_matcher: TopicMatcher | None = None


def _start_worker(matcher: TopicMatcher) -> None:
    """In the worker process, once: keep the matcher, and leave stopping to the cycle.

    A signal meant for the service reaches the whole process group (Ctrl-C in a
    terminal, systemd's stop): a worker dying of it would fail the feeds it holds
    as if they were broken.  The cycle shuts the worker down itself, and a worker
    whose cycle process is gone exits when its task queue closes.
    """
    global _matcher
    _matcher = matcher
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def parse_entries(
    matcher: TopicMatcher | None,
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    now: datetime,
    languages: tuple[str, ...] | None,
) -> ParsedEntries:
    """Parse, normalise and match one feed document (raises the parser's :class:`FeedError`).

    ``matcher`` None: the worker process's own, sent once when it started.
    ``languages`` None: not matched here (the text to match comes later).
    """
    parsed = parse_feed(body, headers, url)
    entries = normalise_all(parsed.entries, now)
    return ParsedEntries(
        entries=entries,
        topics={} if languages is None else match_entries_with(matcher, entries, {}, languages),
        title=parsed.title,
        link=parsed.link,
        ttl_s=parsed.ttl_s,
        warnings=parsed.warnings,
    )


def match_entries_with(
    matcher: TopicMatcher | None,
    entries: list[Entry],
    texts: dict[str, str],
    languages: tuple[str, ...],
) -> dict[str, EntryTopics]:
    """The topic matches of ``entries`` (``texts``: article pages' text, by entry key)."""
    matcher = matcher or _matcher
    assert matcher is not None, "worker started without a matcher"
    return match_entries(entries, matcher, feed_languages=languages, texts=texts)


# -- the cycle's side ------------------------------------------------------------------------


class CycleWorkers:
    """``async with CycleWorkers(matcher, feeds) as workers``: one per cycle."""

    def __init__(self, matcher: TopicMatcher, feeds: int, *, process: bool | None = None) -> None:
        self.matcher = matcher
        if process is None:  # on one core a process only adds the cost of starting it
            process = feeds >= PROCESS_FROM_FEEDS and (os.cpu_count() or 1) > 1
        self.uses_process = process
        self._executor: Executor | None = None

    async def __aenter__(self) -> CycleWorkers:
        self._executor = self._new_executor()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._executor is not None:
            # Without waiting: a worker busy with a feed the cycle no longer wants is not
            # waited for (cancelled cycles stop at once); the process exits on its own.
            self._executor.shutdown(wait=not self.uses_process, cancel_futures=True)
            self._executor = None

    async def parse(
        self,
        body: bytes,
        headers: Mapping[str, str],
        url: str,
        now: datetime,
        languages: Sequence[str] | None = (),
    ) -> ParsedEntries:
        """The feed parsed, normalised and matched (``languages``: the feed's restriction;
        None: not matched, for a feed whose article pages are fetched and matched later)."""
        restriction = None if languages is None else tuple(languages)
        return await self._run(
            url, parse_entries, self._local, body, dict(headers), url, now, restriction
        )

    async def match(
        self, url: str, entries: list[Entry], texts: dict[str, str], languages: Sequence[str]
    ) -> dict[str, EntryTopics]:
        """Match again, on the article pages' ``texts`` (by entry key) where there are some."""
        return await self._run(
            url, match_entries_with, self._local, entries, texts, tuple(languages)
        )

    @property
    def _local(self) -> TopicMatcher | None:
        # A worker process has its own copy, sent once: not pickled again with every feed.
        return None if self.uses_process else self.matcher

    async def _run(self, url: str, function: Callable[..., T], *args: Any) -> T:
        executor = self._executor
        assert executor is not None, "use CycleWorkers as an async context manager"
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, function, *args)
        except BrokenProcessPool:
            # The worker died under this feed (and failed every feed it had queued): a new
            # one for the feeds after them; these fail with a line and are polled again.
            if self._executor is executor:
                log.warning("parse worker died while reading %s; starting a new one", url)
                executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()
            raise WorkerFailed(url, "internal error: the parse worker process died") from None

    def _new_executor(self) -> Executor:
        if not self.uses_process:
            return ThreadPoolExecutor(2, thread_name_prefix="newsmon-parse")
        return ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.matcher,),
        )
