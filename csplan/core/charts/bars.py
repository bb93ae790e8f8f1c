"""Charts as hand-made, accessible SVG (no plotting library): each has a title and a text
description, so a screen reader and the PDF both carry the message in words too.

Values are ``Decimal`` pounds; positions on the page are the only floats (drawing, not money).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from csplan.core.money import Unit, format_amount

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 60

# GOV.UK palette
COLOURS = {
    "blue": "#1d70b8",
    "green": "#00703c",
    "yellow": "#ffdd00",
    "amber": "#f47738",
    "red": "#d4351c",
    "grey": "#505a5f",
    "light": "#b1b4b6",
    "black": "#0b0c0c",
    "purple": "#4c2c92",
}
RAG_COLOURS = {"B": COLOURS["blue"], "G": COLOURS["green"], "A": COLOURS["amber"],
               "R": COLOURS["red"]}  # fmt: skip


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    description: str  # the chart's message in words (alt text)
    svg: str


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal]
    colour: str


def _k(value: Decimal) -> str:
    return format_amount(value, Unit.THOUSANDS)


def _scale(top: Decimal) -> tuple[Decimal, list[Decimal]]:
    """A round axis maximum and its ticks (at least £1)."""
    top = max(top, Decimal(1))
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        tick = magnitude * step / 2
        if top / tick <= 6:
            break
    ticks = []
    value = Decimal(0)
    while value < top:
        value += tick
        ticks.append(value)
    return ticks[-1], [Decimal(0), *ticks]


def _open(name: str, title: str, description: str, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{name}-title {name}-desc" font-family="Arial, sans-serif" '
        'font-size="12">',
        f'<title id="{name}-title">{escape(title)}</title>',
        f'<desc id="{name}-desc">{escape(description)}</desc>',
    ]


def _axis(ticks: list[Decimal], top: Decimal, plot_height: int) -> list[str]:
    out = []
    for tick in ticks:
        y = TOP + plot_height - float(tick / top) * plot_height
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{COLOURS["light"]}" stroke-width="0.5"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_k(tick)}</text>')
    out.append(f'<text x="{LEFT - 6}" y="{TOP - 12}" text-anchor="end">£\'000</text>')
    return out


def _legend(series: Sequence[tuple[str, str]], y: int) -> list[str]:
    out, x = [], LEFT
    for label, colour in series:
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="{y}">{escape(label)}</text>')
        x += 24 + 7 * len(label)
    return out


def grouped_bars(
    name: str, title: str, description: str, categories: Sequence[str], series: Sequence[Series]
) -> Chart:
    plot_height = HEIGHT - TOP - BOTTOM
    top, ticks = _scale(max((v for s in series for v in s.values), default=Decimal(1)))
    out = _open(name, title, description)
    out += _axis(ticks, top, plot_height)
    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    bar = band * 0.8 / max(len(series), 1)
    for index, category in enumerate(categories):
        x0 = LEFT + band * index + band * 0.1
        for number, item in enumerate(series):
            value = max(item.values[index], Decimal(0))
            height = float(value / top) * plot_height
            x = x0 + bar * number
            y = TOP + plot_height - height
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.92:.1f}" height="{height:.1f}" '
                f'fill="{item.colour}"><title>{escape(item.label)} {escape(category)}: '
                f"£{_k(value)}k</title></rect>"
            )
        out.append(
            f'<text x="{x0 + band * 0.4:.1f}" y="{TOP + plot_height + 16}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    out += _legend([(s.label, s.colour) for s in series], HEIGHT - 14)
    out.append("</svg>")
    return Chart(name, title, description, "\n".join(out))


def line_chart(
    name: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    band: tuple[Sequence[Decimal], Sequence[Decimal], str] | None = None,
) -> Chart:
    """Lines over ``categories``; ``band`` (low, high, label) draws a shaded range (a fan)."""
    plot_height = HEIGHT - TOP - BOTTOM
    values = [v for s in series for v in s.values] + (list(band[1]) if band else [])
    top, ticks = _scale(max(values, default=Decimal(1)))
    out = _open(name, title, description)
    out += _axis(ticks, top, plot_height)
    step = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)

    def point(index: int, value: Decimal) -> str:
        x = LEFT + step * index + step / 2
        y = TOP + plot_height - float(max(value, Decimal(0)) / top) * plot_height
        return f"{x:.1f},{y:.1f}"

    legend = []
    if band:
        low, high, label = band
        outline = [point(i, v) for i, v in enumerate(high)]
        outline += [point(i, v) for i, v in reversed(list(enumerate(low)))]
        out.append(
            f'<polygon points="{" ".join(outline)}" fill="{COLOURS["blue"]}" '
            f'fill-opacity="0.2" stroke="none"><title>{escape(label)}</title></polygon>'
        )
        legend.append((label, "#bbd4ea"))
    for item in series:
        points = " ".join(point(i, v) for i, v in enumerate(item.values))
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{item.colour}" stroke-width="2.5"/>'
        )
        for i, v in enumerate(item.values):
            x, y = point(i, v).split(",")
            out.append(
                f'<circle cx="{x}" cy="{y}" r="3" fill="{item.colour}"><title>'
                f"{escape(item.label)} {escape(categories[i])}: £{_k(v)}k</title></circle>"
            )
        legend.append((item.label, item.colour))
    for i, category in enumerate(categories):
        x = LEFT + step * i + step / 2
        out.append(
            f'<text x="{x:.1f}" y="{TOP + plot_height + 16}" text-anchor="middle">'
            f"{escape(category)}</text>"
        )
    out += _legend(legend, HEIGHT - 14)
    out.append("</svg>")
    return Chart(name, title, description, "\n".join(out))


def stacked_bars(
    name: str,
    title: str,
    description: str,
    counts: Mapping[str, Mapping[str, int]],
    codes: Sequence[tuple[str, str]],  # (code, label)
) -> Chart:
    """Horizontal bars, one per category, stacked by RAG code (counts of lines)."""
    row_height, label_width = 26, 250
    height = TOP + row_height * max(len(counts), 1) + 50
    out = _open(name, title, description, height)
    most = max((sum(c.values()) for c in counts.values()), default=1) or 1
    unit = (WIDTH - label_width - RIGHT - 10) / most
    for index, (category, values) in enumerate(counts.items()):
        y = TOP + row_height * index
        shown = category if len(category) <= 40 else category[:38] + "…"
        out.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(shown)}</text>'
        )
        x = float(label_width)
        for code, label in codes:
            count = values.get(code, 0)
            if not count:
                continue
            width = unit * count
            out.append(
                f'<rect x="{x:.1f}" y="{y + 2}" width="{width:.1f}" height="{row_height - 6}" '
                f'fill="{RAG_COLOURS.get(code, COLOURS["grey"])}"><title>{escape(category)}: '
                f"{count} {escape(label)}</title></rect>"
            )
            text_colour = "#0b0c0c" if code in ("A", "Y") else "#ffffff"
            out.append(
                f'<text x="{x + width / 2:.1f}" y="{y + 15}" text-anchor="middle" '
                f'fill="{text_colour}">{count}</text>'
            )
            x += width
    out += _legend([(label, RAG_COLOURS.get(code, COLOURS["grey"])) for code, label in codes],
                   height - 14)  # fmt: skip
    out.append("</svg>")
    return Chart(name, title, description, "\n".join(out))
