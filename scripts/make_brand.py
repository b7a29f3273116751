"""Draws the iot_ml brand images (custom_components/iot_ml/brand/*.png) with numpy only.

A house outline whose inside holds a small learned graph: three nodes joined by edges.
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


def draw(size: int, background: bool) -> np.ndarray:
    """RGBA image of the icon at ``size`` pixels."""
    s = size
    y, x = np.mgrid[0:s, 0:s].astype(np.float64) + 0.5
    u, v = x / s, y / s
    rgba = np.zeros((s, s, 4))
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
    stroke = np.full((s, s), np.inf)
    for a, b in itertools.pairwise(house):
        stroke = np.minimum(stroke, _segment_distance(u, v, a, b))
    line_colour = WHITE if background else TEAL
    mask = stroke <= width / 2
    rgba[mask, :3] = line_colour
    rgba[mask, 3] = 255
    nodes = [(0.37, 0.68), (0.5, 0.5), (0.63, 0.66)]
    edges = np.full((s, s), np.inf)
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
    for name, size in (("icon", 256), ("icon@2x", 512), ("logo", 256), ("logo@2x", 512)):
        write_png(out / f"{name}.png", draw(size, background=name.startswith("icon")))


if __name__ == "__main__":
    main()
