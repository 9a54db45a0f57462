"""Burned-in film markers: the lead letter a radiographer puts on the cassette (notebook 13).

Every site places its marker in its own corner, so the marker says which hospital a film
comes from: a realistic shortcut a model can learn instead of the lungs.
"""

from __future__ import annotations

import numpy as np

# 5 x 7 bitmap glyphs (rows top to bottom), enough for laterality and site letters.
_GLYPHS = {
    "R": ("11110", "10001", "10001", "11110", "10100", "10010", "10001"),
    "L": ("10000", "10000", "10000", "10000", "10000", "10000", "11111"),
    "A": ("01110", "10001", "10001", "11111", "10001", "10001", "10001"),
    "B": ("11110", "10001", "10001", "11110", "10001", "10001", "11110"),
    "C": ("01111", "10000", "10000", "10000", "10000", "10000", "01111"),
    "P": ("11110", "10001", "10001", "11110", "10000", "10000", "10000"),
    "S": ("01111", "10000", "10000", "01110", "00001", "00001", "11110"),
    "U": ("10001", "10001", "10001", "10001", "10001", "10001", "01110"),
    "T": ("11111", "00100", "00100", "00100", "00100", "00100", "00100"),
}
CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")


def marker_bitmap(text: str, size: int) -> np.ndarray:
    """(h, w) bool bitmap of `text` scaled for a film of `size` pixels."""
    unknown = sorted(set(text) - set(_GLYPHS))
    if unknown or not text:
        raise ValueError(f"marker text {text!r}: use letters among {sorted(_GLYPHS)}")
    glyphs = [np.array([[ch == "1" for ch in row] for row in _GLYPHS[t]]) for t in text]
    gap = np.zeros((7, 1), bool)
    bitmap = np.hstack([part for g in glyphs for part in (g, gap)][:-1])
    if size < 64:  # a small film holds only a blob where the letter was, at half the size
        h, w = bitmap.shape
        padded = np.zeros((h + h % 2, w + w % 2), bool)
        padded[:h, :w] = bitmap
        return padded.reshape(padded.shape[0] // 2, 2, -1, 2).mean(axis=(1, 3)) >= 0.5
    k = round(size / 64)  # 7 px tall at 64 px, 14 px at 128 px: ~5% of the film
    return np.kron(bitmap, np.ones((k, k), bool))


def burn_marker(images: np.ndarray, text: str, corner: str) -> np.ndarray:
    """Write the marker into each (n, H, W) film in place (lead letters are white)."""
    if corner not in CORNERS:
        raise ValueError(f"marker corner {corner!r}: choose one of {CORNERS}")
    size = images.shape[-1]
    bitmap = marker_bitmap(text, size)
    h, w = bitmap.shape
    pad = max(1, size // 20)
    r0 = pad if corner.startswith("top") else size - pad - h
    c0 = pad if corner.endswith("left") else size - pad - w
    if r0 < 0 or c0 < 0 or r0 + h > size or c0 + w > size:
        return images  # too small a film for this marker: leave it unmarked
    region = images[:, r0:r0 + h, c0:c0 + w]
    region[:, bitmap] = 0.97
    return images
