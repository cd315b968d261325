"""The engine's caches answer exactly what a fresh computation would: a story's dates kept
sorted, its stacked embeddings kept up to date as members join, parsed signatures kept."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import numpy as np

from monitor.dedup import ArticleText, DedupIndex, StoredSignature
from monitor.dedup.encoder import Encoder
from monitor.dedup.signatures import ParsedSignatures, Signature
from monitor.dedup.story_dates import StoryDates
from monitor.dedup.story_rows import KNOWLEDGE_MEMBERS


def test_the_nearest_gap_is_the_one_a_scan_of_every_date_finds() -> None:
    rng = random.Random(3)
    dates = StoryDates()
    kept: list[float] = []
    for _ in range(500):
        when = math.nan if rng.random() < 0.1 else 1.7e9 + rng.choice([0.0, rng.uniform(0, 9e6)])
        dates.add(7, when)
        if not math.isnan(when):
            kept.append(when)
        asked = 1.7e9 + rng.uniform(-1e6, 1e7)
        assert dates.nearest_gap(7, asked) == min(abs(asked - d) for d in kept)
    assert dates.nearest_gap(8, 1.7e9) is None  # a story without dated members
    dates.add(9, math.nan)
    assert dates.nearest_gap(9, 1.7e9) is None


def test_a_busy_storys_rows_kept_up_to_date_are_a_fresh_builds(encoder: Encoder) -> None:
    """Members join one story past ``KNOWLEDGE_MEMBERS`` while its rows are in use: the rows
    then are, value for value and in order, those an index loaded afresh builds."""
    index = DedupIndex(None, encoder)
    start = datetime(2025, 5, 1, tzinfo=UTC)
    texts = [
        ArticleText(
            id=f"a{n}",
            title=f"Report {n} on the harbour works",
            text=f"Dock {n} reopened on Monday. Crews number {n * 7} now. Ships wait {n} days.",
            published=start + timedelta(hours=n),
        )
        for n in range(KNOWLEDGE_MEMBERS + 30)
    ]
    for n, analysis in enumerate(index.analyse_many(texts)):
        teaches = n % 3 == 0  # some members taught sentences, the others only their lead
        signature = index.relearned(analysis, "update" if teaches else "duplicate", [], teaches)
        index.add(analysis.article.id, signature, story_id=1)
        ids, rows = index.member_vectors(1)  # in use: kept, and updated as members join
    stored = [
        StoredSignature(a, 1, index.signature(a).to_bytes(), False) for a in index.stories()[1]
    ]
    fresh, _ = DedupIndex.load(stored, None, encoder)
    fresh_ids, fresh_rows = fresh.member_vectors(1)
    assert ids == fresh_ids and len(set(ids)) == KNOWLEDGE_MEMBERS
    assert rows.dtype == fresh_rows.dtype and np.array_equal(rows, fresh_rows)
    assert len(rows) > KNOWLEDGE_MEMBERS  # taught sentences are among the rows


def test_parsed_signatures_are_the_stored_ones_and_bounded(encoder: Encoder) -> None:
    index = DedupIndex(None, encoder)
    blobs = [
        index.analyse(
            ArticleText(id=str(n), text=f"Line {n} of news. More {n}.")
        ).signature.to_bytes()
        for n in range(5)
    ]
    parsed = ParsedSignatures(blobs, size=2)
    for position in [0, 1, 2, 0, 4, 3, 0]:
        assert parsed[position].to_bytes() == blobs[position]
        assert len(parsed._parsed) <= 2
    again = parsed[0]
    assert parsed[0] is again  # kept while in use
    assert isinstance(again, Signature)
