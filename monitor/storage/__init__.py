"""Persistence: schema, engine set-up, migrations, and the queries the pipeline needs."""

from monitor.storage.database import Database, make_engine
from monitor.storage.models import (
    Article,
    ArticleSignature,
    ArticleTopic,
    Base,
    Delivery,
    Digest,
    Feed,
    Story,
)

__all__ = [
    "Article",
    "ArticleSignature",
    "ArticleTopic",
    "Base",
    "Database",
    "Delivery",
    "Digest",
    "Feed",
    "Story",
    "make_engine",
]
