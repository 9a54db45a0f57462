"""Image preprocessing shared by the imaging notebooks: CT windowing (notebooks 00, 01)."""

from __future__ import annotations

import numpy as np

# (level, width) in Hounsfield units: the usual radiology presets.
WINDOW_PRESETS: dict[str, tuple[float, float]] = {
    "lung": (-600.0, 1500.0),
    "mediastinum": (40.0, 400.0),
    "bone": (400.0, 1800.0),
    "brain": (40.0, 80.0),
    "abdomen": (50.0, 350.0),
}


def window(hu: np.ndarray, level: float, width: float) -> np.ndarray:
    """Map HU to [0, 1]: level - width/2 → 0 (black), level + width/2 → 1 (white)."""
    if width <= 0:
        raise ValueError(f"window width must be positive, got {width}")
    low = level - width / 2.0
    return np.clip((np.asarray(hu, dtype=np.float32) - low) / width, 0.0, 1.0)
