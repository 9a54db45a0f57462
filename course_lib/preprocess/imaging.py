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


# ImageNet statistics (RGB): the input scale every ImageNet-pretrained encoder was trained on.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def to_hounsfield(raw: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    """Stored CT integers → Hounsfield units: raw × RescaleSlope + RescaleIntercept (notebook 01)."""
    return (np.asarray(raw, dtype=np.float32) * np.float32(slope) + np.float32(intercept))


def hu_window(raw: np.ndarray, slope: float, intercept: float, level: float, width: float) -> np.ndarray:
    """Stored CT values → Hounsfield units → window (level, width) → [0, 1] (notebook 01)."""
    return window(to_hounsfield(raw, slope, intercept), level, width)


def normalize_minmax(image: np.ndarray) -> np.ndarray:
    """Scale an image to [0, 1] by its own minimum and maximum (notebook 01)."""
    image = np.asarray(image, dtype=np.float32)
    low, high = float(image.min()), float(image.max())
    return (image - low) / max(high - low, 1e-8)


def normalize_zscore(image: np.ndarray, mean: float | None = None,
                     std: float | None = None) -> np.ndarray:
    """Zero mean, unit variance; pass the TRAINING set's mean and std to reuse them (notebook 01)."""
    image = np.asarray(image, dtype=np.float32)
    mean = float(image.mean()) if mean is None else mean
    std = float(image.std()) if std is None else std
    return (image - mean) / max(std, 1e-8)


def normalize_imagenet(gray01: np.ndarray) -> np.ndarray:
    """A [0, 1] grey image as the (3, H, W) input an ImageNet-pretrained encoder expects (notebook 01)."""
    rgb = np.repeat(np.asarray(gray01, dtype=np.float32)[None], 3, axis=0)  # (3, H, W)
    mean = np.asarray(IMAGENET_MEAN, np.float32)[:, None, None]
    std = np.asarray(IMAGENET_STD, np.float32)[:, None, None]
    return (rgb - mean) / std


def resample_to_spacing(image: np.ndarray, spacing_mm: tuple[float, float],
                        new_spacing_mm: float | tuple[float, float] = 1.0,
                        order: int = 1) -> tuple[np.ndarray, tuple[float, float]]:
    """Resample a 2-D image to a new pixel spacing, keeping its physical size (notebook 01).

    order=1 is (bi)linear (images), order=0 nearest neighbour (label masks: it never invents
    a label between 0 and 1). Returns the image and its exact new spacing (mm).
    """
    from scipy.ndimage import zoom

    image = np.asarray(image)
    new = np.broadcast_to(np.asarray(new_spacing_mm, dtype=float), (2,))
    extent = np.asarray(image.shape, float) * np.asarray(spacing_mm, float)  # mm
    shape = np.maximum(np.round(extent / new).astype(int), 1)
    # grid_mode: pixels are areas, so the first and last pixel EDGES stay where they were.
    out = zoom(image, shape / np.asarray(image.shape), order=order, grid_mode=True,
               mode="nearest")
    return out, tuple(float(s) for s in extent / np.asarray(out.shape))
