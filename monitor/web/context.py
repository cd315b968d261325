"""What every page and route of the console needs, in one value: ``request.app.state.ctx``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from monitor.config import Settings
from monitor.daemon.triggers import TriggerRequest
from monitor.storage import Database


class ControlHandlers(Protocol):
    """What the daemon does for its endpoint (:class:`monitor.daemon.service.Daemon`).

    ``trigger`` blocks until the work is done: call it from a thread, never on the loop.
    """

    def health(self, detailed: bool) -> tuple[int, dict[str, Any]]:
        """HTTP status and the ``/healthz`` document (``detailed``: the caller has the token)."""
        ...

    def metrics(self) -> tuple[bytes, str]:
        """The ``/metrics`` body and its content type."""
        ...

    def trigger(self, request: TriggerRequest) -> dict[str, Any]:
        """Do a trigger's work and return its JSON result."""
        ...


@dataclass(frozen=True)
class WebContext:
    """The console's dependencies, built once by whoever serves it."""

    settings: Settings
    db: Database
    secret: str  # signs session cookies and one-click links (``newsmon.secret``)
    token: str | None = None  # the control token that ``/trigger/*`` asks for
    handlers: ControlHandlers | None = None  # the daemon; None when no daemon stands behind
    login_required: bool = False  # bound off the loopback: pages need a login
