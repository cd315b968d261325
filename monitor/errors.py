"""Every error newsmon raises on purpose derives from :class:`NewsmonError`.

The tree::

    NewsmonError
    ├── ConfigError          bad or unreadable configuration (exit code 2)
    │   └── QueryError       a topic's query does not parse; names topic, query, position
    ├── SeedError            a seed file that cannot be read; carries the path
    ├── OPMLError            an OPML file to import that cannot be read
    ├── SignatureError       stored dedup signature bytes that are corrupt or foreign
    │                        (also a ValueError)
    ├── StorageError         the database cannot be opened, migrated, read or written;
    │   │                    one line: the database, the operation, the driver's message
    │   └── DatabaseUnavailable  locked past ``[database] busy_timeout``, full, read-only
    │                        or unreachable: no write can succeed now, so a cycle stops
    ├── LockHeld             a named process lock (daemon, poll cycle) is held elsewhere
    ├── DaemonAlreadyRunning another ``newsmon run`` holds this database
    ├── DaemonError          the control endpoint of ``newsmon run``: serving or calling it
    │   ├── DaemonNotRunning nothing listens on the control address (connection refused)
    │   ├── ControlAuthError no token file, or the daemon refused the token
    │   └── ControlError     cannot listen on the port; a timeout, an error or a non-JSON reply
    ├── DeliveryError        a digest could not be handed over; it stays pending
    ├── FeedbackError        a reader's correction that cannot apply (no such article or
    │                        story, a seed, a merge into its own story); nothing changed
    ├── LinkError            a one-click link from a digest that cannot be honoured
    │   ├── LinkInvalid      not signed by this newsmon, or altered
    │   └── LinkExpired      older than ``[web] link_ttl``
    └── FeedError            one feed could not be polled; carries the feed URL
        ├── FetchError       the HTTP exchange failed
        │   ├── HTTPStatusError      an error status (404, 410, 429, 500, ...)
        │   ├── RequestTimeout       connect, read or the total deadline ran out
        │   ├── ConnectionFailed     refused, reset, DNS, TLS
        │   ├── ResponseTooLarge     body over the limit (after decompression)
        │   ├── RedirectError        a redirect loop or too many redirects
        │   └── BlockedAddress       the host is, or resolves to, a non-public address
        ├── ParseError       the body is not a usable feed
        │   ├── EmptyResponse
        │   └── NotAFeed     e.g. an HTML page (``newsmon feeds add`` then looks
        │                    for the page's <link rel="alternate">)
        └── WorkerFailed     the parse worker process died while it had the feed

All of them are defined here, so this tree is the whole list
(``tests/monitor/test_errors.py`` walks the subclasses and fails when one is
missing from it); the modules that raise them import them from here.

A :class:`FeedError` is stored on the feed (``last_error``) and the cycle goes
on with the other feeds.

Each error renders as one line (``str(err)``) that names what was being
handled (a file, a key, a feed URL) so the CLI can print it without a
traceback; the underlying exception, when there is one, is kept as
``__cause__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class NewsmonError(Exception):
    """Base class: one line of text a user can act on."""


class ConfigError(NewsmonError):
    """The configuration cannot be used.

    ``source`` is the file (or ``environment``) the bad value came from,
    ``key`` the dotted setting name, when known.
    """

    def __init__(self, source: str, message: str, key: str | None = None) -> None:
        self.source = source
        self.key = key
        self.message = message
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {message}")


class QueryError(ConfigError):
    """A topic query that cannot be parsed, found when the topics are compiled at start.

    ``position`` is the 0-based index into ``query`` where the problem is; the
    message counts characters from 1, as a person reading the query does.
    """

    def __init__(self, query: str, position: int, problem: str, topic: str | None = None) -> None:
        self.query = query
        self.position = position
        self.problem = problem
        self.topic = topic
        source = f"topic {topic!r}" if topic is not None else "query"
        key = "query" if topic is not None else None
        super().__init__(source, f"{query!r} at character {position + 1}: {problem}", key=key)


class SeedError(NewsmonError):
    """A seed file that could not be loaded; the others still are."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


class OPMLError(NewsmonError):
    """An OPML file that cannot be read."""


class SignatureError(NewsmonError, ValueError):
    """Bytes that are not a signature of this format (corrupt, truncated, or foreign).

    Also a ValueError: it is about a value, and callers that predate the tree catch that.
    """


