"""Signed one-click links: each does one thing for one reader, until it expires, and a link
that is not ours (another secret, one character changed, a forged payload) is refused."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from monitor.errors import LinkExpired, LinkInvalid
from monitor.feedback.links import SALT, LinkClaim, link_url, sign_link, verify_link

SECRET = "k" * 43
DAY = 86400
CLAIMS = [
    LinkClaim("not_new", "reader@example.org", article_id="fx-0123456789ab"),
    LinkClaim("mute", "reader@example.org", story_id=12),
    LinkClaim("unsubscribe", "reader@example.org"),
]


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.action)
def test_a_signed_claim_comes_back_whole(claim: LinkClaim) -> None:
    token = sign_link(SECRET, claim)
    assert verify_link(SECRET, token, 30 * DAY) == claim
    assert len(token) < 160  # short enough for any mail client to keep in one piece
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_link_url_puts_the_token_under_the_base_address() -> None:
    assert link_url("https://news.example.org/newsmon", "abc.def") == (
        "https://news.example.org/newsmon/l/abc.def"
    )
    assert link_url("http://127.0.0.1:8765/", "t") == "http://127.0.0.1:8765/l/t"


def test_expiry_counts_from_signing() -> None:
    claim = CLAIMS[0]
    signed = time.time() - 30 * DAY - 5
    token = sign_link(SECRET, claim, now=signed)
    with pytest.raises(LinkExpired, match="expired: links in a digest work for 30 days"):
        verify_link(SECRET, token, 30 * DAY)
    assert verify_link(SECRET, token, 31 * DAY) == claim
    assert verify_link(SECRET, token, 30 * DAY, now=signed + 30 * DAY) == claim
    with pytest.raises(LinkExpired):
        verify_link(SECRET, token, 30 * DAY, now=signed + 30 * DAY + 2)


def test_another_secret_or_one_changed_character_is_invalid() -> None:
    token = sign_link(SECRET, CLAIMS[1])
    with pytest.raises(LinkInvalid, match="not made by this newsmon, or it was altered"):
        verify_link("another-secret", token, DAY)
    # Not the last character: its low bits are base64 padding that decoding drops.
    for i in (0, len(token) // 2, len(token) - 2):
        changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        with pytest.raises(LinkInvalid):
            verify_link(SECRET, changed, DAY)


@pytest.mark.parametrize("token", ["", "x", "a.b.c", "a" * 5000, "not a token at all"])
def test_garbage_is_invalid_not_a_crash(token: str) -> None:
    with pytest.raises(LinkInvalid):
        verify_link(SECRET, token, DAY)


def test_a_session_cookie_signed_with_the_same_secret_is_not_a_link() -> None:
    other = URLSafeTimedSerializer(SECRET, salt="cookie-session").dumps(["u", "r@example.org"])
    with pytest.raises(LinkInvalid):
        verify_link(SECRET, str(other), DAY)


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "unsubscribe"},
        ["u"],
        ["x", "r@example.org"],
        ["u", ""],
        ["u", 7],
        ["n", "r@example.org"],
        ["n", "r@example.org", 5],
        ["m", "r@example.org", "12"],
        ["m", "r@example.org", True],
        ["u", "r@example.org", "extra"],
    ],
)
def test_a_well_signed_payload_that_says_nothing_sensible_is_invalid(payload: object) -> None:
    """A payload from another version (or a bug) must fail as a bad link, not as a crash."""
    token = URLSafeTimedSerializer(SECRET, salt=SALT).dumps(payload)
    with pytest.raises(LinkInvalid, match="does not say what to do"):
        verify_link(SECRET, str(token), DAY)


def test_a_claim_must_name_its_target() -> None:
    with pytest.raises(ValueError):
        LinkClaim("not_new", "r@example.org")
    with pytest.raises(ValueError):
        LinkClaim("mute", "r@example.org", article_id="a")
    with pytest.raises(ValueError):
        LinkClaim("unsubscribe", "")


def test_errors_never_repeat_the_token() -> None:
    token = sign_link(SECRET, CLAIMS[2], now=time.time() - 40 * DAY)
    for secret in (SECRET, "other"):
        with pytest.raises((LinkExpired, LinkInvalid)) as caught:
            verify_link(secret, token, DAY)
        assert token not in str(caught.value) and token.split(".")[0] not in str(caught.value)
