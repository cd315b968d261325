"""Who gets a digest, following what, when.

Two ways to name a recipient: ``[email] to`` (every topic, on the ``[digest]``
schedule: the simple case) and ``[[recipients]]`` tables (own topics,
schedule, time zone).  Both resolve to :class:`Recipient`, the one shape the
rest of ``alerts`` (and the daemon, to build its triggers) works with.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from monitor.config import Settings, check_recipient_topics


@dataclass(frozen=True)
class Recipient:
    """One address and what it follows.

    ``topics`` is empty for "every topic"; :attr:`section_topics` is then the
    configured topics, which is what the digest's sections follow.
    """

    email: str
    topics: tuple[str, ...]
    schedule: str
    timezone: str
    all_topics: tuple[str, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def section_topics(self) -> tuple[str, ...]:
        """The topics in the order the digest lists them."""
        return self.topics or self.all_topics

    @property
    def key(self) -> str:
        """What Digest and Delivery rows store: addresses differ in case only by accident."""
        return self.email.casefold()


def resolve_recipients(settings: Settings) -> list[Recipient]:
    """``[[recipients]]`` first, then the ``[email] to`` addresses not already listed."""
    check_recipient_topics(settings)
    all_topics = tuple(t.name for t in settings.topics)
    digest = settings.digest
    seen: set[str] = set()
    out: list[Recipient] = []
    for entry in settings.recipients:
        if entry.email.casefold() in seen:
            continue
        seen.add(entry.email.casefold())
        out.append(
            Recipient(
                email=entry.email,
                topics=tuple(dict.fromkeys(entry.topics)),
                schedule=entry.schedule or digest.schedule,
                timezone=entry.timezone or digest.timezone,
                all_topics=all_topics,
            )
        )
    for address in settings.email.to:
        if address.casefold() in seen:
            continue
        seen.add(address.casefold())
        out.append(Recipient(address, (), digest.schedule, digest.timezone, all_topics))
    return out


def find_recipient(settings: Settings, email: str) -> Recipient | None:
    """The configured recipient with this address (any case), if any."""
    wanted = email.strip().casefold()
    return next((r for r in resolve_recipients(settings) if r.key == wanted), None)


def preview_recipient(settings: Settings) -> Recipient:
    """Someone following every topic, for previews when no recipient is configured."""
    return Recipient(
        email="preview@newsmon.invalid",
        topics=(),
        schedule=settings.digest.schedule,
        timezone=settings.digest.timezone,
        all_topics=tuple(t.name for t in settings.topics),
    )
