"""Chat and push notifications through Apprise: the channels, the message, one send.

A recipient's ``notify`` URLs (``slack://...``, ``ntfys://...``) each get one
short message per digest round: the counts and the headlines with their links,
made from the very :class:`~alerts.compose.DigestContent` the digest was made
from, so a message carries the digest's items and no other.  Storing and
retrying the messages is :mod:`alerts.notify_outbox`'s job; this module only
knows Apprise.

Why Apprise: one library for some hundred services, with each service's size
limits declared on its plugin (``body_maxlen``, ``title_maxlen``), which
:func:`compose_notice` fits the message into by dropping whole headlines
(the rest is counted), never by cutting a link in half.

The URLs are secrets (webhook tokens, passwords), and Apprise's own logger
names them (``Unparseable URL slack://T0k3n...``, the POST URL at DEBUG), so:
the ``apprise`` logger does not propagate to newsmon's handlers; a failed
send's reason comes from Apprise's per-call result (warnings only) with every
part of the URL that could be a secret masked (:func:`url_secrets`); those
parts are also added to what every log line masks; and the database stores
only a hash of the URL (to find it again in the configuration) and a label
such as ``ntfy, notify #2``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from alerts.compose import DigestContent, NewStory, StoryUpdate
from alerts.recipients import Recipient
from alerts.render import counts_label, subject_line
from monitor.errors import ConfigError
from monitor.logs import MaskSecrets, mask_secrets
from monitor.text import shorten

if TYPE_CHECKING:
    from apprise.plugins.base import NotifyBase

# A message is a notice, not the digest: at most this many headlines, and at most this
# long even where the service would take more (Slack takes 35,000 characters).
MAX_HEADLINES = 10
MAX_BODY = 2000
MIN_HEADLINE = 24  # a headline cut shorter than this says nothing: drop it instead
MAX_ERROR_CHARS = 300


class NotifyError(Exception):
    """A message the service did not accept; ``str()`` is one line without secrets."""


@dataclass(frozen=True)
class Channel:
    """One configured ``notify`` URL of a recipient, with what the stored rows call it."""

    url: str  # the secret
    position: int  # 1-based, in the recipient's notify list
    service: str  # Apprise's name for it: "Slack", "ntfy", "JSON"
    body_max: int
    title_max: int

    @property
    def key(self) -> str:
        return channel_key(self.url)

    @property
    def label(self) -> str:
        return f"{self.service}, notify #{self.position}"

    def __repr__(self) -> str:  # never the URL
        return f"Channel({self.label!r})"


def channel_key(url: str) -> str:
    """What a Notification row stores to find its URL again: the first 16 hex digits of
    the URL's SHA-256 (reordering the notify list keeps the match; the URL is not kept)."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _apprise() -> Any:
    """The apprise module, its logger kept away from newsmon's handlers (it logs URLs)."""
    import apprise

    logging.getLogger("apprise").propagate = False
    return apprise


@lru_cache(maxsize=256)
def _plugin_limits(url: str) -> tuple[str, int, int] | None:
    plugin: NotifyBase | None = _apprise().Apprise.instantiate(url)
    if plugin is None:
        return None
    return str(plugin.service_name), int(plugin.body_maxlen), int(plugin.title_maxlen)


def channels_for(recipient: Recipient) -> list[Channel]:
    """The recipient's channels; a URL Apprise cannot use is a ConfigError (no URL in it)."""
    channels: list[Channel] = []
    for position, url in enumerate(recipient.notify, start=1):
        mask_secrets(url_secrets(url))
        limits = _plugin_limits(url)
        if limits is None:
            scheme = url.partition("://")[0]
            raise ConfigError(
                "configuration",
                f"notify #{position} ({scheme}://...) is not a URL Apprise can send to: "
                "see https://github.com/caronc/apprise/wiki for each service's form",
                key=f"[[recipients]] {recipient.email} notify",
            )
        service, body_max, title_max = limits
        channels.append(Channel(url, position, service, body_max, title_max))
    return channels


def check_channels(recipients: Iterable[Recipient]) -> None:
    """Refuse at start a notify URL that could never be sent (a typo in the scheme, a
    missing token), as settings refuse a bad SMTP URL."""
    for recipient in recipients:
        channels_for(recipient)


_URL_PARTS = re.compile(r"[/@:?&=#;,]+")
_HOST_NAME = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}|\d+(?:\.\d+){3}|localhost")


