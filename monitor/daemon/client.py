"""Talking to a running daemon: what ``newsmon trigger`` and ``newsmon health`` use.

Every failure becomes a one-line :class:`~monitor.errors.DaemonError` the CLI can print
as it is: "no daemon is listening" and "the token was refused" need different fixes from
"the daemon answered with an error", so they are different classes.

Proxies are ignored (``trust_env=False``): an ``HTTP_PROXY`` meant for the internet must
not receive a loopback request, let alone its token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from monitor.config import Settings
from monitor.daemon.control import format_address
from monitor.daemon.token import TOKEN_FILE, read_token, token_path
from monitor.errors import ControlAuthError, ControlError, DaemonNotRunning

# A daemon listening on every address is reached through the loopback.
_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


class ControlClient:
    """One daemon's control endpoint, seen from the CLI.

    ``token_file`` only improves messages: it names the file the token came from, so a
    refused or missing token points at the folder to check.
    """

    def __init__(
        self,
        host: str,
        port: int,
        token: str | None,
        timeout: float = 5.0,
        *,
        token_file: Path | None = None,
    ) -> None:
        self.host = _WILDCARDS.get(host, host)
        self.port = port
        self.token = token
        self.timeout = timeout
        self.token_file = token_file
        self.address = format_address(self.host, port)

    @classmethod
    def from_settings(cls, settings: Settings) -> ControlClient:
        """The client for the daemon configured in ``[daemon]``, with its token if readable.

        A missing token is not an error here: ``health()`` needs none.
        """
        daemon = settings.daemon
        if daemon.control_port == 0:
            raise ControlError("the control endpoint is switched off ([daemon] control_port = 0)")
        path = token_path(daemon.data_dir)
        try:
            token = read_token(daemon.data_dir)
        except OSError as exc:
            raise ControlAuthError(f"cannot read the control token {path}: {exc.strerror}") from exc
        return cls(daemon.control_host, daemon.control_port, token, token_file=path)

    def health(self) -> tuple[int, dict[str, Any]]:
        """The daemon's HTTP status (200 healthy, 503 unhealthy) and its health report.

        503 is returned, not raised: an unhealthy daemon still answered, and the report
        says why.  With the token the report names each recipient; without, it counts them.
        """
        status, body = self._request("GET", "/healthz", None, self.timeout)
        if status in (200, 503):
            return status, body
        raise self._failure(status, body)

    def trigger(
        self, kind: str, params: dict[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Ask the daemon to run ``kind`` ("fetch" or "digest") now; its reply on success.

        The daemon answers when the work is done, which can take minutes: ``timeout`` is
        how long to wait for that reply (default: the client's timeout).  Connecting is
        always bounded by the client's timeout.
        """
        if not self.token:
            raise ControlAuthError(
                f"no control token in {self.token_file.parent} (the daemon writes "
                f"{TOKEN_FILE} there when it starts)"
                if self.token_file is not None
                else "no control token to send to the daemon"
            )
        wait = self.timeout if timeout is None else timeout
        status, body = self._request("POST", f"/trigger/{kind}", params, wait)
        if status == 401:
            raise ControlAuthError(
                f"the daemon refused the token in {self.token_file}: "
                "is this the daemon's data folder?"
                if self.token_file is not None
                else f"the daemon at {self.address} refused the control token"
            )
        if 200 <= status < 300:
            return body
        raise self._failure(status, body)

    def _request(
        self, method: str, path: str, params: dict[str, Any] | None, timeout: float
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        limits = httpx.Timeout(timeout, connect=self.timeout)
        try:
            with httpx.Client(timeout=limits, trust_env=False) as client:
                response = client.request(
                    method, f"http://{self.address}{path}", json=params, headers=headers
                )
        except httpx.ConnectError as exc:
            if _refused(exc):
                raise DaemonNotRunning(f"no newsmon daemon is listening on {self.address}") from exc
            raise ControlError(f"cannot connect to the daemon at {self.address}: {exc}") from exc
        except httpx.TimeoutException as exc:
            still = " (the work may still be running)" if method == "POST" else ""
            raise ControlError(
                f"the daemon at {self.address} did not answer {path} within {timeout:g}s{still}"
            ) from exc
        except httpx.HTTPError as exc:
            raise ControlError(f"{method} {path} to the daemon at {self.address}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ControlError(
                f"the reply of {self.address}{path} (HTTP {response.status_code}) is not "
                "JSON: is a newsmon daemon listening there?",
                status=response.status_code,
            )
        return response.status_code, body

    def _failure(self, status: int, body: dict[str, Any]) -> ControlError:
        error = str(body.get("error") or "no explanation given").splitlines()[0]
        return ControlError(
            f"the daemon at {self.address} answered HTTP {status}: {error}", status=status
        )


def _refused(exc: BaseException) -> bool:
    """Whether the connection was refused (nothing listens), anywhere in the cause chain."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
