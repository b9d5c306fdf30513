"""A small SVG chart of the comparisons, written by hand (no plotting library needed): one row
per ratio, a bar to its median, a whisker over its range (min-max of the rounds), and a tick at
its target; on a logarithmic axis, since the ratios run from about 1 to over 100."""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH, LABEL, RIGHT, ROW, TOP = 860, 330, 90, 30, 40
LOW, HIGH = 0.5, 500.0  # the axis, as ratios
COLOURS = {True: "#2e7d32", False: "#c62828", None: "#757575"}


def _x(ratio: float) -> float:
    ratio = min(max(ratio, LOW), HIGH)
    span = math.log10(HIGH) - math.log10(LOW)
    return LABEL + (WIDTH - LABEL - RIGHT) * (math.log10(ratio) - math.log10(LOW)) / span


def svg(comparisons: dict[str, dict[str, Any]]) -> str:
    """The chart of every comparison that has a median."""
    rows = [c for c in comparisons.values() if isinstance(c.get("median"), int | float)]
    height = TOP + ROW * len(rows) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        '<text x="10" y="18" font-size="13">ratio (log scale): bar = median, whisker = '
        "min-max of the rounds, black tick = target; green met, red missed, grey no target"
        "</text>",
    ]
    for tick in (0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500):
        x = _x(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 8}" x2="{x:.1f}" y2="{height - 30}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle">{tick:g}x</text>')
    for i, c in enumerate(rows):
        y = TOP + i * ROW
        colour = COLOURS[c.get("met")]
        median, low, high = c["median"], c.get("min", c["median"]), c.get("max", c["median"])
        out.append(
            f'<text x="{LABEL - 8}" y="{y + 14}" text-anchor="end">{escape(c["label"])}</text>'
        )
        x0, x1 = _x(1.0), _x(median)
        left, width = min(x0, x1), max(abs(x1 - x0), 1.0)
        out.append(
            f'<rect x="{left:.1f}" y="{y + 4}" width="{width:.1f}" height="14" '
            f'fill="{colour}" fill-opacity="0.75"/>'
        )
        out.append(
            f'<line x1="{_x(low):.1f}" y1="{y + 11}" x2="{_x(high):.1f}" y2="{y + 11}" '
            'stroke="#222" stroke-width="1.5"/>'
        )
        target = c.get("target")
        if target:
            tx = _x(target["value"])
            out.append(
                f'<line x1="{tx:.1f}" y1="{y + 1}" x2="{tx:.1f}" y2="{y + 21}" '
                'stroke="black" stroke-width="2.5"/>'
            )
        out.append(f'<text x="{max(x1, _x(high)) + 6:.1f}" y="{y + 15}">{median:.2f}x</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
