"""Where the daemon's control endpoint is, in words a client and a log line share.

The endpoint itself (``/healthz``, ``/metrics``, ``POST /trigger/<kind>``) is served with
the web console by :mod:`monitor.web` (:mod:`monitor.web.control` for the routes,
:mod:`monitor.web.server` for the server).  This module stays small and free of the web
stack, so that ``newsmon trigger`` and ``newsmon health`` (:mod:`.client`) start fast.
"""

from __future__ import annotations


def format_address(host: str, port: int) -> str:
    """``host:port``, with IPv6 hosts in brackets, for messages and URLs."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
