"""StoryVectors: a story's centroid, the stories nearest an article, and growth."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from monitor.dedup.semantic import StoryVectors

DIMENSIONS = 16


def unit(rng: np.random.Generator, dimensions: int = DIMENSIONS) -> npt.NDArray[np.float32]:
    vector = rng.normal(size=dimensions).astype(np.float32)
    return vector / np.linalg.norm(vector)


def normalised(vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    result: npt.NDArray[np.float32] = vector / np.linalg.norm(vector)
    return result


def test_centroid_cosine_is_the_cosine_with_the_normalised_mean() -> None:
    rng = np.random.default_rng(1)
    stories = StoryVectors(DIMENSIONS)
    members = [unit(rng) for _ in range(5)]
    for member in members:
        stories.add(7, member)
    query = unit(rng)
    mean = normalised(np.mean(members, axis=0))
    assert stories.centroid_cosine(7, query) == pytest.approx(float(mean @ query), abs=1e-5)
    assert stories.centroid_cosine(7, mean) == pytest.approx(1.0, abs=1e-5)
    # A story of one article: its centroid is that article.
    stories.add(8, members[0])
    assert stories.centroid_cosine(8, members[0]) == pytest.approx(1.0, abs=1e-5)
    assert stories.centroid_cosine(8, query) == pytest.approx(float(members[0] @ query), abs=1e-5)


def test_half_precision_members_count_like_full_ones() -> None:
    rng = np.random.default_rng(2)
    full, half = StoryVectors(DIMENSIONS), StoryVectors(DIMENSIONS)
    members = [unit(rng) for _ in range(3)]
    for member in members:
        full.add(1, member)
        half.add(1, member.astype(np.float16))
    query = unit(rng)
    assert half.centroid_cosine(1, query) == pytest.approx(full.centroid_cosine(1, query), abs=2e-3)


def test_no_embedding_no_evidence() -> None:
    rng = np.random.default_rng(3)
    stories = StoryVectors(DIMENSIONS)
    stories.add(1, np.zeros(0, dtype=np.float16))  # an article analysed without an encoder
    assert len(stories) == 0
    query = unit(rng)
    assert stories.centroid_cosine(1, query) == 0.0  # unknown story
    assert stories.nearest(query, 5, -1.0) == []
    stories.add(1, query)
    assert stories.centroid_cosine(1, np.zeros(0, dtype=np.float32)) == 0.0
    assert stories.nearest(np.zeros(0, dtype=np.float32), 5, -1.0) == []
    # Members that cancel out leave no direction: the story is at 0 from everything.
    stories.add(1, -query)
    assert stories.centroid_cosine(1, query) == 0.0
    assert stories.nearest(query, 5, -1.0) == [(1, 0.0)]


def test_nearest_ranks_best_first_and_respects_floor_and_limit() -> None:
    rng = np.random.default_rng(4)
    query = unit(rng)
    other = unit(rng)
    other = normalised(other - (other @ query) * query)  # orthogonal to the query
    stories = StoryVectors(DIMENSIONS)
    # Story i is at cosine wanted[i] from the query.
    wanted = {10: 0.9, 11: 0.2, 12: 0.7, 13: -0.5, 14: 0.5, 15: 0.8}
    for story, cosine in wanted.items():
        stories.add(story, (cosine * query + np.sqrt(1 - cosine**2) * other).astype(np.float32))
    ranked = stories.nearest(query, limit=10, floor=-1.0)
    assert [s for s, _ in ranked] == [10, 15, 12, 14, 11, 13]
    for story, score in ranked:
        assert score == pytest.approx(wanted[story], abs=1e-5)
    assert [s for s, _ in stories.nearest(query, limit=3, floor=-1.0)] == [10, 15, 12]
    assert [s for s, _ in stories.nearest(query, limit=10, floor=0.6)] == [10, 15, 12]
    assert [s for s, _ in stories.nearest(query, limit=2, floor=0.75)] == [10, 15]
    assert [s for s, _ in stories.nearest(query, limit=1, floor=0.0)] == [10]
    assert stories.nearest(query, limit=10, floor=0.95) == []
    assert [s for s, _ in stories.nearest(query, limit=6, floor=0.8)] == [10, 15]  # inclusive


def test_growth_past_64_stories_keeps_every_centroid() -> None:
    rng = np.random.default_rng(5)
    stories = StoryVectors(DIMENSIONS)
    initial = stories.memory_bytes()
    members: dict[int, list[npt.NDArray[np.float32]]] = {}
    for _ in range(2):  # every story gets a second member after all have grown
        for story in range(200):
            vector = unit(rng)
            members.setdefault(story, []).append(vector)
            stories.add(1000 + story, vector)
        assert len(stories) == 200
    assert stories.memory_bytes() > initial
    assert stories.memory_bytes() == 256 * (DIMENSIONS + 1) * 4  # 64 doubled twice
    query = unit(rng)
    for story in (0, 63, 64, 65, 127, 128, 199):
        mean = normalised(np.mean(members[story], axis=0))
        assert stories.centroid_cosine(1000 + story, query) == pytest.approx(
            float(mean @ query), abs=1e-5
        )
    # The last story added is found by its own centroid, beyond the first 64 rows.
    last = normalised(np.mean(members[199], axis=0))
    assert stories.nearest(last, limit=1, floor=0.0)[0][0] == 1199
    found = stories.nearest(query, limit=500, floor=-1.0)
    assert len(found) == 200 and len({s for s, _ in found}) == 200
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
