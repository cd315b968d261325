"""Feedback rows as people read them: one line each, and as data for ``explain --json``.

``newsmon explain`` and the console's article page show an article's history with the same
words, so a reader who clicked "not new" in a mail finds the same sentence in both places.
"""

from __future__ import annotations

from typing import Any

from monitor.storage.models import Feedback


def _was(before: dict[str, Any] | None) -> str:
    if not before:
        return ""
    status = before.get("status") or "undecided"
    story = before.get("story_id")
    return f"; was {status}" + (f" in story {story}" if story is not None else "")


def describe(row: Feedback) -> str:
    """What the feedback did, in one line (without who and when).

    A story merged into another is deleted, and the rows naming it lose its id (the
    database sets it to NULL); the row after it in the article's history says, in
    ``before``, which story it was."""
    target = (
        "a story since merged" if row.target_story_id is None else (f"story {row.target_story_id}")
    )
    match row.action:
        case "new_update":
            what = f"marked new: an update of {target}"
        case "new_story":
            what = f"marked new: a story of its own ({target})"
        case "retelling":
            merged = bool((row.before or {}).get("merged"))
            what = f"marked a retelling of {target}" + (
                ", its whole story merged into it" if merged else ""
            )
        case "not_new":
            what = "marked not new (a retelling within its story)"
        case "mute":
            what = f"muted story {row.story_id} for {row.recipient}"
        case "unmute":
            what = f"unmuted story {row.story_id} for {row.recipient}"
        case "unsubscribe":
            what = f"unsubscribed {row.recipient}"
        case "resubscribe":
            what = f"resubscribed {row.recipient}"
        case other:
            what = other
    return what + _was(row.before)


def feedback_record(row: Feedback) -> dict[str, Any]:
    """One feedback row as JSON data: who, when, what, and the decision before."""
    return {
        "id": row.id,
        "at": row.created_at.isoformat(),
        "action": row.action,
        "actor": row.actor,
        "via": row.via,
        "article_id": row.article_id,
        "story_id": row.story_id,
        "target_story_id": row.target_story_id,
        "recipient": row.recipient,
        "before": row.before,
        "description": describe(row),
    }
