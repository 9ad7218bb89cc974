"""Reports of unexpected errors that never carry patient data.

A traceback's message and local variables may hold names or notes; the report
keeps only the exception's type and where it happened (file, line, function).

An error can arrive wrapped: Textual's ``WorkerFailed`` keeps the worker's real
exception in ``.error`` (made outside any ``raise``, so it has no traceback and no
``__cause__``), an exception group keeps its members in ``.exceptions``. The report
follows these as well as ``__cause__`` / ``__context__``, names the innermost error
and the last caretui line it passed through (``where``), and lists every stack.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from caretui import __version__

#: The caretui package's folder: its files are named from ``caretui/``.
_PACKAGE = Path(__file__).resolve().parent
#: Attributes through which a wrapper holds the exception it wraps (WorkerFailed.error).
_WRAPPED = ("error",)


def report_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("caretui", appauthor=False)) / "crash-reports"


def _inner(exc: BaseException) -> list[BaseException]:
    """The exceptions ``exc`` wraps or was raised from, nearest first."""
    found: list[BaseException] = []
    for name in _WRAPPED:
        wrapped = getattr(exc, name, None)
        if isinstance(wrapped, BaseException):
            found.append(wrapped)
    members = getattr(exc, "exceptions", None)  # an ExceptionGroup
    if isinstance(exc, BaseExceptionGroup) and isinstance(members, tuple):
        found.extend(m for m in members if isinstance(m, BaseException))
    if exc.__cause__ is not None:
        found.append(exc.__cause__)
    elif exc.__context__ is not None:  # even when suppressed: a type and lines only
        found.append(exc.__context__)
    return found


def chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it wraps or was raised from, each once, outermost first."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(_inner(current))


def root_error(exc: BaseException) -> BaseException:
    """The error behind ``exc``: what a ``WorkerFailed`` (or any wrapper) wraps, else
    what it was raised from, else ``exc``. For the one-line message on exit."""
    current, seen = exc, {id(exc)}
    while True:
        inner = [e for e in _inner(current) if id(e) not in seen]
        if not inner:
            return current
        current = inner[0]
        seen.add(id(current))


def type_name(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


def _place(filename: str) -> str:
    """``caretui/screens/appointments.py`` for this package's files, the file's name
    (``worker.py``) for any other: no home folder, no user name."""
    path = Path(filename)
    try:
        return "caretui/" + path.resolve().relative_to(_PACKAGE).as_posix()
    except (OSError, ValueError):
        return path.name


def _frames(exc: BaseException) -> list[str]:
    return [
        f"{_place(frame.filename)}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(exc.__traceback__)
    ]


def describe(exc: BaseException) -> str:
    """The exception's type and stack, file:line:function only; no message, no values.

    Wrapped errors (``WorkerFailed.error``) and causes are followed: the report names
    the innermost error (``error:``) and the last caretui line it passed (``where:``)."""
    root = root_error(exc)
    lines = [f"caretui {__version__}", type_name(exc)]
    if root is not exc:
        lines.append(f"error: {type_name(root)}")
    where = [f for e in chain(exc) for f in _frames(e) if f.startswith("caretui/")]
    if where:
        lines.append(f"where: {_last_caretui(root) or where[-1]}")
    for current in chain(exc):
        lines.append(f"-- {type(current).__qualname__}")
        lines.extend(f"  {frame}" for frame in _frames(current))
    return "\n".join(lines) + "\n"


def _last_caretui(exc: BaseException) -> str | None:
    mine = [f for f in _frames(exc) if f.startswith("caretui/")]
    return mine[-1] if mine else None


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
