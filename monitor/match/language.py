"""Which language an entry is written in, offline.

Why lingua (``lingua-language-detector``): it is maintained, its models are
compiled into the wheel (nothing is fetched at run time, which a service
without a network must be able to rely on), and it is accurate on the
short texts feeds carry, a headline and a line, where n-gram detectors
that look at one text length only (langdetect, CLD) often guess.

It is restricted to the languages newsmon's users read news in: fewer
candidates make it faster, lighter and more accurate.  A text in another
script (Cyrillic, Arabic, ...) gives None rather than a wrong guess.  The
models are loaded on first use; ``docs/topics.md`` gives time and memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Sequence
from functools import cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it", "nl", "pt")
"""ISO 639-1 codes :func:`detect_language` can return."""

# Detection reads this much of a text: a headline and a paragraph settle the
# language, and the cost grows with the length.  On the 221 real articles of
# ../shared/realnews, 300 characters give the same answer as 1,000 for every
# article, at half the cost (0.25 against 0.97 ms); below about 200, lingua
# treats the text as short and loads its other n-gram models (~180 MB).
_SAMPLE = 300
# Fewer letters than this are not enough to tell languages apart.
_MIN_LETTERS = 8


@cache
def _detector() -> LanguageDetector:
    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or None if unsure.

    Pass the title and the text together: the more words, the surer.
    """
    sample = text[:_SAMPLE]
    if not _has_letters(sample, _MIN_LETTERS):
        return None
    language = _detector().detect_language_of(sample)
    if language is None:
        return None
    return language.iso_code_639_1.name.lower()


def release_models() -> None:
    """Give the detector's memory back to the system until the next detection.

    The models take ~185 MB and a poll cycle's matching is the only user:
    between cycles, and while deduplication loads its own ~100 MB encoder,
    they would only swell the process.  Loading them again costs ~1.2 s of
    CPU, once per cycle that matches something.  glibc keeps freed memory
    for reuse unless asked to hand it back (``malloc_trim``).
    """
    if _detector.cache_info().currsize == 0:
        return
    _detector().unload_language_models()  # type: ignore[no-untyped-call]
    _detector.cache_clear()
    _trim_heap()


def _trim_heap() -> None:
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hand back this way
        return
    trim(0)


def _has_letters(text: str, count: int) -> bool:
    """Whether ``text`` has at least ``count`` letters; stops counting once it has.

    Counting every letter of the sample cost a third of what detection itself
    costs; a real text passes within its first dozen characters.
    """
    for char in text:
        if char.isalpha():
            count -= 1
            if count <= 0:
                return True
    return False


def language_allowed(language: str | None, allowed: Sequence[str]) -> bool:
    """Whether an entry in ``language`` passes a ``languages = [...]`` restriction.

    An empty list allows everything; an unknown language (None) passes too,
    since dropping an entry because its language could not be told would
    lose stories silently.  Region suffixes are ignored ("en-GB" is "en").
    """
    if not allowed or language is None:
        return True
    code = language.lower().replace("_", "-").split("-")[0]
    return code in {a.strip().lower() for a in allowed}
