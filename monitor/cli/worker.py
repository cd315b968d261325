"""``newsmon worker``: poll, classify and send digests for a queue-mode scheduler.

Celery (and the storage) are imported inside the command, so that other
commands do not pay for them (see :mod:`monitor.cli`).
"""

from __future__ import annotations

import typer

from monitor.cli.common import LOG_FORMAT_HELP, service_logging, state


def worker(
    ctx: typer.Context,
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        "-c",
        min=1,
        help="Child processes, each polling one batch at a time. Default: the CPUs.",
        show_default=False,
    ),
    queues: list[str] = typer.Option(
        [],
        "--queues",
        "-Q",
        help="Consume only these queues: poll, classify, digest (comma-separated or "
        "repeated). Default: all three.",
        show_default=False,
    ),
    log_format: str = typer.Option(
        "text",
        "--log-format",
        help=LOG_FORMAT_HELP,
    ),
) -> None:
    """Run a queue worker until SIGTERM (needs queue.broker_url and PostgreSQL).

    Start as many as wanted, on any machine that reaches the broker and the
    database; `newsmon run` schedules and sends them the work (docs/queue.md).
    """
    verbose = service_logging(ctx, log_format)
    from monitor.queue.worker import run_worker  # Celery: loaded only here

    settings = state(ctx).settings
    loglevel = "DEBUG" if verbose else "INFO"
    raise typer.Exit(
        run_worker(settings, concurrency=concurrency, queues=queues, loglevel=loglevel)
    )
