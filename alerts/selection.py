"""What is due for a recipient, and the rest of what a digest needs from the database.

*Due* is defined so that nothing is lost and nothing repeated: an article is
due for a recipient when

* dedup has decided about it (status ``new_story``, ``update`` or
  ``duplicate``; not a seed),
* it matched at least one topic the recipient follows (all topics if they
  follow all), and
* it is not part of a story the recipient muted (:class:`StoryMute`), and
* it has no Delivery row for that recipient in a digest that is ``pending``
  or ``sent`` and was composed after the article's last feedback
  (``Article.feedback_at``): a reader's correction ("this is new") makes the
  article due again, once, as what it now is.

A recipient who unsubscribed (:class:`Unsubscription`) gets no digest at all
(:func:`unsubscription`; the callers in :mod:`alerts.run` check it).

A digest's Delivery rows are written in the same transaction as the digest
itself, so once a digest is stored its items are no longer due (no second
digest picks them up while it waits for the SMTP server), and they come back
only if the digest is given up (``failed``).  Composing takes a per-recipient
lock first, so a manual ``newsmon digest --send`` and the daemon cannot both
compose from the same due set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from sqlalchemy import Exists, exists, func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload

from alerts.recipients import Recipient
from monitor.storage.models import (
    Article,
    ArticleTopic,
    Delivery,
    Digest,
    Feed,
    Story,
    StoryMute,
    Unsubscription,
)

DEDUP_STATUSES = ("new_story", "update", "duplicate")
# Digests whose items are taken: waiting to be delivered, or delivered; "notifying": the
# digest of a recipient without an address, while its notifications go (alerts.notify_outbox).
HOLDING_STATUSES = ("pending", "sent", "notifying")


def lock_recipient(session: Session, recipient_key: str) -> None:
    """Serialise digest composition for one recipient until the transaction ends.

    PostgreSQL: a transaction-level advisory lock on a hash of the address.
    SQLite: a write statement that matches nothing still takes the database's
    write lock, and every read after it in the transaction sees what the
    previous composer committed.  Must be the transaction's first statement.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        key = int.from_bytes(
            hashlib.sha256(f"newsmon-digest:{recipient_key}".encode()).digest()[:8],
            "big",
            signed=True,
        )
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        session.execute(update(Digest).where(Digest.id == -1).values(status=Digest.status))


def due_articles(session: Session, recipient: Recipient) -> list[Article]:
    """The recipient's due articles (see the module docstring), oldest first, with their
    topic matches and feed loaded."""
    topic_match = matches_topics(recipient.topics)
    taken = (
        exists()
        .where(Delivery.article_id == Article.id, Delivery.recipient == recipient.key)
        .where(Delivery.digest_id == Digest.id, Digest.status.in_(HOLDING_STATUSES))
        .where(or_(Article.feedback_at.is_(None), Digest.created_at >= Article.feedback_at))
    )
    # lower(): the rows should hold the key (case-folded address), but one written with
    # the address as configured must still count.
    muted = exists().where(
        StoryMute.story_id == Article.story_id, func.lower(StoryMute.recipient) == recipient.key
    )
    query = (
        select(Article)
        .where(Article.is_seed.is_(False), Article.status.in_(DEDUP_STATUSES))
        .where(topic_match, ~taken, ~muted)
        .options(selectinload(Article.topics), selectinload(Article.feed))
        .order_by(func.coalesce(Article.published_at, Article.fetched_at), Article.id)
    )
    return list(session.scalars(query))


def matches_topics(topics: Collection[str]) -> Exists:
    """The article matched one of ``topics`` (any topic when empty)."""
    clause = exists().where(ArticleTopic.article_id == Article.id)
    return clause.where(ArticleTopic.topic.in_(topics)) if topics else clause


def story_members(session: Session, story_ids: Collection[int]) -> dict[int, list[Article]]:
    """The fetched (non-seed) articles of each story, oldest first, with their feed."""
    if not story_ids:
        return {}
    query = (
        select(Article)
        .where(Article.story_id.in_(story_ids), Article.is_seed.is_(False))
        .options(selectinload(Article.feed))
        .order_by(func.coalesce(Article.published_at, Article.fetched_at), Article.id)
    )
    members: dict[int, list[Article]] = {}
    for article in session.scalars(query):
        assert article.story_id is not None
        members.setdefault(article.story_id, []).append(article)
    return members


def stories(session: Session, story_ids: Collection[int]) -> dict[int, Story]:
    if not story_ids:
        return {}
    return {s.id: s for s in session.scalars(select(Story).where(Story.id.in_(story_ids)))}


def failing_feeds(session: Session) -> list[Feed]:
    """Feeds whose last poll failed, or that were switched off because of errors (a 410)."""
    query = (
        select(Feed)
        .where(or_(Feed.consecutive_errors > 0, Feed.disabled_reason.is_not(None)))
        .order_by(Feed.consecutive_errors.desc(), Feed.id)
    )
    return list(session.scalars(query))


def digest_count(session: Session, recipient_key: str) -> int:
    """How many digests this recipient has had composed: part of the next Message-ID, so
    the same items composed again after a digest was given up get a new one."""
    query = select(func.count()).select_from(Digest).where(Digest.recipient == recipient_key)
    return int(session.scalar(query) or 0)


def unsubscription(session: Session, recipient_key: str) -> Unsubscription | None:
    """The recipient's unsubscription, if they asked for no more digests."""
    query = select(Unsubscription).where(func.lower(Unsubscription.recipient) == recipient_key)
    return session.scalars(query.limit(1)).first()
