"""Topic matching speed on the real corpus, beside the naive search a user would write.

    python benchmarks/match.py

Corpus: every entry feedparser finds in the feed documents of
``shared/corpus/fixtures/feedparser`` (small, odd test feeds: the cost of the
scan itself) and the seed articles in ``seeds/`` (full articles about the
default topics: the cost when there is a lot to check).  The default topics
are matched against each entry (title and plain text).

The naive alternatives are what a user gets from a case-insensitive search:
a substring test per topic, and a case-insensitive regex with word
boundaries.  Their false positives and misses are counted on the labeled
set in ``tests/data/topics_labeled.jsonl``.
"""

from __future__ import annotations

import html
import json
import os
import platform
import re
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import feedparser

from monitor.config import TopicSettings
from monitor.defaults import DEFAULT_TOPICS
from monitor.match import compile_topics, detect_language

REPO = Path(__file__).resolve().parents[1]
# The real feed documents beside the checkout (third-party: never copied into the project);
# without them the benchmark runs on the seeds alone.
FIXTURES = REPO.parent / "shared" / "corpus" / "fixtures" / "feedparser"
SEEDS = REPO / "seeds"
LABELED = REPO / "tests" / "data" / "topics_labeled.jsonl"
MIN_SECONDS = 1.0

Entry = tuple[str, str]
_TAG = re.compile(r"<[^>]+>")

# What a user would type into a case-insensitive search box for each topic.
NAIVE_TERMS = {
    "NATO": ["nato", "otan", "north atlantic treaty organization"],
    "Marco Rubio": ["rubio"],
    "Mark Rutte": ["rutte"],
}


def plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def feed_entries() -> list[Entry]:
    entries: list[Entry] = []
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file():
            continue
        parsed = feedparser.parse(path.read_bytes())
        for entry in parsed.entries:
            body = entry.get("summary", "")
            for content in entry.get("content", []):
                body += " " + content.get("value", "")
            entries.append((plain(entry.get("title", "")), plain(body)))
    return entries


def seed_entries() -> list[Entry]:
    entries: list[Entry] = []
    for path in sorted(SEEDS.glob("*.txt")):
        title, _, text = path.read_text(encoding="utf-8").strip().partition("\n")
        entries.append((title, text))
    return entries


def per_second(entries: Sequence[Entry], match: Callable[[str, str], object]) -> float:
    """Entries matched per second, over repeated passes lasting at least MIN_SECONDS."""
    rounds = 0
    start = time.perf_counter()
    while True:
        for title, text in entries:
            match(title, text)
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed >= MIN_SECONDS:
            return rounds * len(entries) / elapsed


def naive_substring() -> Callable[[str, str], set[str]]:
    def match(title: str, text: str) -> set[str]:
        haystack = f"{title}\n{text}".lower()
        return {name for name, terms in NAIVE_TERMS.items() if any(t in haystack for t in terms)}

    return match


def naive_regex() -> Callable[[str, str], set[str]]:
    patterns = {
        name: re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\b", re.IGNORECASE)
        for name, terms in NAIVE_TERMS.items()
    }

    def match(title: str, text: str) -> set[str]:
        haystack = f"{title}\n{text}"
        return {name for name, pattern in patterns.items() if pattern.search(haystack)}

    return match


def quality(match: Callable[[str, str], set[str]]) -> dict[str, tuple[int, int, int]]:
    """(true positives, false positives, misses) per topic on the labeled set."""
    rows = [json.loads(line) for line in LABELED.open(encoding="utf-8")]
    result = {}
    for name in NAIVE_TERMS:
        tp = fp = fn = 0
        for row in rows:
            found, wanted = name in match(row["title"], row["text"]), name in row["topics"]
            tp += found and wanted
            fp += found and not wanted
            fn += wanted and not found
        result[name] = (tp, fp, fn)
    return result


