"""Readers' feedback applied to the database.

Every function records one :class:`~monitor.storage.models.Feedback` row (who, when, what,
the decision before) and changes the state that classification and digest selection read:
the article's own columns (status, story, the copy it retells, ``feedback_at``),
:class:`~monitor.storage.models.StoryMute` and
:class:`~monitor.storage.models.Unsubscription`.  It runs inside the caller's session (the
caller commits) and raises :class:`~monitor.errors.FeedbackError` (nothing changed) when it
cannot apply.  Asking for what already is so changes nothing and records nothing: a
one-click link clicked twice, or prefetched and then clicked, must not pile up history.

Why the article's decision itself changes (rather than a side table that readers of the
decision would have to consult): the digest, ``explain``, the console and the dedup index
all read ``status`` and ``story_id``; a correction that every one of them honours without
knowing about feedback is one that cannot be forgotten somewhere.  ``dedup_layer`` becomes
``"feedback"`` (the layer that decided), the engine's evidence stays for ``explain``, and
``feedback_at`` tells classification never to decide the article again and digest selection
to show it again as what it now is.

A story whose first article is said to retell another story is merged into it: all its
articles move, the readers who muted it stay muted, and the emptied story row is deleted
(an empty story would linger in every list); links in older digests that name it are
followed to the story it merged into (:func:`monitor.storage.feedback.resolve_story`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from monitor.errors import FeedbackError
from monitor.storage import feedback as queries
from monitor.storage.models import Article, Feedback, Story, StoryMute, Unsubscription
from monitor.text import split_sentences

Via = Literal["console", "link", "list-unsubscribe", "cli"]
LEAD_SENTENCES = 3  # "this is new" about an article with no novel sentence: its lead is news
FEEDBACK_LAYER = "feedback"  # the dedup layer of a decision a reader made
MAX_RECIPIENT = 320  # the column's width (an e-mail address's longest)


@dataclass(frozen=True)
class Actor:
    """Who gave the feedback: "console" (loopback), a console user, or a link's recipient."""

    name: str
    via: Via


@dataclass(frozen=True)
class Outcome:
    """What one piece of feedback did: ``changed`` False when it was already so."""

    feedback: Feedback | None
    changed: bool
    message: str  # one line for the page that confirms it


# ---------------------------------------------------------------------------- articles
def mark_new(session: Session, article_id: str, actor: Actor, *, as_story: bool = False) -> Outcome:
    """ "This is new": an update of its story (``as_story`` False) or a story of its own.

    An update keeps the novel sentences the engine found; when it found none, the article's
    lead is what is new (a digest shows an update by its novel sentences).  A story of its
    own takes along the articles that are copies of it (exact or near duplicates): they
    retell it, not the story it leaves."""
    article = _article(session, article_id)
    story_id = _story_id(article)
    if as_story:
        if article.status == "new_story":
            return _same(f"article {article.id} already starts story {story_id}")
        before = _before(article)
        copies = queries.copies_of(session, article.id, story_id)
        story = Story(title=article.title or f"article {article.id}")
        session.add(story)
        session.flush()
        now = _now()
        _decide(article, "new_story", story.id, None, now)
        for copy in copies:
            copy.story_id = story.id
        story.created_at = story.updated_at = now
        _touch(session, story_id, now)
        row = _record(session, "new_story", actor, article, story_id, story.id, before, now)
        taken = f", with {len(copies)} cop{'y' if len(copies) == 1 else 'ies'} of it" * bool(copies)
        return Outcome(row, True, f"article {article.id} is now story {story.id}{taken}")
    if article.status in ("new_story", "update"):
        word = "starts" if article.status == "new_story" else "is an update of"
        return _same(f"article {article.id} is already new: it {word} story {story_id}")
    before = _before(article)
    now = _now()
    _decide(article, "update", story_id, article.duplicate_of_id, now)
    if not article.novel_sentences:
        article.novel_sentences = _lead(article)
    _touch(session, story_id, now)
    row = _record(session, "new_update", actor, article, story_id, story_id, before, now)
    return Outcome(row, True, f"article {article.id} is now an update of story {story_id}")


def mark_retelling(session: Session, article_id: str, story_id: int, actor: Actor) -> Outcome:
    """ "This is a retelling of story X": the article (its whole story, if it led it) joins X
    as a duplicate of X's first article."""
    article = _article(session, article_id)
    own = _story_id(article)
    target, followed = queries.resolve_story(session, story_id)
    if target is None:
        raise FeedbackError(f"no story {story_id}")
    if target.id == own:
        if article.status == "duplicate":
            return _same(f"article {article.id} is already a retelling in story {own}")
        raise FeedbackError(
            f"article {article.id} is already in story {own}: say it is not new instead"
        )
    first = queries.earliest_other(session, target.id, article.id)
    if first is None:
        raise FeedbackError(f"story {target.id} has no article that {article.id} could retell")
    before = _before(article)
    now = _now()
    merge = article.status == "new_story" and not any(
        m.is_seed for m in queries.members(session, own)
    )
    if merge:
        before["merged"] = True
        moved = queries.move_story(session, own, target.id) - 1
        session.expire_all()  # the bulk update and delete: reread what was loaded
        article = _article(session, article_id)
        what = f"story {own} ({moved} more article{'s' * (moved != 1)}) merged into"
    else:
        for copy in queries.copies_of(session, article.id, own):
            copy.story_id = target.id
        what = f"article {article.id} is now a retelling in"
        _touch(session, own, now)
    _decide(article, "duplicate", target.id, first.id, now)
    _touch(session, target.id, now)
    row = _record(
        session, "retelling", actor, article, None if merge else own, target.id, before, now
    )
    via = f" (story {story_id} was merged into it)" if followed else ""
    return Outcome(row, True, f"{what} story {target.id}{via}")


