"""Log lines: one line each, JSON with the record's fields, and configured secrets masked
wherever they appear (message, arguments, extras, an exception's text)."""

from __future__ import annotations

import json
import logging

import pytest

from monitor.config import Settings
from monitor.logs import JsonFormatter, MaskSecrets, OneLineFormatter, secrets_of


def record(
    msg: str, *args: object, exc: BaseException | None = None, **extra: object
) -> logging.LogRecord:
    rec = logging.LogRecord("newsmon.test", logging.ERROR, __file__, 1, msg, args, None)
    if exc is not None:
        rec.exc_info = (type(exc), exc, None)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def test_secrets_of_settings_cover_urls_and_passwords() -> None:
    settings = Settings(
        database={"url": "postgresql+psycopg://app:db%2Fpass@db/newsmon"},
        email={"smtp_url": "smtp://bot:mail-pass@mail.example.org:25", "password": "other-pass"},
    )
    found = set(secrets_of(settings))
    assert {"db%2Fpass", "db/pass", "mail-pass", "other-pass"} <= found
    assert "smtp://bot:mail-pass@mail.example.org:25" in found


def test_masking_reaches_arguments_extras_and_exception_text() -> None:
    mask = MaskSecrets(["hunter22", "tok-123456"])
    rec = record(
        "login to %s failed",
        "smtp://bot:hunter22@mail",
        exc=RuntimeError("535 auth failed for hunter22"),
        token="tok-123456",
    )
    assert mask.filter(rec)
    line = OneLineFormatter().format(rec)
    assert "hunter22" not in line and "***" in line
    assert rec.token == "***"  # type: ignore[attr-defined]
    assert "hunter22" not in JsonFormatter().format(rec)


def test_credentials_in_any_logged_url_are_masked_without_being_configured() -> None:
    """A private feed's URL carries its password; the feed line must not."""
    mask = MaskSecrets()
    url = "https://reader:feed-pass@news.example.org/private.xml"
    rec = record("feed %s: failed: %s", url, f"HTTP 500 from {url}", feed=url)
    assert mask.filter(rec)
    line = OneLineFormatter().format(rec)
    assert "feed-pass" not in line and "reader:***@news.example.org" in line
    assert "feed-pass" not in JsonFormatter().format(rec)


@pytest.mark.parametrize("short", ["", "abc"])
def test_empty_or_tiny_values_are_not_treated_as_secrets(short: str) -> None:
    mask = MaskSecrets([short])
    rec = record("abc def")
    mask.filter(rec)
    assert rec.getMessage() == "abc def"


def test_json_lines_carry_the_extras_and_stay_one_line() -> None:
    rec = record("feed %s: ok\nsecond line", "http://x", feed="http://x", new=3)
    rec.levelno, rec.levelname = logging.INFO, "INFO"
    text = JsonFormatter().format(rec)
    assert "\n" not in text
    data = json.loads(text)
    assert data["level"] == "info" and data["logger"] == "newsmon.test"
    assert data["message"] == "feed http://x: ok\nsecond line"
    assert data["feed"] == "http://x" and data["new"] == 3
    assert OneLineFormatter(timestamps=True).format(rec).count("\n") == 0
