"""The layers stay apart: no Textual below the screens, no SQLAlchemy on the read side."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "caretui"


def modules_under(sub: str) -> list[str]:
    return sorted(
        "caretui."
        + ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        for p in (PACKAGE / sub).rglob("*.py")
    )


def loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import sys, importlib\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return {line.split(".")[0] for line in out.split()}


@pytest.mark.parametrize("layer", ["models", "services", "queries", "store"])
def test_no_textual_below_the_screens(layer: str) -> None:
    assert "textual" not in loaded_after_import(modules_under(layer))


def test_read_side_imports_no_sqlalchemy() -> None:
    loaded = loaded_after_import(
        [
            *modules_under("queries"),
            "caretui.store.database",
            "caretui.services.dates",
            "caretui.services.text",
        ]
    )
    assert "sqlalchemy" not in loaded
    assert "alembic" not in loaded
    assert "textual" not in loaded
