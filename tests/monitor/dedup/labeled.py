"""The labeled set (tests/data/dedup_labeled.jsonl) and how the engine is scored on it.

Each line is one article with its truth, written before the engine was
tuned: its story label, its expected status (``None`` for seeds, which are
the known world), and for a retelling with one new paragraph the
sentences of that paragraph.  Items are fed to the engine in file order:
the seeds first as one batch, then the rest one by one, as a feed would.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.dedup import ArticleText, Decision, DedupIndex, DedupSettings
from monitor.dedup.encoder import Encoder

LABELED = Path(__file__).resolve().parents[2] / "data" / "dedup_labeled.jsonl"


@dataclass(frozen=True)
class Item:
    id: str
    seed: bool
    story: str
    status: str | None
    kind: str
    title: str
    text: str
    published: datetime | None
    novel: list[str] | None

    @property
    def article(self) -> ArticleText:
        return ArticleText(self.id, self.text, self.title, self.published)


def load_items(path: Path = LABELED) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record: dict[str, Any] = json.loads(line)
        published = record["published"]
        items.append(
            Item(
                id=record["id"],
                seed=record["seed"],
                story=record["story"],
                status=record["status"],
                kind=record["kind"],
                title=record["title"],
                text=record["text"],
                published=datetime.fromisoformat(published) if published else None,
                novel=record["novel"],
            )
        )
    return items


@dataclass
class Run:
    items: list[Item]
    decisions: dict[str, Decision]
    story_of: dict[str, int]


def run(
    items: list[Item], settings: DedupSettings | None = None, encoder: Encoder | None = None
) -> Run:
    """The set through the engine: lexical only, or with ``encoder`` as newsmon runs it."""
    index = DedupIndex(settings, encoder)
    # Seeds in the order newsmon clusters them (monitor/classify.py): dated first, then by id.
    seeds = sorted(
        (i for i in items if i.seed),
        key=lambda i: (i.published is None, i.published or datetime.min.replace(tzinfo=UTC), i.id),
    )
    decisions = {d.article_id: d for d in index.cluster([i.article for i in seeds])}
    for item in items:
        if not item.seed:
            decisions[item.id] = index.ingest(item.article)
    story_of = {i.id: index.story_of(i.id) for i in items}
    return Run(items, decisions, story_of)


@dataclass(frozen=True)
class Metrics:
    duplicate_precision: float
    duplicate_recall: float
    update_precision: float
    update_recall: float
    new_story_precision: float
    new_story_recall: float
    status_accuracy: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    confusion: dict[tuple[str, str], int]
    errors: list[str]


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def score(result: Run) -> Metrics:
    """Status precision/recall (a status only counts with the right story) and B-cubed."""
    first_of: dict[str, str] = {}
    for item in result.items:
        first_of.setdefault(item.story, item.id)
    counts: Counter[tuple[str, str]] = Counter()
    hits: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    errors = []
    for item in result.items:
        if item.status is None:
            continue
        decision = result.decisions[item.id]
        right_story = result.story_of[item.id] == result.story_of[first_of[item.story]]
        if item.status == "new_story":
            right_story = first_of[item.story] == item.id
        counts[(item.status, decision.status)] += 1
        expected[item.status] += 1
        predicted[decision.status] += 1
        if decision.status == item.status and right_story:
            hits[item.status] += 1
        else:
            errors.append(
                f"{item.id}: expected {item.status} of {item.story}, got {decision.status} "
                f"via {decision.layer} (nearest {decision.nearest_id}, score {decision.score})"
            )
    labels = {i.id: i.story for i in result.items}
    clusters: dict[int, list[str]] = defaultdict(list)
    truth: dict[str, list[str]] = defaultdict(list)
    for item in result.items:
        clusters[result.story_of[item.id]].append(item.id)
        truth[item.story].append(item.id)
    precision = recall = 0.0
    for item in result.items:
        mine = clusters[result.story_of[item.id]]
        same = sum(1 for other in mine if labels[other] == item.story)
        precision += same / len(mine)
        recall += same / len(truth[item.story])
    precision /= len(result.items)
    recall /= len(result.items)
    scored = sum(expected.values())
    return Metrics(
        duplicate_precision=_ratio(hits["duplicate"], predicted["duplicate"]),
        duplicate_recall=_ratio(hits["duplicate"], expected["duplicate"]),
        update_precision=_ratio(hits["update"], predicted["update"]),
        update_recall=_ratio(hits["update"], expected["update"]),
        new_story_precision=_ratio(hits["new_story"], predicted["new_story"]),
        new_story_recall=_ratio(hits["new_story"], expected["new_story"]),
        status_accuracy=_ratio(sum(hits.values()), scored),
        bcubed_precision=precision,
        bcubed_recall=recall,
        bcubed_f1=2 * precision * recall / (precision + recall),
        confusion=dict(counts),
        errors=errors,
    )


def table(metrics: Metrics, items: int) -> str:
    rows = [
        ("duplicate of a known story", metrics.duplicate_precision, metrics.duplicate_recall),
        ("update", metrics.update_precision, metrics.update_recall),
        ("new story", metrics.new_story_precision, metrics.new_story_recall),
    ]
    lines = [
        f"labeled set: {items} articles",
        f"{'status':28} {'precision':>9} {'recall':>7}",
        *(f"{name:28} {p:9.3f} {r:7.3f}" for name, p, r in rows),
        f"{'status accuracy':28} {metrics.status_accuracy:9.3f}",
        f"{'B-cubed clustering':28} P {metrics.bcubed_precision:.3f}  R "
        f"{metrics.bcubed_recall:.3f}  F1 {metrics.bcubed_f1:.3f}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Print the metrics table for the default settings, or for ``key=value`` overrides.

    Example: ``python -m tests.monitor.dedup.labeled story_threshold=1.3 novel_min_facts=2``.
    """
    import sys

    types = {name: f.annotation for name, f in DedupSettings.model_fields.items()}
    overrides: dict[str, Any] = {}
    for arg in sys.argv[1:] if argv is None else argv:
        key, _, value = arg.partition("=")
        if key not in types:
            raise SystemExit(f"unknown setting {key!r} (known: {', '.join(types)})")
        overrides[key] = int(value) if types[key] in (int, "int") else float(value)
    items = load_items()
    result = run(items, DedupSettings(**overrides))
    metrics = score(result)
    print(table(metrics, len(items)))
    seeds = [i.id for i in items if i.seed]
    print("seed stories:", sorted({result.story_of[s] for s in seeds}), "for", seeds)
    for error in metrics.errors:
        print("  miss:", error)


if __name__ == "__main__":
    main()
