"""Where the report decoder looks: cross-attention over patches scored against finding masks (notebook 03)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def mask_on_grid(masks: np.ndarray, grid: int) -> np.ndarray:
    """(n, H, W) bool masks -> (n, grid*grid) share of each patch inside the mask, row by row (notebook 03)."""
    m = torch.from_numpy(np.asarray(masks, dtype=np.float32))[:, None]  # (n, 1, H, W)
    return F.adaptive_avg_pool2d(m, grid).flatten(1).numpy()


def attention_on_finding(weights: np.ndarray, masks: np.ndarray) -> dict[str, float]:
    """Cross-attention of one word over the patches vs the finding's mask, over many films (notebook 03).

    weights (n, P) attention over P = grid*grid patches (renormalised over the patches);
    masks (n, H, W). Returns the mean attention mass on the finding's patches, the same for a
    uniform map (chance), and the pointing game: the share of films whose top patch touches the finding.
    """
    weights = np.asarray(weights, dtype=float)
    n, P = weights.shape
    grid = int(round(P**0.5))
    if grid * grid != P or len(masks) != n:
        raise ValueError(f"weights (n, P) must cover a square grid of patches of the same n films, got {weights.shape} "
                         f"and {len(masks)} masks")
    weights = weights / weights.sum(1, keepdims=True)
    share = mask_on_grid(masks, grid)  # (n, P) in [0, 1]
    return {"attention mass on finding": float((weights * share).sum(1).mean()),
            "uniform (chance)": float(share.mean(1).mean()),
            "pointing game": float((share[np.arange(n), weights.argmax(1)] > 0).mean()),
            "pointing chance": float((share > 0).mean(1).mean())}
