"""The world the browser tests and ``scripts/console_screenshots.py`` look at.

A real daemon (``python -m monitor run``) polls real feeds from a local
:class:`~tests.feedserver.FeedServer` and mails digests to a real SMTP sink
(aiosmtpd), with ``[web] base_url`` set to its own address so digests carry
one-click links.  The feeds carry articles from the labeled dedup set
(``tests/data/dedup_labeled.jsonl``), whose decisions are known: two new
stories from a wire service, and another outlet's short retelling of one of
them, which newsmon suppresses as a duplicate (the article a reader corrects
with "this is new").  A third feed is hostile: titles, summaries, links and
its own name carry script, event handlers and ``javascript:`` links.
"""

from __future__ import annotations

import email.utils
import html
import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from monitor.storage import Article, Database
from tests.cli_process import newsmon
from tests.conftest import DATA
from tests.feedserver import FeedServer, rss, static
from tests.monitor.daemon.conftest import DaemonProcess, write_config
from tests.smtpserver import SmtpServer, start_smtp_servers

LABELED = {
    row["id"]: row
    for row in map(json.loads, (DATA / "dedup_labeled.jsonl").read_text("utf-8").splitlines())
}

RECIPIENT = "reader@example.org"  # the one recipient write_config configures
# The wire service's two stories; the echo's summary of the first is a retelling.
WIRE = ("e01-drones-poland", "d01-white-house-weapons")
RETELLING = "e04-drones-summary"
# Arrive later: new facts in the second story (an update), and a story of its own.
LATER_UPDATE = "d04-white-house-new-paragraph"
LATER_STORY = "k01-steadfast-noon"

# What a script in the hostile feed would set if it ever ran in the console.
PWNED = "__newsmon_pwned"
HOSTILE_TITLE = f"NATO <script>window.{PWNED}='title'</script> drill report"
HOSTILE_SUMMARY = (
    f"NATO allies <img src=x onerror=\"window.{PWNED}='img'\"> met in Brussels; "
    f"<a href=\"javascript:window.{PWNED}='link'\">read the full report</a> "
    f"<svg onload=\"window.{PWNED}='svg'\"></svg> on the drill."
)
HOSTILE_OUTLET = f"Evil <img src=x onerror=\"window.{PWNED}='outlet'\"> News"


# When the scene's articles were published, in hours before the scene starts.  The labeled
# set spreads its events over months, but when the dedup index is rebuilt (at a start, and
# after every reader's correction) it keeps only stories with an article less than
# ``[dedup] index_window_days`` (30) older than the newest one: after the reader's
# correction a July story would be forgotten, and its update taken for a new story.  Here
# every event happened this week, each article as long after its event's first as in the
# labeled set.
HOURS_AGO = {
    "c01-hague-summit": 52.0,
    "c04-hague-summary": 51.0,
    "c03-hague-new-paragraph": 47.5,
    "d01-white-house-weapons": 40.0,
    "e01-drones-poland": 30.0,
    "e04-drones-summary": 29.0,
    "hostile-1": 26.0,
    "d04-white-house-new-paragraph": 25.0,
    "hostile-2": 25.0,
    "k01-steadfast-noon": 2.0,
}
STARTED = datetime.now(UTC).replace(microsecond=0)


def published(key: str) -> str:
    """An item's pubDate (RFC 822), from :data:`HOURS_AGO`."""
    return email.utils.format_datetime(STARTED - timedelta(hours=HOURS_AGO[key]))


def labeled_item(label: str) -> dict[str, str]:
    """An RSS item carrying one labeled article (its text as the description)."""
    row = LABELED[label]
    return {
        "guid": label,
        "link": f"https://news.example/{label}",
        "title": html.escape(row["title"]),
        "description": html.escape(row["text"]),
        "pubDate": published(label),
    }


def title_of(label: str) -> str:
    return str(LABELED[label]["title"])


def lead_of(label: str) -> str:
    """The first sentence of a labeled article, its whitespace made single spaces."""
    text = " ".join(str(LABELED[label]["text"]).split())
    return text.split(". ")[0]


