"""Write static/og/demo-post.png: the demo post's 1200×630 link-preview image.

Plain PNG written with zlib (no imaging library): a dark background, a lighter card, two
speech bubbles and "TALKBACK DEMO" in a blocky 5×7 font. Run: python scripts/make_og_image.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
OUT = Path(__file__).resolve().parent.parent / "static" / "og" / "demo-post.png"

BACKGROUND = (18, 38, 74)
CARD = (240, 244, 250)
BUBBLE_A = (11, 87, 208)
BUBBLE_B = (26, 127, 55)
INK = (18, 38, 74)

# 5×7 glyphs, one string per row, "#" = ink.
FONT = {
    "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
    "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
    "K": ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
    "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
    "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
    "D": ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
    "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    " ": ["....."] * 7,
}


def canvas() -> list[bytearray]:
    return [bytearray(bytes(BACKGROUND) * WIDTH) for _ in range(HEIGHT)]


def fill(rows: list[bytearray], x0: int, y0: int, x1: int, y1: int, colour) -> None:
    for y in range(max(0, y0), min(HEIGHT, y1)):
        rows[y][x0 * 3 : x1 * 3] = bytes(colour) * (x1 - x0)


def text(rows: list[bytearray], words: str, x: int, y: int, scale: int) -> None:
    for char in words:
        for row, line in enumerate(FONT[char]):
            for col, cell in enumerate(line):
                if cell == "#":
                    fill(
                        rows,
                        x + col * scale,
                        y + row * scale,
                        x + (col + 1) * scale,
                        y + (row + 1) * scale,
                        INK,
                    )
        x += 6 * scale


def png(rows: list[bytearray]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(row) for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    rows = canvas()
    fill(rows, 60, 60, 1140, 570, CARD)
    fill(rows, 120, 330, 560, 470, BUBBLE_A)  # two comment bubbles
    fill(rows, 160, 470, 200, 510, BUBBLE_A)
    fill(rows, 640, 360, 1080, 500, BUBBLE_B)
    fill(rows, 1000, 500, 1040, 540, BUBBLE_B)
    text(rows, "TALKBACK DEMO", 120, 130, 12)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(png(rows))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {WIDTH}x{HEIGHT})")


if __name__ == "__main__":
    main()
