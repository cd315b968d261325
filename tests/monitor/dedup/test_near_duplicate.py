"""Near-duplicate layer: LSH finds copies; containment recognises a summary in its source."""

from __future__ import annotations

from monitor.dedup import ArticleText, DedupSettings, analyse
from monitor.dedup.near_duplicate import NearDuplicateIndex
from monitor.dedup.shingles import shingle_hashes
from tests.monitor.dedup.labeled import load_items

SETTINGS = DedupSettings()


def seed_text(stem: str) -> str:
    return next(i.text for i in load_items() if i.id.startswith(stem))


def test_shingles_are_word_runs_and_short_texts_are_one_shingle() -> None:
    assert len(shingle_hashes("one two three four", 3)) == 2
    assert len(shingle_hashes("one two", 3)) == 1
    assert shingle_hashes("", 3) == []
    assert shingle_hashes("The talks", 3) == shingle_hashes("the  talks", 3)


def test_a_copy_is_found_by_lsh_and_scores_high_jaccard() -> None:
    source = seed_text("004")
    copy = "BRUSSELS (AP) — A new first line.\n\n" + source
    index = NearDuplicateIndex(SETTINGS)
    known = analyse(ArticleText("s", source), SETTINGS).signature
    index.add(0, known.hashvalues, known.shingle_count)
    query = analyse(ArticleText("c", copy), SETTINGS).signature
    assert index.query(query.hashvalues) == [0]
    [resemblance] = index.resemblance(query.hashvalues, query.shingle_count, [0])
    assert resemblance.jaccard > 0.9
    assert resemblance.coverage > 0.9  # the copy contains all of the known text


def test_a_summary_is_contained_in_its_source_though_jaccard_is_tiny() -> None:
    source = seed_text("002")
    summary = " ".join(source.split()[:120])
    index = NearDuplicateIndex(SETTINGS)
    known = analyse(ArticleText("s", source), SETTINGS).signature
    index.add(0, known.hashvalues, known.shingle_count)
    query = analyse(ArticleText("q", summary), SETTINGS).signature
    [resemblance] = index.resemblance(query.hashvalues, query.shingle_count, [0])
    assert resemblance.jaccard < 0.3
    assert resemblance.containment >= SETTINGS.near_duplicate_containment


def test_unrelated_texts_do_not_resemble() -> None:
    index = NearDuplicateIndex(SETTINGS)
    known = analyse(ArticleText("s", seed_text("000")), SETTINGS).signature
    index.add(0, known.hashvalues, known.shingle_count)
    query = analyse(ArticleText("q", seed_text("001")), SETTINGS).signature
    [resemblance] = index.resemblance(query.hashvalues, query.shingle_count, [0])
    assert resemblance.best < 0.2
    assert index.query(query.hashvalues) == []
