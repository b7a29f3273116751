"""Draws the iot_ml brand images (custom_components/iot_ml/brand/*.png) with numpy only.

A house outline whose inside holds a small learned graph: three nodes joined by edges. The icon is
the drawing on a full-bleed rounded square (256 and 512 px); the logo is the drawing alone,
trimmed to it with a small margin (shortest side 256 and 512 px), as HA's brand rules ask.
Run: scripts/run python scripts/make_brand.py
"""

import itertools
from pathlib import Path
import struct
import zlib

import numpy as np

TEAL = np.array([0, 150, 136])
WHITE = np.array([255, 255, 255])
AMBER = np.array([255, 193, 7])


def _segment_distance(x, y, a, b):
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy))


# The drawing's extent in unit coordinates: the house's stroke (half-width 0.0225 around
# 0.2..0.8 across, apex 0.2 to floor 0.82) holds everything else.
CONTENT = (0.1775, 0.1775, 0.8225, 0.8425)
LOGO_MARGIN = 0.01  # about 4 px at 256 px


def logo_view(shortest: int) -> tuple[tuple[float, float, float, float], int, int]:
    """The unit-coordinate window and pixel size of the trimmed logo whose shortest side is
    ``shortest`` pixels."""
    x0, y0, x1, y1 = CONTENT
    width, height = x1 - x0 + 2 * LOGO_MARGIN, y1 - y0 + 2 * LOGO_MARGIN
    scale = shortest / min(width, height)  # pixels per unit
    w, h = round(width * scale), round(height * scale)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = w / scale / 2, h / scale / 2
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h), w, h


def draw(
    size: int,
    background: bool,
    view: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0),
    height: int | None = None,
) -> np.ndarray:
    """RGBA image, ``size`` pixels wide (``height`` high, default square), of the unit-square
    drawing's window ``view`` (x0, y0, x1, y1)."""
    w, h = size, height or size
    y, x = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    x0, y0, x1, y1 = view
    u, v = x0 + x / w * (x1 - x0), y0 + y / h * (y1 - y0)
    rgba = np.zeros((h, w, 4))
    if background:
        # Rounded square.
        r = 0.18
        qx = np.maximum(np.abs(u - 0.5) - (0.5 - r), 0)
        qy = np.maximum(np.abs(v - 0.5) - (0.5 - r), 0)
        inside = np.hypot(qx, qy) <= r
        rgba[inside, :3] = TEAL
        rgba[inside, 3] = 255
    house = [(0.2, 0.48), (0.5, 0.2), (0.8, 0.48), (0.8, 0.82), (0.2, 0.82), (0.2, 0.48)]
    width = 0.045
    stroke = np.full((h, w), np.inf)
    for a, b in itertools.pairwise(house):
        stroke = np.minimum(stroke, _segment_distance(u, v, a, b))
    line_colour = WHITE if background else TEAL
    mask = stroke <= width / 2
    rgba[mask, :3] = line_colour
    rgba[mask, 3] = 255
    nodes = [(0.37, 0.68), (0.5, 0.5), (0.63, 0.66)]
    edges = np.full((h, w), np.inf)
    for a, b in [(0, 1), (1, 2), (0, 2)]:
        edges = np.minimum(edges, _segment_distance(u, v, nodes[a], nodes[b]))
    mask = edges <= 0.012
    rgba[mask, :3] = line_colour
    rgba[mask, 3] = 255
    for cx, cy in nodes:
        mask = np.hypot(u - cx, v - cy) <= 0.055
        rgba[mask, :3] = AMBER
        rgba[mask, 3] = 255
    return rgba.astype(np.uint8)


def write_png(path: Path, rgba: np.ndarray) -> None:
    """Minimal PNG writer (8-bit RGBA, no filtering)."""
    h, w, _ = rgba.shape
    raw = b"".join(b"\x00" + rgba[row].tobytes() for row in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
    path.write_bytes(png + chunk(b"IEND", b""))


def main() -> None:
    """Write icon, logo and their @2x variants."""
    out = Path(__file__).resolve().parent.parent / "custom_components" / "iot_ml" / "brand"
    out.mkdir(parents=True, exist_ok=True)
    for name, size in (("icon", 256), ("icon@2x", 512)):
        write_png(out / f"{name}.png", draw(size, background=True))
    view, w, h = logo_view(256)
    for name, scale in (("logo", 1), ("logo@2x", 2)):  # @2x: the same window, twice the pixels
        write_png(out / f"{name}.png", draw(scale * w, False, view, scale * h))


if __name__ == "__main__":
    main()
