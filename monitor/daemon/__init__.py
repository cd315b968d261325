"""The long-running service behind ``newsmon run``: scheduler, control endpoint, metrics.

Modules:

- ``token``: the control token in the data folder (``newsmon.token``, mode 0600), which
  separates who may trigger work from who may merely look.
- ``metrics``: the Prometheus metrics of one daemon, in a registry of its own.
- ``control``: the HTTP control endpoint on the loopback (``/healthz``, ``/metrics``,
  ``/trigger/...``), on the standard library's threading HTTP server.
- ``client``: what ``newsmon trigger`` and ``newsmon health`` use to talk to it.
"""
