"""Prepared image–report pairs (e.g. from MIMIC-CXR) as one .npz file, checked on load (notebook 02)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

LAYOUT = ("expected an .npz with 'images' (n, H, W) floats in [0, 1] and 'reports' (n,) strings, "
          "written with np.savez(path, images=..., reports=...)")


def load_image_report_pairs(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """Films (n, H, W) in [0, 1] and their n report texts from a prepared .npz; clear errors otherwise (notebook 02)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: {LAYOUT}")
    try:
        data = np.load(path, allow_pickle=False)  # never unpickle a downloaded file
        missing = [k for k in ("images", "reports") if k not in data.files]
        images, reports = (None, None) if missing else (data["images"], data["reports"])
    except (OSError, ValueError) as err:  # not a zip, truncated, or object arrays
        raise ValueError(f"{path} cannot be read as a plain .npz ({err}): {LAYOUT}") from None
    if missing:
        raise ValueError(f"{path} lacks {missing}: {LAYOUT}")
    if images.ndim != 3:
        raise ValueError(f"'images' has shape {images.shape}, not (n, H, W): {LAYOUT}")
    if len(reports) != len(images):
        raise ValueError(f"{len(images)} images but {len(reports)} reports: one report per film")
    if not np.issubdtype(images.dtype, np.floating) or images.min() < 0 or images.max() > 1:
        raise ValueError(f"'images' must be floats in [0, 1] (got {images.dtype}, range "
                         f"{images.min()}..{images.max()}): divide 8-bit films by 255")
    return images.astype(np.float32), [str(r) for r in reports]
