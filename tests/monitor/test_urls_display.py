"""Masking credentials in feed URLs shown to people."""

from __future__ import annotations

import pytest

from monitor.urls_display import mask_url, mask_urls_deep, mask_urls_in


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pw@host.example/feed", "https://user:***@host.example/feed"),
        ("https://u:p@ss@host.example/x", "https://u:***@host.example/x"),  # last @ ends it
        ("https://TOKEN@host.example/feed", "https://***@host.example/feed"),  # a lone token
        ("https://host.example/a@b?c=d@e", "https://host.example/a@b?c=d@e"),  # @ past the host
        ("https://host.example/feed", "https://host.example/feed"),
        ("not a url", "not a url"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_mask_urls_in_text() -> None:
    text = "moved permanently to https://a:secret@b.example/x, which is already a feed"
    assert (
        mask_urls_in(text)
        == "moved permanently to https://a:***@b.example/x, which is already a feed"
    )


def test_mask_urls_deep_reaches_nested_json_values() -> None:
    report = {
        "errors": [{"feed": "https://u:pw@h.example/f", "text": "HTTP 500"}],
        "count": 1,
        "note": None,
    }
    assert mask_urls_deep(report) == {
        "errors": [{"feed": "https://u:***@h.example/f", "text": "HTTP 500"}],
        "count": 1,
        "note": None,
    }
