"""Deployment monitoring and updating: PSI and KS drift statistics, fine-tuning, rehearsal (notebook 17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from scipy import stats
from torch import nn

PSI_ALERT = 0.25  # common rule of thumb: < 0.1 stable, 0.1-0.25 moderate shift, > 0.25 act


def psi(expected, actual, bins: int = 10, eps: float = 1e-4) -> float:
    """Population stability index of `actual` against `expected`, deciles of `expected` as bins (notebook 17).

    PSI = sum over bins (a - e) * ln(a / e), with e and a the shares of each sample per bin; shares
    are floored at eps so that an empty bin gives a large, finite value.
    """
    expected, actual = np.asarray(expected, float).ravel(), np.asarray(actual, float).ravel()
    if len(expected) < bins or len(actual) == 0:
        raise ValueError(f"need at least {bins} reference values and one new value")
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)[1:-1]))
    e = np.bincount(np.searchsorted(edges, expected, side="right"), minlength=len(edges) + 1) / len(expected)
    a = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1) / len(actual)
    e, a = np.maximum(e, eps), np.maximum(a, eps)
    return float(np.sum((a - e) * np.log(a / e)))


def drift_table(reference: np.ndarray, new: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Per feature: PSI and the two-sample Kolmogorov-Smirnov statistic and p-value (scipy) (notebook 17)."""
    rows = {}
    for j, name in enumerate(names):
        ks = stats.ks_2samp(reference[:, j], new[:, j])
        rows[name] = {"PSI": psi(reference[:, j], new[:, j]), "KS": ks.statistic, "KS p": ks.pvalue}
    return pd.DataFrame(rows).T.sort_values("PSI", ascending=False)


def finetune(model: nn.Module, X: np.ndarray, y: np.ndarray, epochs: int = 20, lr: float = 3e-3,
             batch_size: int = 64, seed: int = 0) -> nn.Module:
    """Continue training a deployed model on new patients only (Adam) (notebook 17)."""
    X, y = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)[:, None]
    g = torch.Generator().manual_seed(seed)
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=lr), nn.BCEWithLogitsLoss()
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            loss = loss_fn(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


def rehearsal_set(X_old, y_old, X_new, y_new, buffer: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """New patients plus a random buffer of `buffer` old ones: experience replay (notebook 17)."""
    keep = np.random.default_rng(seed).choice(len(X_old), size=min(buffer, len(X_old)), replace=False)
    return np.concatenate([X_new, X_old[keep]]), np.concatenate([y_new, y_old[keep]])
