"""The trend chart as inline SVG, generated on the server (no JavaScript). Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 180, 20, 40
# GOV.UK colours: blue, orange, dark grey (with dashes so the lines differ without colour too)
SERIES_STYLE = [
    ("#1d70b8", ""),
    ("#f47738", "6 4"),
    ("#505a5f", "2 3"),
]


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[int, Decimal | None]]  # (year, value); None leaves a gap


def _scale(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """Axis bounds and a tick step (1, 2, 5 x 10^n, at most six ticks)."""
    low, high = min(values), max(values)
    span = max(high - low, Decimal(1))
    step = Decimal(1)
    for candidate in (
        1,
        2,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        500,
        1000,
        2000,
        5000,
        10000,
        20000,
        50000,
        100000,
    ):
        step = Decimal(candidate)
        if span / step <= 5:
            break
    low = (low // step) * step
    high = (high // step + 1) * step
    return low, high, step


def trend_svg(title: str, series: list[Series], unit: str = "per 10,000") -> str:
    """A line chart of the series over the years, with a legend and a text alternative."""
    years = sorted({year for s in series for year, _ in s.points})
    values = [Decimal(v) for s in series for _, v in s.points if v is not None]
    if not years or not values:
        return ""
    low, high, step = _scale(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        if len(years) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (year - years[0]) / (years[-1] - years[0])

    def y(value: Decimal) -> float:
        return TOP + plot_h * float((high - value) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="trend-title" class="benchmark-chart">',
        f'<title id="trend-title">{escape(title)}</title>',
    ]
    value = low
    while value <= high:
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="12">'
            f"{value:,}</text>"
        )
        value += step
    for year in years:
        parts.append(
            f'<text x="{x(year):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
            f'font-size="12">{year}</text>'
        )
    parts.append(
        f'<text x="12" y="{TOP + plot_h / 2:.1f}" font-size="12" '
        f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})" text-anchor="middle">'
        f"{escape(unit)}</text>"
    )
    for index, s in enumerate(series):
        colour, dash = SERIES_STYLE[index % len(SERIES_STYLE)]
        parts += _series_svg(s, colour, dash, x, y)
        legend_y = TOP + 16 + index * 22
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 12}" x2="{WIDTH - RIGHT + 40}" y1="{legend_y - 4}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="3"'
            f"{f' stroke-dasharray={chr(34)}{dash}{chr(34)}' if dash else ''}/>"
            f'<text x="{WIDTH - RIGHT + 46}" y="{legend_y}" font-size="12">'
            f"{escape(s.label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _series_svg(
    s: Series, colour: str, dash: str, x: Callable[[int], float], y: Callable[[Decimal], float]
) -> list[str]:
    known = [(year, Decimal(v)) for year, v in s.points if v is not None]
    if not known:
        return []
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(year):.1f},{y(v):.1f}" for i, (year, v) in enumerate(known)
    )
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="3"{dash_attr}/>']
    for year, v in known:
        parts.append(
            f'<circle cx="{x(year):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}">'
            f"<title>{escape(s.label)} {year}: {v.quantize(Decimal('0.1'))}</title></circle>"
        )
    return parts
