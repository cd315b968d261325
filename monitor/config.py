"""Configuration: one TOML file, overridable key by key from the environment.

Why this shape: an operator keeps the stable part (feeds, topics) in
``newsmon.toml`` and injects what differs per machine or must stay secret
(database URL, SMTP password) as ``NEWSMON_<SECTION>__<KEY>`` variables.
Every setting is declared once here, with its help text; that registry is
what ``docs/configuration.md`` and ``newsmon.example.toml`` document, and a
test fails when either misses a key.

A bad value never reaches the rest of the program: :func:`load_settings`
turns any problem into one :class:`~monitor.errors.ConfigError` line naming
the file (or environment variable), the key and what is wrong.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor.defaults import DEFAULT_CONFIG_NAME, DEFAULT_FEEDS, DEFAULT_TOPICS
from monitor.errors import ConfigError

ENV_PREFIX = "NEWSMON_"
ENV_CONFIG = "NEWSMON_CONFIG"
# Variables with the prefix that are not settings; anything else with the
# prefix that matches no setting is reported as a typo.
ENV_NOT_SETTINGS = frozenset({ENV_CONFIG, "NEWSMON_TEST_DATABASE_URL"})

_DURATION_RE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: object) -> object:
    """Accept ``900``, ``"900"``, ``"15m"``, ``"1h30m"`` or ``"2d"``; return seconds.

    Anything else is passed through for pydantic to reject with its own message.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        matches = list(_DURATION_RE.finditer(text))
        if matches and "".join(m.group(0) for m in matches).replace(" ", "") == text.replace(
            " ", ""
        ):
            return int(sum(float(m["n"]) * _UNIT_SECONDS[m["unit"].lower()] for m in matches))
        raise ValueError(f"not a duration: {value!r} (use seconds, or e.g. '15m', '1h30m', '2d')")
    return value


Seconds = Annotated[int, BeforeValidator(parse_duration), Field(ge=1)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DatabaseSettings(_Section):
    url: str = Field(
        "sqlite:///newsmon.db",
        description="SQLAlchemy URL of the database. SQLite paths are relative to the "
        "working directory; PostgreSQL: postgresql+psycopg://user@host/dbname.",
    )


class SeedSettings(_Section):
    dir: Path = Field(
        Path("seeds"),
        description="Folder of seed files (.txt, .md, .html, .jsonl): articles that are "
        "already known. Loaded at start; a file's stem is its seed id.",
    )
    include_bundled: bool = Field(
        True,
        description="Also load the seed corpus shipped with newsmon (five articles, two stories).",
    )


class FeedSettings(_Section):
    url: str = Field(description="Address of the RSS, Atom or RDF feed.")
    name: str | None = Field(None, description="Display name; defaults to the feed's own title.")
    interval: Seconds | None = Field(
        None,
        description="How often to poll this feed (seconds, or '15m', '1h'); defaults to "
        "[fetch] interval.",
    )
    full_text: bool = Field(
        False,
        description="Fetch each article's page and extract its main text, for feeds that "
        "carry only a headline and a line.",
    )
    enabled: bool = Field(True, description="Set to false to keep the feed but stop polling it.")
    languages: list[str] = Field(
        default_factory=list,
        description="ISO 639-1 codes of the entries to keep from this feed (detected per "
        "entry); empty means any language. See docs/topics.md, 'Languages'.",
    )


class TopicSettings(_Section):
    name: str = Field(description="Name shown in digests and exports, e.g. 'NATO'.")
    query: str = Field(
        description='Keyword query: words, "exact phrases", OR, -exclusions, (groups), '
        "NEAR/n, title:/text: prefixes. See docs/topics.md."
    )
    languages: list[str] = Field(
        default_factory=list,
        description="ISO 639-1 codes the topic is restricted to; empty means any language.",
    )


class FetchSettings(_Section):
    interval: Seconds = Field(900, description="Default polling interval of a feed.")
    concurrency: int = Field(32, ge=1, description="Requests in flight at once, in all.")
    per_host: int = Field(4, ge=1, description="Requests in flight at once to one host.")
    timeout: float = Field(
        30.0, gt=0, description="Total deadline of one request, in seconds, body included."
    )
    connect_timeout: float = Field(10.0, gt=0, description="Deadline to connect, in seconds.")
    max_redirects: int = Field(5, ge=0, description="Redirects followed before giving up.")
    max_bytes: int = Field(
        10_000_000, ge=1024, description="Largest response body accepted, after decompression."
    )
    contact: str = Field(
        "https://github.com/newsmon/newsmon",
        description="URL or e-mail put in the User-Agent so feed operators can reach you.",
    )


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name such as 'Europe/Brussels')"
        ) from None
    return value


