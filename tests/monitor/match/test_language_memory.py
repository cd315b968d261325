"""The language models are handed back after a cycle, and come back when needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.match.language import _has_letters, detect_language, release_models

ENGLISH = "Allied ministers met in Brussels on Tuesday to discuss air defence."
FRENCH = "Les ministres alliés se sont réunis mardi à Bruxelles pour parler de défense."


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_release_gives_the_memory_back_and_detection_still_works() -> None:
    assert detect_language(ENGLISH) == "en"
    loaded = resident_mb()
    release_models()
    released = resident_mb()
    assert loaded - released > 50, (loaded, released)  # the models are ~185 MB
    assert detect_language(FRENCH) == "fr"  # loaded again on demand
    assert resident_mb() - released > 50


def test_release_without_models_loaded_is_harmless() -> None:
    release_models()
    release_models()
    assert detect_language(ENGLISH) == "en"


@pytest.mark.parametrize(
    ("text", "count", "expected"),
    [("abc", 3, True), ("ab1 2 3", 3, False), ("", 1, False), ("é.ü.ß", 3, True)],
)
def test_has_letters_counts_letters_only(text: str, count: int, expected: bool) -> None:
    assert _has_letters(text, count) is expected