def mark_not_new(session: Session, article_id: str, actor: Actor) -> Outcome:
    """ "Not new" (from a digest): the article is a retelling within its story, of the story's
    first other article (none when it is alone: then it is known, not new, and stays)."""
    article = _article(session, article_id)
    story_id = _story_id(article)
    if article.status == "duplicate":
        return _same(f"article {article.id} is already not new (a retelling in story {story_id})")
    first = queries.earliest_other(session, story_id, article.id)
    before = _before(article)
    now = _now()
    _decide(article, "duplicate", story_id, first.id if first else None, now)
    _touch(session, story_id, now)
    row = _record(session, "not_new", actor, article, story_id, story_id, before, now)
    return Outcome(row, True, f"article {article.id} is now marked as not new")


# ---------------------------------------------------------------------------- preferences
def mute_story(session: Session, story_id: int, recipient: str, actor: Actor) -> Outcome:
    """No more of this story in ``recipient``'s digests."""
    story, address = _story(session, story_id), _recipient(recipient)
    if session.get(StoryMute, (story.id, address)) is not None:
        return _same(f"story {story.id} is already muted for {address}")
    session.add(StoryMute(story_id=story.id, recipient=address))
    row = _preference(session, "mute", actor, story.id, address)
    return Outcome(row, True, f"story {story.id} is muted for {address}")


def unmute_story(session: Session, story_id: int, recipient: str, actor: Actor) -> Outcome:
    """``recipient`` gets this story's updates again."""
    story, address = _story(session, story_id), _recipient(recipient)
    mute = session.get(StoryMute, (story.id, address))
    if mute is None:
        return _same(f"story {story.id} is not muted for {address}")
    session.delete(mute)
    row = _preference(session, "unmute", actor, story.id, address)
    return Outcome(row, True, f"story {story.id} is no longer muted for {address}")


def unsubscribe(session: Session, recipient: str, actor: Actor) -> Outcome:
    """No more digests to ``recipient`` (until resubscribed from the console)."""
    address = _recipient(recipient)
    if session.get(Unsubscription, address) is not None:
        return _same(f"{address} is already unsubscribed")
    session.add(Unsubscription(recipient=address, via=actor.via))
    row = _preference(session, "unsubscribe", actor, None, address)
    return Outcome(row, True, f"{address} is unsubscribed: no more digests")


def resubscribe(session: Session, recipient: str, actor: Actor) -> Outcome:
    """Digests to ``recipient`` again."""
    address = _recipient(recipient)
    row = session.get(Unsubscription, address)
    if row is None:
        return _same(f"{address} is subscribed")
    session.delete(row)
    recorded = _preference(session, "resubscribe", actor, None, address)
    return Outcome(recorded, True, f"{address} is subscribed again")


# ---------------------------------------------------------------------------- helpers
def _now() -> datetime:
    return datetime.now(UTC)


def _same(message: str) -> Outcome:
    return Outcome(None, False, message)


def _article(session: Session, article_id: str) -> Article:
    """The article feedback can be about: a classified fetched article."""
    article = session.get(Article, article_id) if article_id else None
    if article is None:
        raise FeedbackError(f"no article {article_id!r}")
    if article.is_seed:
        raise FeedbackError(f"article {article.id} is a seed: seeds are what the reader knows")
    if article.status is None or article.story_id is None:
        raise FeedbackError(f"article {article.id} is not classified yet")
    return article


def _story_id(article: Article) -> int:
    assert article.story_id is not None  # checked by _article
    return article.story_id


def _story(session: Session, story_id: int) -> Story:
    story, _ = queries.resolve_story(session, story_id)
    if story is None:
        raise FeedbackError(f"no story {story_id}")
    return story


def _recipient(recipient: str) -> str:
    address = recipient.strip()
    if not address or "@" not in address or len(address) > MAX_RECIPIENT or " " in address:
        raise FeedbackError(f"not an e-mail address: {recipient[:80]!r}")
    return address


def _before(article: Article) -> dict[str, Any]:
    """The decision as it was: what ``explain`` shows as history and export compares."""
    return {
        "status": article.status,
        "story_id": article.story_id,
        "layer": article.dedup_layer,
        "duplicate_of": article.duplicate_of_id,
    }


def _decide(
    article: Article, status: str, story_id: int, duplicate_of: str | None, now: datetime
) -> None:
    article.status = status
    article.story_id = story_id
    article.duplicate_of_id = duplicate_of
    article.dedup_layer = FEEDBACK_LAYER
    article.feedback_at = now


def _lead(article: Article) -> list[str]:
    sentences = split_sentences(article.text or "")[:LEAD_SENTENCES]
    return sentences or ([article.title] if article.title else [])


def _touch(session: Session, story_id: int | None, now: datetime) -> None:
    story = session.get(Story, story_id) if story_id is not None else None
    if story is not None:
        story.updated_at = now


def _record(
    session: Session,
    action: str,
    actor: Actor,
    article: Article,
    story_id: int | None,
    target_story_id: int | None,
    before: dict[str, Any],
    now: datetime,
) -> Feedback:
    row = Feedback(
        created_at=now,
        action=action,
        actor=actor.name,
        via=actor.via,
        article_id=article.id,
        story_id=story_id,
        target_story_id=target_story_id,
        before=before,
    )
    session.add(row)
    session.flush()
    return row


def _preference(
    session: Session, action: str, actor: Actor, story_id: int | None, recipient: str
) -> Feedback:
    row = Feedback(
        created_at=_now(),
        action=action,
        actor=actor.name,
        via=actor.via,
        story_id=story_id,
        recipient=recipient,
    )
    session.add(row)
    session.flush()
    return row