def _check_cron(value: str) -> str:
    from monitor.cron import cron_trigger

    try:
        cron_trigger(value)
    except ValueError as exc:
        raise ValueError(f"not a cron expression {value!r}: {exc}") from None
    return value


_EMAIL_RE = re.compile(r"[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+")


def _check_email(value: str) -> str:
    """A bare address (``you@example.org``): it goes into a To header and an SMTP envelope,
    so anything that could smuggle in another header or address is refused here."""
    value = value.strip()
    if not _EMAIL_RE.fullmatch(value):
        raise ValueError(f"not an e-mail address {value!r} (use e.g. 'you@example.org')")
    return value


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
CronExpression = Annotated[str, AfterValidator(_check_cron)]
EmailAddress = Annotated[str, AfterValidator(_check_email)]


class DigestSettings(_Section):
    schedule: CronExpression = Field(
        "0 7 * * *",
        description="When digests are sent: a cron expression (minute hour day month weekday).",
    )
    timezone: TimeZoneName = Field(
        "UTC", description="Time zone of the schedule, e.g. 'Europe/Brussels'."
    )
    send_empty: bool = Field(False, description="Send a digest even when nothing is new.")
    max_stories: int = Field(30, ge=1, description="Most stories in one digest; the rest counted.")


class EmailSettings(_Section):
    smtp_url: SecretStr | None = Field(
        None,
        description="SMTP server, e.g. smtp+starttls://user@mail.example.org:587. Empty: "
        "digests are written as .eml files to the outbox folder instead.",
    )
    password: SecretStr | None = Field(
        None,
        description="SMTP password, if not in smtp_url. Prefer NEWSMON_EMAIL__PASSWORD.",
    )
    sender: str = Field("newsmon@localhost", alias="from", description="From address of digests.")
    to: list[EmailAddress] = Field(
        default_factory=list,
        description="Recipients of the digest, each following every topic on the [digest] "
        "schedule. [[recipients]] tables choose topics and schedules per address.",
    )
    outbox: Path = Field(
        Path("outbox"), description="Folder for .eml files when no SMTP server is configured."
    )
    timeout: float = Field(
        30.0, gt=0, description="Seconds to wait for the SMTP server to connect or to answer."
    )
    tls_verify: bool = Field(
        True,
        description="Check the SMTP server's TLS certificate and host name. Prefer ca_file for "
        "a self-signed certificate; false accepts any certificate.",
    )
    ca_file: Path | None = Field(
        None,
        description="PEM file of the certificate authorities (or the self-signed certificate) "
        "to trust for the SMTP server, instead of the system's.",
    )
    max_attempts: int = Field(
        12,
        ge=1,
        description="Delivery attempts of one digest before it is given up; its items then "
        "go into the recipient's next digest.",
    )
    retry_delay: Seconds = Field(
        60,
        description="Wait before retrying a digest that could not be delivered; doubles "
        "with each failed attempt.",
    )
    retry_max_delay: Seconds = Field(21600, description="Longest wait between two attempts.")


class RecipientSettings(_Section):
    email: EmailAddress = Field(description="Address the digest goes to.")
    topics: list[str] = Field(
        default_factory=list,
        description="Names of the [[topics]] this recipient follows; empty means all topics.",
    )
    schedule: CronExpression | None = Field(
        None, description="When this recipient's digest is sent (cron); default [digest] schedule."
    )
    timezone: TimeZoneName | None = Field(
        None,
        description="Time zone of the schedule and of the dates in the digest; default "
        "[digest] timezone.",
    )


