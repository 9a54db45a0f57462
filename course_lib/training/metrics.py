"""Classification metrics with bootstrap confidence intervals, built on sklearn.metrics (notebook 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy, AUC and F1 of probabilities p for labels y (notebook 11)."""
    pred = p >= threshold
    return {"accuracy": accuracy_score(y, pred), "AUC": roc_auc_score(y, p), "F1": f1_score(y, pred)}


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut-off with the best F1 (choose it on validation data, never on test) (notebook 11)."""
    grid = np.unique(np.quantile(p, np.linspace(0.02, 0.98, 97)))
    return float(max(grid, key=lambda t: f1_score(y, p >= t)))


def weighted_auc(y: np.ndarray, p: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """AUC of bootstrap resamples given as counts (B, n) of each patient, all at once (notebook 11).

    Equals roc_auc_score on each resample (ties count 1/2): the share of (positive, negative) pairs
    ranked correctly, with every patient weighted by how often the resample drew them.
    """
    _, value = np.unique(p, return_inverse=True)  # tied scores share a value index
    onehot = np.zeros((len(p), value.max() + 1))
    onehot[np.arange(len(p)), value] = 1.0  # (n, U)
    pos = (counts * y) @ onehot  # (B, U) positives drawn at each score value
    neg = (counts * ~y) @ onehot
    below = np.cumsum(neg, axis=1) - neg  # negatives with a strictly lower score
    return (pos * (below + 0.5 * neg)).sum(1) / (pos.sum(1) * neg.sum(1))


def bootstrap_metrics(y: np.ndarray, p: np.ndarray, threshold: float = 0.5, n_boot: int = 1000,
                      seed: int = 0) -> pd.DataFrame:
    """Point estimate (sklearn) and percentile 95% CI of each metric, resampling patients (notebook 11)."""
    rng = np.random.default_rng(seed)
    y, p = np.asarray(y).astype(bool), np.asarray(p, dtype=float)
    pred = p >= threshold
    counts = rng.multinomial(len(y), np.full(len(y), 1 / len(y)), size=n_boot).astype(float)  # (B, n)
    counts = counts[((counts @ y) > 0) & ((counts @ ~y) > 0)]  # a resample with one class has no AUC
    tp = counts @ (y & pred)
    draws = pd.DataFrame({"accuracy": counts @ (y == pred) / len(y),
                          "AUC": weighted_auc(y, p, counts),
                          "F1": 2 * tp / (counts @ y + counts @ pred)})
    return pd.DataFrame({"value": pd.Series(binary_metrics(y, p, threshold)),
                         "low": draws.quantile(0.025), "high": draws.quantile(0.975)})


def metrics_table(y: np.ndarray, probs: dict[str, np.ndarray], thresholds: dict[str, float] | None = None,
                  n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per model: accuracy, AUC, F1 as 'value [low, high]' strings, plus the raw numbers (notebook 11)."""
    rows = {}
    for name, p in probs.items():
        t = (thresholds or {}).get(name, 0.5)
        m = bootstrap_metrics(y, p, t, n_boot, seed)
        rows[name] = {**{f"{k}": m.loc[k, "value"] for k in m.index},
                      **{f"{k} 95% CI": f"[{m.loc[k, 'low']:.3f}, {m.loc[k, 'high']:.3f}]" for k in m.index}}
    table = pd.DataFrame(rows).T
    return table[["accuracy", "accuracy 95% CI", "AUC", "AUC 95% CI", "F1", "F1 95% CI"]]


def threshold_for_sensitivity(y: np.ndarray, p: np.ndarray, target: float = 0.9) -> float:
    """The highest cut-off whose sensitivity on (y, p) is at least `target` (notebook 00).

    The highest such cut-off gives the fewest false alarms for that sensitivity. Choose it on
    validation patients; its sensitivity on new patients will scatter around the target.
    """
    if not 0 < target <= 1:
        raise ValueError(f"target sensitivity must be in (0, 1], got {target}")
    y = np.asarray(y).astype(bool)
    if not y.any():
        raise ValueError("no positive patients: sensitivity is undefined")
    positives = np.sort(np.asarray(p, float)[y])[::-1]  # highest first
    return float(positives[int(np.ceil(target * len(positives))) - 1])


def alarm_cost(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    """Sensitivity, specificity and alarms per 100 patients at a cut-off (notebook 00)."""
    y, flag = np.asarray(y).astype(bool), np.asarray(p) >= threshold
    return {"sensitivity": flag[y].mean(), "specificity": (~flag[~y]).mean(),
            "alarms per 100 patients": 100 * flag.mean(),
            "false alarms per 100 patients": 100 * (flag & ~y).mean()}


def operating_point(val_scores, y_val, test_scores, y_test, sensitivity: float = 0.95) -> dict:
    """A cut-off chosen on validation for a target sensitivity, and what it costs on test (notebook 02)."""
    threshold = threshold_for_sensitivity(y_val, val_scores, sensitivity)
    return {"threshold": threshold, **alarm_cost(y_test, test_scores, threshold)}
