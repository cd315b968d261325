"""``newsmon web hash-password``: the line that gives the console its password.

The console asks for a login when the daemon listens off the loopback; the configuration
holds only a scrypt hash of the password (:mod:`monitor.web.passwords`), made here.  On a
terminal the password is asked twice, hidden; from a pipe one line is read, so scripts and
configuration tools can make the hash too.  The hash goes to stdout alone (for
``$(...)``); the hint about where to put it goes to stderr.
"""

from __future__ import annotations

import sys

import typer

from monitor.cli.common import console, err_console

app = typer.Typer(help="The web console: its password.", no_args_is_help=True)


@app.command("hash-password")
def hash_password_command() -> None:
    """Make the hash for [web] password_hash from a password (asked twice, or one stdin line)."""
    from monitor.web.passwords import hash_password  # hashlib only: still a fast command

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise typer.BadParameter("the password is empty", param_hint="stdin")
    hashed = hash_password(password)
    console.print(hashed, markup=False, soft_wrap=True)
    err_console.print(
        f'Put this line in the [web] section of newsmon.toml:\npassword_hash = "{hashed}"',
        markup=False,
        soft_wrap=True,
    )
