"""Bounded decompression: correct output, and a bomb stopped near the limit."""

from __future__ import annotations

import gzip
import zlib

import pytest

from monitor.fetch.decompress import STEP, BodyTooLarge, BoundedDecoder, UnsupportedEncoding


def decode(encoding: str | None, payload: bytes, limit: int, chunk: int = 4096) -> bytes:
    decoder = BoundedDecoder(encoding, limit)
    out: list[bytes] = []
    for start in range(0, len(payload), chunk):
        out.extend(decoder.feed(payload[start : start + chunk]))
    out.append(decoder.flush())
    return b"".join(out)


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d)[2:-4]),  # raw deflate, no zlib header
        (None, lambda d: d),
        ("identity", lambda d: d),
    ],
)
def test_round_trip(encoding: str | None, compress: object) -> None:
    data = b"<rss>" + bytes(range(256)) * 500 + b"</rss>"
    assert decode(encoding, compress(data), limit=10**6) == data  # type: ignore[operator]


def test_two_gzip_members() -> None:
    assert decode("gzip", gzip.compress(b"one ") + gzip.compress(b"two"), 100) == b"one two"


def test_bomb_is_stopped_in_bounded_steps() -> None:
    bomb = gzip.compress(b"\0" * (50 << 20))
    decoder = BoundedDecoder("gzip", 1 << 20)
    produced = 0
    with pytest.raises(BodyTooLarge):
        for chunk in decoder.feed(bomb):
            assert len(chunk) <= STEP
            produced += len(chunk)
    assert produced <= (1 << 20) + STEP


def test_unsupported_encoding() -> None:
    with pytest.raises(UnsupportedEncoding):
        BoundedDecoder("br", 100)
