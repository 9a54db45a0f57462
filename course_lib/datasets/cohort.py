"""Notebook 11's inputs from the synthetic cohort: small X-rays and a clinical matrix (notebook 11)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def xray_tensor(images: np.ndarray, size: int = 32) -> torch.Tensor:
    """(n, H, W) in [0, 1] -> (n, 1, size, size), average-pooled and z-scored per image (notebook 11).

    Per-image z-scoring removes exposure differences between films, which say nothing about disease.
    """
    X = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))[:, None]  # (n, 1, H, W)
    X = F.adaptive_avg_pool2d(X, size)  # (n, 1, size, size)
    mean, std = X.mean(dim=(2, 3), keepdim=True), X.std(dim=(2, 3), keepdim=True)
    return (X - mean) / (std + 1e-6)


def clinical_matrix(vitals: np.ndarray, labs: np.ndarray, train_idx: np.ndarray) -> np.ndarray:
    """Vitals + log(labs), NaN imputed with train medians, plus missing-lab indicators, standardised (notebook 11).

    Whether a lab was ordered is itself information (a clinician suspected something), hence the
    indicators; every statistic comes from the training patients only.
    """
    values = np.column_stack([vitals, np.log(labs)]).astype(np.float64)  # (n, 14), NaN = not drawn
    missing = np.isnan(labs).astype(np.float64)  # (n, 8)
    medians = np.nanmedian(values[train_idx], axis=0)
    values = np.where(np.isnan(values), medians, values)
    X = np.column_stack([values, missing])
    mean, std = X[train_idx].mean(0), X[train_idx].std(0) + 1e-6
    return ((X - mean) / std).astype(np.float32)


def clinical_feature_names(vital_names, lab_names) -> list[str]:
    """Column names of clinical_matrix (notebook 11)."""
    return [*vital_names, *[f"log {n}" for n in lab_names], *[f"{n} missing" for n in lab_names]]

