"""Running a :class:`~monitor.daemon.service.Daemon` in this process, and leaving on time.

Kept apart from the daemon itself: what it does is the service; how the process
ends (threads stuck on a dead SMTP server, the operator's shutdown deadline) is
the process's business.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time

from monitor.daemon.service import Daemon

log = logging.getLogger(__name__)


def run_daemon(daemon: Daemon) -> int:
    """Run ``daemon`` on a fresh event loop; the exit status once it has stopped.

    Not :func:`asyncio.run`: that waits without limit for worker threads at
    the end, and a thread stuck on a dead SMTP server would keep the process
    from exiting after the shutdown deadline.
    """
    daemon.claim()
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(daemon.serve())
    finally:
        loop.close()
    # Idle worker threads leave once their pools are shut down; give them what is left of
    # the shutdown deadline (a moment at least), never more: it is a promise to the operator.
    end = daemon.stop_by if daemon.stop_by is not None else time.monotonic() + 2.0
    deadline = max(end, time.monotonic() + 0.2)
    for thread in _live_threads():
        if not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [t for t in _live_threads() if not t.daemon]
    if stuck:
        log.warning(
            "exiting with %d worker thread(s) still busy: %s",
            len(stuck),
            ", ".join(t.name for t in stuck),
        )
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0)
    return 0


def _live_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
