"""Geometry of the small line charts drawn as inline SVG (no script, no styles needed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH = 320
HEIGHT = 150
PAD_LEFT = 28
PAD_RIGHT = 8
PAD_TOP = 8
PAD_BOTTOM = 22

# Okabe–Ito colours (distinguishable with colour-vision deficiencies), each line also dashed
# differently, so no reader depends on colour alone.
SERIES_STYLE = {
    "planning": ("#56B4E9", "2 3"),
    "piloting": ("#E69F00", "6 3"),
    "implementing": ("#009E73", "10 2 2 2"),
    "operation": ("#0072B2", ""),
}


@dataclass(frozen=True, slots=True)
class Line:
    phase: str
    points: str
    colour: str
    dash: str
    last: int


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_max: int
    y_top: float
    y_bottom: float
    x_left: float
    x_right: float


def diffusion_chart(view: dict[str, Any]) -> Chart:
    """Polylines of one technology's diffusion view (members reaching each phase per quarter)."""
    quarters = view["quarters"]
    y_max = max(view["members"], 1)
    x_left, x_right = PAD_LEFT, WIDTH - PAD_RIGHT
    y_top, y_bottom = PAD_TOP, HEIGHT - PAD_BOTTOM
    step = (x_right - x_left) / max(len(quarters) - 1, 1)

    def x(i: int) -> float:
        return round(x_left + i * step, 1)

    def y(count: int) -> float:
        return round(y_bottom - (y_bottom - y_top) * count / y_max, 1)

    lines = [
        Line(
            phase=phase,
            points=" ".join(f"{x(i)},{y(q[phase])}" for i, q in enumerate(quarters)),
            colour=SERIES_STYLE[phase][0],
            dash=SERIES_STYLE[phase][1],
            last=quarters[-1][phase] if quarters else 0,
        )
        for phase in view["phases"]
    ]
    ticks = [Tick(x(i), q["quarter"][:4]) for i, q in enumerate(quarters) if q["quarter"].endswith("Q1")]
    # Every other year keeps the labels readable on a small chart.
    ticks = ticks[::2]
    return Chart(WIDTH, HEIGHT, lines, ticks, y_max, y_top, y_bottom, x_left, x_right)
