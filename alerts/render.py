"""Digest content -> subject, plain text and HTML.

Jinja2 templates in ``alerts/templates`` (shipped inside the package), with
``StrictUndefined`` so a misspelt field fails a test instead of rendering as
nothing, and autoescaping for the HTML part.  The HTML keeps its CSS in one
``<style>`` block for readability; :func:`inline_css` moves it into ``style``
attributes because several mail clients (Gmail among them, in places) drop
``<style>``.  css-inline is told never to fetch anything.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from alerts.compose import DigestContent
from alerts.links import DigestLinks
from alerts.sanitize import highlight_html
from monitor.text import shorten

TEXT_WIDTH = 72
MAX_SUBJECT_TOPICS = 3


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(content: DigestContent, links: DigestLinks | None = None) -> Rendered:
    """Both parts of the digest, and its subject; ``links`` adds the one-click links."""
    env = environment()
    context = {**_context(content), "links": links}
    html = inline_css(env.get_template("digest.html").render(context))
    text = env.get_template("digest.txt").render(context)
    return Rendered(subject=context["subject"], text=_tidy_text(text), html=html)


def subject_line(content: DigestContent) -> str:
    """What is inside, e.g. ``NATO, Marco Rubio: 3 new stories, 2 updates (22 Nov)``."""
    topics = content.topics_with_items or list(content.recipient.section_topics)
    label = ", ".join(topics[:MAX_SUBJECT_TOPICS])
    if len(topics) > MAX_SUBJECT_TOPICS:
        label += f" +{len(topics) - MAX_SUBJECT_TOPICS}"
    what = counts_label(content) if not content.is_empty else "nothing new"
    day = _day(content.created.astimezone(content.recipient.tz))
    return shorten(f"{label}: {what} ({day})" if label else f"{what} ({day})", 150)


def counts_label(content: DigestContent) -> str:
    """``3 new stories, 2 updates`` (the parts that are not zero)."""
    parts = []
    if content.new_count:
        parts.append(_plural(content.new_count, "new story", "new stories"))
    if content.update_count:
        parts.append(_plural(content.update_count, "update", "updates"))
    return ", ".join(parts) or "nothing new"


def duplicates_label(count: int) -> str:
    if not count:
        return "No duplicates since your last digest."
    return (
        f"{_plural(count, 'duplicate', 'duplicates')} suppressed since your last digest: "
        f"{'an article that retells' if count == 1 else 'articles that retell'} a story above "
        "or one you already know."
    )


def inline_css(html: str) -> str:
    """Move the ``<style>`` rules into ``style`` attributes; nothing remote is loaded."""
    inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
    return str(inliner.inline(html))


def _context(content: DigestContent) -> dict[str, Any]:
    recipient = content.recipient
    tz = recipient.tz
    local = content.created.astimezone(tz)
    follows = recipient.topics or recipient.all_topics
    headlines = [s.headline for sec in content.sections for s in sec.new_stories]
    headlines += [u.headline for sec in content.sections for u in sec.updates]
    return {
        "content": content,
        "subject": subject_line(content),
        "tz": tz,
        "date_label": f"{local:%A} {_day(local)} {local:%Y}",
        "headline": counts_label(content) if not content.is_empty else "Nothing new",
        "topics_label": " · ".join(content.topics_with_items or follows),
        "follows_label": (
            "every topic" if not recipient.topics else "the topics " + ", ".join(follows)
        ),
        "duplicates_label": duplicates_label(content.duplicates),
        "preheader": shorten(" · ".join(headlines), 140) if headlines else "Nothing new",
    }


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates of ``alerts``: HTML and XML (the Atom feed) autoescaped, text not."""
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=lambda name: name is not None and name.endswith((".html", ".xml")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["hl"] = _hl
    env.filters["when"] = _when
    env.filters["wrap"] = _wrap
    return env


def _hl(text: str, terms: list[str]) -> Markup:
    return highlight_html(text, terms)


def _when(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.day}\u00a0{local:%b}, {local:%H:%M}"  # no line break inside a date


def _wrap(text: str, indent: int = 2, first: str | None = None) -> str:
    """Fill ``text`` to TEXT_WIDTH columns, indented; ``first`` starts the first line."""
    pad = " " * indent
    return textwrap.fill(
        text,
        width=TEXT_WIDTH,
        initial_indent=first if first is not None else pad,
        subsequent_indent=pad,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _tidy_text(text: str) -> str:
    """At most one blank line in a row, no trailing spaces, CRLF-free, ending in a newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
