"""Persistence: schema, engine set-up, migrations, and the queries the pipeline needs."""

from monitor.storage.database import Database, make_engine
from monitor.storage.models import (
    Article,
    ArticleSignature,
    ArticleTopic,
    Base,
    CycleRun,
    Delivery,
    Digest,
    DigestSchedule,
    Feed,
    ProcessLock,
    Story,
)

__all__ = [
    "Article",
    "ArticleSignature",
    "ArticleTopic",
    "Base",
    "CycleRun",
    "Database",
    "Delivery",
    "Digest",
    "DigestSchedule",
    "Feed",
    "ProcessLock",
    "Story",
    "make_engine",
]
