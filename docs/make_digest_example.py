"""Regenerate docs/digest-example.html and docs/digest-example.png.

The digest is built the way newsmon builds one: a scratch SQLite database
with the seed corpus (``seeds/``) and the fixture articles of
``tests/alerts/corpus.py`` (new stories, updates with novel sentences,
duplicates, failing feeds), composed for a reader following every topic.
The screenshot is taken with headless Chromium (Debian package
``chromium``)::

    python docs/make_digest_example.py [--width 720] [--phone phone.png]

Run it from anywhere inside the repository, with newsmon installed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
sys.path.insert(0, str(REPO))  # for tests.alerts.corpus

from alerts.run import preview_digest  # noqa: E402
from monitor.app import open_database  # noqa: E402
from monitor.config import Settings  # noqa: E402
from tests.alerts.corpus import NOW, build_example  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def build_html(scratch: Path) -> tuple[str, str]:
    settings = Settings(
        database={"url": f"sqlite:///{scratch / 'example.db'}"},
        seeds={"dir": str(REPO / "seeds"), "include_bundled": False},
        feeds=[],
        email={"from": "newsmon <digest@newsmon.example>", "to": ["reader@example.org"]},
        digest={"timezone": "Europe/Brussels"},
    )
    db, _ = open_database(settings)
    try:
        build_example(db, settings)
        composed = preview_digest(db, settings, NOW)
    finally:
        db.dispose()
    return composed.rendered.subject, composed.rendered.html


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("headless Chromium not found: apt-get install chromium")


def page_height(browser: str, html_file: Path, width: int, scratch: Path) -> int:
    """The rendered page's height at this width, measured by Chromium itself (a copy of the
    page with a one-line script that writes it into the title; the example has none)."""
    probe = scratch / "probe.html"
    probe.write_text(
        html_file.read_text(encoding="utf-8").replace(
            "</body>",
            "<script>document.title = 'H=' + document.documentElement.scrollHeight</script></body>",
        ),
        encoding="utf-8",
    )
    out = subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={scratch / 'profile-probe'}",
            f"--window-size={width},800",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    match = re.search(r"<title>H=(\d+)</title>", out)
    if not match:
        sys.exit("could not measure the page height")
    return int(match.group(1))


def screenshot(browser: str, html_file: Path, png: Path, width: int, scratch: Path) -> None:
    height = page_height(browser, html_file, width, scratch)
    subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={scratch / 'profile'}",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            html_file.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    print(f"wrote {png} ({width} x {height})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=720, help="window width in pixels")
    parser.add_argument("--phone", type=Path, help="also take a 400 px wide screenshot here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsmon-example-") as tmp:
        scratch = Path(tmp)
        subject, html = build_html(scratch)
        html_file = DOCS / "digest-example.html"
        html_file.write_text(html, encoding="utf-8")
        print(f"wrote {html_file}: {subject}")
        browser = chromium()
        screenshot(browser, html_file, DOCS / "digest-example.png", args.width, scratch)
        if args.phone:
            screenshot(browser, html_file, args.phone.resolve(), 400, scratch)


if __name__ == "__main__":
    main()
