"""What goes into one recipient's digest: plain data, ready for the templates.

From the due articles (:mod:`alerts.selection`):

* each ``new_story`` article becomes a *new story*: its headline, a short
  summary, the topics it matched (with the matched words to highlight), its
  source, and the other outlets in the same story ("also reported by");
  due updates of a story that is new in this very digest are folded into it
  rather than listed as updates to a story the reader has not seen yet;
* the other ``update`` articles are grouped by story into *updates*: the
  story's headline and only the sentences dedup found novel, each with its
  source;
* ``duplicate`` articles are counted ("suppressed") and delivered as such,
  so the count covers exactly what arrived since the last digest.

At most ``max_stories`` items are shown, new stories first (widely reported
first), then updates (latest first); the rest stay due and lead the next
digest, and the digest says how many there are.  Items are grouped into one
section per topic when the recipient follows several.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from alerts import selection
from alerts.recipients import Recipient
from alerts.sanitize import clean_text, host_of, safe_url, span_terms, strip_markup
from alerts.summarize import Summariser
from monitor.storage.models import Article, Feed
from monitor.text import first_sentence, shorten

MAX_ALSO = 8  # outlets linked by name under a story; the rest are counted
MAX_FAILING_FEEDS = 10


@dataclass(frozen=True)
class Source:
    """One outlet's article: the name to show and the link (None if not a safe http link)."""

    outlet: str
    url: str | None
    title: str


@dataclass
class NewStory:
    story_id: int | None
    article_id: str
    headline: str
    source: Source
    published: datetime
    summary: list[str]
    topics: list[str]
    terms: list[str]  # matched words, for highlighting
    also: list[Source]  # other outlets, at most MAX_ALSO
    also_count: int  # all other outlets


@dataclass
class UpdateLine:
    text: str
    source: Source
    article_id: str
    terms: list[str]


@dataclass
class StoryUpdate:
    story_id: int | None
    headline: str
    topics: list[str]
    terms: list[str]
    lines: list[UpdateLine]
    latest: datetime


@dataclass
class Section:
    topic: str | None  # None when the recipient follows a single topic
    new_stories: list[NewStory] = field(default_factory=list)
    updates: list[StoryUpdate] = field(default_factory=list)


@dataclass
class FailingFeed:
    name: str
    url: str
    error: str
    disabled: bool
    errors: int


@dataclass
class DigestContent:
    recipient: Recipient
    created: datetime
    sections: list[Section]
    duplicates: int  # suppressed since the last digest
    more: int  # items left for the next digest by max_stories
    failing_feeds: list[FailingFeed]  # at most MAX_FAILING_FEEDS
    failing_total: int
    article_ids: list[str]  # everything this digest delivers (Delivery rows)

    @property
    def new_count(self) -> int:
        return sum(len(s.new_stories) for s in self.sections)

    @property
    def update_count(self) -> int:
        return sum(len(s.updates) for s in self.sections)

    @property
    def is_empty(self) -> bool:
        """Nothing to read: no story, no update (a suppressed count alone is no news)."""
        return self.new_count == 0 and self.update_count == 0

    @property
    def topics_with_items(self) -> list[str]:
        """The followed topics the shown items matched, in the recipient's order."""
        found = {t for s in self.sections for n in s.new_stories for t in n.topics}
        found |= {t for s in self.sections for u in s.updates for t in u.topics}
        ordered = [t for t in self.recipient.section_topics if t in found]
        return ordered + sorted(found - set(ordered))


@dataclass
class _Item:
    rank: tuple[float, ...]
    topics: list[str]
    article_ids: list[str]
    entry: NewStory | StoryUpdate


def compose(
    session: Session,
    recipient: Recipient,
    now: datetime,
    summariser: Summariser,
    max_stories: int,
) -> DigestContent:
    """Everything due for ``recipient`` arranged as a digest (nothing is written)."""
    due = selection.due_articles(session, recipient)
    new = [a for a in due if a.status == "new_story"]
    updates = [a for a in due if a.status == "update"]
    duplicates = [a for a in due if a.status == "duplicate"]
    story_ids = {a.story_id for a in [*new, *updates] if a.story_id is not None}
    members = selection.story_members(session, story_ids)
    story_rows = selection.stories(session, story_ids)
    order = {name: i for i, name in enumerate(recipient.section_topics)}

    items: list[_Item] = []
    new_story_ids: set[int] = set()
    for article in new:
        story_id = article.story_id
        folded = [u.id for u in updates if story_id is not None and u.story_id == story_id]
        if article.story_id is not None:
            new_story_ids.add(article.story_id)
        others = [m for m in members.get(article.story_id or -1, []) if m.id != article.id]
        story = new_story(article, others, recipient, order, summariser)
        rank: tuple[float, ...] = (0.0, -float(story.also_count), -story.published.timestamp())
        items.append(_Item(rank, story.topics, [article.id, *folded], story))

    grouped: dict[int | str, list[Article]] = defaultdict(list)
    for article in updates:
        if article.story_id in new_story_ids:
            continue
        grouped[article.story_id if article.story_id is not None else article.id].append(article)
    for key, articles in grouped.items():
        headline = story_rows[key].title if isinstance(key, int) and key in story_rows else ""
        entry = story_update(articles, clean_text(headline), recipient, order)
        rank = (1.0, -entry.latest.timestamp())
        items.append(_Item(rank, entry.topics, [a.id for a in articles], entry))

    items.sort(key=lambda item: item.rank)
    shown, left = items[:max_stories], items[max_stories:]
    sections = _sections(shown, recipient, order)
    failing = selection.failing_feeds(session)
    delivered = [aid for item in shown for aid in item.article_ids] + [a.id for a in duplicates]
    return DigestContent(
        recipient=recipient,
        created=now,
        sections=sections,
        duplicates=len(duplicates),
        more=len(left),
        failing_feeds=_failing(failing[:MAX_FAILING_FEEDS]),
        failing_total=len(failing),
        article_ids=list(dict.fromkeys(delivered)),
    )


