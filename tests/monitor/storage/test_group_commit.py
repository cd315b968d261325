"""Group commit: writes share transactions, and a failing write takes no other with it."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.storage import Database, Feed
from monitor.storage.group_commit import GroupCommitter


def add(url: str) -> object:
    def work(session: Session) -> str:
        session.add(Feed(url=url, origin_url=url))
        session.flush()
        return url

    return work


def broken(session: Session) -> None:
    session.add(Feed(url="https://dup.example/", origin_url="x"))
    session.add(Feed(url="https://dup.example/", origin_url="y"))
    session.flush()  # unique violation


def test_batches_commit_and_failures_stay_isolated(db: Database) -> None:
    async def main() -> tuple[list[object], int]:
        writer = GroupCommitter(db, max_batch=50)
        works = [add(f"https://f{i}.example/") for i in range(40)]
        works.insert(17, broken)
        results = await asyncio.gather(
            *(writer.submit(w) for w in works),
            return_exceptions=True,  # type: ignore[arg-type]
        )
        await writer.close()
        return results, writer.transactions

    results, transactions = asyncio.run(main())
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and results[17] is errors[0]
    assert [r for r in results if isinstance(r, str)] == [
        f"https://f{i}.example/" for i in range(40)
    ]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Feed)) == 40
    assert transactions < 41 + 1  # batched first, then one by one after the failure


def test_writes_are_batched(db: Database) -> None:
    async def main() -> int:
        writer = GroupCommitter(db, max_batch=64)
        await asyncio.gather(*(writer.submit(add(f"https://g{i}.example/")) for i in range(100)))  # type: ignore[arg-type]
        await writer.close()
        return writer.transactions

    assert asyncio.run(main()) <= 4  # 100 writes, not 100 commits


def test_close_with_nothing_pending_commits_nothing(db: Database) -> None:
    async def main() -> int:
        writer = GroupCommitter(db)
        await writer.close()
        return writer.transactions

    assert asyncio.run(main()) == 0
