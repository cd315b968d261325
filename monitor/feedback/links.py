"""Signed one-click links for digests: a capability to do one thing, for one reader, for a while.

A digest's "not new", "mute story" and "unsubscribe" links must work without a login
(readers have none) yet do nothing but what the digest offered.  So the link itself
carries the claim (action, recipient, article or story) signed with the daemon's secret
(``newsmon.secret``, :func:`monitor.daemon.token.ensure_secret`) and timestamped by
itsdangerous: whoever holds the link may do exactly that, until ``[web] link_ttl``
runs out.  Nothing is stored per link, so there is nothing to look up or clean up, and
a link signed with another secret (or altered by one character) is refused.

The payload is a short JSON list (``["m", "reader@example.org", 12]``) rather than a
dict, to keep URLs that mail clients must not break as short as they can be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from monitor.errors import LinkExpired, LinkInvalid

LinkAction = Literal["not_new", "mute", "unsubscribe"]

SALT: Final = "newsmon-link"  # keeps link tokens apart from session cookies (same secret)
PATH: Final = "/l/"
MAX_TOKEN_CHARS: Final = 2000  # a real token is ~120 characters; more is not ours

_CODES: Final[dict[str, LinkAction]] = {"n": "not_new", "m": "mute", "u": "unsubscribe"}
_CODE_OF: Final[dict[LinkAction, str]] = {action: code for code, action in _CODES.items()}


@dataclass(frozen=True)
class LinkClaim:
    """What a link may do, for whom: one action on one article or story, or unsubscribe."""

    action: LinkAction
    recipient: str
    article_id: str | None = None  # not_new
    story_id: int | None = None  # mute

    def __post_init__(self) -> None:
        # A claim that names the wrong target would sign a link that can never work.
        if self.action == "not_new" and not self.article_id:
            raise ValueError("a not_new link names an article")
        if self.action == "mute" and self.story_id is None:
            raise ValueError("a mute link names a story")
        if not self.recipient:
            raise ValueError("a link names its recipient")


def sign_link(secret: str, claim: LinkClaim, *, now: float | None = None) -> str:
    """A URL-safe token carrying ``claim``, signed with ``secret`` and timestamped.

    ``now`` (seconds since the epoch) is the signing time, by default the clock's; a
    digest signs all its links with one time so its two parts carry the same links.
    """
    payload: list[Any] = [_CODE_OF[claim.action], claim.recipient]
    if claim.action == "not_new":
        payload.append(claim.article_id)
    elif claim.action == "mute":
        payload.append(claim.story_id)
    return str(_serializer(secret, now).dumps(payload))


def link_url(base_url: str, token: str) -> str:
    """The address of the link's page on the console: ``<base_url>/l/<token>``."""
    return f"{base_url.rstrip('/')}{PATH}{token}"


def verify_link(
    secret: str, token: str, max_age_s: int | float, *, now: float | None = None
) -> LinkClaim:
    """The claim in ``token``; raises LinkInvalid or LinkExpired (nothing is changed).

    The error's text is one line for the reader's page; it never repeats the token.
    """
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise LinkInvalid("this link is not a newsmon link (it may have been cut or altered)")
    try:
        payload = _serializer(secret, now).loads(token, max_age=int(max_age_s))
    except SignatureExpired as exc:  # before BadData: it is one
        days = max(1, round(max_age_s / 86400))
        raise LinkExpired(
            f"this link has expired: links in a digest work for {days} "
            f"day{'s' if days != 1 else ''}; use the one in a newer digest"
        ) from exc
    except BadData as exc:
        raise LinkInvalid(
            "this link is not valid: it was not made by this newsmon, or it was altered"
        ) from exc
    return _claim(payload)


def _claim(payload: Any) -> LinkClaim:
    """The claim from a payload that carried a good signature, checked all the same: a
    payload from another version of newsmon must fail as a bad link, not as a crash."""
    bad = LinkInvalid("this link is not valid: it does not say what to do")
    if not isinstance(payload, list) or len(payload) < 2:
        raise bad
    code, recipient, *rest = payload
    action = _CODES.get(code) if isinstance(code, str) else None
    if action is None or not isinstance(recipient, str) or not recipient:
        raise bad
    if action == "unsubscribe" and not rest:
        return LinkClaim(action, recipient)
    if action == "not_new" and len(rest) == 1 and isinstance(rest[0], str) and rest[0]:
        return LinkClaim(action, recipient, article_id=rest[0])
    if action == "mute" and len(rest) == 1 and type(rest[0]) is int:
        return LinkClaim(action, recipient, story_id=rest[0])
    raise bad


def _serializer(secret: str, now: float | None) -> URLSafeTimedSerializer:
    if now is None:
        return URLSafeTimedSerializer(secret, salt=SALT)
    at = int(now)

    class _SignerAt(TimestampSigner):
        def get_timestamp(self) -> int:
            return at

    return URLSafeTimedSerializer(secret, salt=SALT, signer=_SignerAt)