def hostile_items() -> list[dict[str, str]]:
    """Items aimed at the console: a title and a summary whose *text* is markup (escaped
    twice in the RSS, so the parser's plain text keeps it), a summary that is hostile HTML
    (escaped once: the stored original HTML is the markup), and a ``javascript:`` link."""
    return [
        {
            "guid": "hostile-1",
            "link": f"javascript:window.{PWNED}='href'",
            "title": html.escape(html.escape(HOSTILE_TITLE)),
            "description": html.escape(html.escape(HOSTILE_SUMMARY)),
            "pubDate": published("hostile-1"),
        },
        {
            "guid": "hostile-2",  # another event, so that it is a story of its own
            "link": "https://evil.example/nato-2",
            "title": html.escape(f'NATO "><svg onload="window.{PWNED}=\'attr\'"> summit leak'),
            "description": html.escape(
                "<p>Leaked minutes of the NATO summit in Vilnius show Lithuania asking for"
                " four more Patriot batteries before the winter.</p>"
                f"<iframe src=\"javascript:window.top.{PWNED}='frame'\"></iframe>"
                f"<form action=\"javascript:window.{PWNED}='form'\"><button>NATO</button></form>"
            ),
            "pubDate": published("hostile-2"),
        },
    ]


@dataclass
class Scene:
    """The running daemon and what it talks to; ``console`` is its address."""

    folder: Path
    server: FeedServer
    smtp: SmtpServer
    daemon: DaemonProcess
    db_url: str
    port: int

    @property
    def console(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def newsmon(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A newsmon command in the daemon's folder (its config), as a user types it.

        It runs in this process (no new interpreter to pay for), on a thread of its own:
        Playwright's synchronous API keeps an event loop marked running on the test's
        thread, where a command's ``asyncio.run`` would refuse to start."""
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(newsmon, self.folder, *args).result(timeout=120)

    def newsmon_json(self, *args: str) -> dict[str, Any]:
        """``newsmon ARGS --json``, which must succeed, as a document."""
        result = self.newsmon(*args, "--json")
        assert result.returncode == 0, f"newsmon {' '.join(args)}: {result.stderr}"
        document: dict[str, Any] = json.loads(result.stdout)
        return document

    def publish(self, path: str, labels: list[str], name: str = "Test feed") -> None:
        """Serve ``labels`` (in this order) as the feed at ``path``; replaces what was there."""
        self.server.route(path, static(rss([labeled_item(label) for label in labels], name)))

    def database(self) -> Database:
        return Database.from_url(self.db_url)

    def article_id(self, guid: str) -> str:
        db = self.database()
        try:
            with db.session() as session:
                found = session.scalar(select(Article.id).where(Article.guid == guid))
        finally:
            db.dispose()
        assert found is not None, f"no article with guid {guid!r}"
        return found


# The feeds the tests read: path -> (outlet name, labeled articles in it).
FEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "/wire": ("Wire Service", WIRE),
    "/echo": ("Echo Daily", (RETELLING,)),
}


@contextmanager
def running_scene(
    folder: Path,
    feeds: dict[str, tuple[str, tuple[str, ...]]] | None = None,
    *,
    hostile: bool = True,
) -> Iterator[Scene]:
    """Start the feeds (``FEEDS`` unless given; the hostile one too unless ``hostile`` is
    False), the SMTP sink and the daemon; its first poll cycle (with dedup) has run when
    this yields.  Everything is stopped on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    feeds = FEEDS if feeds is None else feeds
    controllers: list[Any] = []
    daemon: DaemonProcess | None = None
    with FeedServer() as server:
        try:
            smtp = start_smtp_servers(folder, controllers)()
            db_url = f"sqlite:///{folder / 'newsmon.db'}"
            configured: list[dict[str, Any]] = [
                {"url": server.url(path), "name": name, "interval": "1h"}
                for path, (name, _) in feeds.items()
            ]
            if hostile:  # named by its own (hostile) title
                configured.append({"url": server.url("/hostile"), "interval": "1h"})
            config, port = write_config(
                folder,
                db_url,
                configured,
                smtp_port=smtp.port,
                schedule="0 7 1 1 *",  # digests only when asked for
            )
            with config.open("a", encoding="utf-8") as out:
                out.write(f'[web]\nbase_url = "http://127.0.0.1:{port}"\n')
            daemon = DaemonProcess(folder, port)
            scene = Scene(folder, server, smtp, daemon, db_url, port)
            for path, (name, labels) in feeds.items():
                scene.publish(path, list(labels), name)
            server.route("/hostile", static(rss(hostile_items(), html.escape(HOSTILE_OUTLET))))
            daemon.start()
            daemon.wait_for_log("cycle 1 (schedule)", timeout=60)
            yield scene
        finally:
            for controller in controllers:
                controller.stop()
            if daemon is not None:
                daemon.stop()
