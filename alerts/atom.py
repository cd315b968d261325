"""New developments as an Atom feed: newsmon as a filter in front of any feed reader.

The feed carries what a digest carries, less the duplicates: each entry is one article
dedup decided is a *new story* (headline, summary, source, "also reported by N") or an
*update* (only its novel sentences), matched to the feed's topic (or to any topic, for
the feed of all topics).  Entries are built by the digest's own code
(:func:`alerts.compose.new_story`, :func:`alerts.compose.story_update`), so a feed
reader and a digest show the same thing.  Unlike a digest, a feed is not consumed: it
is a window of the newest :data:`MAX_ENTRIES` decisions, and a reader remembers what it
has shown by the entries' ids.

So an entry never comes back as new:

* its ``id`` is the article's (``tag:newsmon,2026:article/<id>``), which never changes;
* its ``updated`` is when the decision was made (or last changed by a reader's
  feedback), and the entries are ordered by it, newest first.  An entry's "also
  reported by" may grow later; its date does not move for that, so readers do not
  show it again.

A reader's feedback is honoured as in digests: an article corrected to "duplicate"
leaves the feed, one corrected to "new" enters it at the time of the correction.

Building a feed costs ~100 ms for 100 entries (the summaries; ``benchmarks/atom.py``),
and readers poll every few minutes, mostly to hear "nothing new": :class:`FeedCache`
keeps each feed until a decision is made or corrected anywhere in the database, so
a poll that changes nothing costs three indexed aggregates and a hash comparison.

Readers that cannot log in to the console subscribe with a token in the URL
(:func:`feed_token`): an HMAC of the feed's scope under ``newsmon.secret``, so a token
opens one feed only, and changing the secret revokes every token (and every session and
one-click link) at once.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from itsdangerous import BadSignature, Signer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from alerts import selection
from alerts.compose import NewStory, StoryUpdate, new_story, story_update
from alerts.recipients import Recipient
from alerts.render import environment
from alerts.sanitize import clean_text
from alerts.summarize import Summariser
from monitor import __version__
from monitor.storage import Database
from monitor.storage.articles import DecisionMark, decision_mark
from monitor.storage.models import Article

MAX_ENTRIES = 100
FEED_STATUSES = ("new_story", "update")  # a digest's items, less the duplicates
TAG = "tag:newsmon,2026:"
TOKEN_SALT = "newsmon-atom"  # keeps feed tokens apart from sessions and links (same secret)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # an empty feed's date: the same every time

# Characters XML 1.0 does not allow at all, not even escaped (feed text is cleaned of
# them already; this is the last line, so a stray one cannot make the document invalid).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedScope:
    """Which feed: one topic's, or (``topic`` None) every topic's."""

    topic: str | None = None

    @property
    def path(self) -> str:
        """The feed's path on the console."""
        if self.topic is None:
            return "/atom/all.xml"
        return f"/atom/topic/{quote(self.topic, safe='')}.xml"

    @property
    def key(self) -> str:
        """What a token signs and the feed's id names."""
        return "all" if self.topic is None else f"topic:{self.topic}"

    @property
    def title(self) -> str:
        return f"newsmon: {self.topic}" if self.topic is not None else "newsmon: all topics"


@dataclass(frozen=True)
class AtomEntry:
    article_id: str
    kind: str  # new_story | update
    updated: datetime
    published: datetime
    item: NewStory | StoryUpdate

    @property
    def id(self) -> str:
        return f"{TAG}article/{self.article_id}"


@dataclass(frozen=True)
class AtomFeed:
    body: bytes
    etag: str  # quoted, as the header carries it
    updated: datetime
    entries: int


def feed_token(secret: str, scope: FeedScope) -> str:
    """The token that opens ``scope``'s feed without a login."""
    return Signer(secret, salt=TOKEN_SALT).get_signature(scope.key).decode()


def token_opens(secret: str, scope: FeedScope, token: str) -> bool:
    """Whether ``token`` was made by :func:`feed_token` for this scope and secret."""
    try:
        return Signer(secret, salt=TOKEN_SALT).verify_signature(scope.key, token)
    except (BadSignature, ValueError, TypeError):
        return False


