"""The ``caretui`` executable's entry point.

``caretui count`` sits in shell prompts and tmux status lines, where every
millisecond of start-up is paid on each redraw; importing click alone costs
about 15 ms. So a plain ``caretui count`` line (only ``--db``, ``--date`` and
``--what``, each once) is parsed here and answered without click. Anything else,
``--help`` or a mistake included, goes to the click CLI in ``caretui.cli``,
which gives the usual help and error messages.
"""

from __future__ import annotations

import os
import sys

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


def _count(options: dict[str, str | None]) -> int:
    """Run the count; an error is one line on stderr, as through click."""
    from caretui.commands.counting import count_number
    from caretui.errors import CaretuiError

    os.umask(0o077)  # opening may migrate and back up: files stay the owner's
    try:
        number = count_number(options["db_path"], options["date_text"], options["what"] or "all")
    except CaretuiError as exc:
        print(f"caretui: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("caretui: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from caretui.crash import write_report

        path = write_report(exc)
        print(
            f"caretui: unexpected error ({type(exc).__name__}); a report without patient "
            f"data was saved to {path}",
            file=sys.stderr,
        )
        return 70
    print(number)
    return 0


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["count"]:
        options = parse_count(args[1:])
        if options is not None:
            sys.exit(_count(options))
    from caretui.cli import main as cli_main

    cli_main()
