"""Slide heatmaps from patch scores and attention, scored against the true tumour mask (notebook 04)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score


def heatmap(coords: pd.DataFrame, values: np.ndarray, shape: tuple[int, int], patch_px0: float,
            downsample: float) -> np.ndarray:
    """Put one value per patch back on the slide: (H, W) at `downsample`, NaN where there is no patch.

    coords: level-0 corners (x, y); patch_px0: patch side in level-0 pixels.
    """
    heat = np.full(shape, np.nan)
    side = max(int(round(patch_px0 / downsample)), 1)
    for (x, y), v in zip(np.c_[coords["x"], coords["y"]], np.asarray(values, float), strict=True):
        r, c = int(y / downsample), int(x / downsample)
        heat[r:r + side, c:c + side] = v
    return heat


def patch_auc(scores: list[np.ndarray], truth: list[np.ndarray], min_fraction: float = 0.5) -> float:
    """Mean over tumour slides of the patch-level AUC of a score (attention, probability) vs the mask.

    A patch is tumour when the mask covers >= min_fraction of it; slides whose patches are all one
    class have no AUC and are skipped. 1.0: the score ranks every tumour patch first; 0.5: chance.
    """
    aucs = []
    for s, t in zip(scores, truth, strict=True):
        y = np.asarray(t) >= min_fraction
        if 0 < y.sum() < len(y):
            aucs.append(roc_auc_score(y, np.asarray(s)[:len(y)]))
    if not aucs:
        raise ValueError("no slide has both tumour and normal patches: nothing to score")
    return float(np.mean(aucs))


def froc_lite(scores: list[np.ndarray], truth: list[np.ndarray], thresholds: np.ndarray | None = None,
              min_fraction: float = 0.5) -> pd.DataFrame:
    """A simplified CAMELYON16-style FROC: lesion sensitivity vs false positives per slide (notebook 04).

    Each slide has at most one metastasis here. At a threshold, every patch scoring above it is a
    detection; a tumour slide's lesion is found when a detection lies on a tumour patch; detections on
    normal patches are false positives. (CAMELYON16 scores lesions by connected regions, with a
    tolerance around each; this keeps the idea and drops the geometry.)
    """
    all_scores = np.concatenate([np.asarray(s) for s in scores])
    thresholds = np.quantile(all_scores, np.linspace(0.5, 0.9999, 60)) if thresholds is None else thresholds
    rows = []
    n_lesions = sum(bool((np.asarray(t) >= min_fraction).any()) for t in truth)
    for thr in thresholds:
        found = fps = 0
        for s, t in zip(scores, truth, strict=True):
            y, det = np.asarray(t) >= min_fraction, np.asarray(s)[:len(t)] >= thr
            found += bool((det & y).any())
            fps += int((det & ~y).sum())
        rows.append({"threshold": thr, "sensitivity": found / max(n_lesions, 1), "fp_per_slide": fps / len(scores)})
    return pd.DataFrame(rows)


def sensitivity_at(froc: pd.DataFrame, fp_per_slide: tuple[float, ...] = (0.25, 0.5, 1, 2, 4, 8)) -> pd.Series:
    """Best sensitivity reached with at most each number of false positives per slide (FROC points)."""
    return pd.Series({fp: float(froc.loc[froc["fp_per_slide"] <= fp, "sensitivity"].max())
                      if (froc["fp_per_slide"] <= fp).any() else 0.0 for fp in fp_per_slide},
                     name="sensitivity")
