"""Small server-side SVG charts (no JavaScript), built from numbers only."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from django.utils.html import escape

from csplan.core.money import Unit, format_amount


class TargetYear(Protocol):
    """A year's target and proposals (``csplan.programme.calculations.TargetYear`` is one)."""

    @property
    def year(self) -> object: ...  # shown as it prints: 2016/17

    @property
    def target(self) -> Decimal: ...

    @property
    def proposals(self) -> Decimal: ...


class TargetComparison(Protocol):
    @property
    def years(self) -> Sequence[TargetYear]: ...


_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP = 680, 320, 70, 40, 50


def target_chart(comparison: TargetComparison) -> str:
    """Bars: cumulative proposals by year; a line marker: the target."""
    years = comparison.years
    top = max([row.target for row in years] + [row.proposals for row in years] + [Decimal(1)])
    plot_height = _HEIGHT - _BOTTOM - _TOP
    slot = (_WIDTH - _LEFT - 10) / max(len(years), 1)

    def y(value: Decimal) -> float:
        return _TOP + plot_height * (1 - float(value / top))

    parts = [
        f'<svg class="csplan-chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Savings proposals against target by year (£\'000)</title>',
        '<desc id="chart-desc">'
        + escape(
            "; ".join(
                f"{row.year}: proposals {format_amount(row.proposals, Unit.THOUSANDS)}, "
                f"target {format_amount(row.target, Unit.THOUSANDS)}"
                for row in years
            )
        )
        + "</desc>",
        f'<line x1="{_LEFT}" y1="{_TOP + plot_height}" x2="{_WIDTH - 10}" '
        f'y2="{_TOP + plot_height}" stroke="#0b0c0c"/>',
    ]
    for index, row in enumerate(years):
        x = _LEFT + index * slot + slot * 0.2
        width = slot * 0.6
        colour = "#00703c" if row.proposals >= row.target else "#d4351c"
        parts.append(
            f'<rect x="{x:.1f}" y="{y(row.proposals):.1f}" width="{width:.1f}" '
            f'height="{_TOP + plot_height - y(row.proposals):.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<line x1="{x - 6:.1f}" x2="{x + width + 6:.1f}" y1="{y(row.target):.1f}" '
            f'y2="{y(row.target):.1f}" stroke="#0b0c0c" stroke-width="3" stroke-dasharray="6 3"/>'
        )
        parts.append(
            f'<text x="{x + width / 2:.1f}" y="{_HEIGHT - 15}" '
            f'text-anchor="middle">{row.year}</text>'
        )
        parts.append(
            f'<text x="{x + width / 2:.1f}" y="{y(row.proposals) - 6:.1f}" text-anchor="middle">'
            f"{format_amount(row.proposals, Unit.THOUSANDS)}</text>"
        )
    parts.append(
        f'<text x="{_LEFT}" y="14">Bars: proposals (green where they meet the target); '
        "dashed line: target</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
