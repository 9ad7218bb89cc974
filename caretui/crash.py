"""Reports of unexpected errors that never carry patient data.

A traceback's message and local variables may hold names or notes; the report
keeps only the exception's type and where it happened (file, line, function).
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

from caretui import __version__


def report_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("caretui", appauthor=False)) / "crash-reports"


def describe(exc: BaseException) -> str:
    """The exception's type and stack, file:line:function only; no message, no values."""
    lines = [f"caretui {__version__}", f"{type(exc).__module__}.{type(exc).__qualname__}"]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"-- {type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {Path(frame.filename).name}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines) + "\n"


def write_report(exc: BaseException, folder: Path | None = None) -> Path:
    folder = folder or report_dir()
    old = os.umask(0o077)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
        path.write_text(describe(exc), "utf-8")
    finally:
        os.umask(old)
    return path
