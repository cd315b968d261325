"""Readers' corrections as labels, in the format of the real-news dev set (``labels.jsonl``).

Each article a reader corrected becomes one line saying what the reader said it is, so the
engine can be measured on the reader's own news: ``event`` is the story the article is in
after the feedback (``story-<id>``), ``role`` what the reader said (a story of its own:
``first``; new, an update: ``followup``; a retelling of a story or "not new": ``rewrite``),
and ``note`` who said it and when, and what newsmon had decided.  The articles' texts can
be written beside the labels (``articles/<id>.txt``), which is the folder layout the dev
set's scorer reads with ``--set DIR``.

What the reader did not say is not invented: ``kind`` is ``report`` (a reader corrects
reports), ``furniture`` is false (feedback says nothing about page furniture), and
``new_facts`` carries the article's novel sentences for a follow-up (the facts the digest
showed as new), empty otherwise.

A retelling is a retelling of something: replayed alone, it would be news.  With
``context``, each story a corrected article is in also contributes its first article when no
reader corrected that one (role ``first``, the note saying it is context, not a correction),
so the scorer can see whether newsmon suppresses the retellings; a seed is never added (the
scorer loads the seeds itself).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from monitor.storage.feedback import article_texts, corrected_articles, members
from monitor.storage.models import Article, Feedback

ROLES = {
    "new_story": "first",
    "new_update": "followup",
    "retelling": "rewrite",
    "not_new": "rewrite",
}
TEXTS_DIR = "articles"  # beside the labels file, as in the dev set
TEXT_BATCH = 200  # texts read at a time (a seed's text can be megabytes)
_SAFE_NAME = re.compile(r"^[\w-][\w.-]{0,199}$")


def label(article: Article, feedback: Feedback) -> dict[str, Any]:
    """One corrected article as a labels.jsonl line (the keys in the dev set's order)."""
    role = ROLES[feedback.action]
    before = feedback.before or {}
    had = before.get("status") or "undecided"
    if before.get("story_id") is not None:
        had += f" in story {before['story_id']}"
    row = label_fields(article, role)
    if role == "followup":
        row["new_facts"] = " ".join(article.novel_sentences or [])
    row["note"] = (
        f"{feedback.action} by {feedback.actor} ({feedback.via}) at "
        f"{feedback.created_at.isoformat(timespec='seconds')}; newsmon had said {had}"
    )
    return row


def context_label(article: Article) -> dict[str, Any]:
    """A story's first article, uncorrected, written so the corrected ones have what they
    retell or update."""
    row = label_fields(article, "first")
    row["note"] = "context, not a correction: the first article of its story in newsmon"
    return row


def label_fields(article: Article, role: str) -> dict[str, Any]:
    return {
        "id": article.id,
        "event": f"story-{article.story_id}" if article.story_id is not None else None,
        "kind": "report",
        "role": role,
        "url": article.url or article.canonical_url or "",
        "title": article.title,
        "date": article.published_at.date().isoformat() if article.published_at else None,
        "language": article.language,
        "topics": [t.topic for t in article.topics],
        "new_facts": "",
        "furniture": False,
        "note": None,
    }


def labels(session: Session, context: bool = False) -> Iterator[dict[str, Any]]:
    """Every corrected article's label, in the order they were first corrected; with
    ``context``, each of their stories' first article (uncorrected, not a seed) before them."""
    corrected = list(corrected_articles(session))
    done = {article.id for article, _ in corrected}
    for article, feedback in corrected:
        if context and article.story_id is not None:
            first = next(iter(members(session, article.story_id)), None)
            if first is not None and not first.is_seed and first.id not in done:
                done.add(first.id)
                yield context_label(first)
        yield label(article, feedback)


def write_labels(session: Session, out: TextIO, context: bool = False) -> list[str]:
    """Write one JSON line per corrected article (and, with ``context``, per story's first
    article); returns the ids written."""
    ids = []
    for row in labels(session, context):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        ids.append(row["id"])
    return ids


def write_texts(session: Session, ids: list[str], folder: Path) -> list[str]:
    """Write each article's text to ``folder/<id>.txt``; returns the ids whose id cannot be
    a file name (left out rather than written somewhere else)."""
    folder.mkdir(parents=True, exist_ok=True)
    skipped = [i for i in ids if not _SAFE_NAME.match(i)]
    safe = [i for i in ids if _SAFE_NAME.match(i)]
    for start in range(0, len(safe), TEXT_BATCH):
        for article_id, text in article_texts(session, safe[start : start + TEXT_BATCH]).items():
            (folder / f"{article_id}.txt").write_text(text, encoding="utf-8")
    return skipped
