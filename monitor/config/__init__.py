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

from monitor.config.dedup import DedupSettings
from monitor.config.load import (
    check_recipient_topics,
    iter_setting_names,
    load_settings,
    resolve_config_path,
)
from monitor.config.settings import (
    ENV_CONFIG,
    ENV_NOT_SETTINGS,
    ENV_PREFIX,
    DaemonSettings,
    DatabaseSettings,
    DigestSettings,
    EmailSettings,
    FeedSettings,
    FetchSettings,
    RecipientSettings,
    SeedSettings,
    Settings,
    TopicSettings,
)
from monitor.config.types import (
    CronExpression,
    EmailAddress,
    Seconds,
    TimeZoneName,
    parse_duration,
)

__all__ = [
    "ENV_CONFIG",
    "ENV_NOT_SETTINGS",
    "ENV_PREFIX",
    "CronExpression",
    "DaemonSettings",
    "DatabaseSettings",
    "DedupSettings",
    "DigestSettings",
    "EmailAddress",
    "EmailSettings",
    "FeedSettings",
    "FetchSettings",
    "RecipientSettings",
    "Seconds",
    "SeedSettings",
    "Settings",
    "TimeZoneName",
    "TopicSettings",
    "check_recipient_topics",
    "iter_setting_names",
    "load_settings",
    "parse_duration",
    "resolve_config_path",
]
