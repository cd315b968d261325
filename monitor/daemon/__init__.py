"""The long-running service behind ``newsmon run``: scheduler, control endpoint, metrics.

Modules:

- ``token``: the control token in the data folder (``newsmon.token``, mode 0600), which
  separates who may trigger work from who may merely look.
- ``metrics``: the Prometheus metrics of one daemon, in a registry of its own; it turns
  cycle outcomes and digest attempts into counts.
- ``triggers``: the typed requests a trigger carries, and the refusals (404, 503).
- ``control``: the HTTP control endpoint on the loopback (``/healthz``, ``/metrics``,
  ``/trigger/...``), on the standard library's threading HTTP server, with a request
  deadline and a connection cap; it parses and checks triggers.
- ``health``: what ``/healthz`` reports (addresses only to a caller with the token).
- ``slots``: which digest slots were missed while the daemon was down.
- ``service``: the daemon itself, wiring these to the scheduler; it only does the work.
- ``client``: what ``newsmon trigger`` and ``newsmon health`` use to talk to it.
"""
