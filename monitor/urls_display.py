"""Feed URLs as people see them: credentials masked.

A private feed's URL may carry ``user:password@``.  The stored URL keeps
them, since fetching needs them, but whatever prints, lists or logs a feed
URL shows ``https://user:***@host/...`` instead: terminals are shared,
scrolled back and pasted into bug reports.  A user name alone
(``https://TOKEN@host/``) is often an access token, so it is masked whole.
"""

from __future__ import annotations

import re

MASK = "***"
# scheme://userinfo@ where userinfo runs to the last "@" before the host ends
# (greedy, as urllib.parse.urlsplit reads it).
_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/?#\s]*)@")


def _masked(match: re.Match[str]) -> str:
    user, colon, _password = match["userinfo"].partition(":")
    userinfo = f"{user}:{MASK}" if colon and user else MASK
    return f"{match['scheme']}{userinfo}@"


def mask_url(url: str) -> str:
    """``url`` with its password (or a lone user name) replaced by ``***``."""
    match = _CREDENTIALS.match(url)
    if match is None:
        return url
    return _masked(match) + url[match.end() :]


def mask_urls_in(text: str) -> str:
    """``text`` (an error message, a log line) with every URL's credentials masked."""
    return _CREDENTIALS.sub(_masked, text)


def mask_urls_deep(value: object) -> object:
    """``value`` (JSON-like data: dicts, lists, strings) with every URL's credentials masked,
    for machine-readable output that a terminal shows all the same."""
    if isinstance(value, str):
        return mask_urls_in(value) if "@" in value else value
    if isinstance(value, dict):
        return {key: mask_urls_deep(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_urls_deep(item) for item in value]
    return value