def feed_entries(
    session: Session,
    scope: FeedScope,
    topics: tuple[str, ...],
    summariser: Summariser,
    limit: int = MAX_ENTRIES,
) -> list[AtomEntry]:
    """The newest ``limit`` new stories and updates in ``scope``, newest first.

    ``topics`` is every configured topic, in order: it orders an entry's topics as a
    digest does for someone who follows them all.
    """
    reader = Recipient(
        email="feed@newsmon.invalid",
        topics=(scope.topic,) if scope.topic is not None else (),
        schedule="",
        timezone="UTC",
        all_topics=topics,
    )
    decided = func.coalesce(Article.feedback_at, Article.deduped_at, Article.fetched_at)
    query = (
        select(Article)
        .where(Article.is_seed.is_(False), Article.status.in_(FEED_STATUSES))
        .where(selection.matches_topics(reader.topics))
        .options(selectinload(Article.topics), selectinload(Article.feed))
        .order_by(decided.desc(), Article.id.desc())
        .limit(limit)
    )
    articles = list(session.scalars(query))
    story_ids = {a.story_id for a in articles if a.story_id is not None}
    members = selection.story_members(session, story_ids)
    stories = selection.stories(session, story_ids)
    order = {name: i for i, name in enumerate(reader.section_topics)}
    entries: list[AtomEntry] = []
    for article in articles:
        item: NewStory | StoryUpdate
        if article.status == "new_story":
            others = [m for m in members.get(article.story_id or -1, []) if m.id != article.id]
            item = new_story(article, others, reader, order, summariser)
        else:
            story = stories.get(article.story_id) if article.story_id is not None else None
            item = story_update([article], clean_text(story.title if story else ""), reader, order)
        when = article.feedback_at or article.deduped_at or article.fetched_at
        published = article.published_at or article.fetched_at
        entries.append(AtomEntry(article.id, article.status or "", when, published, item))
    return entries


def render_feed(
    entries: list[AtomEntry], scope: FeedScope, self_url: str, site_url: str
) -> AtomFeed:
    """The Atom document (RFC 4287) for ``entries``, with the validators a reader sends
    back (an ETag of the body, the newest entry's date as Last-Modified)."""
    updated = max((e.updated for e in entries), default=EPOCH)
    env = environment()
    entry_html = env.get_template("atom_entry.html")
    rendered = [
        (entry, entry_html.render(entry=entry, item=entry.item, site_url=site_url))
        for entry in entries
    ]
    text = env.get_template("atom.xml").render(
        feed_id=f"{TAG}feed/{scope.key}",
        title=scope.title,
        updated=updated,
        self_url=self_url,
        site_url=site_url,
        entries=rendered,
        stamp=_stamp,
        version=__version__,
    )
    body = _NOT_XML.sub("", text).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return AtomFeed(body=body, etag=etag, updated=updated, entries=len(entries))


def _stamp(moment: datetime) -> str:
    """RFC 3339 in UTC, to the second, as Atom's date constructs want."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_Key = tuple[str, str, tuple[str, ...], str, str, DecisionMark]


class FeedCache:
    """Rendered feeds, kept while no decision changed (:class:`DecisionMark`).

    Keyed by everything the document depends on: database, scope, topics, its own URL
    and the console's, and the mark.  A feed's name changed on the console shows from
    the next decision on; the daemon restarting clears it all.  Thread-safe: the console
    builds feeds in worker threads.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._feeds: OrderedDict[_Key, AtomFeed] = OrderedDict()
        self._lock = threading.Lock()

    def feed(
        self,
        db: Database,
        scope: FeedScope,
        topics: tuple[str, ...],
        self_url: str,
        site_url: str,
        summariser: Callable[[], Summariser],
    ) -> AtomFeed:
        """The feed, from the cache when nothing was decided since it was built."""
        with db.session("reading the Atom feed") as session:
            key = (db.url, scope.key, topics, self_url, site_url, decision_mark(session))
            with self._lock:
                cached = self._feeds.get(key)
                if cached is not None:
                    self._feeds.move_to_end(key)
                    return cached
            entries = feed_entries(session, scope, topics, summariser())
        built = render_feed(entries, scope, self_url, site_url)
        with self._lock:
            self._feeds[key] = built
            while len(self._feeds) > self.size:
                self._feeds.popitem(last=False)
        return built
