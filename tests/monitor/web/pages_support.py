"""What the console page tests share: a served console on a real database, a client that
keeps its session and posts forms with their CSRF token, an HTML inspector, rows to show.

The console is the real app (:func:`monitor.web.app.build_app`: sessions, CSRF, security
headers) served by uvicorn on 127.0.0.1 (:func:`tests.monitor.web.serving.served`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from monitor.storage import Database
from monitor.storage.models import Article, ArticleTopic, Feed, Story
from monitor.web.app import build_app
from monitor.web.context import ControlHandlers
from tests.monitor.web.serving import served, web_context

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

# Feed text an attacker controls: every way it could try to become markup or a script.
HOSTILE_TITLE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">Rutte'
HOSTILE_URL = "javascript:window.pwned=3"
HOSTILE_SENTENCE = '<a href="javascript:alert(1)" onclick="x()">click</a> NATO summit'


BLOCKS = frozenset(
    (
        "p",
        "div",
        "li",
        "dt",
        "dd",
        "td",
        "th",
        "tr",
        "h1",
        "h2",
        "h3",
        "br",
        "pre",
        "section",
        "table",
        "ul",
        "ol",
        "dl",
    )
)


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: dict[str, str] = field(default_factory=dict)


class Page(HTMLParser):
    """A page's tags, attributes, forms and text, parsed as a browser would tokenize them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.forms: list[Form] = []
        self.text_parts: list[str] = []
        self.html = html
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if tag in BLOCKS:  # a browser shows a break here: keep the words apart
            self.text_parts.append("\n")
        if tag == "form":
            self.forms.append(
                Form(
                    values.get("method", "get").lower(),
                    values.get("action", ""),
                    values.get("enctype", ""),
                )
            )
        elif tag in ("input", "select", "textarea", "button") and self.forms and values.get("name"):
            self.forms[-1].fields.setdefault(values["name"], values.get("value", ""))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def links(self) -> list[str]:
        return [a["href"] for a in self.all("a") if "href" in a]

    def form_to(self, action: str) -> Form:
        found = [f for f in self.forms if f.action == action]
        assert found, f"no form posting to {action}; forms: {[f.action for f in self.forms]}"
        return found[0]


def text_of(reply: httpx.Response) -> str:
    """A reply's page as the reader sees it: text, entities decoded, spaces collapsed."""
    return " ".join(Page(reply.text).text.split())


def assert_inert(html: str) -> Page:
    """Nothing on the page can run: no script element, no event handler attribute, no
    ``javascript:`` (or ``data:``/``vbscript:``) URL in any link, source or form action."""
    page = Page(html)
    names = [name for name, _ in page.tags]
    assert "script" not in names, "a <script> element reached the page"
    for name, attrs in page.tags:
        handlers = [a for a in attrs if a.lower().startswith("on")]
        assert not handlers, f"<{name}> carries event handlers {handlers}"
        for attr in ("href", "src", "action", "formaction", "srcdoc"):
            value = "".join(attrs.get(attr, "").split()).lower()
            if name == "link" and attrs.get("rel") == "icon" and value == "data:,":
                continue  # base.html's empty icon (no /favicon.ico request): no content
            assert not value.startswith(("javascript:", "vbscript:", "data:")), (
                f"<{name} {attr}={attrs[attr]!r}>"
            )
    return page


def assert_forms_carry_csrf(page: Page, token: str) -> None:
    """Every form that posts carries the session's CSRF token; GET forms (filters) carry
    none, so it never lands in a URL, a history or a log."""
    posting = [f for f in page.forms if f.method == "post"]
    for form in posting:
        assert form.fields.get("csrf_token") == token, f"form to {form.action} lacks the token"
    for form in page.forms:
        if form.method != "post":
            assert "csrf_token" not in form.fields


class Client:
    """A browser without JavaScript: keeps the session cookie, follows 303s, posts forms."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=10)
        self.csrf = ""

    def get(self, path: str, status: int = 200) -> httpx.Response:
        reply = self.http.get(path)
        assert reply.status_code == status, (path, reply.status_code, reply.text[:500])
        token = Page(reply.text).all("input")
        for attrs in token:
            if attrs.get("name") == "csrf_token":
                self.csrf = attrs["value"]
        return reply

    def page(self, path: str) -> Page:
        return assert_inert(self.get(path).text)

    def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        files: dict[str, Any] | None = None,
        csrf: bool = True,
    ) -> httpx.Response:
        """POST a form (with the session's token unless ``csrf`` is False)."""
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.csrf
        return self.http.post(path, data=body, files=files)

    def submit(self, path: str, data: dict[str, str] | None = None, **kw: Any) -> Page:
        """POST, expect 303, follow it, and return the page it leads to (with its notice)."""
        reply = self.post(path, data, **kw)
        assert reply.status_code == 303, (path, reply.status_code, reply.text[:800])
        target = urljoin(path, reply.headers["location"])
        return self.page(target)

    def close(self) -> None:
        self.http.close()


@contextmanager
def console(
    db: Database,
    tmp_path: Path,
    *,
    handlers: ControlHandlers | None = None,
    settings: dict[str, Any] | None = None,
) -> Iterator[Client]:
    """The console on ``db`` served on loopback, and a client for it."""
    ctx = web_context(
        tmp_path,
        db=db,
        handlers=handlers,
        settings={"database": {"url": db.url}, **(settings or {})},
    )
    with served(build_app(ctx)) as running:
        client = Client(running.base)
        try:
            yield client
        finally:
            client.close()


def notice(page: Page) -> str:
    """The one-line notice a POST left for the page it redirected to."""
    found = re.search(r'<p class="notice[^"]*"[^>]*>(.*?)</p>', page.html, re.S)
    assert found, "the page shows no notice"
    return unescape(found.group(1))


def add_story(
    db: Database,
    title: str = "NATO summit opens",
    *,
    articles: int = 2,
    outlet: str = "Wire",
    seed: bool = False,
    topic: str | None = "NATO",
    updated: datetime = T0,
) -> tuple[int, list[str]]:
    """A story with ``articles`` articles (the first starts it, the rest retell it)."""
    with db.session() as session:
        feed = session.query(Feed).filter_by(name=outlet).one_or_none()
        if feed is None and not seed:
            feed = Feed(url=f"https://{outlet.lower()}.example/feed", name=outlet)
            session.add(feed)
        story = Story(title=title, created_at=updated, updated_at=updated)
        session.add(story)
        session.flush()
        ids: list[str] = []
        for n in range(articles):
            article_id = f"s{story.id}a{n}"
            first = n == 0
            row = Article(
                id=article_id,
                feed=None if seed else feed,
                url=f"https://{outlet.lower()}.example/{article_id}",
                title=f"{title} ({n})",
                text=f"{title}. Sentence {n}.",
                content_hash=article_id,
                language="en",
                is_seed=seed,
                status="new_story" if first else "duplicate",
                story_id=story.id,
                duplicate_of_id=None if first else ids[0],
                dedup_layer="story" if first else "near_duplicate",
                score=None if first else 0.91,
                fetched_at=updated + timedelta(minutes=n),
                deduped_at=updated + timedelta(minutes=n),
                published_at=updated + timedelta(minutes=n),
            )
            if topic:
                row.topics.append(ArticleTopic(topic=topic, fields=["title"], spans=[]))
            session.add(row)
            session.flush()
            ids.append(article_id)
        return story.id, ids
