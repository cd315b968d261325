"""Every setting, declared once, with its default and help text: the registry.

``docs/configuration.md`` and ``newsmon.example.toml`` document what is
declared here; ``tests/monitor/test_config.py`` fails when either misses a key.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor.config.dedup import DedupSettings
from monitor.config.types import (
    CronExpression,
    EmailAddress,
    NotifyUrl,
    RecipientName,
    Seconds,
    SmtpUrl,
    TimeZoneName,
)
from monitor.defaults import DEFAULT_FEEDS, DEFAULT_TOPICS
from monitor.seeds import DEFAULT_MAX_BYTES as DEFAULT_SEED_MAX_BYTES

ENV_PREFIX = "NEWSMON_"
ENV_CONFIG = "NEWSMON_CONFIG"
# Variables with the prefix that are not settings; anything else with the
# prefix that matches no setting is reported as a typo.
ENV_NOT_SETTINGS = frozenset(
    # the test suite's: a PostgreSQL to test on; the browser tests' chromium (.ci/run)
    {
        ENV_CONFIG,
        "NEWSMON_TEST_DATABASE_URL",
        "NEWSMON_TEST_BROKER_URL",
        "NEWSMON_BROWSER",
        "NEWSMON_REQUIRE_BROWSER",
    }
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DatabaseSettings(_Section):
    url: str = Field(
        "sqlite:///newsmon.db",
        description="SQLAlchemy URL of the database. SQLite paths are relative to the "
        "working directory; PostgreSQL: postgresql+psycopg://user@host/dbname.",
    )
    busy_timeout: float = Field(
        30.0,
        gt=0,
        description="How long a write waits for another process's lock on the database "
        "(seconds) before the command fails with one line; SQLite busy timeout, "
        "PostgreSQL lock_timeout.",
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
    max_bytes: int = Field(
        DEFAULT_SEED_MAX_BYTES,
        ge=1024,
        description="Largest seed file read, in bytes (for .jsonl: the whole file). A bigger "
        "file is skipped with a one-line warning: seeds are re-read at every start.",
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
    public_only: bool = Field(
        False,
        description="Fetch feeds, redirects and article pages from public addresses only "
        "(checked on every address a host resolves to). Turn it on when someone other than "
        "you chooses feeds or their content. See docs/configuration.md, 'Internal addresses'.",
    )


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
    smtp_url: SmtpUrl | None = Field(
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
    email: EmailAddress | None = Field(
        None,
        description="Address the digest goes to; may be left out when notify is set "
        "(then name identifies the recipient).",
    )
    name: RecipientName | None = Field(
        None,
        description="Who this is, for a recipient without an address (notifications only): "
        "what --recipient and the stored digests call them.",
    )
    notify: list[NotifyUrl] = Field(
        default_factory=list,
        description="Apprise URLs of chat or push channels (slack://, ntfys://, tgram://, ...) "
        "that get a short message each digest round; they hold secrets: prefer the "
        "environment. See docs/notifications.md.",
    )
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

    @model_validator(mode="after")
    def _identified(self) -> RecipientSettings:
        """Without an address, a recipient needs a name (to be stored under) and a channel
        (or they would get nothing at all)."""
        if self.email is None and (self.name is None or not self.notify):
            raise ValueError("give an email address, or a name and at least one notify URL")
        return self


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


class WebSettings(_Section):
    """The web console (served on the control endpoint's port) and the links in digests."""

    base_url: str | None = Field(
        None,
        description="Address at which readers reach the console, e.g. "
        "'https://news.example.org/newsmon' behind a reverse proxy. When set, digests carry "
        "signed one-click links (not new, mute story, unsubscribe) and List-Unsubscribe "
        "headers; unset, they carry none.",
    )
    password_hash: SecretStr | None = Field(
        None,
        description="Hash of the console's password, from `newsmon web hash-password`. "
        "Required when [daemon] control_host is not a loopback address: the console then "
        "asks for a login, and the daemon refuses to start without this.",
    )
    link_ttl: Seconds = Field(
        30 * 86400, description="How long a signed link in a digest keeps working."
    )
    session_ttl: Seconds = Field(
        7 * 86400, description="How long a console login lasts without being used."
    )

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) address: {value!r}")
        if parts.query or parts.fragment:
            raise ValueError(f"a base address takes no query or fragment: {value!r}")
        return value.strip().rstrip("/")


class QueueSettings(_Section):
    """Queue mode: `newsmon run` schedules, `newsmon worker` processes poll (docs/queue.md)."""

    broker_url: SecretStr | None = Field(
        None,
        description="Celery broker, e.g. amqp://guest:guest@127.0.0.1:5672// (RabbitMQ) or "
        "redis://127.0.0.1:6379/0. Set, `newsmon run` only schedules and `newsmon worker` "
        "processes poll, classify and send digests; needs a PostgreSQL [database] url. "
        "Unset (the default): one process does everything.",
    )
    prefix: str = Field(
        "newsmon",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Start of the queue names (<prefix>.poll, <prefix>.classify, "
        "<prefix>.digest), so that several deployments can share one broker.",
    )
    batch_size: int = Field(
        50, ge=1, description="Feeds per poll task (a host with more due feeds gets one batch)."
    )
    lease: Seconds = Field(
        600,
        description="A batch sent to the workers and not done by then is sent again (a worker "
        "died, the broker lost it); its feeds are not sent twice before.",
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
    dedup: DedupSettings = Field(
        default_factory=DedupSettings,
        description="How duplicates, stories and new developments are recognised.",
    )
    daemon: DaemonSettings = Field(
        default_factory=DaemonSettings,
        description="The background service `newsmon run`: schedule, control endpoint, shutdown.",
    )
    web: WebSettings = Field(
        default_factory=WebSettings,
        description="The web console and the one-click links in digests.",
    )
    queue: QueueSettings = Field(
        default_factory=QueueSettings,
        description="Queue mode: Celery workers over RabbitMQ or Redis (docs/queue.md).",
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
