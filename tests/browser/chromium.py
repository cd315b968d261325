"""Which chromium the browser tests and the screenshots script drive, and how.

Debian's package (``apt-get install chromium``: ``/usr/bin/chromium``, or
``$NEWSMON_BROWSER``), never a browser Playwright downloads: this network does not
allow that download, and CI installs the package instead (``.ci/run``).
"""

from __future__ import annotations

import os

BROWSER_ENV = "NEWSMON_BROWSER"
REQUIRE_ENV = "NEWSMON_REQUIRE_BROWSER"
DEFAULT_BROWSER = "/usr/bin/chromium"
# Headless, as root in a container (no sandbox), and without the background connections
# that a closed network refuses by the dozen at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A desktop window (the tests and the screenshots).
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000  # one click or one page load; a healthy one takes milliseconds


def find_chromium() -> tuple[str, str | None]:
    """The chromium to drive, and why it cannot be (None when it can)."""
    path = os.environ.get(BROWSER_ENV) or DEFAULT_BROWSER
    if not os.access(path, os.X_OK):
        return path, (
            f"browser tests need Debian's chromium at {path} "
            f"(apt-get install chromium; .ci/run installs it) or {BROWSER_ENV}=PATH"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return path, 'browser tests need Playwright: pip install -e ".[dev]"'
    return path, None
