"""The words the stages share about what happened: one ``Literal`` per vocabulary.

Kept in a module that imports nothing, so that the CLI, the daemon, metrics
and storage can name these values without loading the dedup engine (slow to
import) or the database layer.  Digest delivery has its own vocabulary in
:mod:`alerts.run` (``AttemptStatus``), downstream of these.
"""

from __future__ import annotations

from typing import Literal, get_args

# Who started a cycle: the daemon's tick, a trigger to the daemon, ``newsmon fetch``, or a
# queue worker's batch (``newsmon worker``, one row per batch).
Trigger = Literal["schedule", "manual", "cli", "worker"]
# A recorded cycle: running, then done, failed (an error) or interrupted (stopped, killed).
CycleStatus = Literal["running", "done", "failed", "interrupted"]
# What dedup decided about a matching article (``monitor.dedup.decide``).
DedupStatus = Literal["new_story", "update", "duplicate"]

DEDUP_STATUSES: tuple[DedupStatus, ...] = get_args(DedupStatus)
