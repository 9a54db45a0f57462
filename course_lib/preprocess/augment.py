"""Chest X-ray augmentation with torchvision.transforms.v2: what is safe, what is not (notebook 01)."""

from __future__ import annotations

import torch
from torchvision.transforms import v2


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
