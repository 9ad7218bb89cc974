"""The ``caretui`` executable's entry point.

``caretui count`` sits in shell prompts and tmux status lines, where every
millisecond of start-up is paid on each redraw, and ``caretui`` itself should
paint Today as soon as it can; importing click alone costs about 15 ms. So a
plain ``caretui count`` line (only ``--db``, ``--date`` and ``--what``, each
once) and a bare ``caretui [--db PATH]`` are parsed here and run without click.
Anything else, ``--help`` or a mistake included, goes to the click CLI in
``caretui.cli``, which gives the usual help and error messages.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

_COUNT_OPTIONS = {"--db": "db_path", "--date": "date_text", "--what": "what"}


def parse_count(args: list[str]) -> dict[str, str | None] | None:
    """The options of ``caretui count …`` as keyword arguments, or None when the
    line is anything but a plain use of the three options (click handles it)."""
    found: dict[str, str | None] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name not in _COUNT_OPTIONS or _COUNT_OPTIONS[name] in found:
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        found[_COUNT_OPTIONS[name]] = value
        i += 1
    if found.get("what", "all") not in ("overdue", "today", "all"):
        return None
    if not found.get("db_path"):
        # click reads CARETUI_DB for --db; an empty value means "not given" there too
        found["db_path"] = os.environ.get("CARETUI_DB") or None
    found.setdefault("date_text", None)
    found.setdefault("what", "all")
    return found


def _guarded(run: Callable[[], object]) -> int:
    """Run ``run``; an error is one line on stderr, as through click's CLI."""
    from caretui.errors import CaretuiError

    os.umask(0o077)  # opening may migrate and back up: files stay the owner's
    try:
        run()
    except CaretuiError as exc:
        print(f"caretui: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("caretui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (a status bar, ``| head``): stop quietly, as the CLI does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:
        from caretui.crash import write_report

        path = write_report(exc)
        print(
            f"caretui: unexpected error ({type(exc).__name__}); a report without patient "
            f"data was saved to {path}",
            file=sys.stderr,
        )
        return 70
    return 0


def _count(options: dict[str, str | None]) -> None:
    from caretui.commands.counting import count_number

    print(count_number(options["db_path"], options["date_text"], options["what"] or "all"))


def parse_open(args: list[str]) -> dict[str, str | None] | None:
    """``caretui`` or ``caretui --db PATH``: the TUI on a caseload; None for anything else."""
    if not args:
        return {"db_path": os.environ.get("CARETUI_DB") or None}
    name, eq, value = args[0].partition("=")
    if name != "--db" or (eq and len(args) != 1) or (not eq and len(args) != 2):
        return None
    return {"db_path": (value if eq else args[1]) or None}


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["count"]:
        options = parse_count(args[1:])
        if options is not None:
            sys.exit(_guarded(lambda: _count(options)))
    opening = parse_open(args)
    if opening is not None:
        from caretui.launch import open_tui

        sys.exit(_guarded(lambda: open_tui(opening["db_path"])))
    from caretui.cli import main as cli_main

    cli_main()