class DaemonSettings(_Section):
    tick: Seconds = Field(
        30,
        description="How often `newsmon run` looks for feeds that are due (each feed keeps its "
        "own interval); also how often failed digests are retried.",
    )
    control_host: str = Field(
        "127.0.0.1",
        description="Address of the control endpoint (triggers, /healthz, /metrics). Keep it "
        "on the loopback unless a firewall guards the port; triggers need the token anyway.",
    )
    control_port: int = Field(
        8765, ge=0, le=65535, description="Port of the control endpoint; 0 switches it off."
    )
    data_dir: Path = Field(
        Path(),
        description="Folder for the daemon's files: the control token (newsmon.token), "
        "readable only by its owner.",
    )
    shutdown_timeout: Seconds = Field(
        10,
        description="On SIGTERM/SIGINT, how long running work may take to finish before it is "
        "cancelled; a second signal exits at once.",
    )
    misfire_grace_time: Seconds = Field(
        3600,
        description="A digest whose time passed while the daemon was busy or asleep is still "
        "sent this late; older slots are sent once when the daemon starts.",
    )


class DedupConfig(_Section):
    """Thresholds of the dedup engine; mirrors ``monitor.dedup.DedupSettings`` (docs/dedup.md)."""

    num_perm: int = Field(
        128,
        ge=16,
        le=1024,
        description="MinHash values per article. Changing it recomputes every stored signature.",
    )
    shingle_size: int = Field(
        3,
        ge=1,
        le=8,
        description="Words per shingle for MinHash. Changing it recomputes every signature.",
    )
    quote_min_words: int = Field(
        6,
        ge=3,
        description="Words a quotation must share verbatim to count as the same quotation. "
        "Changing it recomputes every signature.",
    )
    lsh_bands: int = Field(
        10, ge=2, description="LSH bands; bands x rows must not exceed num_perm."
    )
    lsh_rows: int = Field(
        6,
        ge=1,
        description="MinHash values per LSH band. The LSH finds pairs above a Jaccard "
        "similarity of about (1/bands)^(1/rows): 0.68 with 10 x 6.",
    )
    near_duplicate_jaccard: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Estimated Jaccard similarity of shingles at which a known article is a "
        "near-duplicate.",
    )
    near_duplicate_containment: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Estimated share of one text's shingles found in the other (a summary in "
        "its source, a source inside a longer copy) that makes a near-duplicate.",
    )
    story_threshold: float = Field(
        1.14,
        ge=0,
        description="Story score (lead, words, phrases, names, quotations, dates) at which an "
        "article joins a known story. Lower: more articles join; higher: more new stories.",
    )
    date_window_days: float = Field(
        3.0, ge=0, description="Articles published this close count as evidence of one story."
    )
    date_max_gap_days: float = Field(
        21.0,
        ge=0,
        description="A story whose dated articles are all further than this from an article "
        "is not considered for it.",
    )
    max_candidates: int = Field(
        12, ge=1, description="Known articles scored in full by the story layer, per article."
    )
    candidate_terms: int = Field(
        24, ge=1, description="Rarest words of an article looked up to find those candidates."
    )
    novel_term_fraction: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share of a sentence's words the story has not used that makes it novel "
        "(with at least novel_min_terms such words).",
    )
    novel_min_terms: int = Field(
        4, ge=1, description="New words a sentence needs to be novel on words alone."
    )
    novel_fact_fraction: float = Field(
        0.4,
        ge=0,
        le=1,
        description="Share of new words with which one new name or number makes a sentence novel.",
    )
    novel_min_facts: int = Field(
        3, ge=1, description="New names and numbers that make a sentence novel on their own."
    )