class StorageError(NewsmonError):
    """The database cannot be opened, migrated, read or written.

    Raised at the storage boundary (:func:`monitor.storage.database.wrap_exceptions`)
    in place of the driver's exception, which stays ``__cause__``.  Its text is one
    line naming the database, the operation and the driver's short message; never
    the SQL statement or its parameters, since it is printed, logged and stored
    (``cycle_runs.error``, a feed's ``last_error``).
    """

    def __init__(self, message: str, operation: str | None = None) -> None:
        self.operation = operation
        super().__init__(message)


class DatabaseUnavailable(StorageError):
    """The database takes no writes now (locked, full, read-only, unreachable).

    Apart from other storage errors (a constraint one feed's data broke, say)
    because it is about the database, not the data: a poll cycle stops on it
    instead of marking every remaining feed failed.
    """


class LockHolderLike(Protocol):
    """What :class:`LockHeld` needs of :class:`monitor.storage.locks.LockHolder`."""

    def describe(self) -> str: ...


class LockHeld(NewsmonError):
    """A named process lock is held by another process (``holder``, when it could be read)."""

    def __init__(self, name: str, holder: LockHolderLike | None) -> None:
        self.name = name
        self.holder = holder
        who = holder.describe() if holder else "another process"
        super().__init__(f"{name} lock is held by {who}")


class DaemonAlreadyRunning(NewsmonError):
    """Another ``newsmon run`` holds this database."""


class DeliveryError(NewsmonError):
    """A digest could not be handed over; it stays pending and is retried."""

    def __init__(self, target: str, reason: str) -> None:
        self.target = target
        self.reason = reason
        super().__init__(f"{target}: {reason}")


class FeedbackError(NewsmonError):
    """A reader's correction or preference that cannot apply; nothing was changed."""


class LinkError(NewsmonError):
    """A signed one-click link that cannot be honoured; nothing was changed."""


class LinkInvalid(LinkError):
    """The link was not signed by this newsmon (another secret), or was altered."""


class LinkExpired(LinkError):
    """The link is older than ``[web] link_ttl``."""


class DaemonError(NewsmonError):
    """Serving or reaching the daemon's control endpoint failed.

    One branch so ``newsmon trigger``/``newsmon health`` can catch everything about
    the daemon in one place and print the line, whatever went wrong.
    """


class DaemonNotRunning(DaemonError):
    """Nothing accepts connections on the control address: the daemon is not running
    (or listens elsewhere), which a caller usually reports rather than treats as a crash."""


class ControlAuthError(DaemonError):
    """No control token to send, or the daemon refused it (401).

    Kept apart from :class:`ControlError` because the fix differs: point the CLI at the
    daemon's data folder rather than retry.
    """


class ControlError(DaemonError):
    """Any other control-endpoint failure: the port is taken, a timeout, an error reply.

    ``status`` is the HTTP status of the daemon's reply when there was one, so a
    caller can tell "busy" (409) from a crash (500) without parsing the message.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        self.message = message
        self.status = status
        super().__init__(message)


class FeedError(NewsmonError):
    """A feed failed; the message is stored on the feed and shown in summaries."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled whole (a parse worker process raises these): the default would call
        # ``cls(message)``, which fits none of the constructors here.
        return (_restore, (type(self), self.args, self.__dict__.copy()))


def _restore(cls: type[FeedError], args: tuple[Any, ...], state: dict[str, Any]) -> FeedError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class FetchError(FeedError):
    """The HTTP exchange failed."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, url: str, status: int, message: str, retry_after: float | None = None):
        self.status = status
        self.retry_after = retry_after
        super().__init__(url, message)


class RequestTimeout(FetchError):
    """Connecting, reading, or the whole request took longer than allowed."""


class ConnectionFailed(FetchError):
    """No HTTP exchange happened: refused, reset, name not resolved, TLS failure."""


class ResponseTooLarge(FetchError):
    """The body, counted after decompression, is over ``[fetch] max_bytes``."""


class RedirectError(FetchError):
    """A redirect loop or a chain longer than ``[fetch] max_redirects``."""


class BlockedAddress(FetchError):
    """A fetch refused because the host is, or resolves to, a non-public address."""


class ParseError(FeedError):
    """The response is not a usable feed."""


class EmptyResponse(ParseError):
    """A 200 with no body."""


class NotAFeed(ParseError):
    """A document that is not RSS, Atom or RDF (often an HTML page)."""


class WorkerFailed(FeedError):
    """The cycle's parse worker process died (killed, out of memory) while it had the feed."""
