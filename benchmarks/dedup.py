"""Dedup speed and memory at 100,000 stored articles, beside brute-force comparison.

    python benchmarks/dedup.py [--size 100000] [--queries 300] [--seed 7]

The corpus is synthetic and deterministic (``--seed``): news-like articles
of 300-800 words drawn from a Zipf-distributed vocabulary of 40,000 words
(English function words at the top, invented words below), grouped into
stories that share names, numbers, topic words and quotations; some
articles of a story are wire copies of its first one with a new intro.
Articles are analysed once (in parallel, one process per core) into the
signature bytes the database would store.

Measured:

* index load: :meth:`DedupIndex.load` from the stored signature bytes, and
  the process's resident memory after it (and its peak);
* classify: the time to analyse one new article (text to signature) and
  to classify it, median and 99th percentile over ``--queries`` articles
  (a third re-tell known stories, a third are copies with a new
  paragraph, a third are new stories);
* growth: the same classification, and brute force (the same evidence
  computed against every stored article: ``classify(exhaustive=True)``), on
  the first 1,000, 5,000 and 20,000 articles.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import resource
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from monitor.dedup import ArticleText, DedupIndex, DedupSettings, StoredSignature, analyse
from monitor.dedup.tokens import STOPWORDS

VOCABULARY = 40_000
STORY_SIZE = (1, 6)  # articles per story
WORDS = (300, 800)
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
_COMMON = sorted(w for w in STOPWORDS if w.isalpha() and len(w) > 1)


def invented_word(index: int, capital: bool = False) -> str:
    """A pronounceable word for ``index``, always the same (base-126 syllables)."""
    parts = []
    number = index + len(_SYLLABLES)
    while number:
        number, rest = divmod(number, len(_SYLLABLES))
        parts.append(_SYLLABLES[rest])
    word = "".join(parts)
    return word.capitalize() if capital else word


@dataclass(frozen=True)
class Vocabulary:
    words: list[str]
    cumulative: np.ndarray

    @classmethod
    def make(cls) -> Vocabulary:
        words = _COMMON + [invented_word(i) for i in range(VOCABULARY - len(_COMMON))]
        weights = 1.0 / (np.arange(len(words)) + 2.7) ** 1.07
        return cls(words, np.cumsum(weights / weights.sum()))

    def draw(self, rng: np.random.Generator, count: int) -> list[str]:
        picks = np.searchsorted(self.cumulative, rng.random(count))
        return [self.words[min(int(i), len(self.words) - 1)] for i in picks]


@dataclass(frozen=True)
class StoryFacts:
    names: list[str]
    numbers: list[str]
    topic: list[str]
    quotes: list[str]
    day: int


def story_facts(story: int, vocabulary: Vocabulary, seed: int) -> StoryFacts:
    rng = np.random.default_rng([seed, story, 1])
    names = [invented_word(int(i), capital=True) for i in rng.integers(0, 400_000, 6)]
    numbers = [str(int(n)) for n in rng.integers(2, 5000, 3)]
    topic = [vocabulary.words[int(i)] for i in rng.integers(500, 20_000, 15)]
    quotes = [" ".join(vocabulary.draw(rng, int(rng.integers(8, 15)))) for _ in range(2)]
    return StoryFacts(names, numbers, topic, quotes, int(story // 40))


def sentences(
    rng: np.random.Generator, facts: StoryFacts, vocabulary: Vocabulary, words: int
) -> list[str]:
    out: list[str] = []
    total = 0
    while total < words:
        length = int(rng.integers(12, 30))
        body = vocabulary.draw(rng, length)
        for position in rng.choice(length, size=3, replace=False):
            roll = rng.random()
            if roll < 0.35:
                body[position] = facts.names[int(rng.integers(len(facts.names)))]
            elif roll < 0.45:
                body[position] = facts.numbers[int(rng.integers(len(facts.numbers)))]
            else:
                body[position] = facts.topic[int(rng.integers(len(facts.topic)))]
        text = " ".join(body)
        if rng.random() < 0.08:
            text += f", {facts.names[0]} said: “{facts.quotes[int(rng.integers(2))]}”"
        out.append(text[0].upper() + text[1:] + ".")
        total += length
    return out


def article(index: int, seed: int, vocabulary: Vocabulary) -> tuple[ArticleText, int]:
    """Article number ``index`` of the corpus and its story number."""
    rng = np.random.default_rng([seed, index])
    story, member = divmod(index, STORY_SIZE[1])
    members = 1 + (story * 7919) % STORY_SIZE[1]
    if member >= members:  # stories have 1..6 articles; unused slots start stories of their own
        story, member = 1_000_000 + index, 0
    facts = story_facts(story, vocabulary, seed)
    words = int(rng.integers(*WORDS))
    if member and rng.random() < 0.4:  # a wire copy of the story's first article, new intro
        first, _ = article(story * STORY_SIZE[1], seed, vocabulary)
        intro = sentences(rng, facts, vocabulary, 30)
        text = "\n\n".join([" ".join(intro), first.text])
    else:
        text = "\n\n".join(
            " ".join(p) for p in _paragraphs(sentences(rng, facts, vocabulary, words))
        )
    published = EPOCH + timedelta(days=facts.day, hours=float(rng.random() * 30))
    title = " ".join(vocabulary.draw(rng, 8)).capitalize()
    return ArticleText(f"a{index}", text, title, published), story


def _paragraphs(items: list[str]) -> list[list[str]]:
    return [items[i : i + 3] for i in range(0, len(items), 3)]


def _signature(args: tuple[int, int]) -> tuple[str, int, bytes]:
    index, seed = args
    text, story = article(index, seed, _VOCABULARY)
    return text.id, story, analyse(text, _SETTINGS).signature.to_bytes()


_VOCABULARY = Vocabulary.make()
_SETTINGS = DedupSettings()


def stored_corpus(size: int, seed: int) -> list[StoredSignature]:
    with multiprocessing.Pool(os.cpu_count() or 1) as pool:
        rows = pool.map(_signature, [(i, seed) for i in range(size)], chunksize=500)
    return [StoredSignature(aid, story, blob) for aid, story, blob in rows]


def queries(count: int, size: int, seed: int) -> list[ArticleText]:
    """Re-tellings of stored stories, copies with a new paragraph, and new stories."""
    rng = np.random.default_rng([seed, 99])
    out = []
    for number in range(count):
        kind = number % 3
        if kind == 2:  # a new story
            text, _ = article(size * 10 + number * STORY_SIZE[1], seed, _VOCABULARY)
        else:
            known, story = article(int(rng.integers(size)), seed, _VOCABULARY)
            if kind == 0:  # another outlet's telling of a known story
                facts = story_facts(story, _VOCABULARY, seed)
                body = " ".join(sentences(rng, facts, _VOCABULARY, int(rng.integers(*WORDS))))
                text = ArticleText(known.id, body, known.title, known.published)
            else:  # the known article with one new paragraph
                other = story_facts(10_000_000 + number, _VOCABULARY, seed)
                extra = " ".join(sentences(rng, other, _VOCABULARY, 40))
                text = ArticleText(
                    known.id, known.text + "\n\n" + extra, known.title, known.published
                )
        out.append(ArticleText(f"q{number}", text.text, text.title, text.published))
    return out


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def classify_times(
    index: DedupIndex, texts: list[ArticleText], exhaustive: bool = False
) -> tuple[list[float], list[float]]:
    analyse_ms, classify_ms = [], []
    for text in texts:
        start = time.perf_counter()
        analysis = index.analyse(text)
        middle = time.perf_counter()
        index.classify(analysis, exhaustive=exhaustive)
        end = time.perf_counter()
        analyse_ms.append((middle - start) * 1000)
        classify_ms.append((end - middle) * 1000)
    return analyse_ms, classify_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="stored articles")
    parser.add_argument("--queries", type=int, default=300, help="new articles classified")
    parser.add_argument(
        "--brute-queries", type=int, default=20, help="queries per brute-force size"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    machine = f"{os.cpu_count()} cores ({platform.machine()})"
    print(f"machine: {machine}, Python {platform.python_version()}")

    start = time.perf_counter()
    rows = stored_corpus(args.size, args.seed)
    generated = time.perf_counter() - start
    stored_mb = sum(len(r.signature) for r in rows) / 1e6
    print(
        f"corpus: {len(rows):,} articles, {len({r.story_id for r in rows}):,} stories, "
        f"generated and analysed in {generated:.0f} s; signatures {stored_mb:.0f} MB "
        f"({stored_mb * 1e6 / len(rows):.0f} bytes each)"
    )
    texts = queries(args.queries, args.size, args.seed)

    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    index, report = DedupIndex.load(rows)
    load_s = time.perf_counter() - start
    after = rss_mb()
    print(
        f"load: {report.loaded:,} signatures in {load_s:.1f} s; RSS {before:.0f} MB before "
        f"(signature bytes held by the caller), {after:.0f} MB after (+{after - before:.0f} MB)"
    )
    analyse_ms, classify_ms = classify_times(index, texts)
    total = [a + c for a, c in zip(analyse_ms, classify_ms, strict=True)]
    print(
        f"classify at {len(index):,}: analyse median {statistics.median(analyse_ms):.2f} ms, "
        f"classify median {statistics.median(classify_ms):.2f} ms, "
        f"total median {statistics.median(total):.2f} ms, p99 {percentile(total, 0.99):.2f} ms "
        f"({len(texts)} articles)"
    )
    decisions = [index.classify(t).status for t in texts]
    print(
        "decisions: "
        + ", ".join(f"{s} {decisions.count(s)}" for s in ("duplicate", "update", "new_story"))
        + " (queries: a third each re-tell, copy+new paragraph, new story)"
    )
    add_ms = []
    for text in texts[:100]:
        start = time.perf_counter()
        index.ingest(text)
        add_ms.append((time.perf_counter() - start) * 1000)
    print(f"ingest (classify + add) median {statistics.median(add_ms):.2f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"peak RSS of the process: {peak:.0f} MB")
    del index
    gc.collect()

    print()
    header = ("stored", "engine median", "engine p99", "brute median", "brute p99")
    print(f"{header[0]:>8} {header[1]:>14} {header[2]:>11} {header[3]:>13} {header[4]:>10}")
    for size in [s for s in (1_000, 5_000, 20_000) if s < args.size] + [args.size]:
        small, _ = DedupIndex.load(rows[:size])
        _, engine = classify_times(small, texts)
        brute_cell = ["", ""]
        if size <= 20_000:
            _, brute = classify_times(small, texts[: args.brute_queries], exhaustive=True)
            brute_cell = [f"{statistics.median(brute):.1f} ms", f"{percentile(brute, 0.99):.1f} ms"]
        print(
            f"{size:>8,} {statistics.median(engine):>11.2f} ms {percentile(engine, 0.99):>8.2f} ms "
            f"{brute_cell[0]:>13} {brute_cell[1]:>10}"
        )
        del small
        gc.collect()
    print("(classify only, text already analysed; brute force scores every stored article)")


if __name__ == "__main__":
    main()
