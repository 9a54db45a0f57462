"""Chest X-ray augmentation with torchvision.transforms.v2: what is safe, what is not (notebook 01)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torchvision.transforms import RandomResizedCrop, v2


def cxr_augment() -> v2.Compose:
    """Clinically safe augmentation for a (1, H, W) chest X-ray in [0, 1] (notebook 01).

    Small shifts, rotations and zooms (patient positioning), mild exposure changes (kV/mAs),
    a little noise (detector). No flips: left and right are anatomy, not a nuisance.
    """
    return v2.Compose([
        v2.RandomAffine(degrees=5, translate=(0.04, 0.04), scale=(0.95, 1.05)),
        v2.ColorJitter(brightness=0.1, contrast=0.1),
        v2.GaussianNoise(sigma=0.01, clip=True),
    ])


def unsafe_augmentations() -> dict[str, v2.Transform]:
    """Augmentations that change the diagnosis of a chest X-ray, each with why (notebook 01)."""
    return {
        "horizontal flip: heart on the right = dextrocardia": v2.RandomHorizontalFlip(p=1.0),
        "vertical flip: diaphragm above the lungs": v2.RandomVerticalFlip(p=1.0),
        "rotation 30°: not a positioning error any more": v2.RandomRotation(degrees=(30, 30)),
        "contrast ×2.5: whites out lung (fake consolidation)": v2.ColorJitter(contrast=(2.5, 2.5)),
        "random erasing: can delete the lesion, label stays": v2.RandomErasing(
            p=1.0, scale=(0.08, 0.08), ratio=(1.0, 1.0), value=0.5),
    }


def add_side_marker(xray: torch.Tensor) -> torch.Tensor:
    """Burn a bright lead marker into the top corner on the image's right (patient's left) (notebook 01)."""
    out = xray.clone()  # (1, H, W)
    H, W = out.shape[-2:]
    out[..., H // 16: H // 16 + H // 8, W - W // 16 - W // 12: W - W // 16] = 1.0
    return out


def marker_position(xray: torch.Tensor) -> tuple[float, float]:
    """Where the side marker is: the brightest 5x5 window, as (row, col) fractions of the image (notebook 01)."""
    x = xray.float().reshape(1, 1, *xray.shape[-2:])
    smooth = torch.nn.functional.avg_pool2d(x, 5, stride=1)[0, 0]  # (H-4, W-4)
    r, c = divmod(int(smooth.argmax()), smooth.shape[1])
    return (r + 2.5) / xray.shape[-2], (c + 2.5) / xray.shape[-1]


def crop_keeps_finding(masks: np.ndarray, scale_min: float, n_crops: int = 20, keep: float = 0.9,
                       seed: int = 0) -> float:
    """Share of RandomResizedCrop(scale=(scale_min, 1)) crops that keep >= `keep` of a finding (notebook 01).

    masks: (n, H, W) bool, one finding per film (films without it are skipped). The crop boxes come from
    torchvision's own sampler (`RandomResizedCrop.get_params`, default aspect ratios 3/4..4/3).
    """
    masks = np.asarray(masks, bool)
    masks = masks[masks.reshape(len(masks), -1).any(1)]
    if len(masks) == 0 or not 0 < scale_min <= 1:
        raise ValueError("need films that show the finding and 0 < scale_min <= 1")
    H, W = masks.shape[1:]
    table = np.zeros((len(masks), H + 1, W + 1))
    table[:, 1:, 1:] = masks.cumsum(1).cumsum(2)  # integral image: the mask area of any box in O(1)
    total = table[:, -1, -1]
    like = torch.zeros(1, H, W)
    kept = np.zeros((len(masks), n_crops))
    with torch.random.fork_rng():  # torchvision draws from torch's global generator: seed it, then restore it
        torch.manual_seed(seed)
        for c in range(n_crops):
            for f in range(len(masks)):
                i, j, h, w = RandomResizedCrop.get_params(like, [scale_min, 1.0], [3 / 4, 4 / 3])
                inside = table[f, i + h, j + w] - table[f, i, j + w] - table[f, i + h, j] + table[f, i, j]
                kept[f, c] = inside / total[f]
    return float((kept >= keep).mean())


def choose_crop_scale(table: pd.DataFrame, min_share: float = 0.95) -> tuple[float, float]:
    """The smallest crop scale whose crops keep every finding often enough (notebook 01, Exercise 01.3).

    table: rows = candidate scale_min, columns = findings, values = share of crops that keep the finding.
    Returns (scale_min, its worst share over the findings).
    """
    worst = table.min(axis=1)
    safe = worst[worst >= min_share]
    if safe.empty:
        raise ValueError(f"no scale keeps every finding in {min_share:.0%} of crops; add larger scales")
    return float(safe.index.min()), float(safe.loc[safe.index.min()])
