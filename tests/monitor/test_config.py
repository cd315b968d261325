"""Configuration: defaults, file, environment overrides, and one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.config import iter_setting_names, load_settings, parse_duration
from monitor.errors import ConfigError
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("NEWSMON_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray ./newsmon.toml


def write(tmp_path: Path, body: str, name: str = "newsmon.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_no_file_gives_embedded_defaults() -> None:
    settings = load_settings()
    assert settings.database.url == "sqlite:///newsmon.db"
    assert [t.name for t in settings.topics] == ["NATO", "Marco Rubio", "Mark Rutte"]
    assert len(settings.feeds) >= 3
    assert all(f.url.startswith("https://") for f in settings.feeds)
    assert settings.email.smtp_url is None
    assert settings.email.outbox == Path("outbox")
    assert settings.seeds.dir == Path("seeds")


def test_file_values_and_defaults_merge(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[database]
url = "sqlite:///x.db"

[[feeds]]
url = "https://example.org/feed.xml"
interval = "1h30m"

[[topics]]
name = "Ukraine"
query = "Ukraine OR Kyiv"

[email]
from = "alerts@example.org"
to = ["a@example.org"]
""",
    )
    settings = load_settings(path)
    assert settings.database.url == "sqlite:///x.db"
    assert [f.url for f in settings.feeds] == ["https://example.org/feed.xml"]
    assert settings.feeds[0].interval == 5400
    assert [t.name for t in settings.topics] == ["Ukraine"]
    assert settings.email.sender == "alerts@example.org"
    assert settings.fetch.concurrency == 32  # untouched section keeps its default


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///file.db"\n[email]\nfrom = "f@x.org"\n')
    monkeypatch.setenv("NEWSMON_DATABASE__URL", "sqlite:///env.db")
    monkeypatch.setenv("NEWSMON_EMAIL__PASSWORD", "s3cret")
    monkeypatch.setenv("NEWSMON_FETCH__TIMEOUT", "12.5")
    settings = load_settings(path)
    assert settings.database.url == "sqlite:///env.db"
    assert settings.email.sender == "f@x.org"  # the rest of the section survives
    assert settings.email.password is not None
    assert settings.email.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.fetch.timeout == 12.5


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[digest]\ntimezone = "Europe/Brussels"\n', name="other.toml")
    monkeypatch.setenv("NEWSMON_CONFIG", str(path))
    assert load_settings().digest.timezone == "Europe/Brussels"


def test_example_file_is_valid_and_complete() -> None:
    example = REPO / "newsmon.example.toml"
    settings = load_settings(example)
    assert settings.topics  # the example really configures something
    text = example.read_text(encoding="utf-8")
    missing = [n for n in iter_setting_names() if n.rsplit(".", 1)[-1] not in text]
    assert not missing, f"newsmon.example.toml does not mention {missing}"


def test_every_setting_is_documented() -> None:
    """Like datasette's settings test: a new setting without docs fails here."""
    docs = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [n for n in iter_setting_names() if f"`{n}`" not in docs]
    assert not missing, f"docs/configuration.md does not document {missing}"


