"""Rendering: hostile feed text never reaches the HTML as markup; mail-safe HTML; subject."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from importlib import resources

from sqlalchemy import select

from alerts.compose import DigestContent
from alerts.recipients import Recipient
from alerts.render import render, subject_line
from alerts.run import preview_digest
from monitor.storage.models import Story
from tests.alerts.conftest import World
from tests.alerts.corpus import NOW, add_article, add_feed, add_story


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def parse(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def assert_no_active_content(html: str) -> None:
    tags = parse(html)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "iframe", "object", "embed", "img", "link", "svg", "form"}
    for tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "background"):
                assert value is not None and value.startswith("https://"), (tag, name, value)
    assert "<script" not in html.lower()
    assert "url(" not in html  # no remote CSS resources either


def test_hostile_feed_text_is_never_markup(world: World) -> None:
    with world.db.session() as s:
        evil = add_feed(
            s,
            'Evil <b onmouseover="alert(5)">Feed</b>',
            "https://evil.example.com/rss",
            consecutive_errors=2,
            last_error='<script>alert("err")</script>HTTP 500',
        )
        story = add_story(s, 'Rutte <script>alert("story")</script> story')
        add_article(
            s,
            world.settings,
            feed=evil,
            story=story,
            status="new_story",
            url="javascript:alert(4)",
            title='Rutte <script>alert("t")</script> warns NATO <img src=x onerror=alert(1)>',
            text=(
                'NATO Secretary General Mark Rutte said <a href="javascript:alert(2)">click '
                "here</a> for the full statement on Ukraine and the alliance today.\n\n"
                '<svg onload=alert(3)></svg>NATO allies "agreed" to use onerror=alert(9) '
                "carefully & <i>quickly</i> in all of their future meetings."
            ),
        )
        add_article(
            s,
            world.settings,
            feed=evil,
            story=world_story(world),
            status="update",
            url="https://evil.example.com/a' onclick='alert(6)",
            title="NATO update",
            text="NATO said more.",
            novel=['Rutte <script>alert("novel")</script> said <b>more</b> about NATO.'],
        )
    composed = preview_digest(world.db, world.settings, NOW)
    html, text = composed.rendered.html, " ".join(composed.rendered.text.split())
    assert_no_active_content(html)
    # The words survive as text; the markup does not.
    assert "Rutte warns NATO" in text and "Rutte said more about NATO." in text
    assert "use onerror=alert(9) carefully &amp; quickly" in html  # text, escaped
    assert "<script" not in text and "onmouseover" not in text
    assert "Evil Feed" in text


def world_story(world: World) -> Story:
    with world.db.session() as s:
        return s.scalars(select(Story).where(Story.title.like("Rutte dismisses%"))).one()


def test_example_digest_is_mail_safe(world: World) -> None:
    html = preview_digest(world.db, world.settings, NOW).rendered.html
    assert_no_active_content(html)
    assert "<style" not in html  # inlined: Gmail and others drop <style> in places
    tags = parse(html)
    tables = [attrs for tag, attrs in tags if tag == "table"]
    assert tables and all(("role", "presentation") in attrs for attrs in tables)
    assert any(tag == "meta" and ("name", "viewport") in attrs for tag, attrs in tags)
    container = next(a for t, a in tags if t == "table" and "max-width: 640px" in str(a))
    assert ("width", "100%") in container  # fluid: readable on a phone
    assert 'style="' in html and "font-family" in html


def test_subject_and_empty_digest(world: World) -> None:
    follows_two = Recipient("a@example.org", ("NATO", "Mark Rutte"), "0 7 * * *", "UTC")
    empty = DigestContent(follows_two, NOW, [], 0, 0, [], 0, [])
    assert subject_line(empty) == "NATO, Mark Rutte: nothing new (4 Dec)"
    rendered = render(empty)
    assert "Nothing new about your topics" in rendered.text
    assert "No duplicates since your last digest." in rendered.html
    late = DigestContent(follows_two, NOW + timedelta(hours=20), [], 0, 0, [], 0, [])
    brussels = Recipient("a@example.org", ("NATO",), "0 7 * * *", "Asia/Tokyo")
    late.recipient = brussels
    assert subject_line(late).endswith("(5 Dec)")  # the recipient's own date


def test_templates_ship_inside_the_package() -> None:
    templates = resources.files("alerts") / "templates"
    assert (templates / "digest.html").is_file() and (templates / "digest.txt").is_file()
