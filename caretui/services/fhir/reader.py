"""Reading a Bundle's entries one at a time, without holding the whole file.

``json.load`` on a 200 MB bundle builds every resource at once (gigabytes of
Python objects). ``BundleReader`` walks the top-level object itself and hands
each element of ``entry`` to the standard library's C decoder as soon as it is
complete, so memory holds one entry and a buffer of the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
#: Characters read at a time; a value larger than the buffer doubles it.
CHUNK = 1 << 20


class MalformedJSON(Exception):
    """The file is not JSON (or not a JSON object) at ``line``, ``column``."""

    def __init__(self, message: str, line: int, column: int, entry: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.entry = entry


class BundleReader:
    """``entries()`` yields ``(index, entry)``; ``header`` holds the Bundle's other
    top-level values (``resourceType``, ``type`` …) once ``entries()`` is exhausted."""

    def __init__(self, stream: TextIO, *, chunk: int = CHUNK) -> None:
        self._stream = stream
        self._chunk = chunk
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._line = 1  # line and column of the buffer's first character
        self._column = 1
        self._entry: int | None = None
        self.header: dict[str, Any] = {}

    # -- the buffer ----------------------------------------------------------------------

    def _more(self, at_least: int = 0) -> bool:
        """Read more of the file into the buffer; False at the end of the file."""
        if self._eof:
            return False
        data = self._stream.read(max(self._chunk, at_least))
        if not data:
            self._eof = True
            return False
        if self._pos:
            dropped = self._buf[: self._pos]
            lines = dropped.count("\n")
            if lines:
                self._line += lines
                self._column = len(dropped) - dropped.rfind("\n")
            else:
                self._column += len(dropped)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        self._buf += data
        return True

    def _where(self, pos: int) -> tuple[int, int]:
        before = self._buf[:pos]
        lines = before.count("\n")
        if lines:
            return self._line + lines, pos - before.rfind("\n")
        return self._line, self._column + pos

    def _error(self, message: str, pos: int | None = None) -> MalformedJSON:
        line, column = self._where(self._pos if pos is None else pos)
        return MalformedJSON(message, line, column, self._entry)

    def _peek(self) -> str:
        while True:
            match = _WS.match(self._buf, self._pos)
            assert match is not None
            self._pos = match.end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def _take(self, char: str, what: str) -> None:
        if self._peek() != char:
            found = self._peek() or "the end of the file"
            raise self._error(f"expected {what}, found {found!r}")
        self._pos += 1

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                incomplete = exc.pos >= len(self._buf) - 8 or exc.msg.startswith("Unterminated")
                if incomplete and self._more(len(self._buf)):
                    continue
                raise self._error(exc.msg, exc.pos) from None
            except RecursionError:
                raise self._error("nested too deeply") from None
            if not isinstance(value, dict | list | str) and not self._eof:
                # A number or a literal may go on in what comes next ("3." then "25").
                following = self._buf[end : end + 1]
                if (not following or following in "0123456789.eE+-") and self._more():
                    continue
            self._pos = end
            return value

    # -- the bundle ----------------------------------------------------------------------

    def entries(self) -> Iterator[tuple[int, Any]]:
        if self._peek() != "{":
            raise self._error("a FHIR Bundle is a JSON object, starting with '{'")
        self._pos += 1
        if self._peek() == "}":
            self._pos += 1
        else:
            while True:
                key = self._value()
                if not isinstance(key, str):
                    raise self._error("expected a name in double quotes")
                self._take(":", "':'")
                if key == "entry":
                    yield from self._entries()
                else:
                    self.header[key] = self._value()
                following = self._peek()
                self._pos += 1
                if following == "}":
                    break
                if following != ",":
                    self._pos -= 1
                    raise self._error(f"expected ',' or '}}', found {following or 'the end'!r}")
        if self._peek():
            raise self._error("extra text after the Bundle")

    def _entries(self) -> Iterator[tuple[int, Any]]:
        self._take("[", "'[' (entry is a list)")
        if self._peek() == "]":
            self._pos += 1
            return
        index = 0
        while True:
            self._entry = index
            yield index, self._value()
            following = self._peek()
            self._pos += 1
            if following == "]":
                self._entry = None
                return
            if following != ",":
                self._pos -= 1
                raise self._error(f"expected ',' or ']', found {following or 'the end'!r}")
            index += 1
