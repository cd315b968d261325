"""The topics page through a real server: the queries as ``topics list`` reads them, and
the test form with matched spans highlighted while pasted markup stays text."""

from __future__ import annotations

import re
from pathlib import Path

from monitor.storage import Database
from tests.monitor.web.pages_support import (
    assert_forms_carry_csrf,
    assert_inert,
    console,
    text_of,
)

TOPICS = {
    "topics": [
        {"name": "NATO", "query": "NATO OR alliance"},
        {"name": "Rutte", "query": '"Mark Rutte" -football', "languages": ["en"]},
    ]
}
PASTED = "<script>window.pwned=1</script> NATO met. <img src=x onerror=alert(1)> Mark Rutte spoke."


def test_the_topics_and_their_queries(db: Database, tmp_path: Path) -> None:
    with console(db, tmp_path, settings=TOPICS) as client:
        reply = client.get("/topics")
        page = client.page("/topics")
    text = text_of(reply)
    assert "NATO" in text and "Rutte" in text and "en" in text and "any" in text
    assert '"Mark Rutte"' in text and "football" in text
    assert_forms_carry_csrf(page, client.csrf)
    options = [o.get("value") for o in page.all("option")]
    assert options == ["", "NATO", "Rutte"]


def test_matches_are_highlighted_and_pasted_markup_stays_text(db: Database, tmp_path: Path) -> None:
    with console(db, tmp_path, settings=TOPICS) as client:
        client.page("/topics")
        reply = client.post(
            "/topics/test", {"topic": "", "title": "Alliance <b>news</b>", "text": PASTED}
        )
    assert reply.status_code == 200
    page = assert_inert(reply.text)
    assert not page.all("img") and not page.all("b")
    marks = re.findall(r"<mark>(.*?)</mark>", reply.text)
    assert "NATO" in marks and "Alliance" in marks and "Mark Rutte" in marks
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt; <mark>NATO</mark> met." in reply.text
    text = text_of(reply)
    assert "language: en" in text
    assert "NATO in title, text" in text and "Rutte in text" in text
    # The form keeps what was pasted, as text, for the next try.
    assert "Alliance <b>news</b>" in page.form_to("/topics/test").fields["title"]


def test_one_topic_only_and_no_match(db: Database, tmp_path: Path) -> None:
    with console(db, tmp_path, settings=TOPICS) as client:
        client.page("/topics")
        only = client.post("/topics/test", {"topic": "Rutte", "text": PASTED})
        none = client.post("/topics/test", {"topic": "", "text": "Nothing relevant here."})
    assert "Rutte in text" in text_of(only) and "NATO in" not in text_of(only)
    assert "No topic matches." in text_of(none)


def test_bad_input_is_refused_in_one_line(db: Database, tmp_path: Path) -> None:
    with console(db, tmp_path, settings=TOPICS) as client:
        client.page("/topics")
        empty = client.post("/topics/test", {"topic": "", "text": "  "})
        unknown = client.post("/topics/test", {"topic": "Sports", "text": "NATO"})
        huge = client.post("/topics/test", {"topic": "", "text": "NATO " * 50_000})
        no_token = client.post("/topics/test", {"text": "NATO"}, csrf=False)
    assert empty.status_code == 400 and "paste a text" in text_of(empty)
    assert unknown.status_code == 400 and "no topic named 'Sports'" in text_of(unknown)
    assert huge.status_code == 400 and "over 200,000 characters" in text_of(huge)
    assert no_token.status_code == 403
