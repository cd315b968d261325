"""Fixture articles for digest tests and for ``docs/make_digest_example.py``.

Stored the way the pipeline stores them: feeds with their health, articles
with a dedup status, story and novel sentences, and topic matches whose
spans come from the real matcher.  The outlets and the events are made up
(example.* domains); the two known stories are those of the seed corpus.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import Settings
from monitor.match import compile_topics
from monitor.storage import Database
from monitor.storage.models import Article, ArticleTopic, Feed, Story
from monitor.text import content_hash

NOW = datetime(2025, 12, 4, 6, 0, tzinfo=UTC)


def add_feed(session: Session, name: str, url: str, **health: object) -> Feed:
    feed = Feed(url=url, name=name, origin="cli", **health)
    session.add(feed)
    session.flush()
    return feed


def add_story(session: Session, title: str) -> Story:
    story = Story(title=title, created_at=NOW, updated_at=NOW)
    session.add(story)
    session.flush()
    return story


def add_article(
    session: Session,
    settings: Settings,
    *,
    feed: Feed | None,
    title: str,
    text: str,
    status: str | None,
    story: Story | None = None,
    url: str | None = None,
    novel: list[str] | None = None,
    published: datetime | None = None,
    article_id: str | None = None,
) -> Article:
    """An article with the topic matches the configured topics find in it."""
    digest = hashlib.sha256(f"{title}\n{url}".encode()).hexdigest()
    article = Article(
        id=article_id or f"fx-{digest[:12]}",
        feed_id=feed.id if feed else None,
        entry_key=url or digest,
        url=url,
        canonical_url=url,
        title=title,
        text=text,
        published_at=published or NOW - timedelta(hours=6),
        fetched_at=(published or NOW - timedelta(hours=6)) + timedelta(minutes=5),
        content_hash=content_hash(f"{title}\n{text}"),
        status=status,
        story_id=story.id if story else None,
        novel_sentences=novel,
        score=0.9 if status != "new_story" else None,
    )
    session.add(article)
    session.flush()
    for hit in compile_topics(settings.topics).match(title, text, "en"):
        session.add(
            ArticleTopic(
                article_id=article.id,
                topic=hit.topic,
                fields=list(hit.fields),
                spans=[list(s) for s in hit.spans],
            )
        )
    session.flush()
    return article


@dataclass
class ExampleCorpus:
    """Ids of what :func:`build_example` stored, for assertions."""

    new_stories: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # other outlets of the new stories
    failing_feeds: list[str] = field(default_factory=list)


def build_example(db: Database, settings: Settings) -> ExampleCorpus:
    """Fixture news of 3 Dec 2025 on top of the seed corpus (which must be loaded)."""
    out = ExampleCorpus()
    with db.session() as s:
        seeds = {a.id: a for a in s.scalars(select(Article).where(Article.is_seed.is_(True)))}
        # What dedup would have made of the seeds: two known stories.
        rubio_visit = add_story(s, "Rubio seeks to reassure NATO allies in Brussels")
        rutte_dismisses = add_story(s, "Rutte dismisses concerns over US commitment to NATO")
        for seed_id, story in [
            ("001_dce1bc862176b9c6", rubio_visit),
            ("002_76d5a2639c59ecbe", rubio_visit),
            ("004_98dfb2a54679fe9f", rubio_visit),
            ("000_14f31ae37a60d0e6", rutte_dismisses),
            ("003_d883f1d9eef1d452", rutte_dismisses),
        ]:
            if seed_id in seeds:
                seeds[seed_id].story_id = story.id
                seeds[seed_id].status = "new_story"

        ledger = add_feed(s, "Northern Ledger", "https://ledger.example.com/world.rss")
        briefing = add_feed(s, "Brussels Briefing", "https://briefing.example.org/feed")
        wire = add_feed(s, "Capital Wire", "https://wire.example.net/rss")
        harbour = add_feed(s, "Harbour Post", "https://harbourpost.example.com/feed.xml")
        daily = add_feed(s, "Continental Daily", "https://daily.example.eu/rss")
        add_feed(
            s,
            "Evening Dispatch",
            "https://dispatch.example.com/rss",
            consecutive_errors=4,
            last_status=503,
            last_error="HTTP 503 Service Unavailable (retrying in 2 h)",
        )
        add_feed(
            s,
            "Morning Gazette",
            "https://gazette.example.org/old-feed",
            enabled=False,
            last_status=410,
            consecutive_errors=1,
            last_error="HTTP 410 Gone: the feed was removed",
            disabled_reason="410 Gone",
        )
        out.failing_feeds = ["Evening Dispatch", "Morning Gazette"]

        # New story 1 (NATO, Mark Rutte), reported by four outlets.
        air = add_story(s, "NATO ministers back more air defence for Ukraine")
        a1 = add_article(
            s,
            settings,
            feed=briefing,
            story=air,
            status="new_story",
            url="https://briefing.example.org/2025/12/03/nato-air-defence-ukraine",
            published=datetime(2025, 12, 3, 16, 40, tzinfo=UTC),
            title="NATO ministers back more air defence for Ukraine as Rutte presses allies",
            text=(
                "NATO foreign ministers meeting in Brussels on Wednesday agreed to speed up "
                "deliveries of air defence systems to Ukraine before the end of the winter, "
                "Secretary General Mark Rutte told reporters after the talks.\n\n"
                "Rutte said several allies had committed to send additional interceptors within "
                "weeks, although he declined to name them or give numbers.\n\n"
                "The meeting took place without US Secretary of State Marco Rubio, who sent his "
                "deputy, a decision that had raised questions in European capitals about "
                "Washington's priorities.\n\n"
                '"Every missile we stop is a hospital or a power station that keeps working," '
                "Rutte said, adding that the alliance's support for Kyiv would not waver.\n\n"
                "Ministers also discussed how to share the cost of the package, with several "
                "eastern members arguing for a common fund rather than bilateral pledges.\n\n"
                "Diplomats said a decision on the fund was unlikely before the summit next year."
            ),
        )
        out.new_stories.append(a1.id)
        for feed, slug, title in [
            (ledger, "rutte-air-defence", "Allies pledge interceptors for Ukraine, says Rutte"),
            (harbour, "nato-brussels-air", "NATO agrees faster air defence deliveries"),
            (daily, "otan-defense-aerienne", "NATO ministers promise Kyiv more air defence"),
        ]:
            other = add_article(
                s,
                settings,
                feed=feed,
                story=air,
                status="duplicate",
                url=f"{feed.url.rsplit('/', 1)[0]}/2025/12/03/{slug}",
                published=datetime(2025, 12, 3, 18, 5, tzinfo=UTC),
                title=title,
                text="NATO Secretary General Mark Rutte said allies would send more air "
                "defence systems to Ukraine within weeks.",
            )
            out.also.append(other.id)
            out.duplicates.append(other.id)

        # New story 2 (Marco Rubio), reported by two outlets.
        trip = add_story(s, "Rubio to visit Kyiv and Warsaw")
        a2 = add_article(
            s,
            settings,
            feed=wire,
            story=trip,
            status="new_story",
            url="https://wire.example.net/politics/rubio-kyiv-warsaw-trip",
            published=datetime(2025, 12, 3, 21, 15, tzinfo=UTC),
            title="Rubio plans first visit to Kyiv and Warsaw next week",
            text=(
                "Secretary of State Marco Rubio will travel to Kyiv and Warsaw next week, the "
                "State Department said on Wednesday evening, his first visit to Ukraine since "
                "taking office.\n\n"
                "The trip follows criticism from European diplomats after Rubio skipped the "
                "NATO foreign ministers' meeting in Brussels.\n\n"
                "In Warsaw he is expected to discuss the stationing of US troops in Poland and "
                "the country's growing defence budget.\n\n"
                "A spokesperson said the schedule was still being finalised for security reasons."
            ),
        )
        out.new_stories.append(a2.id)
        other = add_article(
            s,
            settings,
            feed=harbour,
            story=trip,
            status="duplicate",
            url="https://harbourpost.example.com/2025/12/03/rubio-to-visit-kyiv",
            published=datetime(2025, 12, 3, 22, 0, tzinfo=UTC),
            title="Rubio to visit Kyiv next week",
            text="US Secretary of State Marco Rubio will visit Kyiv and Warsaw next week.",
        )
        out.also.append(other.id)
        out.duplicates.append(other.id)

        # New story 3 (NATO), one outlet.
        ammo = add_story(s, "Allies sign joint ammunition purchase")
        a3 = add_article(
            s,
            settings,
            feed=ledger,
            story=ammo,
            status="new_story",
            url="https://ledger.example.com/defence/2025/12/03/nato-joint-ammunition-deal",
            published=datetime(2025, 12, 3, 11, 30, tzinfo=UTC),
            title="Eleven NATO allies sign joint deal to buy artillery ammunition",
            text=(
                "Eleven NATO allies signed an agreement on Wednesday to buy 155mm artillery "
                "ammunition together, hoping that larger orders will bring prices down and "
                "shorten delivery times.\n\n"
                "The contract will be managed by the NATO Support and Procurement Agency in "
                "Luxembourg, which has run similar joint purchases since 2023.\n\n"
                "Officials said the first shells could be delivered in the second half of next "
                "year, and that other allies could join the deal later."
            ),
        )
        out.new_stories.append(a3.id)

        # Updates to the known seed stories: only what they add is shown.
        u1 = add_article(
            s,
            settings,
            feed=daily,
            story=rutte_dismisses,
            status="update",
            url="https://daily.example.eu/2025/12/03/rutte-us-commitment-landau",
            published=datetime(2025, 12, 3, 9, 10, tzinfo=UTC),
            title="Rutte again plays down US absence at NATO meeting",
            text="Mark Rutte repeated that the United States remained committed to NATO.",
            novel=[
                "Deputy Secretary of State Christopher Landau represented the United States at "
                "Wednesday's meeting in Rubio's place.",
                "Rutte said he had spoken with Rubio by phone on Tuesday evening.",
            ],
        )
        u2 = add_article(
            s,
            settings,
            feed=briefing,
            story=rubio_visit,
            status="update",
            url="https://briefing.example.org/2025/12/03/rubio-nato-spending-target",
            published=datetime(2025, 12, 3, 13, 0, tzinfo=UTC),
            title="Rubio presses allies on defence spending target",
            text="Marco Rubio pressed NATO allies to meet the new spending target.",
            novel=[
                "Rubio said in a statement that allies which miss the new NATO spending target "
                'by 2030 should expect "a frank conversation" in Washington.'
            ],
        )
        out.updates += [u1.id, u2.id]

        # Retellings of the known stories: counted, not shown.
        for feed, slug, title in [
            (wire, "rutte-dismisses", "Rutte dismisses concerns over US commitment"),
            (harbour, "rutte-brushes-off", "NATO chief brushes off US worries"),
        ]:
            dup = add_article(
                s,
                settings,
                feed=feed,
                story=rutte_dismisses,
                status="duplicate",
                url=f"{feed.url.rsplit('/', 1)[0]}/2025/12/02/{slug}",
                published=datetime(2025, 12, 2, 20, 0, tzinfo=UTC),
                title=title,
                text="NATO Secretary General Mark Rutte dismissed concerns about the US "
                "commitment to the alliance ahead of the Brussels meeting.",
            )
            out.duplicates.append(dup.id)
    return out
