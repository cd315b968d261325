"""``newsmon run``, ``newsmon trigger fetch|digest`` and ``newsmon health``.

``run`` is the service, in the foreground: systemd, Docker or supervisord
keep it running (``docs/newsmon.service``).  ``trigger`` asks that running
daemon to fetch or send now, through its control endpoint; when no daemon
answers it says so and does the work in this process instead, exactly as
``newsmon fetch`` / ``newsmon digest --send`` would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from monitor.cli.common import (
    LOG_FORMAT_HELP,
    console,
    emit_json,
    err_console,
    service_logging,
    state,
)
from monitor.cli.fetch import fetch, show_outcome
from monitor.config import Settings
from monitor.errors import DaemonNotRunning

if TYPE_CHECKING:
    from monitor.daemon.client import ControlClient

trigger_app = typer.Typer(
    help="Ask the running daemon to fetch or send digests now.", no_args_is_help=True
)

WAIT_HELP = "Wait for the work to finish and show its result (default), or only start it."
TRIGGER_TIMEOUT_S = 3600.0  # a cycle of many feeds may take minutes; the daemon bounds it


def run(
    ctx: typer.Context,
    log_format: str = typer.Option(
        "text",
        "--log-format",
        help=LOG_FORMAT_HELP,
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="Debug output, from newsmon and its libraries."
    ),
) -> None:
    """Run the service: poll feeds when due, send digests on schedule, accept triggers.

    Runs in the foreground until SIGTERM or Ctrl-C (a second one exits at
    once); logs go to stderr.  One daemon per database: a second one refuses
    to start and names the process in the way.
    """
    service_logging(ctx, log_format, verbose)
    from monitor.daemon.process import run_daemon
    from monitor.daemon.service import Daemon  # the scheduler is loaded only here

    st = state(ctx)
    daemon = Daemon(st.settings, st.db, st.matcher)
    raise typer.Exit(run_daemon(daemon))


@trigger_app.command("fetch")
def trigger_fetch(
    ctx: typer.Context,
    feeds: list[str] = typer.Option(
        [], "--feed", "-f", help="Poll only this feed (URL or name); repeat for several."
    ),
    wait: bool = typer.Option(True, "--wait/--no-wait", help=WAIT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Poll feeds now, in the running daemon (or here, if none runs)."""
    params: dict[str, Any] = {"feeds": feeds, "wait": wait}
    reply = _ask_or_work_here(
        state(ctx).settings, "fetch", params, "fetching", lambda: fetch(ctx, feeds, as_json)
    )
    if reply is None:
        return
    if not wait:
        _started(reply, as_json, "a poll cycle")
        return
    from monitor.runner import CycleOutcome  # SQLAlchemy: not for --no-wait

    show_outcome(CycleOutcome.from_dict(reply), as_json)


@trigger_app.command("digest")
def trigger_digest(
    ctx: typer.Context,
    recipient: str | None = typer.Option(
        None, "--recipient", "-r", help="Only this recipient's digest (an address)."
    ),
    wait: bool = typer.Option(True, "--wait/--no-wait", help=WAIT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Send the digests that are due now, from the running daemon (or here, if none runs)."""
    from monitor.cli.digest import digest

    params: dict[str, Any] = {"recipient": recipient, "wait": wait}
    reply = _ask_or_work_here(
        state(ctx).settings,
        "digest",
        params,
        "sending",
        lambda: digest(ctx, recipient=recipient, preview=None, send=True, as_json=as_json),
    )
    if reply is None:
        return
    if not wait:
        _started(reply, as_json, "a digest round")
        return
    from alerts import DigestRunReport  # the templates: not for --no-wait
    from monitor.cli.digest import show_report

    show_report(DigestRunReport.from_dict(reply), as_json, who="The daemon delivered")


def health(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the daemon's health report."),
    wait: float = typer.Option(
        0,
        "--wait",
        metavar="SECONDS",
        help="Wait up to this long for a daemon that is still starting to answer.",
    ),
) -> None:
    """Ask the running daemon how it is: exit 0 if healthy, 1 if not or not running."""
    st = state(ctx)
    client = _client(st.settings)
    deadline = time.monotonic() + wait
    while True:
        try:
            status, body = client.health()
            break
        except DaemonNotRunning:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.25)
    if as_json:
        emit_json(body)
    else:
        last = body.get("last_cycle") or {}
        console.print(
            f"newsmon {body.get('version')} (pid {body.get('pid')}): {body.get('status')}; "
            f"scheduler {body.get('scheduler')}, database {body.get('database')}"
        )
        console.print(
            f"Last cycle  {last.get('finished_at') or 'none yet'}"
            + (f" ({last.get('trigger')}, {last.get('status')})" if last else "")
            + ("; a cycle is running now" if body.get("cycle_running") else "")
        )
        if body.get("queue"):
            console.print(_queue_line(body["queue"]), markup=False, soft_wrap=True)
        if "digests" not in body:  # the daemon did not take our token: counts only
            console.print(
                f"Digests to {body.get('recipients')} recipient(s) (addresses need the token)"
            )
        for address, info in (body.get("digests") or {}).items():
            console.print(
                f"Digest to {address}: next {info.get('next')}, last {info.get('last') or 'never'}"
            )
    if status != 200:
        raise typer.Exit(1)


def _queue_line(queue: dict[str, Any]) -> str:
    """Queue mode's line of ``newsmon health``: broker, depths, workers, batches in flight."""
    if queue.get("broker") != "ok":
        return f"Queue     broker {queue.get('broker')}"
    depths = ", ".join(f"{name} {count}" for name, count in (queue.get("depths") or {}).items())
    workers = queue.get("workers") or []
    return (
        f"Queue     waiting: {depths or 'none'}; {queue.get('batches_in_flight')} batch(es) in "
        f"flight; {len(workers)} worker(s)" + (f": {', '.join(workers)}" if workers else "")
    )


def _client(settings: Settings) -> ControlClient:
    if settings.daemon.control_port == 0:
        raise DaemonNotRunning("the control endpoint is switched off ([daemon] control_port = 0)")
    from monitor.daemon.client import ControlClient  # httpx: only to talk to a daemon

    return ControlClient.from_settings(settings)


def _ask_or_work_here(
    settings: Settings, kind: str, params: dict[str, Any], doing: str, here: Callable[[], None]
) -> dict[str, Any] | None:
    """The daemon's reply; or, with no daemon to ask, do the work here and return None."""
    try:
        return _ask(settings, kind, params)
    except DaemonNotRunning as exc:
        err_console.print(
            f"newsmon: {exc}; {doing} in this process instead", markup=False, soft_wrap=True
        )
        here()
        return None


def _ask(settings: Settings, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    client = _client(settings)
    if not client.token:
        # No token file: tell "no daemon here" (do the work here) from "wrong data folder".
        client.health()
    return client.trigger(kind, params, timeout=TRIGGER_TIMEOUT_S)


def _started(reply: dict[str, Any], as_json: bool, what: str) -> None:
    if as_json:
        emit_json(reply)
    elif reply.get("already_running"):
        console.print(f"The daemon was already running {what}; it goes on.")
    else:
        console.print(f"The daemon started {what}.")
