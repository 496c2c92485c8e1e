"""
Geometry for the charts drawn on the server as SVG: bars, and the body diagram.

The templates draw these with attributes only, so the charts need no script and
no inline style, print sharply and render the same in WeasyPrint.
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

from logs.models import Region, Side
from reports.insights import Association

# Five shades from light to dark; they stay apart when printed in grey.
SHADES = ["#f1f3f5", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]


def bar_chart(items: Sequence[Mapping[str, Any]], *, width: float, height: float, fill: float = 0.8) -> dict[str, Any]:
    """
    Bars for items (dicts with a count "n"), left to right across width, scaled
    to the tallest. Each bar is its item with x, y and height added.
    """
    top = max((item["n"] for item in items), default=0) or 1
    slot = width / len(items) if items else width
    bar_width = round(slot * fill, 2)
    bars = []
    for i, item in enumerate(items):
        bar_height = round(height * item["n"] / top, 1)
        bars.append(
            {
                **item,
                "x": round(i * slot + (slot - bar_width) / 2, 2),
                "y": round(height - bar_height, 1),
                "height": bar_height,
                "slot_x": round(i * slot, 2),
            }
        )
    return {"bars": bars, "width": width, "height": height, "bar_width": bar_width, "top": top}


# A forest plot's scale: rate ratios from a quarter to four, evenly spaced as logarithms.
FOREST_LOW, FOREST_HIGH = 0.25, 4
FOREST_TICKS = [(0.25, "¼"), (0.5, "½"), (1, "1"), (2, "2"), (4, "4")]


def forest_plot(rows: Sequence[Association], *, width: int = 120, height: int = 14) -> dict[str, Any]:
    """
    For each row (with ratio, low and high), where its point and interval lie on
    a log scale across width; a value off the scale sits at the edge with an
    arrow there. The axis's ticks and the line of no difference (1) come too.
    """
    span = math.log(FOREST_HIGH) - math.log(FOREST_LOW)

    def x(value: float) -> float:
        if value <= FOREST_LOW:
            return 0.0
        if value >= FOREST_HIGH:
            return float(width)
        return round((math.log(value) - math.log(FOREST_LOW)) / span * width, 1)

    return {
        "width": width,
        "height": height,
        "middle": height / 2,
        "one": x(1),
        "ticks": [(x(value), label) for value, label in FOREST_TICKS],
        "rows": [
            {
                "row": row,
                "x": x(row.ratio),
                "x_low": x(row.low),
                "x_high": x(row.high),
                "beyond_low": row.low < FOREST_LOW,
                "beyond_high": row.high > FOREST_HIGH,
            }
            for row in rows
        ],
    }


def shade(n: int, top: int) -> str:
    """The fill for a count: the palest for none, then five steps up to the largest."""
    if not n:
        return SHADES[0]
    return SHADES[min(5, max(1, -(-5 * n // top)))]


FRONT, BACK = "front", "back"
FIGURE_WIDTH = 100
FIGURE_GAP = 20

# Each shape: region, views it is drawn on, whether it is one of a pair, SVG
# element and geometry. Paired shapes are given for the viewer's left and
# mirrored for the right. Later shapes are drawn over earlier ones.
BODY_SHAPES = [
    (Region.HEAD, (FRONT, BACK), False, "ellipse", {"cx": 50, "cy": 18, "rx": 13, "ry": 16}),
    (Region.FACE, (FRONT,), False, "ellipse", {"cx": 50, "cy": 21, "rx": 9, "ry": 10}),
    (Region.JAW, (FRONT,), False, "ellipse", {"cx": 50, "cy": 30, "rx": 7, "ry": 3}),
    (Region.EYELID, (FRONT,), True, "ellipse", {"cx": 45.5, "cy": 18, "rx": 3, "ry": 1.8}),
    (Region.TONGUE, (FRONT,), False, "rect", {"x": 45, "y": 34, "width": 10, "height": 6, "rx": 2}),
    (Region.NECK, (BACK,), False, "rect", {"x": 43, "y": 33, "width": 14, "height": 8, "rx": 2}),
    (Region.CHEST, (FRONT,), False, "rect", {"x": 36, "y": 41, "width": 28, "height": 22, "rx": 4}),
    (Region.ABDOMEN, (FRONT,), False, "rect", {"x": 37, "y": 63, "width": 26, "height": 21, "rx": 3}),
    (Region.UPPER_BACK, (BACK,), False, "rect", {"x": 36, "y": 41, "width": 28, "height": 24, "rx": 4}),
    (Region.LOWER_BACK, (BACK,), False, "rect", {"x": 37, "y": 65, "width": 26, "height": 19, "rx": 3}),
    (Region.HIP, (FRONT,), True, "ellipse", {"cx": 40, "cy": 90, "rx": 7, "ry": 6}),
    (Region.GROIN, (FRONT,), False, "ellipse", {"cx": 50, "cy": 95, "rx": 4, "ry": 4}),
    (Region.BUTTOCK, (BACK,), True, "ellipse", {"cx": 43, "cy": 92, "rx": 7.5, "ry": 8}),
    (Region.SHOULDER, (FRONT, BACK), True, "ellipse", {"cx": 32, "cy": 46, "rx": 7, "ry": 6}),
    (Region.UPPER_ARM, (FRONT, BACK), True, "rect", {"x": 23, "y": 51, "width": 9, "height": 30, "rx": 4}),
    (Region.FOREARM, (FRONT, BACK), True, "rect", {"x": 20, "y": 82, "width": 9, "height": 28, "rx": 4}),
    (Region.HAND, (FRONT, BACK), True, "ellipse", {"cx": 23, "cy": 117, "rx": 5, "ry": 7}),
    (Region.THIGH_FRONT, (FRONT,), True, "rect", {"x": 36, "y": 99, "width": 12, "height": 39, "rx": 5}),
    (Region.THIGH_BACK, (BACK,), True, "rect", {"x": 36, "y": 101, "width": 12, "height": 39, "rx": 5}),
    (Region.KNEE, (FRONT,), True, "ellipse", {"cx": 42, "cy": 143, "rx": 6, "ry": 5}),
    (Region.SHIN, (FRONT,), True, "rect", {"x": 37, "y": 149, "width": 10, "height": 40, "rx": 4}),
    (Region.CALF, (BACK,), True, "rect", {"x": 36, "y": 143, "width": 12, "height": 46, "rx": 5}),
    (Region.FOOT, (FRONT, BACK), True, "ellipse", {"cx": 42, "cy": 195, "rx": 7, "ry": 4}),
]


def _mirrored(tag, geometry):
    geometry = dict(geometry)
    if tag == "rect":
        geometry["x"] = FIGURE_WIDTH - geometry["x"] - geometry["width"]
    else:
        geometry["cx"] = FIGURE_WIDTH - geometry["cx"]
    return geometry


def _shifted(tag, geometry, dx):
    key = "x" if tag == "rect" else "cx"
    return {**geometry, key: geometry[key] + dx}


def body_diagram(counts: Mapping[tuple[str, str], int]) -> dict[str, Any]:
    """
    Shapes of a front and a back figure, shaded by episodes per region and side.

    counts maps (region, side) to episodes. A region drawn once takes all its
    episodes; of a pair, each side takes its own, those on both sides and those
    marked as the middle. The front figure faces the reader, so the patient's
    right is on the reader's left; the back figure shows the patient's left there.
    """
    by_region: dict[str, dict[str, int]] = {}
    for (region, side), n in counts.items():
        by_region.setdefault(region, {})[side] = n

    def episodes(region: str, side: str | None = None) -> int:
        sides = by_region.get(region, {})
        if side is None:
            return sum(sides.values())
        return sides.get(side, 0) + sides.get(Side.BOTH, 0) + sides.get(Side.MIDLINE, 0)

    drawn: list[tuple[Region, Side | None, str, dict[str, float]]] = []
    for region, views, paired, tag, geometry in BODY_SHAPES:
        for view in views:
            dx = 0 if view == FRONT else FIGURE_WIDTH + FIGURE_GAP
            if not paired:
                drawn.append((region, None, tag, _shifted(tag, geometry, dx)))
                continue
            left_of_reader = Side.RIGHT if view == FRONT else Side.LEFT
            right_of_reader = Side.LEFT if view == FRONT else Side.RIGHT
            drawn.append((region, left_of_reader, tag, _shifted(tag, geometry, dx)))
            drawn.append((region, right_of_reader, tag, _shifted(tag, _mirrored(tag, geometry), dx)))

    shapes = [(region, side, tag, geometry, episodes(region, side)) for region, side, tag, geometry in drawn]
    top = max((n for *_, n in shapes), default=0)
    return {
        "shapes": [
            {
                "tag": tag,
                "attrs": sorted(geometry.items()),
                "fill": shade(n, top),
                "n": n,
                "label": Region(region).label if side is None else f"{Side(side).label} {Region(region).label.lower()}",
            }
            for region, side, tag, geometry, n in shapes
        ],
        "top": top,
        "legend": [(shade(n, top), n) for n in _legend_steps(top)],
        "width": 2 * FIGURE_WIDTH + FIGURE_GAP,
        "back_x": FIGURE_WIDTH + FIGURE_GAP,
    }


def _legend_steps(top):
    """A few counts across 1 to top, one per shade in use."""
    if top <= 0:
        return []
    return sorted({max(1, round(top * step / 5)) for step in range(1, 6)})
