"""The real sentence encoder, loaded once per test process (about 1.5 s).

Tests of meaning use the model newsmon ships, never a fake: what they
check is that *its* vectors put a translation near its original.
"""

from __future__ import annotations

import pytest

from monitor.dedup.encoder import Encoder, default_encoder


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return default_encoder()
