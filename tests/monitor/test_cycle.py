"""A poll cycle against a real HTTP server: every failure is one stored line, the rest go on."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.config import Settings
from monitor.cycle import PollCycle, select_jobs
from monitor.cycle_report import CycleReport, DedupCounts
from monitor.storage import Article, Database, Feed, migrate
from monitor.storage.feeds import add_feed
from tests.feedserver import (
    FeedServer,
    Reply,
    gzip_bomb,
    never_answers,
    redirect,
    reply,
    resets,
    rss,
    rss_items,
    slow_drip,
    static,
)

TIMEOUT = 2.0
MAX_BYTES = 2_000_000


def make_settings(db_url: str, **fetch: object) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": db_url},
            "feeds": [],
            "fetch": {"timeout": TIMEOUT, "connect_timeout": 1.0, "max_bytes": MAX_BYTES, **fetch},
        }
    )


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'cycle.db'}")
    migrate.upgrade(db.engine)
    yield db
    db.dispose()


def subscribe(db: Database, *urls: str) -> None:
    with db.session() as session:
        for url in urls:
            add_feed(session, url)


def run_cycle(db: Database, settings: Settings, now: datetime | None = None) -> CycleReport:
    jobs = select_jobs(db, settings)
    clock = (lambda: now) if now else (lambda: datetime.now(UTC))
    return asyncio.run(PollCycle(db, settings, clock=clock).run(jobs))


def totals(report: CycleReport) -> dict[str, Any]:
    """The cycle's ``--json`` totals (the dedup stage does not run here: its counts are 0)."""
    return report.summary(DedupCounts()).as_dict()


def feed_row(db: Database, url: str) -> Feed:
    with db.session() as session:
        return session.scalars(
            select(Feed).where((Feed.url == url) | (Feed.origin_url == url))
        ).one()


def article_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


GOOD = rss(rss_items("good", 5))


def bad_cases(server: FeedServer) -> dict[str, tuple[str, str]]:
    """name -> (url, expected error fragment)."""
    loop_a, loop_b = server.url("/loop-a"), server.url("/loop-b")
    server.route("/loop-a", redirect(loop_b, 302))
    server.route("/loop-b", redirect(loop_a, 302))
    for hop in range(8):
        server.route(f"/chain-{hop}", redirect(server.url(f"/chain-{hop + 1}"), 302))
    html = b"<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>"
    return {
        "404": (server.route("/404", reply(404, b"nope")), "HTTP 404 Not Found"),
        "500": (server.route("/500", reply(500, b"boom")), "HTTP 500 Internal Server Error"),
        "redirect loop": (loop_a, "redirect loop"),
        "too many redirects": (server.url("/chain-0"), "more than 5 redirects"),
        "slow drip": (
            server.route("/drip", slow_drip(total=100_000, chunk=100, every=0.1)),
            f"no complete response within {TIMEOUT:g} s",
        ),
        "never answers": (server.route("/hang", never_answers()), "no complete response within"),
        "too large": (
            server.route("/large", reply(200, b"<rss>" + b" " * (MAX_BYTES + 10))),
            "over the 2,000,000-byte limit",
        ),
        "gzip bomb": (server.route("/bomb", gzip_bomb(200 << 20)), "after decompression"),
        "invalid XML, nothing readable": (
            server.route("/garbage", reply(200, b'<?xml version="1.0"?>\n<rss><channel><<<>>>')),
            "not a feed",
        ),
        "HTML page": (
            server.route("/page", static(html, "text/html")),
            "not a feed: the server sent an HTML page",
        ),
        "empty 200": (server.route("/empty", reply(200, b"")), "empty response"),
        "connection refused": ("http://127.0.0.1:9/feed", "cannot connect: connection refused"),
        "connection reset": (server.route("/rst", resets()), "connection reset by peer"),
    }


CASES = [
    "404",
    "500",
    "redirect loop",
    "too many redirects",
    "slow drip",
    "never answers",
    "too large",
    "gzip bomb",
    "invalid XML, nothing readable",
    "HTML page",
    "empty 200",
    "connection refused",
    "connection reset",
]


