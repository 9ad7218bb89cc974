"""The user's settings: a TOML file in the platform's config folder.

Standard library only (``tomllib``); written back with ``tomli_w`` when the
TUI saves a choice such as the theme. ``CARETUI_CONFIG`` names another file.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from caretui.errors import CaretuiError

DEFAULT_QUEUES = ("calls", "referrals", "paperwork", "insurance", "follow-up")


class Threshold(NamedTuple):
    """A care-management billing threshold: minutes in one calendar month, and its label."""

    minutes: int
    label: str


#: The US chronic-care-management steps: 20 minutes, then 40 and 60.
DEFAULT_THRESHOLDS = (
    Threshold(20, "CCM 20"),
    Threshold(40, "CCM 40"),
    Threshold(60, "CCM 60"),
)
#: Most minutes a threshold may ask for: every minute of a 31-day month.
MAX_THRESHOLD_MINUTES = 31 * 24 * 60
MAX_THRESHOLDS = 12
MAX_THRESHOLD_LABEL = 40


#: Business days a receiver has to answer a referral, by urgency, from the day it is sent.
DEFAULT_REFERRAL_RESPONSE_DAYS: dict[str, int] = {"stat": 2, "asap": 2, "urgent": 5, "routine": 10}
MAX_RESPONSE_DAYS = 120


class ConfigError(CaretuiError):
    exit_code = 2


def config_path() -> Path:
    env = os.environ.get("CARETUI_CONFIG")
    if env:
        return Path(env).expanduser()
    from caretui.store.files import xdg_dir

    base = xdg_dir("XDG_CONFIG_HOME", ".config")  # no platformdirs import on Linux
    if base is not None:
        return base / "caretui" / "config.toml"
    import platformdirs

    return Path(platformdirs.user_config_dir("caretui", appauthor=False)) / "config.toml"


class Config(NamedTuple):
    """The settings. A ``NamedTuple`` (immutable, light), not a dataclass:
    ``caretui count`` reads it in shell prompts, where importing ``dataclasses``
    alone costs ~7 ms."""

    coordinator_name: str = ""
    queues: tuple[str, ...] = DEFAULT_QUEUES
    #: Medications whose refill falls due within this many days show on Today.
    refill_window_days: int = 7
    theme: str = "textual-dark"
    idle_lock_minutes: int = 15
    backups_daily: int = 7
    backups_weekly: int = 4
    #: Triage coefficients overriding the defaults in services.triage (name -> weight).
    urgency: Mapping[str, float] = MappingProxyType({})
    #: Minutes per calendar month that care-management billing counts against, each
    #: with its label, lowest first. In the file, an array of tables::
    #:
    #:     [[care_management_thresholds]]
    #:     minutes = 20
    #:     label = "CCM 20"
    #:
    #: or one table of minutes to label: ``care_management_thresholds = {20 = "CCM 20"}``.
    care_management_thresholds: tuple[Threshold, ...] = DEFAULT_THRESHOLDS
    #: Business days to wait for an answer to a referral, by urgency (stat, asap,
    #: urgent, routine); a table in the file, e.g. ``{routine = 15}``, overrides some.
    referral_response_days: Mapping[str, int] = MappingProxyType(
        dict(DEFAULT_REFERRAL_RESPONSE_DAYS)
    )
    #: A directory entry not verified for this many days is marked stale.
    resource_stale_days: int = 180
    #: A patient is marked unable to reach after this many unsuccessful attempts …
    unable_to_reach_attempts: int = 3
    #: … spread over at least this many days, with no contact in between.
    unable_to_reach_days: int = 14


_INT_FIELDS = ("refill_window_days", "idle_lock_minutes", "backups_daily", "backups_weekly")
#: Settings that must be a whole number of 1 or more.
_POSITIVE_FIELDS = ("resource_stale_days", "unable_to_reach_attempts", "unable_to_reach_days")


def parse(data: dict[str, Any], source: str = "config") -> Config:
    known = set(Config._fields)
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
        elif key in _POSITIVE_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
                raise ConfigError(f"{source}: {key} must be a whole number from 1 to 10000")
            values[key] = value
        elif key == "referral_response_days":
            values[key] = parse_response_days(value, f"{source}: {key}")
        elif key == "care_management_thresholds":
            values[key] = parse_thresholds(value, f"{source}: {key}")
        else:
            if not isinstance(value, str):
                raise ConfigError(f"{source}: {key} must be text")
            values[key] = value
    return Config(**values)


def parse_response_days(value: Any, where: str) -> dict[str, int]:
    """Business days per urgency: the defaults, with those the table names replaced."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of urgency = business days")
    out = dict(DEFAULT_REFERRAL_RESPONSE_DAYS)
    for key, days in value.items():
        name = str(key).strip()
        if name not in out:
            shown = name if len(name) <= 20 else name[:17] + "..."
            raise ConfigError(f"{where}: {shown!r} is not one of: {', '.join(out)}")
        if (
            not isinstance(days, int)
            or isinstance(days, bool)
            or not 1 <= days <= MAX_RESPONSE_DAYS
        ):
            raise ConfigError(
                f"{where}: {name} must be a whole number of business days "
                f"from 1 to {MAX_RESPONSE_DAYS}"
            )
        out[name] = days
    return out


