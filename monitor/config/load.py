"""Reading the configuration: file, then environment, then one clear line if anything is wrong."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_settings import SettingsError

from monitor.config.settings import ENV_CONFIG, ENV_NOT_SETTINGS, ENV_PREFIX, Settings
from monitor.defaults import DEFAULT_CONFIG_NAME
from monitor.errors import ConfigError


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
    except SettingsError as exc:  # a NEWSMON_* value that should be JSON and is not
        raise _env_json_error(exc) from None
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


def _env_json_error(exc: SettingsError) -> ConfigError:
    """``NEWSMON_TOPICS='[oops'`` -> ``environment variable NEWSMON_TOPICS: not valid JSON``.

    A whole section or list from the environment is JSON; pydantic-settings
    reports the field and keeps the decoder's error as the cause.
    """
    found = re.search(r'field "([^"]+)"', str(exc))
    field = found[1] if found else None
    name = ENV_PREFIX + field.upper() if field else f"{ENV_PREFIX}*"
    cause = exc.__cause__
    detail = f"not valid JSON ({cause})" if isinstance(cause, ValueError) else str(cause or exc)
    annotation = Settings.model_fields[field].annotation if field in Settings.model_fields else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        detail += f"; or set one key, e.g. {name}__{next(iter(annotation.model_fields)).upper()}"
    return ConfigError(f"environment variable {name}", detail)


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
