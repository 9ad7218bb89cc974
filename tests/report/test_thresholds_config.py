"""The care-management thresholds setting: both TOML shapes, the default, each refusal."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from caretui import config
from caretui.config import DEFAULT_THRESHOLDS, Config, ConfigError, Threshold


def parse_toml(text: str) -> Config:
    return config.parse(tomllib.loads(text), "config.toml")


def test_default() -> None:
    assert Config().care_management_thresholds == (
        Threshold(20, "CCM 20"),
        Threshold(40, "CCM 40"),
        Threshold(60, "CCM 60"),
    )
    assert Config().care_management_thresholds is DEFAULT_THRESHOLDS


def test_array_of_tables_sorted_by_minutes() -> None:
    settings = parse_toml(
        """
[[care_management_thresholds]]
minutes = 60
label = "CCM complex"

[[care_management_thresholds]]
minutes = 20
label = " CCM 99490 "
"""
    )
    assert settings.care_management_thresholds == (
        Threshold(20, "CCM 99490"),
        Threshold(60, "CCM complex"),
    )


def test_table_of_minutes_to_label() -> None:
    settings = parse_toml('care_management_thresholds = { 40 = "Add-on", 20 = "Basic" }')
    assert settings.care_management_thresholds == (Threshold(20, "Basic"), Threshold(40, "Add-on"))


def test_other_settings_untouched() -> None:
    settings = parse_toml('theme = "nord"\ncare_management_thresholds = { 30 = "Thirty" }')
    assert (settings.theme, settings.queues) == ("nord", config.DEFAULT_QUEUES)


WHERE = "config.toml: care_management_thresholds"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "care_management_thresholds = 20",
            f'{WHERE} must be a list of {{minutes = 20, label = "CCM 20"}} tables, '
            "or a table of minutes to label",
        ),
        ("care_management_thresholds = []", f"{WHERE}: give at least one threshold"),
        ("care_management_thresholds = {}", f"{WHERE}: give at least one threshold"),
        (
            "care_management_thresholds = [{minutes = 20}]",
            f"{WHERE}: entry 1 must have exactly two keys, minutes and label",
        ),
        (
            'care_management_thresholds = [{minutes = 20, label = "A", code = "x"}]',
            f"{WHERE}: entry 1 must have exactly two keys, minutes and label",
        ),
        (
            'care_management_thresholds = [{minutes = 0, label = "A"}]',
            f"{WHERE}: minutes must be a whole number from 1 to 44640",
        ),
        (
            'care_management_thresholds = [{minutes = 20.5, label = "A"}]',
            f"{WHERE}: minutes must be a whole number from 1 to 44640",
        ),
        (
            'care_management_thresholds = [{minutes = true, label = "A"}]',
            f"{WHERE}: minutes must be a whole number from 1 to 44640",
        ),
        (
            'care_management_thresholds = [{minutes = 44641, label = "A"}]',
            f"{WHERE}: minutes must be a whole number from 1 to 44640",
        ),
        (
            'care_management_thresholds = { twenty = "A" }',
            f"{WHERE}: 'twenty' is not a number of minutes",
        ),
        (
            'care_management_thresholds = [{minutes = 20, label = "  "}]',
            f"{WHERE}: the threshold of 20 minutes needs a label",
        ),
        (
            "care_management_thresholds = [{minutes = 20, label = 3}]",
            f"{WHERE}: the threshold of 20 minutes needs a label",
        ),
        (
            f'care_management_thresholds = [{{minutes = 20, label = "{"x" * 41}"}}]',
            f"{WHERE}: the label of 20 minutes is longer than 40 characters",
        ),
        (
            'care_management_thresholds = [{minutes = 20, label = "A\\u001b[2J"}]',
            f"{WHERE}: the label of 20 minutes contains a control character",
        ),
        (
            'care_management_thresholds = [{minutes = 20, label = "A"}, '
            '{minutes = 20, label = "B"}]',
            f"{WHERE}: 20 minutes is given twice",
        ),
        (
            "care_management_thresholds = ["
            + ", ".join(f'{{minutes = {n}, label = "L{n}"}}' for n in range(1, 14))
            + "]",
            f"{WHERE}: at most 12 thresholds",
        ),
    ],
)
def test_refused(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_toml(value)
    assert str(info.value) == message


def test_loaded_from_the_file(isolated_home: Path) -> None:
    path = isolated_home / "custom.toml"
    path.write_text('care_management_thresholds = { 25 = "Twenty-five" }\n', "utf-8")
    assert config.load(path).care_management_thresholds == (Threshold(25, "Twenty-five"),)


def test_saving_another_setting_keeps_the_thresholds(isolated_home: Path) -> None:
    path = isolated_home / "saved.toml"
    path.write_text('care_management_thresholds = { 25 = "Twenty-five" }\n', "utf-8")
    config.save_setting("theme", "nord", path)
    loaded: Any = config.load(path)
    assert (loaded.theme, loaded.care_management_thresholds) == (
        "nord",
        (Threshold(25, "Twenty-five"),),
    )
