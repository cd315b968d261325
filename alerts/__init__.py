"""Digests: what is new for each recipient, composed, stored, then delivered exactly once.

The flow is one way: ``alerts`` reads what the pipeline stored (articles with
their dedup status, topic matches and stories; feed health) through
``monitor.storage`` and uses only ``monitor``'s foundations (``config``,
``errors``, ``text``, and two leaf modules for the one-click links:
``feedback.links``, which signs them, and ``daemon.token``, which keeps the
key); of ``monitor``, only the daemon, the CLI and the web console import
``alerts``, and no pipeline stage does.  The daemon calls :func:`run_digests`
when a recipient's schedule fires and :func:`retry_pending` now and then;
``newsmon digest`` calls :func:`run_digests`, :func:`preview_digest` and
:func:`plan_digests`.

Modules, in the order a digest goes through them: ``recipients`` (who
follows what), ``selection`` (what is due), ``summarize``, ``compose`` (the
digest's content), ``links`` (its signed one-click links, with ``[web]
base_url``), ``sanitize`` and ``render`` (templates, CSS inlined),
``message`` (MIME, Message-ID), ``outbox`` (pending -> sent), ``deliver`` and
``smtp`` (the transports), ``run`` (the entry points).  Beside the e-mail:
``notify`` (chat and push messages through Apprise) and ``notify_outbox``
(their pending -> sent), which also registers the channels' secrets with
``monitor.logs`` so that no log line shows them.
"""

from alerts.deliver import DeliveryError, Transport, transport_for
from alerts.recipients import Recipient, resolve_recipients
from alerts.run import (
    Attempt,
    ComposedDigest,
    DigestPlan,
    DigestRunReport,
    RecipientResult,
    plan_digests,
    preview_digest,
    retry_pending,
    run_digests,
)
from alerts.summarize import ExtractiveSummariser, Summariser

__all__ = [
    "Attempt",
    "ComposedDigest",
    "DeliveryError",
    "DigestPlan",
    "DigestRunReport",
    "ExtractiveSummariser",
    "Recipient",
    "RecipientResult",
    "Summariser",
    "Transport",
    "plan_digests",
    "preview_digest",
    "resolve_recipients",
    "retry_pending",
    "run_digests",
    "transport_for",
]
