"""The thresholds and sizes of the dedup engine: :class:`DedupSettings`.

Every number that decides whether two articles are the same is a field of
that one model, with its range and help text, and the ``[dedup]`` section of
the configuration is that same model (declared in :mod:`monitor.config.dedup`,
which the configuration can import without loading the engine), so the
engine and the configuration cannot drift apart.  The defaults were measured
on the labeled set in ``tests/data/dedup_labeled.jsonl``; ``docs/dedup.md``
says how to re-tune.
"""

from __future__ import annotations

from monitor.config.dedup import DedupSettings

__all__ = ["DedupSettings"]
