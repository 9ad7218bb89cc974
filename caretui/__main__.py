"""``python -m caretui``: the same as the ``caretui`` command."""

from caretui.entry import main

main()
