"""The console as a person uses it, in Debian's chromium, against a real daemon.

The daemon polls real feeds (a local feed server), keeps a retelling out of the
digest, and mails digests to a real SMTP sink.  In the browser a reader says the
retelling is new after all and mutes a story; the database, the next digests
(parsed from the sink) and the List-Unsubscribe one-click POST then show that the
corrections count.  A signed link from a digest works in the browser without a
login, and an altered one changes nothing.  Hostile feed text (script, event
handlers, ``javascript:`` links) is shown on every page and never runs.  Every
page fits a phone's screen.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import select

from monitor.daemon.token import SECRET_FILE, read_token
from monitor.feedback.links import LinkClaim, verify_link
from monitor.storage import Article
from monitor.storage.models import Feedback, StoryMute, Unsubscription
from tests.browser.chromium import TIMEOUT_MS, VIEWPORT
from tests.browser.conftest import Watch
from tests.browser.scene import (
    HOSTILE_OUTLET,
    HOSTILE_SUMMARY,
    HOSTILE_TITLE,
    LATER_STORY,
    LATER_UPDATE,
    PWNED,
    RECIPIENT,
    RETELLING,
    WIRE,
    Scene,
    lead_of,
    title_of,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Response


# One worker runs them all, on one daemon (tests/browser/conftest.py); each test looks only
# at what it changed, so they pass in any order.
pytestmark = pytest.mark.xdist_group("browser")

THIS_IS_NEW = re.compile(r"^This is new \((an )?update\)$")


def expect(target: Any) -> Any:
    """Playwright's assertions, which wait for the page to get there (imported only once
    the ``chromium`` fixture found Playwright)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def plain_text(message: EmailMessage) -> str:
    """The digest's plain-text part, its lines unwrapped (one space for any whitespace)."""
    part = message.get_body(("plain",))
    assert part is not None, "a digest has a plain-text part"
    return " ".join(str(part.get_content()).split())


def one_click_url(message: EmailMessage) -> str:
    """The https/http address in ``List-Unsubscribe`` (RFC 2369: ``<url>, <mailto:...>``)."""
    header = str(message["List-Unsubscribe"] or "")
    found: list[str] = re.findall(r"<(https?://[^>]+)>", header)
    assert found, f"no http(s) URL in List-Unsubscribe: {header!r}"
    return found[0]


def sent(scene: Scene) -> list[EmailMessage]:
    return [received.message for received in scene.smtp.recorder.received]


def trigger_digest(scene: Scene) -> dict[str, Any]:
    """``newsmon trigger digest --json``: the daemon composes and sends what is due now."""
    result = scene.newsmon_json("trigger", "digest")
    assert len(result["recipients"]) == 1, result
    recipient: dict[str, Any] = result["recipients"][0]
    return recipient


def trigger_fetch(scene: Scene) -> None:
    result = scene.newsmon_json("trigger", "fetch")
    assert result["feeds"]["failed"] == 0, result


def article(scene: Scene, guid: str) -> Article:
    db = scene.database()
    try:
        with db.session() as session:
            found = session.scalar(select(Article).where(Article.guid == guid))
            assert found is not None, f"the daemon stored no article {guid!r}"
            session.expunge(found)
            return found
    finally:
        db.dispose()


def visit(page: Page, path: str, scene: Scene) -> Response:
    response = page.goto(scene.console + path)
    assert response is not None, path
    assert response.status == 200, f"GET {path}: {response.status}\n{page.content()[:2000]}"
    return response


@dataclass(frozen=True)
class Sent:
    message: EmailMessage
    digest_id: int


@pytest.fixture(scope="module")
def first_digest(scene: Scene) -> Sent:
    """The digest sent after the first poll, before any feedback: the wire's two stories
    (and the hostile feed's), with the echo's retelling left out as a duplicate."""
    before = len(sent(scene))
    outcome = trigger_digest(scene)
    assert outcome["skipped"] is None and outcome["duplicates"] >= 1, outcome
    messages = sent(scene)
    assert len(messages) == before + 1
    return Sent(messages[-1], int(outcome["digest_id"]))


