"""``newsmon trigger fetch`` in queue mode: dispatch now, and wait by reading the database.

There is no result backend: the workers write their results to the database,
and the caller learns that a batch is over from its ``dispatches`` row.  A
waiting trigger:

1. dispatches the named feeds (all enabled ones when none is named) now, due or
   not (:meth:`~monitor.queue.scheduler.QueueScheduler.dispatch_now`); a feed
   already in flight is not sent twice, its batch is waited for; a feed whose
   host has another batch in flight goes as soon as that host is free, so the
   per-host limit holds for triggers too;
2. waits until every one of those dispatches is done (a batch lost with a
   worker is sent again once its lease expires, under the same id, and is
   waited for all the same);
3. waits (up to the lease) until the new topic-matched entries of those feeds
   are classified, since a trigger's answer in single-process mode includes the
   classification;
4. answers with the same JSON keys as a single-process cycle
   (:meth:`~monitor.runner.CycleOutcome.as_dict`): the feed and entry counts
   summed over the batches' ``cycle_runs`` rows, the dedup counts of the
   entries stored since the trigger; ``run_id`` is None (there is no one
   cycle) and ``dispatches`` lists the batches.

``--no-wait`` returns after step 1; feeds whose host was busy are sent by a
background thread as their hosts free up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select

from monitor.cycle import select_jobs
from monitor.cycle_report import (
    ClassifyTiming,
    CycleSummary,
    DedupCounts,
    EntryCounts,
    FeedCounts,
)
from monitor.daemon.triggers import DigestRequest, NotFound, TriggerRequest, Unavailable
from monitor.errors import ConfigError
from monitor.outcomes import CycleStatus
from monitor.queue.dispatch import undone
from monitor.queue.scheduler import BrokerDown, QueueScheduler
from monitor.runner import CycleOutcome
from monitor.storage import CycleRun
from monitor.storage.models import Article, ArticleTopic, Dispatch

log = logging.getLogger(__name__)

POLL_S = 0.25


def queue_trigger(
    scheduler: QueueScheduler, request: TriggerRequest, *, stopping: Callable[[], bool]
) -> dict[str, Any]:
    """A trigger in queue mode: a fetch goes to the workers (and is waited for through the
    database), as does a digest round nobody waits for.  (A waited digest round runs in
    the daemon, as in single-process mode: there is no result backend to bring its
    report back, and the caller wants it.)"""
    try:
        if isinstance(request, DigestRequest):
            try:
                scheduler.send_manual_digest(request.recipient)
            except ConfigError as exc:
                raise NotFound(str(exc)) from exc
            return {"accepted": True}
        jobs = select_jobs(scheduler.db, scheduler.settings, urls=list(request.feeds))
        if request.feeds and not jobs:
            raise NotFound(f"no such feed: {', '.join(request.feeds)} (see newsmon feeds list)")
        ids = [job.id for job in jobs]
        return trigger_fetch(scheduler, ids, wait=request.wait, stopping=stopping)
    except BrokerDown as exc:
        raise Unavailable(str(exc)) from exc


def trigger_fetch(
    scheduler: QueueScheduler,
    feed_ids: Sequence[int],
    *,
    wait: bool,
    stopping: Callable[[], bool],
    poll_s: float = POLL_S,
) -> dict[str, Any]:
    """Dispatch ``feed_ids`` now; the trigger's JSON reply (see the module docstring).

    Raises :class:`~monitor.queue.scheduler.BrokerDown` when nothing could be sent.
    """
    started = scheduler.clock()
    first = scheduler.dispatch_now(feed_ids)
    waits, left, in_flight = first.waits, first.left, len(first.in_flight)
    if not wait:
        if left:
            threading.Thread(
                target=_send_left,
                args=(scheduler, left, stopping, poll_s),
                name="newsmon-trigger-dispatch",
                daemon=True,
            ).start()
        return {"accepted": True, "already_running": in_flight > 0, "dispatches": waits}
    status: CycleStatus = "done"
    while left or _undone(scheduler, waits):
        if stopping():
            status = "interrupted"
            break
        time.sleep(poll_s)
        if left:
            try:
                more = scheduler.dispatch_now(left)
            except BrokerDown:
                continue  # logged once by the scheduler; the feeds go when it answers
            waits, left = waits + more.waits, more.left
    classify_start = time.perf_counter()
    if status == "done":
        _wait_classified(scheduler, feed_ids, started, stopping, poll_s)
    classify_s = round(time.perf_counter() - classify_start, 3)
    finished = scheduler.clock()
    summary = _summary(scheduler, waits, feed_ids, started, finished)
    outcome = CycleOutcome(
        None,
        "manual",
        status,
        summary,
        started,
        finished,
        already_running=in_flight > 0,
        classify=ClassifyTiming(summary.dedup.decided, classify_s),
    )
    return outcome.as_dict() | {"dispatches": sorted(set(waits))}


def _send_left(
    scheduler: QueueScheduler, left: list[int], stopping: Callable[[], bool], poll_s: float
) -> None:
    """A ``--no-wait`` trigger's feeds whose hosts were busy: sent as the hosts free up."""
    while left and not stopping():
        time.sleep(poll_s)
        try:
            left = scheduler.dispatch_now(left).left
        except BrokerDown:
            continue
        except Exception:
            log.exception("trigger: sending the remaining feeds failed; they go when due")
            return


