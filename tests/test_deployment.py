"""docker-compose.yml and the Dockerfile: no Docker here, so check them as data.

The compose file must parse, wire the three services together with
healthchecks, and every NEWSMON_ variable it sets must be a real setting
that newsmon accepts (a typo would otherwise only show up in production).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

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


NEWSMON_SERVICES = ("init", "newsmon", "worker")  # the newsmon image, one environment


def test_services_are_wired_with_healthchecks(compose: dict[str, object]) -> None:
    services = compose["services"]
    assert isinstance(services, dict)
    assert set(services) == {"init", "newsmon", "worker", "rabbitmq", "db", "mailpit"}
    for name, service in services.items():
        if name != "init":  # a one-off: runs `newsmon init` and exits
            assert "healthcheck" in service, name
    healthy = {"condition": "service_healthy"}
    initialised = {"condition": "service_completed_successfully"}
    assert services["init"]["depends_on"] == {"db": healthy}
    assert services["init"]["restart"] == "no"
    for name in ("newsmon", "worker"):
        assert services[name]["depends_on"] == {
            "init": initialised,
            "db": healthy,
            "rabbitmq": healthy,
            "mailpit": healthy,
        }, name
    env = services["newsmon"]["environment"]
    assert "@db:5432/" in env["NEWSMON_DATABASE__URL"]
    assert env["NEWSMON_EMAIL__SMTP_URL"] == "smtp://mailpit:1025"
    db_env = services["db"]["environment"]
    assert env["NEWSMON_DATABASE__URL"].endswith("/" + db_env["POSTGRES_DB"])
    assert "/var/lib/postgresql/data" in services["db"]["volumes"][0]


def test_scheduler_and_workers_share_one_configuration(compose: dict[str, object]) -> None:
    """The workers send the digests and store what they poll: the same database, broker,
    mail settings and data volume (newsmon.secret signs the digests' links) as the
    scheduler, which only adds lines of its own (the console's)."""
    services = compose["services"]
    assert isinstance(services, dict)
    worker, init, newsmon = (services[name] for name in ("worker", "init", "newsmon"))
    assert worker["environment"] == init["environment"]
    assert worker["environment"].items() <= newsmon["environment"].items()
    for name in NEWSMON_SERVICES:
        assert services[name]["image"] == "newsmon:latest", name
        assert services[name]["volumes"] == ["newsmon-data:/data"], name
    assert init["command"] == ["newsmon", "init"]
    assert worker["command"] == ["newsmon", "worker"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=N


def test_the_broker_url_names_the_rabbitmq_service_and_its_user(compose: dict[str, object]) -> None:
    """RabbitMQ's guest user may only connect from the broker's own machine, so the
    compose file creates a user and the broker URL must carry exactly that one."""
    from urllib.parse import urlsplit

    services = compose["services"]
    assert isinstance(services, dict)
    rabbitmq = services["rabbitmq"]
    assert rabbitmq["image"].startswith("rabbitmq:")
    assert rabbitmq["hostname"] == "rabbitmq"  # its data lives under rabbit@<hostname>
    assert "rabbitmq-data:/var/lib/rabbitmq" in rabbitmq["volumes"]
    assert rabbitmq["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    url = urlsplit(_expand(services["worker"]["environment"]["NEWSMON_QUEUE__BROKER_URL"]))
    assert (url.scheme, url.hostname, url.port) == ("amqp", "rabbitmq", 5672)
    assert url.username == _expand(rabbitmq["environment"]["RABBITMQ_DEFAULT_USER"])
    assert url.password == _expand(rabbitmq["environment"]["RABBITMQ_DEFAULT_PASS"])
    assert url.path == "//"  # kombu's spelling of the default virtual host "/"
    for port in rabbitmq.get("ports", []):
        assert port.startswith("127.0.0.1:") and not port.endswith(":5672"), port


@pytest.mark.parametrize("service", NEWSMON_SERVICES)
def test_compose_environment_is_valid_newsmon_config(
    compose: dict[str, object], service: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("NEWSMON_"):
            monkeypatch.delenv(name)
    services = compose["services"]
    assert isinstance(services, dict)
    for key, value in services[service]["environment"].items():
        monkeypatch.setenv(key, _expand(str(value)))
    settings = load_settings()
    assert settings.database.url.startswith("postgresql+psycopg://newsmon:newsmon@db:5432/")
    assert settings.email.to == ["you@example.org"]
    assert settings.queue.broker_url is not None
    assert settings.queue.broker_url.get_secret_value() == "amqp://newsmon:newsmon@rabbitmq:5672//"
    from monitor.queue.app import require_shared_database

    require_shared_database(settings)  # queue mode's own check: PostgreSQL


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
    assert {"run", "health", "trigger", "init", "worker"} <= commands
    for name in NEWSMON_SERVICES:
        command = services[name].get("command", ["newsmon", "run"])
        assert command[0] == "newsmon" and command[1] in commands, name
    budget = DaemonSettings().shutdown_timeout
    assert _seconds(newsmon["stop_grace_period"]) > budget
    # A worker's batch may wait on a request for its whole 30 s deadline before it is
    # stored; killed earlier, the batch is polled again elsewhere (no loss, more work).
    assert _seconds(services["worker"]["stop_grace_period"]) > 30


def _worker_healthcheck(compose: dict[str, object]) -> str:
    services = compose["services"]
    assert isinstance(services, dict)
    test = services["worker"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"] and len(test) == 4
    return str(test[3])


def test_worker_healthcheck_is_python(compose: dict[str, object]) -> None:
    compile(_worker_healthcheck(compose), "<healthcheck>", "exec")


def _run_healthchecks(codes: list[str], env: dict[str, str], cwd: Path) -> list[int]:
    """Run the healthcheck variants at once (each waits its ping's 3 s); their exit codes."""
    import subprocess
    import sys

    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for code in codes
    ]
    codes_out = []
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode in (0, 1), err.decode()[-2000:]
        codes_out.append(run.returncode)
    return codes_out


def _wait_for_consumer(broker_url: str, queue: str, worker: Any) -> None:
    """Until the worker consumes ``queue`` (a question to the broker, not a ping)."""
    import time

    from kombu import Connection

    deadline = time.monotonic() + 60
    with Connection(broker_url) as conn:
        while time.monotonic() < deadline and worker.poll() is None:
            try:
                with conn.channel() as channel:
                    if channel.queue_declare(queue=queue, passive=True).consumer_count:
                        return
            except conn.channel_errors:  # not declared yet
                pass
            time.sleep(0.2)
    _, err = worker.communicate(timeout=20) if worker.poll() is not None else (b"", b"")
    raise AssertionError(f"the worker never consumed {queue}: {err.decode()[-2000:]}")


def _delete_queues(broker_url: str, prefix: str) -> None:
    """The test's durable queues and exchange, which would otherwise stay on the broker."""
    from kombu import Connection

    with Connection(broker_url) as conn:
        for name in (f"{prefix}.poll", f"{prefix}.classify", f"{prefix}.digest"):
            with conn.channel() as channel:
                channel.queue_delete(name)
        for exchange in (prefix, f"{prefix}.control.pidbox", f"reply.{prefix}.control.pidbox"):
            with conn.channel() as channel:
                channel.exchange_delete(exchange)


@pytest.mark.skipif(
    not (os.environ.get("NEWSMON_TEST_BROKER_URL") and os.environ.get("NEWSMON_TEST_DATABASE_URL")),
    reason="NEWSMON_TEST_BROKER_URL and NEWSMON_TEST_DATABASE_URL are not both set "
    "(a RabbitMQ and a PostgreSQL for a real worker)",
)
def test_worker_healthcheck_passes_for_this_hosts_worker_only(
    compose: dict[str, object], tmp_path: Path
) -> None:
    """The healthcheck's own code, run beside a real `newsmon worker` on the real broker:
    exit 0 while that worker answers, 1 when asked about another host's (so a check that
    always passed would fail here)."""
    import signal
    import subprocess
    import sys
    import uuid

    from tests.conftest import pg_schema

    code = _worker_healthcheck(compose)
    elsewhere = code.replace("socket.gethostname()", "'no-such-host.invalid'")
    assert elsewhere != code
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSMON_")}
    env["NEWSMON_QUEUE__BROKER_URL"] = os.environ["NEWSMON_TEST_BROKER_URL"]
    prefix = env["NEWSMON_QUEUE__PREFIX"] = f"test-health-{uuid.uuid4().hex[:8]}"
    env["NEWSMON_CONFIG"] = str(tmp_path / "newsmon.toml")
    (tmp_path / "newsmon.toml").write_text("feeds = []\n", encoding="utf-8")
    with pg_schema(os.environ["NEWSMON_TEST_DATABASE_URL"]) as url:
        env["NEWSMON_DATABASE__URL"] = url
        worker = subprocess.Popen(
            [sys.executable, "-m", "monitor", "worker", "--concurrency", "1"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _wait_for_consumer(env["NEWSMON_QUEUE__BROKER_URL"], f"{prefix}.poll", worker)
            assert _run_healthchecks([code, elsewhere], env, tmp_path) == [0, 1]
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
            _delete_queues(env["NEWSMON_QUEUE__BROKER_URL"], prefix)


def test_systemd_unit_runs_the_daemon_and_gives_it_time_to_stop() -> None:
    from monitor.config import DaemonSettings

    unit = (REPO / "docs" / "newsmon.service").read_text(encoding="utf-8")
    keys = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#")
    )
    assert keys["ExecStart"].endswith("newsmon run")
    assert _seconds(keys["TimeoutStopSec"]) > DaemonSettings().shutdown_timeout
    assert keys.get("KillSignal", "SIGTERM") == "SIGTERM"
