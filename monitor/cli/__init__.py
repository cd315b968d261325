"""The ``newsmon`` command (also ``python -m monitor``).

Exit codes: 0 success, 1 a runtime failure (database unreachable, ...),
2 a configuration or usage error.

Start-up time: the command modules import their heavy dependencies
(SQLAlchemy and the storage, the poll cycle, fetching and parsing, alerts)
inside the commands that use them, not at module level, so that short
commands such as ``newsmon trigger fetch --no-wait`` and ``newsmon health``
load only the configuration, typer/rich and httpx and start fast.  Keep it
so: import at the top of a module here only what every command needs, and
use ``if TYPE_CHECKING:`` for types (but never for a command's parameter
annotations, which typer resolves at run time).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from monitor import __version__
from monitor.cli import (
    daemon,
    digest,
    feedback,
    feeds,
    seeds,
    status,
    stories,
    topics,
    web,
    worker,
)
from monitor.cli.common import CliState, err_console, escape_unencodable_output, utf8_argument
from monitor.cli.fetch import fetch
from monitor.errors import ConfigError, NewsmonError
from monitor.logs import setup_logging

app = typer.Typer(
    name="newsmon",
    help="Monitor news feeds for your topics and e-mail only what is new.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"newsmon {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        envvar="NEWSMON_CONFIG",
        help="Configuration file (TOML). Default: ./newsmon.toml if present, "
        "else built-in defaults.",
        show_default=False,
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="More output on stderr (-vv for debug)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    setup_logging(verbose)
    ctx.obj = CliState(config_path=config)
    ctx.call_on_close(ctx.obj.close)


app.command("init")(status.init)
app.command("status")(status.status)
app.command("fetch")(fetch)
app.command("explain")(stories.explain)
app.command("stories")(stories.stories)
app.command("export")(stories.export)
app.command("digest")(digest.digest)
app.command("run")(daemon.run)
app.command("health")(daemon.health)
app.add_typer(daemon.trigger_app, name="trigger")
app.add_typer(feeds.app, name="feeds")
app.add_typer(seeds.app, name="seeds")
app.add_typer(topics.app, name="topics")
app.add_typer(web.app, name="web")
app.add_typer(feedback.app, name="feedback")
app.command("worker")(worker.worker)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning newsmon's own errors into one line and an exit code."""
    escape_unencodable_output()
    if argv is None:
        argv = [utf8_argument(arg) for arg in sys.argv[1:]]
    try:
        app(args=argv, prog_name="newsmon", standalone_mode=True)
    except ConfigError as exc:
        err_console.print(f"newsmon: config error: {exc}", markup=False, soft_wrap=True)
        sys.exit(2)
    except NewsmonError as exc:
        err_console.print(f"newsmon: error: {exc}", markup=False, soft_wrap=True)
        sys.exit(1)
