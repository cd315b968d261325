"""The console's pages, one module each; :data:`ROUTES` is what the app mounts."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
