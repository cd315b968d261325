"""DedupIndex: classify is pure, add/ingest make articles known, ids and stories are kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import count

import pytest

from monitor.dedup import ArticleText, DedupIndex

SOURCE = (
    "NATO Secretary-General Mark Rutte said on Tuesday that the United States remained "
    "committed to the alliance, although Secretary of State Marco Rubio will miss Wednesday's "
    "meeting of foreign ministers in Brussels. “I would not read anything into it,” Rutte said. "
    "Deputy Secretary of State Christopher Landau will represent Washington at the meeting."
)
WHEN = datetime(2025, 12, 2, 12, tzinfo=UTC)


def test_classify_changes_nothing_and_add_makes_the_article_known() -> None:
    index = DedupIndex()
    article = ArticleText("a", SOURCE, "Rutte dismisses concerns", WHEN)
    first = index.classify(article)
    assert (first.status, first.story_id, first.layer) == ("new_story", None, "none")
    assert len(index) == 0 and "a" not in index
    analysis = index.analyse(article)
    index.add("a", analysis.signature, 7)
    assert "a" in index and index.story_of("a") == 7 and index.stories() == {7: ["a"]}
    copy = index.classify(ArticleText("b", SOURCE.replace("’", "'"), "Copy", WHEN))
    assert (copy.status, copy.layer, copy.story_id, copy.nearest_id) == (
        "duplicate",
        "exact",
        7,
        "a",
    )
    with pytest.raises(ValueError, match="already in the dedup index"):
        index.add("a", analysis.signature, 7)


def test_ingest_numbers_new_stories_with_the_callers_ids() -> None:
    index = DedupIndex()
    ids = count(100)
    decision = index.ingest(ArticleText("a", SOURCE, "Rutte", WHEN), lambda: next(ids))
    assert (decision.status, decision.story_id) == ("new_story", 100)
    other = index.ingest(
        ArticleText("b", "Heavy rain flooded the harbour of Gdańsk on Monday night.", "Rain"),
        lambda: next(ids),
    )
    assert other.story_id == 101
    retold = index.ingest(ArticleText("c", SOURCE + " Landau arrived at 9 a.m.", "Again", WHEN))
    assert (retold.story_id, retold.status) == (100, "update")
    assert retold.novel_sentences == ["Landau arrived at 9 a.m."]


def test_a_decision_is_plain_json() -> None:
    index = DedupIndex()
    index.ingest(ArticleText("a", SOURCE, "Rutte", WHEN))
    decision = index.classify(ArticleText("b", SOURCE + " Landau arrived at 9 a.m.", "", WHEN))
    data = json.loads(json.dumps(decision.to_dict()))
    assert data["status"] == "update" and data["layer"] == "near_duplicate"
    assert data["sentences"][-1]["reason"] == "1 new number"
    assert data["candidates"][0]["article_id"] == "a"
