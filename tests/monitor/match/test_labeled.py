"""Precision and recall of the default topics on the hand-labeled set.

``tests/data/topics_labeled.jsonl`` holds entries labeled with the topics
they are really about (the entity, not the word: the Italian "nato" is not
NATO, the chef Carlos Rubio is not Marco Rubio, and a headline about "NATO's
secretary-general" is about Mark Rutte even where he is not named).  The bar
is 0.95 for both figures and each topic; the table is printed with ``-s`` and
in the failure message.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from monitor.config import TopicSettings
from monitor.defaults import DEFAULT_TOPICS
from monitor.match import compile_topics
from tests.conftest import DATA

LABELED = DATA / "topics_labeled.jsonl"
BAR = 0.95
NAMES = ("NATO", "Marco Rubio", "Mark Rutte")


def load() -> list[dict[str, object]]:
    with LABELED.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_labeled_set_is_large_and_varied() -> None:
    rows = load()
    assert len(rows) >= 150
    assert len({row["id"] for row in rows}) == len(rows)
    languages = Counter(str(row["lang"]) for row in rows)
    assert set(languages) >= {"en", "it", "es", "nl", "de", "fr"}
    for row in rows:
        assert set(row) == {"id", "lang", "title", "text", "topics", "note"}
        assert set(row["topics"]) <= set(NAMES)  # type: ignore[arg-type]
        assert row["title"] or row["text"]


def test_default_topics_precision_and_recall() -> None:
    matcher = compile_topics([TopicSettings.model_validate(t) for t in DEFAULT_TOPICS])
    assert matcher.topics == NAMES
    counts = {name: Counter[str]() for name in NAMES}
    mistakes: list[str] = []
    for row in load():
        found = {m.topic for m in matcher.match(str(row["title"]), str(row["text"]))}
        wanted = set(row["topics"])  # type: ignore[arg-type]
        for name in NAMES:
            outcome = {
                (True, True): "tp",
                (True, False): "fp",
                (False, True): "fn",
                (False, False): "tn",
            }[(name in found, name in wanted)]
            counts[name][outcome] += 1
            if outcome in ("fp", "fn"):
                mistakes.append(f"{outcome.upper()} {name}: {row['id']} ({row['note']})")
    lines = [f"{'topic':<12} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}"]
    failing = []
    for name, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"])
        recall = c["tp"] / (c["tp"] + c["fn"])
        lines.append(
            f"{name:<12} {precision:>9.3f} {recall:>7.3f} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4}"
        )
        if precision < BAR or recall < BAR:
            failing.append(name)
    table = "\n".join(lines + mistakes)
    print(f"\n{table}")
    assert not failing, f"below {BAR}:\n{table}"


@pytest.mark.parametrize(
    ("title", "text", "topics"),
    [
        ("È nato a Roma", "il bambino è nato ieri", set()),
        ("La Nato si riunisce all'Aia", "", {"NATO"}),
        ("El niño rubio", "Con su pelo rubio", set()),
        ("Rubio’s Coastal Grill closes restaurants", "", set()),
        ("Ricky Rubio retires", "The Spanish point guard", set()),
        ("Premier Rutte biedt ontslag aan", "", {"Mark Rutte"}),
        ("John Rutter’s Gloria", "", set()),
        ("Natoli and Donato", "", set()),
        ("L’OTAN à Bruxelles", "", {"NATO"}),
        ("Rubio’s trip", "The secretary of state lands in Kyiv", {"Marco Rubio"}),
    ],
)
def test_default_topics_on_the_hard_cases(title: str, text: str, topics: set[str]) -> None:
    matcher = compile_topics([TopicSettings.model_validate(t) for t in DEFAULT_TOPICS])
    assert {m.topic for m in matcher.match(title, text)} == topics
