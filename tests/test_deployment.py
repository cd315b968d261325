"""docker-compose.yml and the Dockerfile: no Docker here, so check them as data.

The compose file must parse, wire the three services together with
healthchecks, and every NEWSMON_ variable it sets must be a real setting
that newsmon accepts (a typo would otherwise only show up in production).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from monitor.config import load_settings
from tests.conftest import REPO


@pytest.fixture(scope="module")
def compose() -> dict[str, object]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _expand(value: str) -> str:
    """Apply compose's ${VAR:-default} with the defaults, as on a machine with none set."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_services_are_wired_with_healthchecks(compose: dict[str, object]) -> None:
    services = compose["services"]
    assert isinstance(services, dict)
    assert set(services) == {"newsmon", "db", "mailpit"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    depends = services["newsmon"]["depends_on"]
    assert depends == {
        "db": {"condition": "service_healthy"},
        "mailpit": {"condition": "service_healthy"},
    }
    env = services["newsmon"]["environment"]
    assert "@db:5432/" in env["NEWSMON_DATABASE__URL"]
    assert env["NEWSMON_EMAIL__SMTP_URL"] == "smtp://mailpit:1025"
    db_env = services["db"]["environment"]
    assert env["NEWSMON_DATABASE__URL"].endswith("/" + db_env["POSTGRES_DB"])
    assert "/var/lib/postgresql/data" in services["db"]["volumes"][0]


def test_compose_environment_is_valid_newsmon_config(
    compose: dict[str, object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("NEWSMON_"):
            monkeypatch.delenv(name)
    services = compose["services"]
    assert isinstance(services, dict)
    for key, value in services["newsmon"]["environment"].items():
        monkeypatch.setenv(key, _expand(str(value)))
    settings = load_settings()
    assert settings.database.url.startswith("postgresql+psycopg://newsmon:newsmon@db:5432/")
    assert settings.email.to == ["you@example.org"]


def test_dockerfile_installs_the_postgres_extra_and_copies_the_seeds() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert 'pip install ".[postgres]"' in text
    assert "COPY seeds ./seeds" in text
    for copied in re.findall(r"^COPY (\S+)", text, flags=re.M):
        assert (REPO / copied).exists(), copied


def _seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)s?", value.strip())
    assert match, value
    return float(match[1])


def test_containers_run_the_daemon_and_give_it_time_to_stop(compose: dict[str, object]) -> None:
    """`newsmon run` with `newsmon health` as the healthcheck, both real commands, and a
    stop grace period longer than the daemon's own shutdown budget."""
    from typer.main import get_command

    from monitor.cli import app
    from monitor.config import DaemonSettings

    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r'^CMD \["newsmon", "run"\]$', text, flags=re.M)
    services = compose["services"]
    assert isinstance(services, dict)
    newsmon = services["newsmon"]
    check = newsmon["healthcheck"]["test"]
    assert check[:2] == ["CMD", "newsmon"] and check[2] in commands
    assert {"run", "health", "trigger"} <= commands
    budget = DaemonSettings().shutdown_timeout
    assert _seconds(newsmon["stop_grace_period"]) > budget


def test_systemd_unit_runs_the_daemon_and_gives_it_time_to_stop() -> None:
    from monitor.config import DaemonSettings

    unit = (REPO / "docs" / "newsmon.service").read_text(encoding="utf-8")
    keys = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#")
    )
    assert keys["ExecStart"].endswith("newsmon run")
    assert _seconds(keys["TimeoutStopSec"]) > DaemonSettings().shutdown_timeout
    assert keys.get("KillSignal", "SIGTERM") == "SIGTERM"
