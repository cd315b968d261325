"""Logging set-up: one line per event, readable or JSON, with secrets masked.

Commands log warnings as ``warning: message`` on stderr.  The daemon logs
at INFO with a timestamp (one line per feed per cycle, see
:meth:`monitor.cycle.PollCycle._log`), or with ``--log-format json`` one
JSON object per line for log shippers, carrying the structured fields a
record was given (``extra={"feed": ..., "outcome": ...}``).

Secrets never reach a log line: the values a user configured as secret
(SMTP URL and password, database password, the control token) are masked
by a filter on the handler, whatever code logged them and however (an
exception message quoting a URL included).  So are the credentials of any
URL a line quotes (a private feed's ``https://user:password@host/``): the
feed needs them to be fetched, a log line never does.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from monitor.urls_display import mask_urls_in

if TYPE_CHECKING:
    from monitor.config import Settings

LogFormat = Literal["text", "json"]
MASK = "***"

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class OneLineFormatter(logging.Formatter):
    """``warning: message`` on a single line, whatever the message contains."""

    def __init__(self, timestamps: bool = False) -> None:
        super().__init__()
        self.timestamps = timestamps

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.levelno >= logging.ERROR:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {exc})" if exc else ""
        text = text.replace("\r", " ").replace("\n", " ")
        line = f"{record.levelname.lower()}: {text}"
        if self.timestamps:
            stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            line = f"{stamp} {line}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            data["error"] = f"{type(exc).__name__}: {exc}"
        return json.dumps(data, ensure_ascii=False, default=str)


class MaskSecrets(logging.Filter):
    """Replace each known secret in the formatted message (and extras) with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        # Longest first, so a password inside a URL is masked as part of the URL.
        found = {s for s in secrets if s and len(s) >= 4}
        self.secrets = sorted(set(self.secrets) | found, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return mask_urls_in(text) if "@" in text else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text = f"{type(exc).__name__}: {exc}"
            if self.mask(text) != text:
                # The exception's text quotes a secret: log the masked text instead.
                masked += f" ({self.mask(text)})"
                record.exc_info = None
                record.exc_text = None
        if masked != message:
            record.msg, record.args = masked, None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.mask(value))
        return True


_mask = MaskSecrets()


def secrets_of(settings: Settings) -> list[str]:
    """The configured values that must never be logged: SMTP URL and password, and the
    passwords inside the SMTP, database and broker URLs (raw and URL-decoded)."""
    found: list[str] = []
    email = settings.email
    if email.password is not None:
        found.append(email.password.get_secret_value())
    urls = [settings.database.url]
    if settings.queue.broker_url is not None:  # queue mode: the broker's password
        urls.append(settings.queue.broker_url.get_secret_value())
    if email.smtp_url is not None:
        smtp = email.smtp_url.get_secret_value()
        urls.append(smtp)
        if urlsplit(smtp).password:
            found.append(smtp)
    for url in urls:
        password = urlsplit(url).password
        if password:
            found.extend({password, unquote(password)})
    return found


def mask_secrets(values: Iterable[str]) -> None:
    """Add values (a token, say) to what every log line masks."""
    _mask.add(values)


def setup_logging(
    verbose: int = 0, fmt: LogFormat = "text", *, daemon: bool = False
) -> MaskSecrets:
    """Log to stderr; a daemon logs INFO and up with timestamps, a command WARNING and up.

    Returns the secret filter, to which the caller adds the values to mask.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else OneLineFormatter(daemon))
    handler.addFilter(_mask)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    base = logging.INFO if daemon else logging.WARNING
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else base)
    # Library chatter stays out of the way unless asked for twice.
    for name in ("aiohttp", "httpx", "httpcore", "alembic", "apscheduler", "filelock"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)
    return _mask