def test_feedback_in_the_console_changes_the_next_digests(
    scene: Scene, first_digest: Sent, page: Page, watch: Watch
) -> None:
    retelling = article(scene, RETELLING)
    lead, other = article(scene, WIRE[0]), article(scene, WIRE[1])
    # As the daemon decided: the echo's summary retells the wire's drones story.
    assert (retelling.status, retelling.story_id) == ("duplicate", lead.story_id)
    assert lead.status == other.status == "new_story"
    text = plain_text(first_digest.message)
    assert title_of(WIRE[0]) in text and title_of(WIRE[1]) in text
    assert lead_of(RETELLING) not in text, text

    # The reader finds the suppressed article from the stories list and says it is new.
    visit(page, "/", scene)
    page.get_by_role("link", name=title_of(RETELLING), exact=True).click()
    page.wait_for_url(f"{scene.console}/articles/{retelling.id}")
    status = page.locator("dt:text-is('status') + dd")
    expect(status).to_contain_text("duplicate")
    with page.expect_navigation():
        page.get_by_role("button", name=THIS_IS_NEW).click()
    assert page.url == f"{scene.console}/articles/{retelling.id}", "303 back to the article"
    expect(status).to_contain_text("update")
    expect(status).not_to_contain_text("duplicate")

    # ... and mutes the other story, from its page.
    visit(page, "/", scene)
    page.get_by_role("link", name=re.compile(r"^#\d+ " + re.escape(title_of(WIRE[1])))).click()
    page.wait_for_url(f"{scene.console}/stories/{other.story_id}")
    mute, unmute = (page.get_by_role("button", name=n, exact=True) for n in ("Mute", "Unmute"))
    with page.expect_navigation():
        page.locator("li").filter(has_text=RECIPIENT).filter(has=mute).locator(mute).click()
    assert page.url == f"{scene.console}/stories/{other.story_id}"
    expect(page.locator("li").filter(has_text=RECIPIENT).filter(has=unmute)).to_be_visible()
    assert watch.anything() == []

    # The database holds both corrections, who gave them and how.
    db = scene.database()
    try:
        with db.session() as session:
            history = [
                (f.action, f.actor, f.via, f.article_id or f.story_id, f.recipient, f.before)
                # (the other tests of this module give feedback through links)
                for f in session.scalars(
                    select(Feedback).where(Feedback.via == "console").order_by(Feedback.id)
                )
            ]
    finally:
        db.dispose()
    assert [row[:5] for row in history] == [
        ("new_update", "console", "console", retelling.id, None),
        ("mute", "console", "console", other.story_id, RECIPIENT),
    ]
    assert (history[0][5] or {}).get("status") == "duplicate"  # the decision it corrected
    assert mutes_of(scene, other.story_id) == [RECIPIENT]
    corrected = article(scene, RETELLING)
    assert (corrected.status, corrected.story_id) == ("update", lead.story_id)
    assert corrected.feedback_at is not None

    # New facts arrive in the muted story (an update, as the daemon decides).
    scene.publish("/wire", [*WIRE, LATER_UPDATE], "Wire Service")
    trigger_fetch(scene)
    update = article(scene, LATER_UPDATE)
    assert (update.status, update.story_id) == ("update", other.story_id)
    assert update.novel_sentences, "an update has news to show"

    # The next digest shows the corrected article, once, and nothing of the muted story.
    outcome = trigger_digest(scene)
    assert outcome["skipped"] is None, outcome
    digest = sent(scene)[-1]
    text = plain_text(digest)
    # The update of the drones story: its headline, and what the reader said was new.
    assert title_of(WIRE[0]) in text and lead_of(RETELLING) in text, text
    # Nothing of the muted story: neither its headline nor its new facts.
    assert title_of(WIRE[1]) not in text, text
    assert not [s for s in update.novel_sentences if " ".join(s.split()) in text], text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = one_click_url(digest)
    assert unsubscribe.startswith(f"{scene.console}/l/")
    assert trigger_digest(scene)["skipped"] == "nothing new"

    # A mail scanner fetching the link changes nothing; the one-click POST unsubscribes.
    with httpx.Client(trust_env=False, timeout=10) as client:
        assert client.get(unsubscribe).status_code == 200
        assert unsubscriptions(scene) == []
        answer = client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200, answer.text
    assert unsubscriptions(scene) == [(RECIPIENT, "list-unsubscribe")]

    # A new story arrives: an unsubscribed reader gets no digest at all.
    count = len(sent(scene))
    scene.publish("/wire", [*WIRE, LATER_UPDATE, LATER_STORY], "Wire Service")
    trigger_fetch(scene)
    assert article(scene, LATER_STORY).status == "new_story"
    outcome = trigger_digest(scene)
    assert outcome["skipped"], outcome
    assert len(sent(scene)) == count


def unsubscriptions(scene: Scene) -> list[tuple[str, str]]:
    db = scene.database()
    try:
        with db.session() as session:
            return [(u.recipient, u.via) for u in session.scalars(select(Unsubscription))]
    finally:
        db.dispose()


# What no page of the console may contain: it would run (or navigate) on a click or load.
FORBIDDEN_DOM = """() => {
    const found = [];
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const value = attr.value.trim().toLowerCase();
            if (attr.name.startsWith('on') || value.startsWith('javascript:')) {
                found.push(`${el.tagName.toLowerCase()} ${attr.name}=${attr.value}`);
            }
        }
    }
    for (const el of document.querySelectorAll('script')) found.push('script: ' + el.text);
    return found;
}"""