def main() -> None:
    feeds, seeds = feed_entries(), seed_entries()
    corpus = feeds + seeds
    started = time.perf_counter()
    matcher = compile_topics([TopicSettings.model_validate(t) for t in DEFAULT_TOPICS])
    compile_ms = (time.perf_counter() - started) * 1000

    def newsmon(title: str, text: str) -> set[str]:
        return {m.topic for m in matcher.match(title, text)}

    contenders = {
        "newsmon matcher": newsmon,
        "naive substring": naive_substring(),
        "naive regex \\b, IGNORECASE": naive_regex(),
    }
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(
        f"corpus: {len(feeds)} feed entries ({sum(len(a) + len(b) for a, b in feeds)} chars),"
        f" {len(seeds)} seed articles ({sum(len(a) + len(b) for a, b in seeds)} chars)"
    )
    print(f"compile all default topics: {compile_ms:.1f} ms\n")
    header = f"{'':30} {'feeds/s':>9} {'seeds/s':>9} {'all/s':>9} {'µs/entry':>9}"
    print(header + "   labeled set: FP / missed (NATO, Rubio, Rutte)")
    for label, match in contenders.items():
        rates = [per_second(part, match) for part in (feeds, seeds, corpus)]
        scores = quality(match)
        fps = "/".join(str(scores[n][1]) for n in NAIVE_TERMS)
        fns = "/".join(str(scores[n][2]) for n in NAIVE_TERMS)
        print(
            f"{label:30} {rates[0]:>9,.0f} {rates[1]:>9,.0f} {rates[2]:>9,.0f}"
            f" {1e6 / rates[2]:>9.1f}   FP {fps}, missed {fns}"
        )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    labeled = [json.loads(line) for line in LABELED.open(encoding="utf-8")]
    texts = [f"{row['title']}\n{row['text']}" for row in labeled]
    started = time.perf_counter()
    for text in texts:  # the first pass loads the models of all seven languages
        detect_language(text)
    cold_s = time.perf_counter() - started
    rate = per_second([(t, "") for t in texts], lambda title, _: detect_language(title))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nlanguage detection (lingua) on the {len(texts)} labeled entries:"
        f" first pass {cold_s:.2f} s (loads the models), then {rate:,.0f} entries/s,"
        f" {1e6 / rate:.0f} µs/entry; peak RSS {rss_before:.0f} MB before, {rss:.0f} MB after"
    )
    sample_lengths()


def sample_lengths() -> None:
    """What reading fewer characters costs and changes, on real articles (../shared/realnews).

    ``detect_language`` reads the first ``_SAMPLE`` characters; side by side with reading
    1,000, on full-length text, in the same run.
    """
    from monitor.match.language import _SAMPLE, _detector

    realnews = REPO.parent / "shared" / "realnews"
    if not (realnews / "labels.jsonl").exists():
        print(f"\n(no {realnews}: sample-length comparison skipped)")
        return
    rows = [json.loads(line) for line in (realnews / "labels.jsonl").open(encoding="utf-8")]
    texts = [
        f"{row['title']}\n{(realnews / 'articles' / (row['id'] + '.txt')).read_text()}"
        for row in rows
    ]
    print(f"\nlanguage detection on {len(texts)} real articles, by characters read:")
    for length in (1000, _SAMPLE):
        found = [_detector().detect_language_of(t[:length]) for t in texts]  # warm
        started = time.process_time()
        for _ in range(3):
            found = [_detector().detect_language_of(t[:length]) for t in texts]
        per_call = (time.process_time() - started) / (3 * len(texts))
        right = sum(
            (f.iso_code_639_1.name.lower() if f else None) == row["language"]
            for f, row in zip(found, rows, strict=True)
        )
        print(
            f"  {length:>5} characters: {per_call * 1e3:.3f} ms/article,"
            f" {right}/{len(rows)} as labeled"
        )


if __name__ == "__main__":
    main()
