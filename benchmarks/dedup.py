"""Dedup speed and memory at 100,000 stored articles: the engine with embeddings beside
the lexical engine, and both beside brute force.

    python benchmarks/dedup.py [--size 100000] [--queries 300] [--seed 7]

The corpus is synthetic and deterministic (``--seed``): news-like articles
of 300-800 words drawn from a Zipf-distributed vocabulary of 40,000 words
(English function words at the top, invented words below), grouped into
stories that share names, numbers, topic words and quotations; some
articles of a story are wire copies of its first one with a new intro.
Article ``i`` belongs to story slot ``i // 6`` and is published on day
``slot // 40`` (about 240 articles a day: 100,000 articles span 417 days).
The first ``SEEDS`` articles are seeds.

Every article is analysed once, in parallel (one process per core, each
with its own encoder, leads embedded 64 at a time with ``analyse_many``),
into the signature bytes the database would store, lead embedding
included.  Then the time window is applied as ``monitor/classify.py``
applies it: only stories whose latest article is within
``index_window_days`` of the newest article are loaded (seeds always).
The first article of each story in the window (and every seed) also gets
the sentence embeddings a real run stores with it (``relearned`` as a new
story); articles outside the window are never loaded, so theirs are not
computed.

Measured, for the engine with embeddings (``DedupIndex(settings,
default_encoder())``) and, in the same run, the lexical engine
(``DedupIndex(settings, None)``, the same rows without their vectors):

* load: :meth:`DedupIndex.load` of the rows in the window, and the
  process's resident memory before and after (the index's memory) and peak;
* per article, over ``--queries`` articles dated inside the window (a
  third re-tell stories of the window, a third are copies with a new
  paragraph, a third are new stories): analyse (lead embedding included),
  classify, ``learned`` (the sentence embeddings a new story stores) and
  the totals, median and 99th percentile; once one article at a time, once
  with the leads of 32 articles embedded in one ``analyse_many`` call (the
  pipeline's batches; per article: the batch's time / its size);
* the decisions made, per kind of query;
* growth: classify only, on the newest 1,000, 5,000, 20,000 and all
  stored articles (no window), and brute force (``classify(exhaustive=True)``)
  for the small sizes.

The 1-minute load average is sampled during the run and printed: the
figures are only as good as the machine was free.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import importlib.util
import math
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from farm import invented

from monitor.dedup import ArticleText, DedupIndex, DedupSettings, Signature, StoredSignature
from monitor.dedup.encoder import default_encoder
from monitor.dedup.tokens import STOPWORDS

VOCABULARY = 40_000
STORY_SIZE = (1, 6)  # articles per story
WORDS = (300, 800)
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
_COMMON = sorted(w for w in STOPWORDS if w.isalpha() and len(w) > 1)


def invented_word(index: int, capital: bool = False) -> str:
    """A pronounceable word for ``index``, always the same (base-126 syllables)."""
    return invented(index, capital, _SYLLABLES)


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
    # A story of its own (an unused slot, 1_000_000 + article index) is dated by its slot.
    slot = (story - 1_000_000) // STORY_SIZE[1] if 1_000_000 <= story < 10_000_000 else story
    return StoryFacts(names, numbers, topic, quotes, int(slot // 40))


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


_VOCABULARY = Vocabulary.make()
_SETTINGS = DedupSettings()
SEEDS = 5  # the first articles are the seed corpus: always in memory, all sentences embedded
CHUNK = 64  # articles a worker generates and analyses together (leads embedded in one call)
BATCH = 32  # leads embedded together in the measured pipeline (monitor/classify.py BATCH)
_WORKER: dict[str, DedupIndex] = {}


# ---------------------------------------------------------------------- machine
def set_blas_threads(count: int) -> bool:
    """Limit OpenBLAS (numpy's) to ``count`` threads in this process, if it can be found."""
    for line in Path("/proc/self/maps").read_text(encoding="ascii", errors="replace").splitlines():
        path = line.split()[-1]
        if "openblas" in path.lower() and path.startswith("/"):
            library = ctypes.CDLL(path)
            for name in (
                "scipy_openblas_set_num_threads64_",
                "openblas_set_num_threads64_",
                "openblas_set_num_threads",
            ):
                if hasattr(library, name):
                    getattr(library, name)(count)
                    return True
    return False


class LoadSampler:
    """The 1-minute load average every few seconds, per phase of the run."""

    def __init__(self, every: float = 5.0) -> None:
        self.phase = "start"
        self.samples: list[tuple[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            self.samples.append((self.phase, os.getloadavg()[0]))
            self._stop.wait(every)

    def summary(self) -> str:
        self._stop.set()
        phases: dict[str, list[float]] = {}
        for phase, value in self.samples:
            phases.setdefault(phase, []).append(value)
        return "; ".join(
            f"{phase} {min(v):.1f}-{max(v):.1f} (median {statistics.median(v):.1f})"
            for phase, v in phases.items()
        )


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def settle() -> None:
    """Collect garbage and hand freed heap back to the system, so RSS deltas mean something."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# ---------------------------------------------------------------------- corpus
def _init_worker() -> None:
    set_blas_threads(1)  # two workers on two cores: BLAS threads would only fight
    _WORKER["index"] = DedupIndex(_SETTINGS, default_encoder())
    _WORKER["lexical"] = DedupIndex(_SETTINGS, None)


def _analyse_chunk(args: tuple[int, int, int]) -> list[tuple[int, int, float, bytes]]:
    """Articles ``start`` to ``stop``: (index, story, published, lexical signature bytes)."""
    start, stop, seed = args
    made = [article(i, seed, _VOCABULARY) for i in range(start, stop)]
    analyses = _WORKER["lexical"].analyse_many([text for text, _ in made])
    return [
        (
            i,
            story,
            text.published.timestamp() if text.published else math.nan,
            a.signature.to_bytes(),
        )
        for i, (text, story), a in zip(range(start, stop), made, analyses, strict=True)
    ]


def _teach_chunk(args: tuple[list[int], int]) -> list[tuple[int, bytes]]:
    """Signatures with the lead embedding; a story's first article (and a seed) also with
    the embeddings of its sentences, as a real run stores them."""
    indices, seed = args
    index = _WORKER["index"]
    texts = [article(i, seed, _VOCABULARY)[0] for i in indices]
    out = []
    for i, analysis in zip(indices, index.analyse_many(texts), strict=True):
        signature = analysis.signature
        if first_of_story(i):
            signature = index.relearned(analysis, "new_story", [], everything=i < SEEDS)
        out.append((i, signature.to_bytes()))
    return out


@dataclass
class Corpus:
    rows: list[StoredSignature]  # every stored article, in the order it was classified
    published: list[float]
    window: list[int]  # positions of the rows the windowed index loads
    newest: float
    since: float
    analyse_s: float
    teach_s: float
    taught: int
    sentence_vectors: int


def _tasks() -> object:
    """This file as a module the pool can pickle its tasks from (under ``python -m cProfile``
    it is not ``__main__``, so its functions cannot be found by that name)."""
    main = sys.modules.get("__main__")
    if getattr(main, "_analyse_chunk", None) is _analyse_chunk:
        return main
    spec = importlib.util.spec_from_file_location("_dedup_benchmark", __file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def first_of_story(index: int) -> bool:
    member = index % STORY_SIZE[1]
    return member == 0 or member >= 1 + ((index // STORY_SIZE[1]) * 7919) % STORY_SIZE[1]


def stored_corpus(size: int, seed: int, settings: DedupSettings) -> Corpus:
    processes = os.cpu_count() or 1
    tasks: Any = _tasks()
    with multiprocessing.Pool(processes, initializer=tasks._init_worker) as pool:
        start = time.perf_counter()
        chunks = [(s, min(size, s + CHUNK), seed) for s in range(0, size, CHUNK)]
        made = [row for chunk in pool.imap(tasks._analyse_chunk, chunks) for row in chunk]
        analyse_s = time.perf_counter() - start
        published = [p for _, _, p, _ in made]
        stories = [story for _, story, _, _ in made]
        newest = max(p for i, p in enumerate(published) if i >= SEEDS)
        since = newest - settings.index_window_days * 86400
        latest: dict[int, float] = {}
        for story, when in zip(stories, published, strict=True):
            latest[story] = max(latest.get(story, -math.inf), when)
        kept = {s for s, when in latest.items() if when >= since} | set(stories[:SEEDS])
        window = [i for i in range(size) if stories[i] in kept]
        start = time.perf_counter()
        groups = [(window[s : s + CHUNK], seed) for s in range(0, len(window), CHUNK)]
        blobs = dict(row for chunk in pool.imap(tasks._teach_chunk, groups) for row in chunk)
        teach_s = time.perf_counter() - start
    rows = [
        StoredSignature(f"a{i}", story, blobs.get(i, blob), seed=i < SEEDS)
        for i, story, _, blob in made
    ]
    vectors = sum(len(Signature.from_bytes(b).sentence_vectors) for b in blobs.values())
    taught = sum(first_of_story(i) for i in window)
    return Corpus(rows, published, window, newest, since, analyse_s, teach_s, taught, vectors)


def lexical_rows(rows: Sequence[StoredSignature]) -> list[StoredSignature]:
    """The same rows as the lexical engine stored them: no lead or sentence embeddings."""
    empty = np.zeros(0, dtype=np.float16)
    return [
        replace(
            r,
            signature=replace(
                Signature.from_bytes(r.signature),
                vector=empty,
                sentence_vectors=np.zeros((0, 0), dtype=np.float16),
                encoder_id=0,
            ).to_bytes(),
        )
        for r in rows
    ]


def queries(count: int, corpus: Corpus, seed: int) -> list[tuple[str, ArticleText]]:
    """Re-tellings of stories in the window, copies with a new paragraph, new stories."""
    rng = np.random.default_rng([seed, 99])
    known_rows = [i for i in corpus.window if i >= SEEDS]
    size = len(corpus.rows)
    out = []
    for number in range(count):
        kind = ("re-telling", "copy + new paragraph", "new story")[number % 3]
        if kind == "new story":
            text, _ = article(size * 10 + number * STORY_SIZE[1], seed, _VOCABULARY)
            hours = float(rng.random() * 24 * corpus_days(corpus))
            when = datetime.fromtimestamp(corpus.since, UTC) + timedelta(hours=hours)
        else:
            known, story = article(
                known_rows[int(rng.integers(len(known_rows)))], seed, _VOCABULARY
            )
            assert known.published is not None
            when = known.published + timedelta(hours=float(rng.random() * 24))
            if kind == "re-telling":  # another outlet's telling of a known story
                facts = story_facts(story, _VOCABULARY, seed)
                body = " ".join(sentences(rng, facts, _VOCABULARY, int(rng.integers(*WORDS))))
                text = ArticleText(known.id, body, known.title, known.published)
            else:  # the known article with one new paragraph
                other = story_facts(10_000_000 + number, _VOCABULARY, seed)
                extra = " ".join(sentences(rng, other, _VOCABULARY, 40))
                text = ArticleText(known.id, known.text + "\n\n" + extra, known.title)
        out.append((kind, ArticleText(f"q{number}", text.text, text.title, when)))
    return out


def corpus_days(corpus: Corpus) -> float:
    return (corpus.newest - corpus.since) / 86400


# ---------------------------------------------------------------------- measuring
def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass
class Timings:
    analyse: list[float]
    classify: list[float]
    learned: list[float]
    statuses: list[str]
    new_story: list[float]  # the new-story queries' sentences embedded (relearned as new)

    def total(self, learned: bool = False) -> list[float]:
        rows = zip(self.analyse, self.classify, self.learned, strict=True)
        return [a + c + (n if learned else 0.0) for a, c, n in rows]


def timed(
    index: DedupIndex, texts: Sequence[ArticleText], batch: int, kinds: Sequence[str]
) -> Timings:
    """Analyse, classify and ``learned`` per article (ms); leads embedded ``batch`` at a time
    (``batch`` 1: ``analyse`` one article at a time)."""
    out = Timings([], [], [], [], [])
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        began = time.perf_counter()
        analyses = [index.analyse(chunk[0])] if batch == 1 else index.analyse_many(chunk)
        share = (time.perf_counter() - began) * 1000 / len(chunk)
        for number, analysis in enumerate(analyses, start):
            t0 = time.perf_counter()
            decision = index.classify(analysis)
            t1 = time.perf_counter()
            index.learned(analysis, decision)
            t2 = time.perf_counter()
            if kinds[number] == "new story":
                index.relearned(analysis, "new_story", [], everything=False)
                out.new_story.append((time.perf_counter() - t2) * 1000)
            out.analyse.append(share)
            out.classify.append((t1 - t0) * 1000)
            out.learned.append((t2 - t1) * 1000)
            out.statuses.append(decision.status)
    return out


def classify_times(
    index: DedupIndex, texts: Sequence[ArticleText], exhaustive: bool = False
) -> list[float]:
    analyses = [index.analyse(t) for t in texts]
    out = []
    for analysis in analyses:
        start = time.perf_counter()
        index.classify(analysis, exhaustive=exhaustive)
        out.append((time.perf_counter() - start) * 1000)
    return out


def cell(values: Sequence[float]) -> str:
    return f"{statistics.median(values):8.2f} {percentile(values, 0.99):8.2f}"


@dataclass
class EngineRun:
    name: str
    loaded: int
    load_s: float
    before: float
    after: float
    peak: float
    one: Timings
    batched: Timings


def run_engine(
    name: str,
    rows: Sequence[StoredSignature],
    settings: DedupSettings,
    encoder: object,
    texts: Sequence[ArticleText],
    kinds: Sequence[str],
) -> EngineRun:
    settle()
    before = rss_mb()
    start = time.perf_counter()
    index, report = DedupIndex.load(rows, settings, encoder)  # type: ignore[arg-type]
    load_s = time.perf_counter() - start
    settle()
    after = rss_mb()
    peak = peak_mb()
    one = timed(index, texts, 1, kinds)
    batched = timed(index, texts, BATCH, kinds)
    del index
    settle()
    return EngineRun(name, report.loaded, load_s, before, after, peak, one, batched)


def report_engine(run: EngineRun, kinds: Sequence[str]) -> None:
    print(
        f"\n[{run.name}] load: {run.loaded:,} signatures in {run.load_s:.1f} s; RSS "
        f"{run.before:.0f} MB before, {run.after:.0f} MB after: "
        f"index {run.after - run.before:.0f} MB;"
        f" peak RSS of the process so far {run.peak:.0f} MB"
    )
    print(f"{'per article, ms':<44} {'median':>8} {'p99':>8}")
    for label, timings in (("one at a time", run.one), (f"leads batched by {BATCH}", run.batched)):
        lines = [
            ("analyse (lead embedding included)", timings.analyse),
            ("classify", timings.classify),
            ("analyse + classify", timings.total()),
            ("learned (as decided)", timings.learned),
            ("analyse + classify + learned", timings.total(learned=True)),
            ("new story's sentences embedded (learned)", timings.new_story or [0.0]),
        ]
        print(f"  {label}")
        for what, values in lines:
            print(f"    {what:<40} {cell(values)}")
    mix: dict[str, Counter[str]] = {}
    for kind, status in zip(kinds, run.one.statuses, strict=True):
        mix.setdefault(kind, Counter())[status] += 1
    print(
        "  decisions (one at a time): "
        + "; ".join(
            f"{kind}: " + ", ".join(f"{s} {c[s]}" for s in ("duplicate", "update", "new_story"))
            for kind, c in mix.items()
        )
    )
    if run.batched.statuses != run.one.statuses:
        changed = sum(a != b for a, b in zip(run.one.statuses, run.batched.statuses, strict=True))
        print(f"  ({changed} decisions differ when the leads are embedded in batches)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="stored articles")
    parser.add_argument("--queries", type=int, default=300, help="new articles classified")
    parser.add_argument(
        "--brute-queries", type=int, default=20, help="queries per brute-force size"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=0,
        help="limit numpy's BLAS threads in the measuring process (0: leave as newsmon does)",
    )
    args = parser.parse_args()
    load = LoadSampler()
    settings = DedupSettings()
    print(
        f"machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    if args.blas_threads:
        print(f"BLAS threads limited to {args.blas_threads}: {set_blas_threads(args.blas_threads)}")

    load.phase = "corpus"
    start = time.perf_counter()
    corpus = stored_corpus(args.size, args.seed, settings)
    generated = time.perf_counter() - start
    rows = corpus.rows
    stored_mb = sum(len(r.signature) for r in rows) / 1e6
    window_rows = [rows[i] for i in corpus.window]
    window_mb = sum(len(r.signature) for r in window_rows) / 1e6
    print(
        f"corpus: {len(rows):,} articles, {len({r.story_id for r in rows}):,} stories over "
        f"{(corpus.newest - min(corpus.published)) / 86400:.0f} days, generated and analysed "
        f"(lexical signatures) in {corpus.analyse_s:.0f} s; the window's {len(corpus.window):,} "
        f"articles analysed again with their leads embedded, and the {corpus.taught:,} first "
        f"articles of its stories with their {corpus.sentence_vectors:,} sentences, in "
        f"{corpus.teach_s:.0f} s; {generated:.0f} s in all; signatures {stored_mb:.0f} MB"
    )
    print(
        f"window: {settings.index_window_days:g} days before the newest article: "
        f"{len(window_rows):,} of {len(rows):,} stored articles in memory "
        f"({len({r.story_id for r in window_rows}):,} stories, {SEEDS} seeds among them), "
        f"their signatures {window_mb:.0f} MB"
    )
    made = queries(args.queries, corpus, args.seed)
    kinds = [kind for kind, _ in made]
    texts = [text for _, text in made]

    load.phase = "measuring"
    encoder = default_encoder()
    DedupIndex(settings, encoder).analyse_many(texts[:2])  # model and alias tables, once
    runs = [
        run_engine("with embeddings", window_rows, settings, encoder, texts, kinds),
        run_engine("lexical (no encoder)", lexical_rows(window_rows), settings, None, texts, kinds),
    ]
    for run in runs:
        report_engine(run, kinds)

    load.phase = "growth"
    print("\ngrowth, classify only (text analysed before), the newest N stored articles, no window")
    header = ("stored", "engine", "median", "p99", "brute median", "brute p99", "index MB")
    print(
        f"{header[0]:>8} {header[1]:<11} {header[2]:>8} {header[3]:>8} {header[4]:>13} "
        f"{header[5]:>10} {header[6]:>9}"
    )
    sizes = [s for s in (1_000, 5_000, 20_000) if s < args.size] + [args.size]
    engines: list[tuple[str, Callable[[list[StoredSignature]], list[StoredSignature]], object]] = [
        ("embeddings", list, encoder),
        ("lexical", lexical_rows, None),
    ]
    for size in sizes:
        for name, convert, engine_encoder in engines:
            chosen = convert(rows[-size:])
            settle()
            before = rss_mb()
            small, _ = DedupIndex.load(chosen, settings, engine_encoder)  # type: ignore[arg-type]
            settle()
            grown = rss_mb() - before
            engine = classify_times(small, texts)
            brute = ["", ""]
            if size <= 20_000:
                times = classify_times(small, texts[: args.brute_queries], exhaustive=True)
                brute = [f"{statistics.median(times):.1f}", f"{percentile(times, 0.99):.1f}"]
            print(
                f"{size:>8,} {name:<11} {statistics.median(engine):>8.2f} "
                f"{percentile(engine, 0.99):>8.2f} {brute[0]:>13} {brute[1]:>10} {grown:>9.0f}"
            )
            del small, chosen
            settle()
    print("(ms; brute force scores every stored article; articles outside the window carry no")
    print(" embeddings: beyond the window the 'embeddings' rows hold mostly lexical signatures)")
    print(
        f"\npeak RSS of the process: {peak_mb():.0f} MB; workers' peak "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e3:.0f} MB"
    )
    print(f"load average (1 min) during the run: {load.summary()}")


if __name__ == "__main__":
    main()