class Settings(BaseSettings):
    """The whole configuration; see ``docs/configuration.md``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        populate_by_name=True,
    )

    database: DatabaseSettings = Field(
        default_factory=DatabaseSettings, description="Where newsmon keeps its state."
    )
    seeds: SeedSettings = Field(
        default_factory=SeedSettings, description="The corpus of already-known articles."
    )
    feeds: list[FeedSettings] = Field(
        default_factory=lambda: [FeedSettings.model_validate(f) for f in DEFAULT_FEEDS],
        description="Feeds to poll ([[feeds]] tables). Defaults to a few public news feeds.",
    )
    topics: list[TopicSettings] = Field(
        default_factory=lambda: [TopicSettings.model_validate(t) for t in DEFAULT_TOPICS],
        description="Topics to follow ([[topics]] tables). Default: NATO, Marco Rubio, Mark Rutte.",
    )
    fetch: FetchSettings = Field(default_factory=FetchSettings, description="How feeds are polled.")
    digest: DigestSettings = Field(
        default_factory=DigestSettings, description="When and what digests contain."
    )
    email: EmailSettings = Field(
        default_factory=EmailSettings, description="How digests are delivered."
    )
    recipients: list[RecipientSettings] = Field(
        default_factory=list,
        description="Digest recipients with their own topics and schedule ([[recipients]] "
        "tables), besides the addresses in [email] to.",
    )
    dedup: DedupConfig = Field(
        default_factory=DedupConfig,
        description="How duplicates, stories and new developments are recognised.",
    )
    daemon: DaemonSettings = Field(
        default_factory=DaemonSettings,
        description="The background service `newsmon run`: schedule, control endpoint, shutdown.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's content arrives as init kwargs; the environment wins over it.
        return (env_settings, init_settings)


def iter_setting_names(model: type[BaseModel] = Settings, prefix: str = "") -> Iterator[str]:
    """Yield every dotted setting name (``fetch.timeout``, ``feeds.url``, ...)."""
    for name, field in model.model_fields.items():
        key = field.alias or name
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        sub = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if sub is not None:
            yield from iter_setting_names(sub, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def resolve_config_path(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The file to read: ``--config``, else ``$NEWSMON_CONFIG``, else ``./newsmon.toml`` if any."""
    if explicit is not None:
        return explicit
    if environ.get(ENV_CONFIG):
        return Path(environ[ENV_CONFIG])
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.is_file() else None


def load_settings(path: Path | None = None) -> Settings:
    """Read the configuration, or raise :class:`ConfigError` with one line of explanation.

    Environment variables are read from :data:`os.environ`.
    """
    env = os.environ
    config_path = resolve_config_path(path, env)
    data: dict[str, Any] = {}
    source = str(config_path) if config_path else "defaults"
    if config_path is not None:
        try:
            with config_path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(source, "no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(source, f"cannot read: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(source, f"not valid TOML: {exc}") from exc
    _reject_unknown_env(env)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise _config_error(exc, source, env) from None
    check_recipient_topics(settings, source)
    return settings


def check_recipient_topics(settings: Settings, source: str = "configuration") -> None:
    """A recipient following a topic that is not configured would silently get nothing."""
    known = [t.name for t in settings.topics]
    for number, recipient in enumerate(settings.recipients, start=1):
        unknown = [name for name in recipient.topics if name not in known]
        if unknown:
            raise ConfigError(
                source,
                f"unknown topic {unknown[0]!r} (known: {', '.join(map(repr, known))})",
                key=f"[[recipients]] #{number} topics",
            )


def _reject_unknown_env(env: Mapping[str, str]) -> None:
    sections = set(Settings.model_fields)
    for name in env:
        if not name.startswith(ENV_PREFIX) or name in ENV_NOT_SETTINGS:
            continue
        section = name[len(ENV_PREFIX) :].split("__", 1)[0].lower()
        if section not in sections:
            raise ConfigError(
                f"environment variable {name}",
                f"unknown setting section {section!r} (known: {', '.join(sorted(sections))})",
            )


def _config_error(exc: ValidationError, source: str, env: Mapping[str, str]) -> ConfigError:
    errors = exc.errors()
    first = errors[0]
    loc = [str(p) for p in first["loc"]]
    env_name = ENV_PREFIX + "__".join(p.upper() for p in loc if not p.isdigit())
    if env_name in env or (len(loc) == 1 and ENV_PREFIX + loc[0].upper() in env):
        source = f"environment variable {env_name}"
    key = _format_key(loc)
    message = _describe(first)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ConfigError(source, message, key=key)


def _format_key(loc: list[str]) -> str:
    """``[feeds, 0, url]`` -> ``[[feeds]] #1 url``; ``[fetch, timeout]`` -> ``[fetch] timeout``."""
    if not loc:
        return "(top level)"
    if len(loc) == 1:
        return loc[0]
    if loc[1].isdigit():
        rest = " ".join(loc[2:])
        return f"[[{loc[0]}]] #{int(loc[1]) + 1}" + (f" {rest}" if rest else "")
    return f"[{loc[0]}] {'.'.join(loc[1:])}"


def _describe(error: Any) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    if kind != "value_error" and isinstance(given, str | int | float | bool):
        return f"{message[0].lower()}{message[1:]} (got {given!r})"
    return f"{message[0].lower()}{message[1:]}"
