"""The forecast fan chart as inline SVG, drawn on the server.

One chart per placement group: the actual number in care month by month, then the forecast's
p10–p90 band with its p50 line. The SVG has a title and a description (``role="img"`` with
``aria-labelledby``); the page prints the same numbers in a table beneath it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40

BAND_FILL = "#b7c9e2"  # a light tint of GOV.UK blue, readable under the p50 line
P50_COLOUR = "#1d70b8"  # GOV.UK blue
ACTUAL_COLOUR = "#0b0c0c"  # GOV.UK text colour
GRID_COLOUR = "#b1b4b6"
FONT = '"GDS Transport", arial, sans-serif'


@dataclass(frozen=True)
class FanPoint:
    month: date
    p10: float
    p50: float
    p90: float


def _nice_step(top: float) -> int:
    """A round gridline step giving about five lines up to ``top``."""
    raw = max(top / 5, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * magnitude:
            return int(multiple * magnitude)
    return int(10 * magnitude)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def fan_chart_svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    actuals: Sequence[tuple[date, float]],
    forecast: Sequence[FanPoint],
    ticks: Sequence[tuple[date, str]] | None = None,
) -> str:
    """The SVG markup (escaped) for one placement group's fan chart. ``ticks`` (day, label)
    replaces the April ticks (e.g. one a year for yearly figures)."""
    months = [m for m, _ in actuals] + [p.month for p in forecast]
    if not months:
        return ""
    first, last = min(months), max(months)
    span = max(_month_index(last) - _month_index(first), 1)
    values = [v for _, v in actuals] + [p.p90 for p in forecast] + [0.0]
    step = _nice_step(max(values))
    top = step * (int(max(values) // step) + 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return LEFT + plot_w * (_month_index(day) - _month_index(first)) / span

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    def path(points: Sequence[tuple[float, float]]) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(points)
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="demand-fan" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" font-family=\'{FONT}\'>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    # Gridlines and the vertical axis labels.
    for value in range(0, int(top) + 1, step):
        gy = y(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{gy:.1f}" y2="{gy:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{ACTUAL_COLOUR}">{value:,}</text>'
        )
    # Year ticks on the horizontal axis: each April (the start of a financial year), or each
    # January when the span is short.
    months = range(_month_index(first), _month_index(last) + 1)
    aprils = [(date(m // 12, 4, 1), f"Apr {m // 12}") for m in months if m % 12 == 3]
    for tick, label in ticks if ticks is not None else aprils:
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 5}" '
            f'stroke="{ACTUAL_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{tx:.1f}" y="{TOP + plot_h + 19}" text-anchor="middle" font-size="12" '
            f'fill="{ACTUAL_COLOUR}">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        f'stroke="{ACTUAL_COLOUR}" stroke-width="1"/>'
    )
    if forecast:
        upper = [(x(p.month), y(p.p90)) for p in forecast]
        lower = [(x(p.month), y(p.p10)) for p in reversed(forecast)]
        parts.append(
            f'<path d="{path(upper + lower)} Z" fill="{BAND_FILL}" stroke="none">'
            f"<title>Forecast range, 10th to 90th percentile</title></path>"
        )
        median = [(x(p.month), y(p.p50)) for p in forecast]
        if actuals:
            # Join the forecast to the last actual month so the lines read as one story.
            median = [(x(actuals[-1][0]), y(actuals[-1][1])), *median]
        parts.append(
            f'<path d="{path(median)}" fill="none" stroke="{P50_COLOUR}" stroke-width="2.5" '
            f'stroke-dasharray="6 3"/>'
        )
        start_x = x(forecast[0].month)
        parts.append(
            f'<line x1="{start_x:.1f}" x2="{start_x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1" stroke-dasharray="2 2"/>'
        )
    if actuals:
        parts.append(
            f'<path d="{path([(x(m), y(v)) for m, v in actuals])}" fill="none" '
            f'stroke="{ACTUAL_COLOUR}" stroke-width="2.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def legend_svg() -> str:
    """A small legend shared by the charts on a page (decorative: the text says it all)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 520 24" width="520" height="24" '
        'aria-hidden="true" focusable="false" '
        f"font-family='{FONT}'>"
        f'<line x1="0" x2="28" y1="12" y2="12" stroke="{ACTUAL_COLOUR}" stroke-width="2.5"/>'
        f'<text x="34" y="16" font-size="14" fill="{ACTUAL_COLOUR}">Actual</text>'
        f'<line x1="100" x2="128" y1="12" y2="12" stroke="{P50_COLOUR}" stroke-width="2.5" '
        'stroke-dasharray="6 3"/>'
        f'<text x="134" y="16" font-size="14" fill="{ACTUAL_COLOUR}">Forecast (median)</text>'
        f'<rect x="270" y="4" width="28" height="16" fill="{BAND_FILL}"/>'
        f'<text x="304" y="16" font-size="14" fill="{ACTUAL_COLOUR}">'
        "10th to 90th percentile</text>"
        "</svg>"
    )
