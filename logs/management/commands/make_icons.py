"""
The app's icons for phones' home screens (logs/static/logs/icons/), drawn from the site's own
artwork, spasmlog/static/spasmlog/icon.svg: its rounded square and the line across it.
The PNGs are committed; run this again when the artwork changes.
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw

ARTWORK = settings.BASE_DIR / "spasmlog" / "static" / "spasmlog" / "icon.svg"
ICONS = settings.BASE_DIR / "logs" / "static" / "logs" / "icons"
# Drawn this many times larger, then scaled down, for smooth edges.
SUPERSAMPLE = 4
# A maskable icon keeps what matters inside the middle 80%: the platform may cut the rest.
MASKABLE_SAFE_ZONE = 0.8


def read_artwork(svg: str) -> dict:
    """The few things icon.svg says: its view box, the square's fill and radius, and the line's points and width."""
    box = re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg)
    rect = re.search(r'<rect[^>]*rx="([\d.]+)"[^>]*fill="(#[0-9a-fA-F]{3,6})"', svg)
    path = re.search(r'<path d="([^"]+)"[^>]*stroke="(#[0-9a-fA-F]{3,6})"[^>]*stroke-width="([\d.]+)"', svg)
    if not (box and rect and path):
        raise CommandError(f"{ARTWORK} no longer has the view box, square and line this command draws.")
    size = float(box.group(1))
    return {
        "size": size,
        "radius": float(rect.group(1)),
        "fill": rect.group(2),
        "points": path_points(path.group(1)),
        "stroke": path.group(2),
        "width": float(path.group(3)),
    }


def path_points(d: str) -> list[tuple[float, float]]:
    """The corners of a path of M, h, v and l commands (icon.svg's line), in absolute coordinates."""
    points: list[tuple[float, float]] = []
    x = y = 0.0
    for command, numbers in re.findall(r"([MmLlHhVv])([^MmLlHhVv]*)", d):
        values = [float(n) for n in re.findall(r"-?[\d.]+", numbers)]
        if command in "Hh":
            for value in values:
                x = value if command == "H" else x + value
                points.append((x, y))
        elif command in "Vv":
            for value in values:
                y = value if command == "V" else y + value
                points.append((x, y))
        else:
            for i in range(0, len(values), 2):
                dx, dy = values[i], values[i + 1]
                absolute = command in "ML" or not points
                x, y = (dx, dy) if absolute else (x + dx, y + dy)
                points.append((x, y))
    return points


def draw(art: dict, pixels: int, *, maskable: bool = False, rounded: bool = True) -> Image.Image:
    big = pixels * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    canvas = ImageDraw.Draw(image)
    if maskable:
        # Full bleed: the platform gives the shape; the artwork shrinks into the safe zone.
        canvas.rectangle((0, 0, big, big), fill=art["fill"])
        scale = big * MASKABLE_SAFE_ZONE / art["size"]
        offset = big * (1 - MASKABLE_SAFE_ZONE) / 2
    else:
        scale = big / art["size"]
        offset = 0.0
        radius = art["radius"] * scale if rounded else 0
        canvas.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=art["fill"])
    points = [(offset + x * scale, offset + y * scale) for x, y in art["points"]]
    width = round(art["width"] * scale)
    canvas.line(points, fill=art["stroke"], width=width, joint="curve")
    # Round caps, as stroke-linecap="round" draws them.
    for x, y in (points[0], points[-1]):
        canvas.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=art["stroke"])
    return image.resize((pixels, pixels), Image.Resampling.LANCZOS)


class Command(BaseCommand):
    help = "Draw the home-screen icons from spasmlog/static/spasmlog/icon.svg."

    def handle(self, *args, **options):
        art = read_artwork(ARTWORK.read_text())
        ICONS.mkdir(parents=True, exist_ok=True)
        icons = {
            "icon-192.png": draw(art, 192),
            "icon-512.png": draw(art, 512),
            "maskable-512.png": draw(art, 512, maskable=True),
            # iOS rounds the corners itself and shows transparency as black.
            "apple-touch-icon-180.png": draw(art, 180, rounded=False),
        }
        for name, image in icons.items():
            path: Path = ICONS / name
            image.save(path, optimize=True)
            self.stdout.write(f"{path.relative_to(settings.BASE_DIR)}: {image.width}×{image.height}")
