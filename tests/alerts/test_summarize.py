"""The extractive summariser: lead first, then central sentences; behind a small interface."""

from __future__ import annotations

from datetime import timedelta

from alerts import Summariser, run_digests
from alerts.summarize import ExtractiveSummariser, candidate_sentences
from monitor.seeds import read_seeds, seed_files
from tests.alerts.conftest import World
from tests.alerts.corpus import NOW
from tests.conftest import SEEDS

ARTICLE = """Alliance ministers met in Brussels on Wednesday to agree new air defence deliveries.

Read more: Other news of the day

The deliveries will include interceptors for the Patriot and IRIS-T systems now in Ukraine.
What happens next?
Ministers said the interceptors would arrive before the end of the winter in Ukraine.
The weather in Brussels was cold and wet, with light rain in the afternoon hours.
Officials said air defence deliveries to Ukraine had priority over all other requests.
"""


def test_lead_first_then_central_sentences_in_reading_order() -> None:
    summary = ExtractiveSummariser().summarise("Ministers agree air defence", ARTICLE, 3)
    assert summary[0].startswith("Alliance ministers met in Brussels")
    assert len(summary) == 3
    assert not any(s.startswith(("Read more", "What happens")) for s in summary)
    assert all("weather" not in s for s in summary)  # off-topic: not central
    positions = [ARTICLE.index(s) for s in summary]
    assert positions == sorted(positions)


def test_short_and_empty_texts() -> None:
    s = ExtractiveSummariser()
    assert s.summarise("Title", "", 3) == []
    assert s.summarise("Title", "Only one real sentence is here in this text.", 3) == [
        "Only one real sentence is here in this text."
    ]
    # The title repeated as the first line is not its own summary.
    text = "Rutte visits Kyiv\nHe met the president."
    assert candidate_sentences("Rutte visits Kyiv", text) == []


def test_seed_summaries_are_short_and_fast() -> None:
    import time

    docs = read_seeds(seed_files(SEEDS)).docs
    start = time.perf_counter()
    summaries = [ExtractiveSummariser().summarise(d.title, d.text, 3) for d in docs]
    assert time.perf_counter() - start < 1.0
    for summary in summaries:
        assert 2 <= len(summary) <= 3
        assert sum(len(s) for s in summary) <= 700
        assert not any(s.endswith("?") or "(Virginia Mayo/AP)" in s for s in summary)


class FirstWords:
    """Another summariser: anything with the method fits the interface."""

    def summarise(self, title: str, text: str, max_sentences: int = 3) -> list[str]:
        return [" ".join(text.split()[:5]) + " …"]


def test_another_summariser_plugs_in(world: World) -> None:
    plugged: Summariser = FirstWords()
    report = run_digests(world.db, world.settings, NOW, summariser=plugged)
    assert report.recipients[0].delivery is not None
    eml = next((world.tmp_path / "outbox").glob("*.eml")).read_bytes()
    assert b"Eleven NATO allies signed an =" in eml or b"Eleven NATO allies signed an" in eml
    assert run_digests(world.db, world.settings, NOW + timedelta(days=1)).recipients[0].skipped
