"""Group commit: many feeds' writes share one transaction, each feed still all-or-nothing.

A commit costs about a millisecond on SQLite whatever it holds; a cycle of
10,000 feeds would spend ten seconds committing one feed at a time.  Here
the writes that queue up while a transaction runs go into the next one
together.  If that transaction fails, it is rolled back and its writes are
retried one transaction each, so one bad feed cannot take others with it,
and every feed's entries and state are still committed together or not at
all.  Writes run in one worker thread: SQLite takes one writer at a time,
and the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from monitor.storage.database import Database

T = TypeVar("T")
Work = Callable[[Session], Any]


class GroupCommitter:
    """``await committer.submit(fn)`` runs ``fn(session)`` in a shared transaction."""

    def __init__(self, db: Database, max_batch: int = 64) -> None:
        self.db = db
        self.max_batch = max_batch
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="newsmon-db")
        self._pending: list[tuple[Work, asyncio.Future[Any]]] = []
        self._wakeup = asyncio.Event()
        self._closed = False
        self._task = asyncio.create_task(self._run())
        self.transactions = 0

    async def submit(self, work: Callable[[Session], T]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((work, future))
        self._wakeup.set()
        return await future

    async def run_in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a read (or anything else) on the database thread, outside any batch."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def close(self) -> None:
        self._closed = True
        self._wakeup.set()
        await self._task
        self._executor.shutdown(wait=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if not self._pending:
                if self._closed:
                    return
                continue
            batch = self._pending[: self.max_batch]
            self._pending = self._pending[self.max_batch :]
            if self._pending or self._closed:
                self._wakeup.set()
            works = [work for work, _ in batch]
            outcomes = await loop.run_in_executor(self._executor, self._commit, works)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the submitter was cancelled
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def _commit(self, works: list[Work]) -> list[Any]:
        """All works in one transaction; on failure, each in its own."""
        try:
            with self.db.session() as session:
                results = [work(session) for work in works]
            self.transactions += 1
            return results
        except Exception:
            if len(works) == 1:
                return [self._alone(works[0])]
        return [self._alone(work) for work in works]

    def _alone(self, work: Work) -> Any:
        try:
            with self.db.session() as session:
                result = work(session)
            self.transactions += 1
            return result
        except Exception as exc:
            return exc
