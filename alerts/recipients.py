"""Who gets a digest, following what, when.

Two ways to name a recipient: ``[email] to`` (every topic, on the ``[digest]``
schedule: the simple case) and ``[[recipients]]`` tables (own topics,
schedule, time zone, chat channels).  Both resolve to :class:`Recipient`, the
one shape the rest of ``alerts`` (and the daemon, to build its triggers)
works with.

A ``[[recipients]]`` table may have ``notify`` channels instead of an
address; it then has a ``name``, which takes the address's place everywhere
(``Recipient.email``, the stored key, ``--recipient``), so the daemon, the
queue workers and the selection treat it like any other recipient.  A name
has no ``@`` and so never equals an address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from monitor.config import Settings, check_recipient_topics


@dataclass(frozen=True)
class Recipient:
    """One address (or, for notifications only, a name) and what it follows.

    ``topics`` is empty for "every topic"; :attr:`section_topics` is then the
    configured topics, which is what the digest's sections follow.
    ``email`` is the recipient's identity: their address, or their name when
    ``has_address`` is false (no e-mail is sent then).  ``notify`` holds
    Apprise URLs, secrets: kept out of ``repr``.
    """

    email: str
    topics: tuple[str, ...]
    schedule: str
    timezone: str
    all_topics: tuple[str, ...] = ()
    notify: tuple[str, ...] = field(default=(), repr=False)
    has_address: bool = True

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
        identity = entry.email or entry.name or ""
        if identity.casefold() in seen:
            continue
        seen.add(identity.casefold())
        out.append(
            Recipient(
                email=identity,
                topics=tuple(dict.fromkeys(entry.topics)),
                schedule=entry.schedule or digest.schedule,
                timezone=entry.timezone or digest.timezone,
                all_topics=all_topics,
                notify=tuple(url.get_secret_value() for url in entry.notify),
                has_address=entry.email is not None,
            )
        )
    if any(r.notify for r in out):
        from alerts.notify import check_channels  # imports Apprise: only when it is used

        check_channels(out)
    for address in settings.email.to:
        if address.casefold() in seen:
            continue
        seen.add(address.casefold())
        out.append(Recipient(address, (), digest.schedule, digest.timezone, all_topics))
    return out


def find_recipient(settings: Settings, email: str) -> Recipient | None:
    """The configured recipient with this address or name (any case), if any."""
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
