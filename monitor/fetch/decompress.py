"""Decompressing a response body without ever holding more than the size limit.

HTTP clients decompress each network chunk in one call (aiohttp's
``auto_decompress``, httpx's decoders), so a 64 KB chunk of a gzip bomb can
expand to tens of megabytes before anyone counts it.  The client turns that
off and reads the body raw.  Here the
raw stream is inflated in bounded steps (``max_length``) and the running
total is checked after every step, so memory stays near the limit whatever
the compression ratio.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

STEP = 64 * 1024  # most decompressed bytes produced per step

SUPPORTED = ("identity", "gzip", "x-gzip", "deflate")
ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(Exception):
    """The decompressed body passed the limit (the caller knows the URL)."""


class UnsupportedEncoding(Exception):
    """A Content-Encoding newsmon did not ask for and cannot decode."""


class BoundedDecoder:
    """Feed raw chunks in, get decompressed chunks out; raise once past ``limit`` bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        if len(encodings) > 1 or any(e not in SUPPORTED for e in encodings):
            raise UnsupportedEncoding(content_encoding or "")
        self.encoding = encodings[0] if encodings else "identity"
        self.limit = limit
        self.total = 0
        self._inflater = self._new_inflater()
        self._deflate_checked = False

    def _new_inflater(self) -> zlib._Decompress | None:
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.encoding == "deflate":
            return zlib.decompressobj(zlib.MAX_WBITS)
        return None

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            yield self._count(chunk)
            return
        if self.encoding == "deflate" and not self._deflate_checked:
            # Some servers send raw deflate without the zlib header.
            self._deflate_checked = True
            if chunk and (chunk[0] & 0x0F) != 8:
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        data = chunk
        while data:
            out = self._inflater.decompress(data, STEP)
            if out:
                yield self._count(out)
            if self._inflater.eof:
                data = self._inflater.unused_data  # a second gzip member
                if data:
                    self._inflater = self._new_inflater()
                    assert self._inflater is not None
                continue
            data = self._inflater.unconsumed_tail

    def flush(self) -> bytes:
        if self._inflater is None:
            return b""
        return self._count(self._inflater.flush())

    def _count(self, out: bytes) -> bytes:
        self.total += len(out)
        if self.total > self.limit:
            raise BodyTooLarge(self.total)
        return out