@pytest.fixture
def csp_off_page(browser: Browser, watch: Watch) -> Iterator[Page]:
    """A page that ignores the console's Content-Security-Policy, so that only the
    escaping stands between a feed's markup and the browser."""
    context = browser.new_context(bypass_csp=True, viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    watch.follow(opened)
    yield opened
    context.close()


def test_hostile_feed_text_is_shown_as_text_and_never_runs(
    scene: Scene, first_digest: Sent, csp_off_page: Page, watch: Watch
) -> None:
    page = csp_off_page
    first = article(scene, "hostile-1")
    second = article(scene, "hostile-2")
    # The hostile text reached the database as the feed sent it (else this proves nothing).
    assert first.title == HOSTILE_TITLE and first.url is not None
    assert first.url.startswith("javascript:")
    assert first.summary is not None and "onerror=" in first.summary
    assert second.summary_html is not None and "javascript:" in second.summary_html
    pages = [
        "/",
        "/?status=new_story",
        f"/stories/{first.story_id}",
        f"/articles/{first.id}",
        f"/articles/{second.id}",
        "/feeds",
        "/digests",
        f"/digests/{first_digest.digest_id}",
    ]
    for path in pages:
        response = visit(page, path, scene)
        csp = response.headers.get("content-security-policy", "")
        assert "script-src" not in csp and "default-src 'none'" in csp, (path, csp)
        for frame in page.frames:  # the digest as sent, in its sandboxed frame
            assert frame.evaluate(FORBIDDEN_DOM) == [], (path, frame.url)
            assert frame.evaluate(f"typeof window.{PWNED}") == "undefined", (path, frame.url)
    assert len(page.frames) == 2, "the digest page shows the digest in a frame"
    # The text is there, as text: the title and the javascript: address on the article's
    # page (shown, not linked), the outlet's name on the feeds page.
    visit(page, f"/articles/{first.id}", scene)
    shown = page.locator("main").inner_text()
    assert HOSTILE_TITLE in shown and first.url in shown
    visit(page, "/feeds", scene)
    assert HOSTILE_OUTLET in page.locator("main").inner_text()
    # Pasted into the topics test, the markup comes back highlighted, and still as text.
    visit(page, "/topics", scene)
    page.get_by_label(re.compile("^Title")).fill(HOSTILE_TITLE)
    page.get_by_label("Text", exact=True).fill(HOSTILE_SUMMARY)
    with page.expect_navigation():
        page.get_by_role("button", name="Test", exact=True).click()
    result = page.locator("main")
    assert result.locator("mark").count() >= 2, "NATO highlighted in the title and the text"
    assert HOSTILE_TITLE in result.inner_text() and HOSTILE_SUMMARY in result.inner_text()
    assert page.evaluate(FORBIDDEN_DOM) == []
    assert page.evaluate(f"typeof window.{PWNED}") == "undefined"
    assert watch.anything() == []


def links_in(message: EmailMessage) -> list[str]:
    """Every one-click link in the digest's HTML part."""
    part = message.get_body(("html",))
    assert part is not None, "a digest has an HTML part"
    found = re.findall(r'href="([^"]*/l/[^"]+)"', str(part.get_content()))
    return [html.unescape(url) for url in found]


def read_claim(secret: str, url: str) -> LinkClaim:
    """What a link in a digest may do (checked with the daemon's own key)."""
    return verify_link(secret, url.rsplit("/", 1)[1], max_age_s=86400)


def test_a_digest_link_works_in_the_browser_without_a_login(
    scene: Scene, first_digest: Sent, page: Page, watch: Watch
) -> None:
    story = article(scene, "hostile-1").story_id
    secret = read_token(scene.folder / "data", SECRET_FILE)
    assert secret is not None
    wanted = LinkClaim("mute", RECIPIENT, story_id=story)
    urls = {url for url in links_in(first_digest.message) if read_claim(secret, url) == wanted}
    assert len(urls) == 1, links_in(first_digest.message)
    url = urls.pop()
    assert url.startswith(f"{scene.console}/l/")

    # Opening the link (as a mail scanner would) only asks; the button does it.
    visit(page, url.removeprefix(scene.console), scene)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mute this story?")
    assert page.evaluate(FORBIDDEN_DOM) == []  # the story's (hostile) title is text here too
    assert mutes_of(scene, story) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Mute story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Story muted")
    assert mutes_of(scene, story) == [RECIPIENT]

    # An altered link gets a page that says so, and does nothing.
    token = url.rsplit("/", 1)[1]
    forged = url[: -len(token)] + token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    response = page.goto(forged)
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Link not valid")
    with httpx.Client(trust_env=False, timeout=10) as client:
        assert client.post(forged).status_code == 400
    assert mutes_of(scene, story) == [RECIPIENT]
    assert watch.dialogs == watch.errors == []


def mutes_of(scene: Scene, story_id: int | None) -> list[str]:
    db = scene.database()
    try:
        with db.session() as session:
            query = select(StoryMute.recipient).where(StoryMute.story_id == story_id)
            return list(session.scalars(query))
    finally:
        db.dispose()


PHONE = {"width": 360, "height": 740}


def test_every_page_fits_a_phone_screen(scene: Scene, first_digest: Sent, browser: Browser) -> None:
    """360 px wide, nothing sticks out sideways: the page never scrolls horizontally (wide
    tables scroll inside their own box)."""
    lead = article(scene, WIRE[0])
    context = browser.new_context(viewport=PHONE, is_mobile=True)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        for path in (
            "/",
            f"/stories/{lead.story_id}",
            f"/articles/{lead.id}",
            "/feeds",
            "/digests",
            f"/digests/{first_digest.digest_id}",
            "/topics",
        ):
            visit(page, path, scene)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide on a 360 px screen"
    finally:
        context.close()
