"""DedupIndex: classify is pure, add/ingest make articles known, ids and stories are kept."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count

import numpy as np
import pytest

from monitor.dedup import ArticleText, DedupIndex, StoredSignature
from monitor.dedup.encoder import Encoder

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


# --- meaning: with the real encoder, across languages --------------------------------------
# Written for these tests: a report, its German translation, an unrelated report.
REPORT_TITLE = "EU proposes ban on plastic cutlery"
REPORT = (
    "The European Commission proposed on Monday to ban single-use plastic cutlery in all "
    "member states from 2028. Brussels said the measure would cut plastic waste by a fifth. "
    "Environment Commissioner Jessika Roswall told reporters in Strasbourg that restaurants "
    "would have three years to adapt. Industry groups warned that the costs would be passed "
    "on to customers."
)
GERMAN_TITLE = "EU schlägt Verbot von Plastikbesteck vor"
GERMAN = (
    "Die Europäische Kommission hat am Montag vorgeschlagen, Einwegbesteck aus Plastik ab 2028 "
    "in allen Mitgliedstaaten zu verbieten. Brüssel erklärte, die Maßnahme werde den "
    "Plastikmüll um ein Fünftel verringern. Umweltkommissarin Jessika Roswall sagte "
    "Journalisten in Straßburg, Restaurants hätten drei Jahre Zeit, sich anzupassen. "
    "Industrieverbände warnten, die Kosten würden an die Kunden weitergegeben."
)
GERMAN_NEWS = (
    " Der polnische Umweltminister Tomasz Wróbel kündigte an, Warschau werde bis zu "
    "45 Ausnahmen für Krankenhäuser und Schulen verlangen."
)
SNOW = (
    "Heavy snowfall closed several mountain passes in the Alps overnight, and the Swiss "
    "railway operator cancelled dozens of trains between Zurich and Milan. Forecasters "
    "expect more snow on Thursday."
)


def report(article_id: str = "en") -> ArticleText:
    return ArticleText(article_id, REPORT, REPORT_TITLE, WHEN)


def german(article_id: str = "de", extra: str = "") -> ArticleText:
    return ArticleText(article_id, GERMAN + extra, GERMAN_TITLE, WHEN + timedelta(hours=3))


def snow() -> ArticleText:
    return ArticleText("snow", SNOW, "Snow closes Alpine passes", WHEN)


def known_report(encoder: Encoder) -> DedupIndex:
    index = DedupIndex(encoder=encoder)
    for article in (report(), snow()):
        analysis = index.analyse(article)
        decision = index.classify(analysis)
        assert decision.status == "new_story"
        story = 1 if article.id == "en" else 2
        index.add(article.id, index.learned(analysis, replace(decision, story_id=story)), story)
    return index


def test_a_report_and_its_german_translation_are_one_story(encoder: Encoder) -> None:
    index = known_report(encoder)
    decision = index.classify(german())
    assert (decision.status, decision.story_id, decision.layer) == ("duplicate", 1, "story")
    assert decision.nearest_id == "en"
    link = decision.link
    assert link is not None and link.story_id == 1
    assert link.semantic > 0.6  # measured 0.80
    assert link.score >= index.settings.link_threshold
    assert {"brussels", "strasbourg"} <= set(link.shared_entities)  # Brüssel, Straßburg
    assert all(not s.novel for s in decision.sentences)
    # The unrelated story, if a candidate at all, scores far lower.
    assert all(lk.score < link.score - 0.3 for lk in decision.links if lk.story_id != 1)


def test_learned_teaches_a_new_storys_sentences_and_nothing_for_a_duplicate(
    encoder: Encoder,
) -> None:
    index = DedupIndex(encoder=encoder)
    analysis = index.analyse(report())
    first = index.classify(analysis)
    assert first.status == "new_story"
    signature = index.learned(analysis, replace(first, story_id=1))
    assert signature.sentence_vectors.shape == (len(analysis.sentences), 512)
    assert signature.sentence_vectors.dtype == np.float16
    expected = encoder.encode([s.text for s in analysis.sentences])
    assert np.allclose(signature.sentence_vectors.astype(np.float32), expected, atol=2e-3)
    assert np.array_equal(signature.vector, analysis.signature.vector)
    index.add("en", signature, 1)
    assert index.signature("en").sentence_vectors.shape == signature.sentence_vectors.shape

    copy = index.analyse(german())
    duplicate = index.classify(copy)
    assert duplicate.status == "duplicate"
    assert index.learned(copy, duplicate).sentence_vectors.size == 0

    update = index.analyse(german("de2", GERMAN_NEWS))
    decision = index.classify(update)
    assert (decision.status, decision.story_id) == ("update", 1)
    assert decision.novel_sentences == [GERMAN_NEWS.strip()]
    taught = index.learned(update, decision).sentence_vectors
    assert taught.shape == (1, 512)  # only the novel sentence
    assert np.allclose(taught.astype(np.float32), encoder.encode([GERMAN_NEWS.strip()]), atol=2e-3)


def test_without_an_encoder_nothing_is_embedded() -> None:
    index = DedupIndex()
    analysis = index.analyse(report())
    decision = index.classify(analysis)
    signature = index.learned(analysis, replace(decision, story_id=1))
    assert signature.vector.size == 0 and signature.sentence_vectors.size == 0
    assert decision.links == []


def test_an_index_loaded_from_stored_bytes_keeps_the_semantic_links(encoder: Encoder) -> None:
    original = known_report(encoder)
    rows = [
        StoredSignature(a, original.story_of(a), original.signature(a).to_bytes(), seed=a == "en")
        for a in ("en", "snow")
    ]
    loaded, report_ = DedupIndex.load(rows, original.settings, encoder)
    assert report_.loaded == 2 and report_.stale == []
    assert loaded.stories() == original.stories()
    assert loaded.signature("en").sentence_vectors.shape == (4, 512)
    before, after = original.classify(german()), loaded.classify(german())
    assert (after.status, after.story_id, after.layer) == ("duplicate", 1, "story")
    assert [(lk.story_id, lk.centroid, lk.best_member, lk.entities) for lk in after.links] == [
        (lk.story_id, lk.centroid, lk.best_member, lk.entities) for lk in before.links
    ]
    assert after.link is not None and after.link.seed  # the stored seed flag is kept
    # Novelty is judged against the stored sentence vectors too.
    assert [v.similarity for v in after.sentences] == [v.similarity for v in before.sentences]
    news = loaded.classify(german("de2", GERMAN_NEWS))
    assert (news.status, news.novel_sentences) == ("update", [GERMAN_NEWS.strip()])


FULL_WIRE = (
    "The harbour authority of Valmont closed its northern docks on Monday after a crane "
    "collapsed onto a cargo ship, officials said.\n"
    "Nobody was hurt, according to a statement from the port's operator, Coastline Terminals.\n"
    "Inspectors from the transport ministry arrived in the afternoon to examine the crane.\n"
    "The operator said it expected to reopen two of the four berths by Thursday, while the "
    "others would stay closed until the inspectors had finished their work.\n"
    "Shipping companies were told to divert vessels to the southern terminal at Port Edery, "
    "where 14 additional berths were made available for the week."
)


def test_the_rest_of_an_excerpt_its_feed_had_cut_short_is_no_update(encoder: Encoder) -> None:
    """One feed carries the wire story cut mid-sentence; another carries it whole later.  The
    whole copy adds only what the excerpt had not shown yet: no new development."""
    index = DedupIndex(encoder=encoder)
    when = datetime(2025, 3, 3, 9, tzinfo=UTC)
    cut_at = FULL_WIRE.index("while the others")
    title = "Crane collapse closes Valmont docks"
    excerpt = ArticleText("excerpt", FULL_WIRE[:cut_at], title, when)
    assert index.ingest(excerpt).status == "new_story"
    assert index.signature("excerpt").cut != 0
    whole = ArticleText("whole", FULL_WIRE, "Valmont docks closed after crane collapse", when)
    decision = index.classify(index.analyse(whole))
    assert decision.status == "duplicate", [(v.text, v.reason) for v in decision.sentences]
    reasons = [v.reason for v in decision.sentences]
    assert any(r.startswith("known: the rest of a known article") for r in reasons)
    # A whole text is not cut short: a copy that goes past its end is judged as usual.
    assert index.signature("excerpt").cut != index.analyse(whole).signature.cut
    assert index.analyse(whole).signature.cut == 0
