"""What the control endpoint may ask the daemon to do, as typed requests.

The endpoint (:mod:`.control`) turns a trigger's JSON body into one of these
and maps the refusals below to HTTP statuses; the daemon only does the work.
Keeping the vocabulary here means neither side restates it as bare strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

TriggerKind = Literal["fetch", "digest"]
TRIGGER_KINDS: tuple[TriggerKind, ...] = get_args(TriggerKind)


class BadRequest(ValueError):
    """The body does not say what a trigger needs: HTTP 400."""


@dataclass(frozen=True)
class FetchRequest:
    """``POST /trigger/fetch``: poll these feeds (URLs or names; none: every enabled one)."""

    feeds: tuple[str, ...] = ()
    wait: bool = True


@dataclass(frozen=True)
class DigestRequest:
    """``POST /trigger/digest``: send the digests due now (or only this recipient's)."""

    recipient: str | None = None
    wait: bool = True


TriggerRequest = FetchRequest | DigestRequest


class Unavailable(Exception):
    """The daemon cannot take work now (it is stopping): HTTP 503."""


class NotFound(Exception):
    """The request names a feed or recipient the daemon does not know: HTTP 404."""


def parse_trigger(kind: TriggerKind, params: dict[str, Any]) -> TriggerRequest:
    """The body of a trigger as a typed request; :class:`BadRequest` if it is malformed."""
    wait = params.get("wait", True) is not False
    if kind == "fetch":
        feeds = params.get("feeds") or []
        if not isinstance(feeds, list) or not all(isinstance(f, str) for f in feeds):
            raise BadRequest("feeds: expected a list of feed URLs or names")
        return FetchRequest(tuple(feeds), wait)
    recipient = params.get("recipient")
    if recipient is not None and not isinstance(recipient, str):
        raise BadRequest("recipient: expected an e-mail address")
    return DigestRequest(recipient, wait)
