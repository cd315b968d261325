"""The ``dispatches`` table: what was sent to the workers, and what is still in flight.

The broker is a pipe, not the record.  Before the scheduler sends a batch it
writes a dispatch (feed ids, their hosts, a lease) and, in the same
transaction, moves those feeds' ``next_due_at`` to the end of the lease, so:

* the schedule never sends a feed twice while its batch is in flight (it is
  not due);
* a batch lost with the broker, or with a worker that never comes back, is
  sent again once the lease expires (:func:`renew_expired`), and its feeds
  are due then anyway: nothing is lost;
* the hosts of undone dispatches whose lease runs are busy
  (:func:`busy_hosts`): no second batch for them, so ``[fetch] per_host``
  holds across workers (:mod:`monitor.queue.batches`).

The worker marks its dispatch done (:func:`mark_done`) once the batch is
stored; a batch delivered again after that finds it done and polls nothing.
A trigger that waits reads :func:`undone` until its dispatches are done.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from monitor.queue.batches import Batch
from monitor.storage.models import Dispatch, Feed


def create_dispatch(session: Session, batch: Batch, now: datetime, lease_s: int) -> Dispatch:
    """Record ``batch`` as sent now (flushed: its id is set) and hold its feeds until the
    lease ends.  Commit before sending the task, so a worker always finds the row."""
    lease_until = now + timedelta(seconds=lease_s)
    row = Dispatch(
        feed_ids=list(batch.feed_ids),
        hosts=list(batch.hosts),
        created_at=now,
        lease_until=lease_until,
        attempts=1,
    )
    session.add(row)
    _hold_feeds(session, batch.feed_ids, lease_until)
    session.flush()
    return row


def _hold_feeds(session: Session, feed_ids: Sequence[int], until: datetime) -> None:
    """Not due before ``until`` (a feed due later than that keeps its time)."""
    if not feed_ids:
        return
    session.execute(
        update(Feed)
        .where(Feed.id.in_(list(feed_ids)))
        .where(or_(Feed.next_due_at.is_(None), Feed.next_due_at < until))
        .values(next_due_at=until)
        .execution_options(synchronize_session=False)
    )


def in_flight(now: datetime) -> ColumnElement[bool]:
    """A dispatch in flight: not done, and its lease has not expired."""
    return and_(Dispatch.done_at.is_(None), Dispatch.lease_until > now)


def busy_hosts(session: Session, now: datetime) -> set[str]:
    """Hosts with a batch in flight."""
    rows = session.scalars(select(Dispatch.hosts).where(in_flight(now)))
    return {str(host) for hosts in rows for host in hosts}


def renew_expired(session: Session, now: datetime, lease_s: int) -> list[Dispatch]:
    """Undone dispatches whose lease expired, given a new lease (``attempts`` + 1), their
    feeds held again: the caller sends each again with the same id.  Call it before
    selecting due feeds, so those feeds are not also planned into new batches."""
    expired = list(
        session.scalars(
            select(Dispatch)
            .where(Dispatch.done_at.is_(None), Dispatch.lease_until <= now)
            .order_by(Dispatch.id)
            .with_for_update(skip_locked=True)
        )
    )
    lease_until = now + timedelta(seconds=lease_s)
    for row in expired:
        row.attempts += 1
        row.lease_until = lease_until
        _hold_feeds(session, [int(i) for i in row.feed_ids], lease_until)
    session.flush()
    return expired


def mark_done(session: Session, dispatch_id: int, now: datetime) -> bool:
    """Mark a dispatch done; False when it already was (or does not exist)."""
    result = session.execute(
        update(Dispatch)
        .where(Dispatch.id == dispatch_id, Dispatch.done_at.is_(None))
        .values(done_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def is_done(session: Session, dispatch_id: int) -> bool | None:
    """Whether the dispatch is done; None when there is no such dispatch."""
    row = session.get(Dispatch, dispatch_id)
    return None if row is None else row.done_at is not None


def undone(session: Session, dispatch_ids: Sequence[int]) -> list[int]:
    """Those of ``dispatch_ids`` not done yet (what a waiting trigger still waits for)."""
    if not dispatch_ids:
        return []
    return list(
        session.scalars(
            select(Dispatch.id)
            .where(Dispatch.id.in_(list(dispatch_ids)), Dispatch.done_at.is_(None))
            .order_by(Dispatch.id)
        )
    )