@pytest.mark.parametrize("case", CASES)
def test_failure_is_recorded_and_other_feeds_succeed(
    case: str, server: FeedServer, sqlite_db: Database
) -> None:
    good = server.route("/good", static(GOOD))
    bad, expected = bad_cases(server)[case]
    subscribe(sqlite_db, good, bad)
    settings = make_settings("sqlite://")
    report = run_cycle(sqlite_db, settings)
    data = totals(report)
    assert data["feeds"] == {"total": 2, "ok": 1, "not_modified": 0, "failed": 1, "skipped": 0}
    assert data["entries"] == {"seen": 5, "new": 5, "matched": 0}
    [error] = data["errors"]
    assert error["feed"] == bad
    assert expected in error["error"], error["error"]
    assert "\n" not in error["error"]
    row = feed_row(sqlite_db, bad)
    assert row.last_error == error["error"]
    assert row.consecutive_errors == 1
    assert row.next_due_at is not None and row.next_due_at > datetime.now(UTC)
    assert row.enabled
    assert report.duration_s < TIMEOUT + 3  # deadlines hold whatever the server does


def test_public_only_refuses_an_internal_feed_in_one_stored_line(
    server: FeedServer, sqlite_db: Database
) -> None:
    url = server.route("/internal", static(GOOD)).replace("127.0.0.1", "0x7f000001")
    subscribe(sqlite_db, url)
    report = run_cycle(sqlite_db, make_settings("sqlite://", public_only=True))
    [error] = totals(report)["errors"]
    assert error["error"] == (
        f"refused to fetch {url}: 0x7f000001 resolves to 127.0.0.1, a loopback address; "
        "[fetch] public_only is on"
    )
    assert feed_row(sqlite_db, url).last_error == error["error"]
    assert server.requests == []


def test_410_disables_the_feed(server: FeedServer, sqlite_db: Database) -> None:
    good = server.route("/good", static(GOOD))
    gone = server.route("/gone", reply(410, b"gone"))
    subscribe(sqlite_db, good, gone)
    report = run_cycle(sqlite_db, make_settings("sqlite://"))
    assert totals(report)["errors"] == [{"feed": gone, "error": "HTTP 410 Gone"}]
    row = feed_row(sqlite_db, gone)
    assert not row.enabled
    assert row.disabled_reason is not None and "410 Gone" in row.disabled_reason
    assert report.count("ok") == 1
    # A disabled feed is not polled again.
    again = run_cycle(sqlite_db, make_settings("sqlite://"))
    assert [r.job.url for r in again.results] == [good]


def test_429_retry_after_sets_next_due(server: FeedServer, sqlite_db: Database) -> None:
    good = server.route("/good", static(GOOD))
    busy = server.route("/busy", reply(429, b"slow down", Retry_After="7200"))
    subscribe(sqlite_db, good, busy)
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    report = run_cycle(sqlite_db, make_settings("sqlite://"), now=now)
    [error] = totals(report)["errors"]
    assert error["error"] == "HTTP 429 Too Many Requests (retry after 7200 s)"
    row = feed_row(sqlite_db, busy)
    assert row.next_due_at is not None
    assert row.next_due_at >= now + timedelta(seconds=7200)
    assert row.last_status == 429


def test_redirect_chain_is_followed_and_permanent_one_updates_url(
    server: FeedServer, sqlite_db: Database
) -> None:
    final = server.route("/final", static(GOOD))
    server.route("/hop2", redirect(final, 308))
    start = server.route("/hop1", redirect(server.url("/hop2"), 301))
    temp_target = server.route("/temp-target", static(rss(rss_items("temp", 2))))
    temp = server.route("/temp", redirect(temp_target, 302))
    subscribe(sqlite_db, start, temp)
    report = run_cycle(sqlite_db, make_settings("sqlite://"))
    assert report.count("ok") == 2
    moved = feed_row(sqlite_db, start)
    assert moved.url == final and moved.origin_url == start
    assert feed_row(sqlite_db, temp).url == temp  # a temporary redirect changes nothing


def test_second_cycle_is_conditional_and_parses_nothing(
    server: FeedServer, sqlite_db: Database
) -> None:
    url = server.route("/feed", static(GOOD))
    no_validators = server.route(
        "/plain", static(rss(rss_items("plain", 3)), etag=False, last_modified=False)
    )
    subscribe(sqlite_db, url, no_validators)
    first = run_cycle(sqlite_db, make_settings("sqlite://"))
    assert totals(first)["entries"] == {"seen": 8, "new": 8, "matched": 0}
    second = run_cycle(sqlite_db, make_settings("sqlite://"))
    data = totals(second)
    assert data["feeds"]["not_modified"] == 2
    assert data["entries"] == {"seen": 0, "new": 0, "matched": 0}
    conditional = server.requests_to("/feed")[-1].headers
    assert conditional["if-none-match"] == feed_row(sqlite_db, url).etag
    assert conditional["if-modified-since"] == feed_row(sqlite_db, url).last_modified
    assert {r.status for r in second.results} == {304, 200}  # /plain: same body hash
    assert article_count(sqlite_db) == 8
    ua = server.requests_to("/feed")[0].headers["user-agent"]
    assert ua.startswith("newsmon/") and "+https://" in ua


