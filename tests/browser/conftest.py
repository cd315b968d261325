"""Fixtures for the console tested in a real browser: Debian's chromium driven by Playwright.

The browser is the one ``apt-get install chromium`` puts at ``/usr/bin/chromium`` (or
``$NEWSMON_BROWSER``), never one Playwright downloads.  Without it these tests skip with
the reason, unless ``NEWSMON_REQUIRE_BROWSER`` is set (``.ci/run`` sets it): then they
fail, so CI cannot pass by skipping them.

Every test of a module shares one :func:`scene` (a daemon with its feeds and SMTP sink:
starting one costs seconds) and one browser; each test gets a fresh browser context
(no cookies, no cache) in :func:`page`, which records every dialog, console message and
page error, so a test can assert that nothing ran.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.chromium import (
    CHROMIUM_ARGS,
    REQUIRE_ENV,
    TIMEOUT_MS,
    VIEWPORT,
    find_chromium,
)
from tests.browser.scene import Scene, running_scene

if TYPE_CHECKING:  # Playwright is imported only once a browser is there to drive
    from playwright.sync_api import Browser, Dialog, Page, Response


def chromium_or_skip() -> str:
    """The chromium to drive; skip with the reason when there is none, or fail when
    ``NEWSMON_REQUIRE_BROWSER`` is set (CI: the tests must not pass by skipping)."""
    path, problem = find_chromium()
    if problem is None:
        return path
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{problem} ({REQUIRE_ENV} is set: not skipping)", pytrace=False)
    pytest.skip(problem)


@dataclass
class Watch:
    """What a page did that no page of the console should: dialogs, console output, errors."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # answers >= 400 (the console's log
    # line "Failed to load resource" does not say which)

    def anything(self) -> list[str]:
        return self.dialogs + self.console + self.errors + self.failed

    def follow(self, page: Page) -> None:
        """Record what ``page`` does from now on."""

        def on_dialog(dialog: Dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_response(response: Response) -> None:
            if response.status >= 400:
                self.failed.append(f"{response.status} {response.request.method} {response.url}")

        page.on("dialog", on_dialog)
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text} ({page.url})"))
        page.on("pageerror", lambda error: self.errors.append(f"{error} ({page.url})"))
        page.on("response", on_response)


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def scene(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """The daemon, its feeds and SMTP sink (after its first poll cycle), for a whole module.

    Takes ``chromium`` first so that a machine without a browser skips before paying for
    a daemon."""
    folder: Path = tmp_path_factory.mktemp("console")
    with running_scene(folder) as running:
        yield running


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Browser, watch: Watch) -> Iterator[Page]:
    """A new page in a new context (no cookies), watched by :class:`Watch`."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    watch.follow(opened)
    yield opened
    context.close()
