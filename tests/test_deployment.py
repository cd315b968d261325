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