def test_broken_xml_keeps_readable_entries_with_a_warning(
    server: FeedServer, sqlite_db: Database
) -> None:
    body = rss(rss_items("ok", 3)).replace(
        b"</channel>", b"<item><title>A & B</title></item></channel>"
    )
    url = server.route("/broken", static(body))
    subscribe(sqlite_db, url)
    report = run_cycle(sqlite_db, make_settings("sqlite://"))
    [result] = report.results
    assert result.outcome == "ok"
    assert len(result.new_ids) == 4
    assert result.warning is not None and "kept 4 readable entries" in result.warning
    assert feed_row(sqlite_db, url).last_warning == result.warning


def test_broken_xml_stores_no_junk_rows(server: FeedServer, sqlite_db: Database) -> None:
    """Empty items of a broken document (no guid, link, title or text) are not stored."""
    body = rss(rss_items("ok", 2)).replace(
        b"</channel>", b"<item><title></title></item><item>&bogus; <<</item></channel>"
    )
    url = server.route("/junk", static(body))
    subscribe(sqlite_db, url)
    [result] = run_cycle(sqlite_db, make_settings("sqlite://")).results
    assert result.outcome == "ok" and len(result.new_ids) == 2
    with sqlite_db.session() as session:
        assert set(session.scalars(select(Article.guid))) == {"ok-0", "ok-1"}
    assert result.warning is not None and "dropped 2 empty entries" in result.warning
    assert feed_row(sqlite_db, url).last_warning == result.warning


def test_wrong_charset_declaration(server: FeedServer, sqlite_db: Database) -> None:
    # The document claims UTF-8 but is windows-1252; the HTTP header tells the truth.
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>c</title>'
        "<item><guid>1</guid><title>Caf\u00e9 r\u00e9union: \u201cNATO\u201d</title></item>"
        "</channel></rss>"
    ).encode("cp1252")
    url = server.route("/charset", static(body, "application/rss+xml; charset=windows-1252"))
    subscribe(sqlite_db, url)
    report = run_cycle(sqlite_db, make_settings("sqlite://"))
    assert report.count("ok") == 1
    with sqlite_db.session() as session:
        title = session.scalars(select(Article.title)).one()
    assert title == "Caf\u00e9 r\u00e9union: \u201cNATO\u201d"


def test_utf8_sent_as_latin1_is_stored_right_with_a_warning(
    server: FeedServer, sqlite_db: Database
) -> None:
    body = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>c</title>'
        "<item><guid>1</guid><title>R\u00e9sum\u00e9 of the summit</title></item></channel></rss>"
    ).encode("utf-8")
    url = server.route("/latin", static(body, "application/rss+xml; charset=ISO-8859-1"))
    subscribe(sqlite_db, url)
    [result] = run_cycle(sqlite_db, make_settings("sqlite://")).results
    with sqlite_db.session() as session:
        assert session.scalars(select(Article.title)).one() == "R\u00e9sum\u00e9 of the summit"
    assert result.warning == "declares ISO-8859-1 but is UTF-8: read as UTF-8"


