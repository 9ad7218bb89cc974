"""Bar charts as inline SVG: hand-written, no script, no external asset, and they print.

Each chart scales to the page's width (``viewBox``), carries a ``<title>`` and a
``<desc>`` for screen readers, and holds no user text: only numbers and month
names made here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 680
HEIGHT = 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 8, 18, 36
BAR = "#3b6ea5"
PARTIAL = "#9db7d2"
GRID = "#d0d0d0"
INK = "#333333"


@dataclass(frozen=True, slots=True)
class Bar:
    value: float | None
    #: Under the bar (often empty: a label every few bars).
    label: str = ""
    #: A second line under the label (a year).
    sublabel: str = ""
    #: Drawn lighter: a month or week not over yet.
    partial: bool = False


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above ``value`` (1 for 0)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power * (1 + 1e-9):
            return step * power
    return 10 * power


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    axis: Callable[[float], str] = lambda v: _n(v),
    value_labels: Callable[[float], str] | None = None,
    floor_max: float = 0.0,
) -> str:
    """An SVG bar chart. ``axis`` formats the scale's ticks; ``value_labels``, if given,
    writes each bar's value above it; ``floor_max`` is the least top of the scale."""
    values = [b.value for b in bars if b.value is not None]
    top = nice_ceiling(max([*values, floor_max, 0.0]))
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    base = _TOP + plot_h
    slot = plot_w / max(len(bars), 1)
    bar_w = max(slot * 0.72, 1.0)
    title_e, desc_e = escape(title), escape(description)
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" font-family="sans-serif" font-size="10">',
        f"<title>{title_e}</title>",
        f"<desc>{desc_e}</desc>",
    ]
    for tick in (0.0, top / 2, top):
        y = base - plot_h * tick / top
        out.append(
            f'<line x1="{_LEFT}" y1="{_n(y)}" x2="{WIDTH - _RIGHT}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_LEFT - 5}" y="{_n(y + 3.5)}" text-anchor="end" fill="{INK}">'
            f"{escape(axis(tick))}</text>"
        )
    for i, bar in enumerate(bars):
        x = _LEFT + slot * i + (slot - bar_w) / 2
        middle = _LEFT + slot * i + slot / 2
        if bar.value is not None and bar.value > 0:
            h = plot_h * bar.value / top
            fill = PARTIAL if bar.partial else BAR
            out.append(
                f'<rect x="{_n(x)}" y="{_n(base - h)}" width="{_n(bar_w)}" height="{_n(h)}" '
                f'fill="{fill}"/>'
            )
        if value_labels is not None:
            shown = value_labels(bar.value) if bar.value is not None else "–"
            h = plot_h * (bar.value or 0) / top
            out.append(
                f'<text x="{_n(middle)}" y="{_n(base - h - 4)}" text-anchor="middle" '
                f'fill="{INK}">{escape(shown)}</text>'
            )
        if bar.label:
            out.append(
                f'<text x="{_n(middle)}" y="{base + 13}" text-anchor="middle" fill="{INK}">'
                f"{escape(bar.label)}</text>"
            )
        if bar.sublabel:
            out.append(
                f'<text x="{_n(middle)}" y="{base + 26}" text-anchor="middle" fill="{INK}">'
                f"{escape(bar.sublabel)}</text>"
            )
    out.append(
        f'<line x1="{_LEFT}" y1="{base}" x2="{WIDTH - _RIGHT}" y2="{base}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "\n".join(out)