def new_story(
    article: Article,
    others: list[Article],
    recipient: Recipient,
    order: dict[str, int],
    summariser: Summariser,
) -> NewStory:
    """``article`` (status ``new_story``) as the reader sees it: headline, summary, the
    topics it matched among those ``recipient`` follows, and ``others``, the story's
    other articles, as "also reported by" (also the Atom feed's entries, :mod:`alerts.atom`)."""
    title = clean_text(article.title)
    body = strip_markup(article.text or article.summary or "")
    summary = [clean_text(s) for s in summariser.summarise(title, body, 3)]
    topics, terms = _topics_and_terms([article], recipient, order)
    source = _source(article)
    also: list[Source] = []
    outlets = {source.outlet}
    for other in others:
        candidate = _source(other)
        if candidate.outlet not in outlets:
            outlets.add(candidate.outlet)
            also.append(candidate)
    return NewStory(
        story_id=article.story_id,
        article_id=article.id,
        headline=title or shorten(first_sentence(clean_text(body)), 120) or "(untitled)",
        source=source,
        published=article.published_at or article.fetched_at,
        summary=[s for s in summary if s],
        topics=topics,
        terms=terms,
        also=also[:MAX_ALSO],
        also_count=len(also),
    )


def story_update(
    articles: list[Article], headline: str, recipient: Recipient, order: dict[str, int]
) -> StoryUpdate:
    """``articles`` (status ``update``, one story) as the novel sentences each brought."""
    lines: list[UpdateLine] = []
    for article in articles:
        _, terms = _topics_and_terms([article], recipient, order)
        source = _source(article)
        sentences = [clean_text(str(s)) for s in article.novel_sentences or []]
        for sentence in [s for s in sentences if s] or [shorten(clean_text(article.title), 300)]:
            lines.append(UpdateLine(sentence, source, article.id, terms))
    topics, terms = _topics_and_terms(articles, recipient, order)
    first = articles[0]
    return StoryUpdate(
        story_id=first.story_id,
        headline=headline or clean_text(first.title) or "(untitled)",
        topics=topics,
        terms=terms,
        lines=lines,
        latest=max(a.published_at or a.fetched_at for a in articles),
    )


def _topics_and_terms(
    articles: Iterable[Article], recipient: Recipient, order: dict[str, int]
) -> tuple[list[str], list[str]]:
    """The followed topics these articles matched, the one they are most about first, and
    the words to highlight.

    "Most about": matched earliest in a headline (the headline's subject comes
    first: "Rutte plays down US absence at NATO meeting" is about Rutte), then,
    for topics matched only in the text, the recipient's order.
    """
    position: dict[str, int] = {}
    terms: set[str] = set()
    for article in articles:
        for match in article.topics:
            if recipient.topics and match.topic not in recipient.topics:
                continue
            spans = match.spans or []
            starts = [int(s[1]) for s in spans if len(s) >= 2 and s[0] == "title"]
            first = min(starts, default=_NOT_IN_TITLE)
            position[match.topic] = min(position.get(match.topic, _NOT_IN_TITLE), first)
            terms.update(span_terms(spans, match.topic))
    ordered = sorted(position, key=lambda t: (position[t], order.get(t, len(order)), t))
    return ordered, sorted(terms, key=lambda t: (-len(t), t))


_NOT_IN_TITLE = 1 << 30


def _source(article: Article) -> Source:
    return Source(
        outlet=outlet_name(article.feed, article.url),
        url=safe_url(article.url),
        title=clean_text(article.title),
    )


def outlet_name(feed: Feed | None, url: str | None) -> str:
    """The feed's configured name, else its own title, else the article's host."""
    if feed is not None:
        name = clean_text(feed.name) or clean_text(feed.title)
        if name:
            return shorten(name, 60)
    return host_of(url) or (host_of(feed.url) if feed is not None else None) or "unknown source"


def _sections(items: list[_Item], recipient: Recipient, order: dict[str, int]) -> list[Section]:
    """One section per followed topic that has items, in the recipient's order; a single
    unnamed section when the recipient follows one topic."""
    if len(recipient.section_topics) <= 1:
        section = Section(topic=None)
        for item in items:
            _add(section, item.entry)
        return [section] if items else []
    by_topic: dict[str, Section] = {}
    for item in items:
        topic = item.topics[0] if item.topics else "Other"
        _add(by_topic.setdefault(topic, Section(topic=topic)), item.entry)
    return sorted(by_topic.values(), key=lambda s: (order.get(s.topic or "", len(order)), s.topic))


def _add(section: Section, entry: NewStory | StoryUpdate) -> None:
    if isinstance(entry, NewStory):
        section.new_stories.append(entry)
    else:
        section.updates.append(entry)


def _failing(feeds: list[Feed]) -> list[FailingFeed]:
    return [
        FailingFeed(
            name=outlet_name(feed, feed.url),
            url=safe_url(feed.url) or "",
            error=shorten(clean_text(feed.last_error or feed.disabled_reason) or "failing", 160),
            disabled=not feed.enabled or feed.disabled_reason is not None,
            errors=feed.consecutive_errors,
        )
        for feed in feeds
    ]
