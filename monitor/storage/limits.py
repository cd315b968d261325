"""What fits in a column: the limits, read from the models, and values made to fit.

PostgreSQL refuses a string longer than its ``VARCHAR`` or holding a NUL
byte, and one refused row fails the whole statement, so a single odd item
in a feed would cost every other item of that feed, on every poll.  SQLite
takes both silently.  So values from outside (feeds, OPML files, the
command line) are made to fit here before they reach an INSERT, the same
way on both backends:

* identities (guid, entry key, canonical URL) that are too long keep a
  prefix plus a hash of the whole value, so a cut value stays unique and
  the same on every poll;
* display text (names) is cut;
* NUL bytes are dropped from identities and turned into spaces in prose,
  which keeps the offsets of matched spans pointing at the right words.

The limits are read from the model columns, never restated, so widening a
column in a migration widens them too.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from monitor.storage.models import Article, Feed


def column_length(attribute: Any) -> int:
    """The declared length of a ``String(n)`` model column, e.g. ``Feed.url``."""
    length = attribute.property.columns[0].type.length
    if not isinstance(length, int):
        raise TypeError(f"{attribute} has no length")
    return length


FEED_URL_MAX: Final = column_length(Feed.url)
FEED_NAME_MAX: Final = column_length(Feed.name)
FEED_SITE_URL_MAX: Final = column_length(Feed.site_url)
FEED_ETAG_MAX: Final = column_length(Feed.etag)
FEED_LAST_MODIFIED_MAX: Final = column_length(Feed.last_modified)
ARTICLE_ID_MAX: Final = column_length(Article.id)
ARTICLE_URL_MAX: Final = column_length(Article.url)
ARTICLE_CANONICAL_URL_MAX: Final = column_length(Article.canonical_url)
ARTICLE_GUID_MAX: Final = column_length(Article.guid)
ARTICLE_ENTRY_KEY_MAX: Final = column_length(Article.entry_key)
ARTICLE_LANGUAGE_MAX: Final = column_length(Article.language)

_HASH_MARK = "#sha256="
_HASH_LEN = len(_HASH_MARK) + 64


def storable(value: str) -> str:
    """``value`` as both backends store it: NUL bytes become spaces (same length, so
    span offsets into it stay right) and characters UTF-8 cannot encode (lone
    surrogates) become ``?``."""
    if "\x00" in value:
        value = value.replace("\x00", " ")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def without_nul(value: str | None) -> str | None:
    """A short value (an author, a message) as both backends store it, NUL bytes dropped."""
    return None if value is None else storable(value.replace("\x00", ""))


def fit_key(value: str, limit: int) -> str:
    """An identity (URL, guid) that fits ``limit``: NULs dropped, and if still too long,
    a prefix plus the SHA-256 of the whole value: unique, and stable across polls."""
    value = storable(value.replace("\x00", ""))
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return value[: limit - _HASH_LEN] + _HASH_MARK + digest


def fit_text(value: str, limit: int) -> str:
    """Display text (a feed's name) cut to ``limit`` characters, NULs dropped."""
    value = storable(value.replace("\x00", ""))
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def fits(value: str | None, limit: int) -> bool:
    """Whether ``value`` can be stored as it is (no NUL, not too long)."""
    return value is None or (len(value) <= limit and "\x00" not in value)


def shorten(value: str, width: int = 80) -> str:
    """A long value (a URL, a title) cut for a one-line message."""
    value = storable(value).replace("\n", " ")
    return value if len(value) <= width else value[: width - 1] + "…"
