"""Foundation-model few-shot curves and bias mitigation (reweighting, per-group thresholds) (notebook 17)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset


def few_shot_indices(y: np.ndarray, pool: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """k positives and k negatives drawn from `pool` (notebook 17)."""
    rng = np.random.default_rng(seed)
    pos, neg = pool[y[pool] == 1], pool[y[pool] == 0]
    return np.concatenate([rng.choice(pos, k, replace=False), rng.choice(neg, k, replace=False)])


def probe_auc(E: np.ndarray, y: np.ndarray, fit_idx: np.ndarray, test_idx: np.ndarray) -> float:
    """Test AUC of a logistic regression on frozen embeddings E (n, D) (notebook 17)."""
    clf = LogisticRegression(C=1.0, max_iter=2000).fit(E[fit_idx], y[fit_idx])
    return float(roc_auc_score(y[test_idx], clf.predict_proba(E[test_idx])[:, 1]))


def scratch_auc(model_fn, X: torch.Tensor, y: np.ndarray, fit_idx: np.ndarray, test_idx: np.ndarray,
                steps: int = 150, lr: float = 3e-3, seed: int = 0) -> float:
    """Test AUC of a model trained from random weights on the fit_idx examples only (notebook 17)."""
    from course_lib.training.loop import fit, predict

    torch.manual_seed(seed)
    model = model_fn()
    yt = torch.tensor(y[fit_idx], dtype=torch.float32)[:, None]
    batch = min(32, len(fit_idx))
    epochs = max(1, steps * batch // len(fit_idx))  # the same number of steps at every k
    fit(model, DataLoader(TensorDataset(X[fit_idx], yt), batch_size=batch, shuffle=True), num_epochs=epochs,
        lr=lr, weight_decay=1e-3, progress=False)
    p = predict(model, DataLoader(TensorDataset(X[test_idx]), batch_size=500))[:, 0]
    return float(roc_auc_score(y[test_idx], p))


def group_weights(y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Sample weights that give every (group, label) cell the same total weight (reweighing, Kamiran & Calders 2012) (notebook 17)."""
    y, groups = np.asarray(y).astype(int), np.asarray(groups)
    w = np.empty(len(y))
    cells = [(g, c) for g in np.unique(groups) for c in (0, 1)]
    for g, c in cells:
        mask = (groups == g) & (y == c)
        w[mask] = len(y) / (len(cells) * max(mask.sum(), 1))
    return w


def group_thresholds(y: np.ndarray, p: np.ndarray, groups: np.ndarray, sensitivity: float = 0.85) -> dict:
    """Per group, the highest cut-off reaching the target sensitivity (equal opportunity by thresholds) (notebook 17)."""
    from course_lib.training.metrics import threshold_for_sensitivity

    return {g: threshold_for_sensitivity(y[groups == g], p[groups == g], sensitivity) for g in np.unique(groups)}
