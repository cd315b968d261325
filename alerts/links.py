"""The one-click links one digest carries: "not new", "mute story", "unsubscribe".

Only when ``[web] base_url`` is set: the links lead to the console's ``/l/<token>``
pages (:mod:`monitor.web.pages.links`), which must be reachable by the reader, and
newsmon cannot guess that address.  Without it a digest carries no link and no
``List-Unsubscribe`` header, exactly as before the console existed.

Every link of one digest is signed with the same time, and each URL is made once
and reused, so the HTML and plain-text parts (and the List-Unsubscribe header)
carry identical links.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from alerts.recipients import Recipient
from monitor.config import Settings
from monitor.daemon.token import ensure_secret
from monitor.feedback.links import LinkClaim, link_url, sign_link


@dataclass
class DigestLinks:
    """Signed link URLs for one recipient's digest, made on demand by the templates."""

    base_url: str
    secret: str
    recipient: str  # the recipient's key (address case-folded), as Delivery rows store it
    issued: float = field(default_factory=time.time)
    _made: dict[LinkClaim, str] = field(default_factory=dict, repr=False)

    def not_new(self, article_id: str) -> str:
        return self._url(LinkClaim("not_new", self.recipient, article_id=article_id))

    def mute(self, story_id: int) -> str:
        return self._url(LinkClaim("mute", self.recipient, story_id=story_id))

    @property
    def unsubscribe(self) -> str:
        return self._url(LinkClaim("unsubscribe", self.recipient))

    def _url(self, claim: LinkClaim) -> str:
        url = self._made.get(claim)
        if url is None:
            url = link_url(self.base_url, sign_link(self.secret, claim, now=self.issued))
            self._made[claim] = url
        return url


def digest_links(settings: Settings, recipient: Recipient) -> DigestLinks | None:
    """The links for ``recipient``'s digest, or None when ``[web] base_url`` is unset.

    The secret is the daemon's (``newsmon.secret`` in ``[daemon] data_dir``), created on
    first use: ``newsmon digest --send`` and ``newsmon run`` sign with the same key, so a
    link from either works on the console.
    """
    base_url = settings.web.base_url
    if not base_url:
        return None
    return DigestLinks(base_url, ensure_secret(settings.daemon.data_dir), recipient.key)