def _undone(scheduler: QueueScheduler, ids: Sequence[int]) -> list[int]:
    with scheduler.db.session() as session:
        return undone(session, ids)


def _matched_since(feed_ids: Sequence[int], since: datetime) -> Any:
    """The topic-matched entries of these feeds stored since ``since``."""
    return (
        select(Article.status)
        .where(
            Article.feed_id.in_(list(feed_ids)),
            Article.fetched_at >= since,
            ~Article.is_seed,
            exists().where(ArticleTopic.article_id == Article.id),
        )
        .subquery()
    )


def _wait_classified(
    scheduler: QueueScheduler,
    feed_ids: Sequence[int],
    since: datetime,
    stopping: Callable[[], bool],
    poll_s: float,
) -> None:
    """Until the entries these batches stored are classified, at most a lease long (the
    classify task runs on its own queue; without a worker on it, the answer says 0)."""
    deadline = time.monotonic() + scheduler.settings.queue.lease
    matched = _matched_since(feed_ids, since)
    query = select(func.count()).select_from(matched).where(matched.c.status.is_(None))
    while time.monotonic() < deadline and not stopping():
        with scheduler.db.session() as session:
            if not session.scalar(query):
                return
        time.sleep(poll_s)
    log.info("trigger: entries still unclassified; the answer counts what was decided")


def _summary(
    scheduler: QueueScheduler,
    dispatch_ids: Sequence[int],
    feed_ids: Sequence[int],
    started: datetime,
    finished: datetime,
) -> CycleSummary:
    """The batches' recorded reports, summed; the dedup counts of the entries stored since.

    A batch's ``cycle_runs`` row is written in the transaction that marks its dispatch
    done, with ``finished_at`` equal to the dispatch's ``done_at``: that is the link.
    """
    with scheduler.db.session() as session:
        rows = session.scalars(
            select(CycleRun)
            .join(Dispatch, Dispatch.done_at == CycleRun.finished_at)
            .where(Dispatch.id.in_(list(dispatch_ids) or [-1]), CycleRun.trigger == "worker")
        ).all()
        unique = {row.id: row for row in rows}.values()  # no DISTINCT: json has no equality
        reports = [CycleSummary.from_dict(dict(row.report or {})) for row in unique]
        matched = _matched_since(feed_ids, started)
        counted = session.execute(select(matched.c.status, func.count()).group_by(matched.c.status))
        statuses: dict[str | None, int] = {status: int(n) for status, n in counted.all()}
    parts = [r for r in reports if r is not None]
    sum_feeds = {
        k: sum(getattr(p.feeds, k) for p in parts) for k in FeedCounts.__dataclass_fields__
    }
    sum_entries = {
        k: sum(getattr(p.entries, k) for p in parts) for k in EntryCounts.__dataclass_fields__
    }
    return CycleSummary(
        feeds=FeedCounts(**sum_feeds),
        entries=EntryCounts(**sum_entries),
        duration_s=round((finished - started).total_seconds(), 3),
        errors=tuple(note for p in parts for note in p.errors),
        warnings=tuple(note for p in parts for note in p.warnings),
        dedup=DedupCounts(
            new_story=int(statuses.get("new_story", 0)),
            update=int(statuses.get("update", 0)),
            duplicate=int(statuses.get("duplicate", 0)),
        ),
    )
