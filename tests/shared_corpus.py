"""Where the third-party feed corpus is: ``../shared/corpus`` beside the checkout, not a copy.

The feedparser fixtures are other people's files (see ``../shared/corpus/SOURCES.md``), so
the repository keeps none of them: tests read them where they sit and are skipped, with
that reason, on a checkout that has no shared corpus beside it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
FEEDPARSER = SHARED / "fixtures" / "feedparser"
MISSING = f"the shared feed corpus is not at {FEEDPARSER} (it sits beside the checkout)"

needs_corpus = pytest.mark.skipif(not FEEDPARSER.is_dir(), reason=MISSING)