def test_gzip_bomb_memory_stays_bounded(server: FeedServer, sqlite_db: Database) -> None:
    url = server.route("/bomb", gzip_bomb(300 << 20))
    subscribe(sqlite_db, url)
    tracemalloc.start()
    try:
        report = run_cycle(sqlite_db, make_settings("sqlite://"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.count("failed") == 1
    assert peak < 5 * MAX_BYTES, f"peak {peak:,} bytes for a 300 MB bomb"


def test_gzip_feed_is_decoded(server: FeedServer, sqlite_db: Database) -> None:
    url = server.route(
        "/gz",
        lambda _r: Reply(
            200,
            gzip.compress(GOOD),
            {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"},
        ),
    )
    subscribe(sqlite_db, url)
    assert totals(run_cycle(sqlite_db, make_settings("sqlite://")))["entries"]["new"] == 5


def test_entries_are_stored_once_across_feeds_and_reruns(db: Database, server: FeedServer) -> None:
    """Runs on SQLite and PostgreSQL: same article in two feeds, and a re-run."""
    items = rss_items("shared", 4)
    a = server.route("/a", static(rss(items), etag=False, last_modified=False))
    b = server.route("/b", static(rss(items, title="Mirror"), etag=False, last_modified=False))
    subscribe(db, a, b)
    settings = make_settings("sqlite://")
    first = run_cycle(db, settings)
    assert totals(first)["entries"] == {
        "seen": 8,
        "new": 4,
        "matched": 0,
    }  # canonical URLs are shared
    with db.session() as session:  # forget the body hashes: force a full re-parse
        for feed in session.scalars(select(Feed)):
            feed.body_hash = None
    second = run_cycle(db, settings)
    assert totals(second)["entries"] == {"seen": 8, "new": 0, "matched": 0}
    assert article_count(db) == 4
    with db.session() as session:
        urls = set(session.scalars(select(Article.canonical_url)))
    assert urls == {f"https://example.org/shared/{i}" for i in range(4)}  # utm_source dropped


def test_feed_ttl_stretches_the_interval(server: FeedServer, sqlite_db: Database) -> None:
    url = server.route("/ttl", static(rss(rss_items("ttl", 1), extra="<ttl>120</ttl>")))
    subscribe(sqlite_db, url)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    run_cycle(sqlite_db, make_settings("sqlite://"), now=now)
    row = feed_row(sqlite_db, url)
    assert row.ttl_s == 7200
    assert row.next_due_at == now + timedelta(hours=2)  # TTL 2 h beats the 15 min default


def test_full_text_is_extracted_or_the_reason_kept(server: FeedServer, sqlite_db: Database) -> None:
    paragraph = (
        "NATO Secretary General Mark Rutte said on Tuesday that the alliance would keep "
        "supporting Ukraine, speaking to reporters before the meeting of foreign ministers. "
    )
    page = (
        "<html><head><title>Rutte speaks</title></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>Rutte speaks</h1><p>{paragraph * 3}</p><p>{paragraph * 2}</p></article>"
        "<footer>Copyright Example News</footer></body></html>"
    ).encode()
    article = server.route("/article/1", static(page, "text/html"))
    items = [
        {"title": "Rutte speaks", "link": article, "guid": "a1", "description": "Rutte spoke."},
        {
            "title": "Gone",
            "link": server.url("/article/missing"),
            "guid": "a2",
            "description": "Short summary.",
        },
    ]
    url = server.route("/full", static(rss(items)))
    with sqlite_db.session() as session:
        add_feed(session, url, full_text=True)
    run_cycle(sqlite_db, make_settings("sqlite://"))
    with sqlite_db.session() as session:
        rows = {a.guid: a for a in session.scalars(select(Article))}
    assert "keep supporting Ukraine" in rows["a1"].text
    assert "Copyright" not in rows["a1"].text and rows["a1"].extraction_error is None
    assert rows["a2"].text == "Short summary."
    assert rows["a2"].extraction_error == "article page: HTTP 404"


def test_topic_matches_are_stored_with_spans_and_language(db: Database, server: FeedServer) -> None:
    """Runs on both backends: matched topics, where, spans, language; feed language filter."""
    items = [
        {
            "guid": "m1",
            "title": "Rutte meets Rubio in Brussels",
            "description": "NATO Secretary General Mark Rutte met Secretary of State Marco Rubio.",
        },
        {
            "guid": "m2",
            "title": "Il bambino è nato a Roma",
            "description": "Il piccolo è nato ieri sera, dicono i genitori felici.",
        },
        {
            "guid": "m3",
            "title": "La Nato si riunisce a Bruxelles",
            "description": "I ministri degli esteri della Nato discutono del sostegno all'Ucraina.",
        },
    ]
    url = server.route("/topics", static(rss(items)))
    english_only = server.route("/en-only", static(rss([dict(items[2], guid="m4")])))
    with db.session() as session:
        add_feed(session, url)
        feed, _ = add_feed(session, english_only)
        feed.languages = ["en"]
    report = run_cycle(db, make_settings("sqlite://"))
    assert sorted((r.outcome, r.error, r.entries_seen) for r in report.results) == [
        ("ok", None, 1),
        ("ok", None, 3),
    ]
    assert totals(report)["entries"]["matched"] == 2
    with db.session() as session:
        rows = {a.guid: a for a in session.scalars(select(Article))}
        topics = {guid: {t.topic: t for t in rows[guid].topics} for guid in rows}
    assert set(topics["m1"]) == {"NATO", "Marco Rubio", "Mark Rutte"}
    assert rows["m1"].language == "en"
    rubio = topics["m1"]["Marco Rubio"]
    assert "title" in rubio.fields and "text" in rubio.fields
    field, start, end, text = rubio.spans[-1]
    stored = rows["m1"].title if field == "title" else rows["m1"].text
    assert stored[start:end] == text and "Rubio" in text
    assert topics["m2"] == {}  # Italian "nato" means born
    assert set(topics["m3"]) == {"NATO"} and rows["m3"].language == "it"
    assert topics["m4"] == {}  # the feed keeps English entries only
