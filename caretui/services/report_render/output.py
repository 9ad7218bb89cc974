"""One call for every format: the monthly report as the bytes of a file."""

from __future__ import annotations

from collections.abc import Callable

from caretui.services.report import MonthReport
from caretui.services.report_render.page import render_html
from caretui.services.report_render.plain import render_md, render_txt
from caretui.services.report_render.sheet import render_csv

#: Format name -> renderer, in the order ``--format`` lists them.
RENDERERS: dict[str, Callable[..., str]] = {
    "txt": render_txt,
    "md": render_md,
    "csv": render_csv,
    "html": render_html,
}
FORMATS = tuple(RENDERERS)


def render(report: MonthReport, fmt: str, *, redact: bool = False) -> bytes:
    """The report in ``fmt`` (txt, md, csv, html), UTF-8."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}") from None
    return renderer(report, redact=redact).encode("utf-8")
