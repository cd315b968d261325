"""Score newsmon on the real-news dev set, whole and split by event (tune on one half, report
on the other).

    python scripts/realnews_eval.py [--realnews ../shared/realnews] [--json]

The dev set (``../shared/realnews``: labeled real articles and its scorer
``score.py``) is third-party text: it is read where it lies, never copied
into the project.  The split is made by *event*, so no event has articles
on both sides: ``tune`` is what thresholds may be chosen on, ``held-out``
is what they are reported on.  An event and the developments found beside
it (``<event>-other-N``) are one group, so that two halves never share a
week of news about the same meeting; keyword-sense articles are spread by
the same hash.  Each half is written as a folder of symbolic links in a
temporary directory, in the format ``score.py --set`` reads.

Prints ``score.py``'s summary line for the whole set and for each half
(``--json``: one JSON object per set).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SET = REPO.parent / "shared" / "realnews"
# The two seed stories are split between the halves, so each half has one to learn from.
FIXED = {"S1": "tune", "S2": "held-out"}


def group_of(event: str) -> str:
    """The event an ``-other-N`` development was found beside (itself otherwise)."""
    return re.sub(r"-other-\d+$", "", event)


def half_of(event: str) -> str:
    group = group_of(event)
    if group in FIXED:
        return FIXED[group]
    digest = hashlib.sha256(group.encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "held-out"


def write_half(source: Path, rows: list[dict[str, object]], target: Path) -> None:
    (target / "articles").mkdir(parents=True)
    (target / "labels.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    for row in rows:
        name = f"{row['id']}.txt"
        (target / "articles" / name).symlink_to(source / "articles" / name)


def score(realnews: Path, newsmon: str, dataset: Path | None) -> dict[str, object]:
    command = [sys.executable, str(realnews / "score.py"), newsmon, "--json"]
    if dataset is not None:
        command += ["--set", str(dataset)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=1800)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"score.py printed no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realnews", type=Path, default=DEFAULT_SET)
    parser.add_argument("--newsmon", default=shutil.which("newsmon") or "newsmon")
    parser.add_argument("--only", choices=["all", "tune", "held-out"], action="append")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    realnews: Path = args.realnews.resolve()
    if not (realnews / "score.py").exists():
        raise SystemExit(f"no dev set at {realnews} (score.py missing)")
    rows = [
        json.loads(line)
        for line in (realnews / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    wanted = args.only or ["all", "tune", "held-out"]
    with tempfile.TemporaryDirectory(prefix="newsmon-split-") as tmp:
        for name in wanted:
            dataset = None
            if name != "all":
                dataset = Path(tmp) / name
                write_half(realnews, [r for r in rows if half_of(str(r["event"])) == name], dataset)
            result = score(realnews, args.newsmon, dataset)
            if args.json:
                print(json.dumps({"set": name, **result}, ensure_ascii=False))
            else:
                summary = "; ".join(
                    f"{k}={v}" for k, v in result.items() if k not in ("articles", "found")
                )
                print(f"{name:9} ({result['articles']} articles) {summary}")


if __name__ == "__main__":
    main()
