"""A feed that declares Latin-1 (or windows-1252) but sends UTF-8: read it as UTF-8, and say so.

A common server misconfiguration: the HTTP header or the XML declaration says
``ISO-8859-1`` while the bytes are UTF-8, so every accented letter turns into
two (``résumé`` becomes ``rÃ©sumÃ©``) and nothing flags it.  The test is exact,
not statistical: a body that decodes as strict UTF-8 *and* holds multi-byte
sequences is UTF-8, because Latin-1 text almost never forms valid UTF-8 by
chance (it would need every accented capital to be followed by just the right
symbol).  A detector such as charset_normalizer is not needed for this one
question; the other direction (UTF-8 declared, Latin-1 sent) fails strict
decoding and is left to the parser's own fallback.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*encoding\s*=\s*[\"'])([A-Za-z0-9._\-]+)([\"'])")
_CHARSET = re.compile(r"(;\s*charset\s*=\s*)[\"']?([^\s;\"']+)[\"']?", re.I)
# Single-byte charsets in which any byte sequence is "valid", so a wrong claim never fails.
_SINGLE_BYTE = frozenset({"iso8859_1", "iso8859_15", "cp1252", "ascii"})


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return None


def declared_charset(body: bytes, headers: Mapping[str, str]) -> str | None:
    """The charset a parser will use: the HTTP one first (RFC 3023), else the XML declaration."""
    if http := _CHARSET.search(headers.get("content-type", "")):
        return http.group(2)
    if declaration := _XML_DECL.match(body[:512]):
        return declaration.group(2).decode("ascii")
    return None


def repair_utf8_declared_latin1(
    body: bytes, headers: Mapping[str, str]
) -> tuple[bytes, dict[str, str], str | None]:
    """``(body, headers, warning)``: unchanged, or relabelled UTF-8 with a warning saying why."""
    plain = dict(headers)
    declared = declared_charset(body, plain)
    codec = _codec(declared) if declared else None
    if codec not in _SINGLE_BYTE or body.isascii():
        return body, plain, None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body, plain, None  # really single-byte text: the declaration is right
    fixed = _XML_DECL.sub(rb"\1utf-8\3", body, count=1)
    for key in list(plain):
        if key.lower() == "content-type":
            plain[key] = _CHARSET.sub(r"\1utf-8", plain[key])
    return fixed, plain, f"declares {declared} but is UTF-8: read as UTF-8"
