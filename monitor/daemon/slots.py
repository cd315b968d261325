"""Digest slots: which recipients' scheduled digests were missed while newsmon was down.

The scheduler itself keeps no state (its jobs are rebuilt from the
configuration at every start); what must survive a restart is, per
recipient, when a scheduled digest round last ran.  From that and the
recipient's cron schedule, :func:`due_catch_up` tells which recipients
missed at least one slot: they get one digest at start, whatever the
number of slots missed.  A recipient seen for the first time has missed
nothing; its first digest comes at its first slot.
"""

from __future__ import annotations

from datetime import datetime

from alerts.outbox import serve_slot
from alerts.recipients import Recipient
from monitor.cron import cron_trigger, missed_slot
from monitor.storage import Database, DigestSchedule


def due_catch_up(db: Database, recipients: list[Recipient], now: datetime) -> list[Recipient]:
    """Recipients whose slot passed unserved; records a starting point for new ones."""
    missed: list[Recipient] = []
    with db.session() as session:
        for person in recipients:
            row = session.get(DigestSchedule, person.key)
            if row is None:
                session.add(DigestSchedule(recipient=person.key, last_slot_at=now, last_run_at=now))
                continue
            if missed_slot(cron_trigger(person.schedule, person.timezone), row.last_slot_at, now):
                missed.append(person)
    return missed


def record_served(db: Database, recipient: Recipient, slot: datetime, finished: datetime) -> None:
    """The round for ``slot`` ran to its end (its digest stored and tried, or nothing new).

    A round that stores a digest has already recorded the slot in the same
    transaction (``alerts.run_digests(slot=...)``), so a daemon killed after
    that sees the slot as served and only retries the stored digest.  A round
    killed before storing anything sees the slot as missed at the next start
    and runs it again: nothing had been composed for it.
    """
    with db.session() as session:
        serve_slot(session, recipient.key, slot, finished)


def last_served(db: Database) -> dict[str, datetime]:
    """Recipient key -> when its last scheduled round ran (for /healthz and status)."""
    with db.session() as session:
        return {row.recipient: row.last_run_at for row in session.query(DigestSchedule)}
