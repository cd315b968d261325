"""Regenerate docs/console-stories.png and docs/console-article.png.

The console is shown as it runs: a real daemon (``python -m monitor run``) in a
scratch folder polls two local feeds of articles from the labeled dedup set
(``tests/data/dedup_labeled.jsonl``: a wire service's stories, and another
outlet's retellings and follow-ups of them), sends one digest to a local SMTP
sink, and Debian's chromium, driven by Playwright, photographs the stories list
and the page of an article newsmon held back as a retelling (with the buttons a
reader uses to correct it)::

    python scripts/console_screenshots.py [--width 1280] [--out docs]

Needs the dev extra (Playwright) and ``apt-get install chromium`` (or
``NEWSMON_BROWSER``).  The test suite does not run this.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for tests.browser.scene

from tests.browser.chromium import CHROMIUM_ARGS, find_chromium  # noqa: E402
from tests.browser.scene import RETELLING, Scene, running_scene  # noqa: E402

# A wire service's stories; another outlet retells two of them (held back as
# duplicates) and brings new facts to a third (an update).
FEEDS = {
    "/wire": (
        "Wire Service",
        ("e01-drones-poland", "d01-white-house-weapons", "c01-hague-summit", "k01-steadfast-noon"),
    ),
    "/echo": (
        "Echo Daily",
        (RETELLING, "c04-hague-summary", "d04-white-house-new-paragraph"),
    ),
}


def shoot(scene: Scene, out: Path, width: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium, problem = find_chromium()
    if problem is not None:
        raise SystemExit(problem)
    retelling = scene.article_id(RETELLING)
    shots = [
        (out / "console-stories.png", "/", 1100),
        (out / "console-article.png", f"/articles/{retelling}", 1300),
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=[*CHROMIUM_ARGS, "--hide-scrollbars"]
        )
        page = browser.new_page(viewport={"width": width, "height": 900})
        for path, route, height in shots:
            response = page.goto(scene.console + route)
            if response is None or response.status != 200:
                raise SystemExit(f"GET {route}: {response.status if response else 'no answer'}")
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(path))
        browser.close()
    return [path for path, _, _ in shots]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1280, help="window width in CSS pixels")
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="folder for the PNGs")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="newsmon-console-") as tmp,
        running_scene(Path(tmp), FEEDS, hostile=False) as scene,
    ):
        sent = scene.newsmon_json("trigger", "digest")  # so the pages show a digest
        if not sent["recipients"] or sent["recipients"][0]["skipped"]:
            raise SystemExit(f"no digest was sent: {sent}")
        for path in shoot(scene, args.out, args.width):
            print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
