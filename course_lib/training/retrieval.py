"""Cross-modal retrieval metrics: Recall@K from a similarity matrix (notebook 02)."""

from __future__ import annotations

import numpy as np


def recall_at_k(sim, k: int, relevant=None) -> float:
    """Fraction of queries whose (first) relevant item ranks in the top k (notebook 02).

    sim: (Q, G) similarities, row = query, column = gallery item. By default the relevant item of
    query i is gallery item i (pairs on the diagonal); `relevant` (Q, G) bool allows several.
    Ties are counted pessimistically: an item tied with the relevant one ranks ahead of it.
    """
    sim = np.asarray(sim, dtype=float)
    if relevant is None:
        relevant = np.eye(*sim.shape, dtype=bool)
    relevant = np.asarray(relevant, dtype=bool)
    best = np.where(relevant, sim, -np.inf).max(axis=1, keepdims=True)  # (Q, 1) best relevant score
    # rank of the best relevant item = number of irrelevant items scoring at least as high
    ahead = (np.where(relevant, -np.inf, sim) >= best).sum(axis=1)  # (Q,)
    return float((ahead < k).mean())


def retrieval_table(sim, ks=(1, 5, 10)) -> dict[str, float]:
    """Recall@K in both directions for a (N, N) image×text similarity matrix (notebook 02)."""
    sim = np.asarray(sim, dtype=float)
    out = {f"image→text R@{k}": recall_at_k(sim, k) for k in ks}
    out.update({f"text→image R@{k}": recall_at_k(sim.T, k) for k in ks})
    return out
