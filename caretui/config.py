"""The user's settings: a TOML file in the platform's config folder.

Standard library only (``tomllib``); written back with ``tomli_w`` when the
TUI saves a choice such as the theme. ``CARETUI_CONFIG`` names another file.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caretui.errors import CaretuiError

DEFAULT_QUEUES = ("calls", "referrals", "paperwork", "insurance", "follow-up")


class ConfigError(CaretuiError):
    exit_code = 2


def config_path() -> Path:
    env = os.environ.get("CARETUI_CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("caretui", appauthor=False)) / "config.toml"


@dataclass(frozen=True)
class Config:
    coordinator_name: str = ""
    queues: tuple[str, ...] = DEFAULT_QUEUES
    #: Medications whose refill falls due within this many days show on Today.
    refill_window_days: int = 7
    theme: str = "textual-dark"
    idle_lock_minutes: int = 15
    backups_daily: int = 7
    backups_weekly: int = 4
    #: Triage coefficients overriding the defaults in services.triage (name -> weight).
    urgency: dict[str, float] = field(default_factory=dict)


_INT_FIELDS = ("refill_window_days", "idle_lock_minutes", "backups_daily", "backups_weekly")


def parse(data: dict[str, Any], source: str = "config") -> Config:
    known = {f.name for f in dataclasses.fields(Config)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting {unknown[0]!r}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "queues":
            if not (
                isinstance(value, list)
                and value
                and all(isinstance(q, str) and q.strip() and len(q) <= 40 for q in value)
            ):
                raise ConfigError(f"{source}: queues must be a list of names")
            values[key] = tuple(q.strip() for q in value)
        elif key in _INT_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{source}: {key} must be a whole number of 0 or more")
            values[key] = value
        elif key == "urgency":
            if not isinstance(value, dict) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
            ):
                raise ConfigError(f"{source}: urgency must be a table of numbers")
            values[key] = {str(k): float(v) for k, v in value.items()}
        else:
            if not isinstance(value, str):
                raise ConfigError(f"{source}: {key} must be text")
            values[key] = value
    return Config(**values)


def load(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse(data, str(path))


def save_setting(key: str, value: Any, path: Path | None = None) -> None:
    """Change one setting in the file, keeping the others; written atomically, 0600."""
    import tomli_w

    from caretui.store.files import ensure_private_dir, private_umask

    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        data = {}
    data[key] = value
    parse(data, str(path))
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with private_umask():
        tmp.write_text(tomli_w.dumps(data), "utf-8")
    os.replace(tmp, path)