def parse_thresholds(value: Any, where: str) -> tuple[Threshold, ...]:
    """Thresholds from an array of ``{minutes, label}`` tables or a table of minutes to
    label; sorted by minutes. ``ConfigError`` says what is wrong with which entry."""
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        for key, label in value.items():
            try:
                minutes: Any = int(str(key).strip())
            except ValueError:
                raise ConfigError(
                    f"{where}: {str(key)[:20]!r} is not a number of minutes"
                ) from None
            pairs.append((minutes, label))
    elif isinstance(value, list):
        for n, entry in enumerate(value, start=1):
            if not isinstance(entry, dict) or set(entry) != {"minutes", "label"}:
                raise ConfigError(
                    f"{where}: entry {n} must have exactly two keys, minutes and label"
                )
            pairs.append((entry["minutes"], entry["label"]))
    else:
        raise ConfigError(
            f'{where} must be a list of {{minutes = 20, label = "CCM 20"}} tables, '
            "or a table of minutes to label"
        )
    if not pairs:
        raise ConfigError(f"{where}: give at least one threshold")
    if len(pairs) > MAX_THRESHOLDS:
        raise ConfigError(f"{where}: at most {MAX_THRESHOLDS} thresholds")
    out: list[Threshold] = []
    for minutes, label in pairs:
        if (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 1 <= minutes <= MAX_THRESHOLD_MINUTES
        ):
            raise ConfigError(
                f"{where}: minutes must be a whole number from 1 to {MAX_THRESHOLD_MINUTES}"
            )
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(f"{where}: the threshold of {minutes} minutes needs a label")
        label = label.strip()
        if len(label) > MAX_THRESHOLD_LABEL:
            raise ConfigError(
                f"{where}: the label of {minutes} minutes is longer than "
                f"{MAX_THRESHOLD_LABEL} characters"
            )
        if any(unicodedata.category(ch) == "Cc" for ch in label):
            raise ConfigError(
                f"{where}: the label of {minutes} minutes contains a control character"
            )
        if any(t.minutes == minutes for t in out):
            raise ConfigError(f"{where}: {minutes} minutes is given twice")
        out.append(Threshold(minutes, label))
    return tuple(sorted(out, key=lambda t: t.minutes))


def load(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}") from None
    import tomllib  # only when there is a file: ``caretui count`` runs in prompts

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse(data, str(path))


def save_setting(key: str, value: Any, path: Path | None = None) -> None:
    """Change one setting in the file, keeping the others; written atomically, 0600."""
    import tomllib

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
