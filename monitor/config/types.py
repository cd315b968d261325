"""The value types settings are made of: durations, time zones, cron schedules, addresses,
SMTP server URLs.

Each is an ``Annotated`` type whose validator turns a wrong value into a
message pydantic reports as one line (``not a duration: 'lots' ...``), so
the sections in :mod:`monitor.config.settings` only name the type.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr

_DURATION_RE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: object) -> object:
    """Accept ``900``, ``"900"``, ``"15m"``, ``"1h30m"`` or ``"2d"``; return seconds.

    Anything else is passed through for pydantic to reject with its own message.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        matches = list(_DURATION_RE.finditer(text))
        if matches and "".join(m.group(0) for m in matches).replace(" ", "") == text.replace(
            " ", ""
        ):
            return int(sum(float(m["n"]) * _UNIT_SECONDS[m["unit"].lower()] for m in matches))
        raise ValueError(f"not a duration: {value!r} (use seconds, or e.g. '15m', '1h30m', '2d')")
    return value


Seconds = Annotated[int, BeforeValidator(parse_duration), Field(ge=1)]


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name such as 'Europe/Brussels')"
        ) from None
    return value


def _check_cron(value: str) -> str:
    from monitor.cron import cron_trigger

    try:
        cron_trigger(value)
    except ValueError as exc:
        raise ValueError(f"not a cron expression {value!r}: {exc}") from None
    return value


_EMAIL_RE = re.compile(r"[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+")


def _check_email(value: str) -> str:
    """A bare address (``you@example.org``): it goes into a To header and an SMTP envelope,
    so anything that could smuggle in another header or address is refused here."""
    value = value.strip()
    if not _EMAIL_RE.fullmatch(value):
        raise ValueError(f"not an e-mail address {value!r} (use e.g. 'you@example.org')")
    return value


# The schemes delivery speaks (alerts.smtp.DEFAULT_PORTS has their ports; a test keeps
# the two equal): plain SMTP, SMTP upgraded with STARTTLS, SMTP over TLS.
SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")


def _check_smtp_url(value: SecretStr) -> SecretStr:
    """Refuse at load what delivery would refuse at the first send (``gopher://x``, a URL
    without a host).  The messages never repeat the URL: it may hold a password.  Empty
    means no SMTP server (digests go to the outbox), as delivery reads it."""
    url = value.get_secret_value().strip()
    if not url:
        return value
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        reason = "port out of range" if "range" in str(exc) else "port is not a number"
        raise ValueError(f"not a valid URL: {reason}") from None
    scheme = parts.scheme.lower()
    if scheme not in SMTP_SCHEMES:
        shown = repr(scheme) if scheme.replace("+", "").isalnum() else "(none)"
        raise ValueError(
            f"unsupported scheme {shown} (use {', '.join(s + '://' for s in SMTP_SCHEMES[:-1])} "
            f"or {SMTP_SCHEMES[-1]}://)"
        )
    if not parts.hostname:
        raise ValueError("the URL names no host")
    if parts.path not in ("", "/") or parts.query:
        raise ValueError("the URL must have no path or query (scheme://user@host:port)")
    return value


_NOTIFY_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}")


def _check_notify_url(value: SecretStr) -> SecretStr:
    """The shape of an Apprise URL (``scheme://...``, nothing around it).  Whether Apprise
    knows the service is checked when recipients are resolved (:mod:`alerts.notify`), so
    that loading a configuration does not import Apprise.  The messages never repeat the
    URL: it holds the channel's token or password."""
    url = value.get_secret_value().strip()
    scheme, sep, rest = url.partition("://")
    if not sep or not rest or not _NOTIFY_SCHEME_RE.fullmatch(scheme):
        raise ValueError("not an Apprise URL (use scheme://..., e.g. ntfys://ntfy.sh/topic)")
    if any(c.isspace() for c in url):
        raise ValueError(f"the {scheme}:// URL contains a space")
    return SecretStr(url)


_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")


def _check_recipient_name(value: str) -> str:
    """A recipient without an address is stored under its name (Digest and Delivery rows,
    ``--recipient``): no ``@``, so it can never be taken for an address."""
    value = value.strip()
    if not _NAME_RE.fullmatch(value):
        raise ValueError(
            f"not a recipient name {value!r} (letters, digits, space, '.', '_', '-'; no '@')"
        )
    return value


NotifyUrl = Annotated[SecretStr, AfterValidator(_check_notify_url)]
RecipientName = Annotated[str, AfterValidator(_check_recipient_name)]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
CronExpression = Annotated[str, AfterValidator(_check_cron)]
EmailAddress = Annotated[str, AfterValidator(_check_email)]
SmtpUrl = Annotated[SecretStr, AfterValidator(_check_smtp_url)]