def url_secrets(url: str) -> list[str]:
    """Every part of an Apprise URL that may be a secret: the URL, its password, and each
    path, user, host or query part of 8 characters or more that is not a plain host name
    (``slack://TokenA/TokenB/TokenC`` keeps its tokens where hosts usually are)."""
    rest = url.partition("://")[2]
    found = {url}
    netloc = rest.split("/", 1)[0]
    if "@" in netloc:
        userinfo = netloc.rsplit("@", 1)[0]
        if ":" in userinfo:
            password = userinfo.split(":", 1)[1]
            found |= {password, unquote(password)}
    for part in _URL_PARTS.split(rest):
        if len(part) >= 8 and not _HOST_NAME.fullmatch(part):
            found |= {part, unquote(part)}
    return sorted(s for s in found if s)


@dataclass(frozen=True)
class Notice:
    title: str
    body: str


def compose_notice(content: DigestContent, channel: Channel) -> Notice:
    """The round's message for one channel: the digest's subject, its counts, and one line
    per item (headline and link), within the channel's limits.

    Items are the digest's shown items in the digest's order; those that do not fit
    (over MAX_HEADLINES, or over the size limit) are counted on the last line, as are
    the items the digest itself left for the next one.  A service without titles
    (Telegram, SMS) gets the title as the body's first line.
    """
    title = subject_line(content)
    limit = min(channel.body_max, MAX_BODY) if channel.body_max > 0 else MAX_BODY
    lines: list[str] = []
    if channel.title_max > 0:
        title = shorten(title, channel.title_max)
    else:
        lines.append(title)
        title = ""
    counts = counts_label(content)
    if content.duplicates:
        dupes = content.duplicates
        counts += f"; {dupes} duplicate{'s' if dupes > 1 else ''} suppressed"
    lines.append(counts + ".")
    items = _item_lines(content)
    reserve = len(_more_line(len(items), content.more)) + 1
    shown = 0
    for text, link in items[:MAX_HEADLINES]:
        line = _fit_line(text, link, limit - _length(lines) - reserve)
        if line is None:
            break
        lines.append(line)
        shown += 1
    more = _more_line(len(items) - shown, content.more)
    if more:
        lines.append(more)
    return Notice(title, "\n".join(lines)[:limit])


def _item_lines(content: DigestContent) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for section in content.sections:
        for story in section.new_stories:
            out.append(_new_line(story))
        for update in section.updates:
            out.append(_update_line(update))
    return out


def _new_line(story: NewStory) -> tuple[str, str | None]:
    count = story.also_count
    also = f" (+{count} outlet{'s' if count > 1 else ''})" if count else ""
    return f"New: {story.headline} ({story.source.outlet}){also}", story.source.url


def _update_line(update: StoryUpdate) -> tuple[str, str | None]:
    first = update.lines[0] if update.lines else None
    link = first.source.url if first is not None else None
    return f"Update: {update.headline}", link


def _fit_line(text: str, link: str | None, room: int) -> str | None:
    """``- text link``, the text shortened if need be; None when even a short one does not
    fit (a link is never cut)."""
    tail = f" {link}" if link else ""
    full = f"- {text}{tail}"
    if len(full) + 1 <= room:
        return full
    keep = room - 1 - len(tail) - 2
    if keep < MIN_HEADLINE:
        return None
    return f"- {shorten(text, keep)}{tail}"


def _more_line(left: int, later: int) -> str:
    """What the message does not list: items of this round, and those the digest itself
    left for the next round (``[digest] max_stories``)."""
    parts = [f"+{left} more"] if left > 0 else []
    if later:
        parts.append(f"{later} more next time")
    return ("; ".join(parts) + ".") if parts else ""


def _length(lines: Sequence[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def send_notice(channel: Channel, notice: Notice, secrets: Iterable[str] = ()) -> None:
    """Hand the message to the channel's service, or raise :class:`NotifyError` with
    Apprise's warnings (secrets of this and the other ``secrets`` masked)."""
    apprise = _apprise()
    masked = MaskSecrets([*url_secrets(channel.url), *secrets])
    client = apprise.Apprise()
    if not client.add(channel.url):
        raise NotifyError(f"{channel.label}: not a URL Apprise can send to")
    try:
        result = client.notify(
            body=notice.body, title=notice.title, body_format=apprise.NotifyFormat.TEXT
        )
    except Exception as exc:  # a plugin's crash is a failed send: the message is kept
        raise NotifyError(masked.mask(f"{channel.label}: {type(exc).__name__}: {exc}")) from None
    if result:
        return
    reasons = [
        entry.message
        for service in _results(result)
        for entry in service.logs()
        if entry.level in ("WARNING", "ERROR", "CRITICAL")
    ]
    reason = "; ".join(dict.fromkeys(reasons)) or "the service did not accept the message"
    line = " ".join(masked.mask(f"{channel.label}: {reason}").split())
    raise NotifyError(line[:MAX_ERROR_CHARS])


def _results(result: Any) -> list[Any]:
    """The per-service results of ``Apprise.notify`` (an AppriseResult since Apprise 2)."""
    try:
        return list(result)
    except TypeError:
        return []