ONE_LINE_ERRORS = [
    ('[database]\nurll = "x"\n', r"newsmon\.toml: \[database\] urll: unknown key"),
    ('[fetch]\nconcurrency = "lots"\n', r"newsmon\.toml: \[fetch\] concurrency: .*integer.*'lots'"),
    ('[[feeds]]\nurl = "https://x.org/f"\nintervl = 5\n', r"\[\[feeds\]\] #1 intervl: unknown key"),
    ('[[feeds]]\nname = "no url"\n', r"\[\[feeds\]\] #1 url: required key is missing"),
    ('[[feeds]]\nurl = "https://x.org"\ninterval = "5 parsecs"\n', r"interval: not a duration"),
    ('[digest]\ntimezone = "Mars/Olympus"\n', r"\[digest\] timezone: unknown time zone"),
    ('[digest]\nschedule = "every day"\n', r"\[digest\] schedule: not a cron expression"),
    ("[fetch\n", r"newsmon\.toml: not valid TOML: .*line 1"),
    ("nonsense = 1\n", r"newsmon\.toml: nonsense: unknown key"),
    (
        "[dedup]\nlsh_bands = 32\nlsh_rows = 8\n",
        r"\[dedup\] lsh_rows: dedup\.lsh_bands × dedup\.lsh_rows = 32 × 8 = 256 exceeds "
        r"dedup\.num_perm \(128\)",
    ),
    ("[dedup]\nnum_perm = 32\n", r"\[dedup\] lsh_rows: .*10 × 6 = 60 exceeds .*num_perm \(32\)"),
    ("[dedup]\nlsh_bands = 1\n", r"\[dedup\] lsh_bands: .*greater than or equal to 2"),
    ("[dedup]\nminhash_seed = 7\n", r"\[dedup\] minhash_seed: unknown key"),
    (
        '[email]\nsmtp_url = "gopher://x"\n',
        r"\[email\] smtp_url: unsupported scheme 'gopher' \(use smtp://, smtp\+starttls:// or "
        r"smtps://\)$",
    ),
    ('[email]\nsmtp_url = "mail.example.org:25"\n', r"\[email\] smtp_url: unsupported scheme"),
    ('[email]\nsmtp_url = "smtp://"\n', r"\[email\] smtp_url: the URL names no host"),
    ('[email]\nsmtp_url = "smtp://h:99999"\n', r"\[email\] smtp_url: not a valid URL: .*port"),
    ('[email]\nsmtp_url = "smtps://h/inbox"\n', r"\[email\] smtp_url: .*no path or query"),
]


@pytest.mark.parametrize(("body", "pattern"), ONE_LINE_ERRORS)
def test_bad_config_is_one_clear_line(tmp_path: Path, body: str, pattern: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert "\n" not in message
    assert re.search(pattern, message), message


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: no such file"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[email]\nfrom = "caf\xe9@x.org"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1\.toml: "):
        load_settings(bad)


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_FETCH__CONCURRENCY", "many")
    with pytest.raises(ConfigError, match=r"^environment variable NEWSMON_FETCH__CONCURRENCY: "):
        load_settings()


def test_misspelt_environment_section_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_DATABSE__URL", "sqlite:///x.db")
    with pytest.raises(
        ConfigError, match="NEWSMON_DATABSE__URL: unknown setting section 'databse'"
    ):
        load_settings()


@pytest.mark.parametrize(
    ("given", "seconds"), [(900, 900), ("900", 900), ("15m", 900), ("1h30m", 5400), ("2d", 172800)]
)
def test_durations(given: object, seconds: int) -> None:
    assert parse_duration(given) == seconds


@pytest.mark.parametrize(
    "url", ["smtp://mail.example.org", "smtp+starttls://u@h:587", "SMTPS://u:p@[::1]:465", ""]
)
def test_supported_smtp_urls_load(tmp_path: Path, url: str) -> None:
    settings = load_settings(write(tmp_path, f'[email]\nsmtp_url = "{url}"\n'))
    assert settings.email.smtp_url is not None
    assert settings.email.smtp_url.get_secret_value() == url


def test_a_bad_smtp_url_never_shows_its_password(tmp_path: Path) -> None:
    path = write(tmp_path, '[email]\nsmtp_url = "gopher://bot:Hunter2-secret@x"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "Hunter2" not in str(info.value)
    path = write(tmp_path, '[email]\nsmtp_url = "smtp://bot:Hunter2-secret@h:port"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "Hunter2" not in str(info.value)


def test_the_config_accepts_exactly_the_schemes_delivery_supports() -> None:
    from alerts.smtp import DEFAULT_PORTS
    from monitor.config.types import SMTP_SCHEMES

    assert set(SMTP_SCHEMES) == set(DEFAULT_PORTS)


def test_bad_dedup_value_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSMON_DEDUP__LSH_ROWS", "20")
    with pytest.raises(
        ConfigError,
        match=r"^environment variable NEWSMON_DEDUP__LSH_ROWS: \[dedup\] lsh_rows: .*exceeds",
    ):
        load_settings()


def test_the_dedup_section_is_the_engines_settings(tmp_path: Path) -> None:
    """Declared once: what [dedup] loads is what the dedup engine runs with."""
    from monitor.dedup import DedupSettings

    settings = load_settings(write(tmp_path, "[dedup]\nnum_perm = 64\nlsh_bands = 8\n"))
    assert isinstance(settings.dedup, DedupSettings)
    assert (settings.dedup.num_perm, settings.dedup.lsh_bands) == (64, 8)
    assert settings.dedup.minhash_seed == 1  # part of the signature format, not a knob
