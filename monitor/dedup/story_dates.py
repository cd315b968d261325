"""When each story's articles were published, for the date gap between an article and a story.

Two questions are asked of every candidate story of every article: how many
days separate the article from the story's closest dated member (linking
weighs it), and whether all of them are too far (the story is then out of
time).  Asked by scanning the members, a story of thousands of articles (a
wire copy syndicated everywhere) costs milliseconds per question; its dates
are kept sorted instead, so the closest one is found by bisection.  The
answer is the very float the scan gave: the minimum of ``abs(when - date)``
over the dates, and on sorted dates that minimum is at one of the two
neighbours of ``when``.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort


class StoryDates:
    """Each story's members' publication times (epoch seconds), sorted; undated ones left out."""

    def __init__(self) -> None:
        self._dates: dict[int, list[float]] = {}

    def add(self, story_id: int, when: float) -> None:
        """One more member of ``story_id`` published at ``when`` (NaN: undated, not kept)."""
        if not math.isnan(when):
            insort(self._dates.setdefault(story_id, []), when)

    def nearest_gap(self, story_id: int, when: float) -> float | None:
        """Seconds between ``when`` and the story's closest dated member; None if it has none."""
        dates = self._dates.get(story_id)
        if not dates:
            return None
        at = bisect_left(dates, when)
        return min(abs(when - d) for d in dates[max(at - 1, 0) : at + 1])
