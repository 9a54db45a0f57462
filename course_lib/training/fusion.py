"""Choosing a fusion strategy from measured numbers (notebook 11)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

XRAY = "X-ray only"  # the single-modality baseline every strategy must not fall below


def choose_fusion_for_missing(val_scores: dict[str, np.ndarray], y_val: np.ndarray, missing: np.ndarray,
                              tolerance: float = 0.01) -> tuple[str, float, float]:
    """The strategy to deploy when clinical data may be missing (notebook 11, Exercise 11.3).

    val_scores: {strategy: (n,) scores on validation patients, half without clinical data}, including
    "X-ray only"; y_val: (n,) 0/1; missing: (n,) bool, True = no clinical data. Keeps the strategies whose AUC on
    the patients without clinical data is at most `tolerance` below the X-ray alone, and returns the one with
    the highest AUC over all patients: (name, AUC over all, AUC without clinical data).
    """
    y_val, missing = np.asarray(y_val), np.asarray(missing, bool)
    if XRAY not in val_scores:
        raise ValueError(f"val_scores needs the baseline {XRAY!r}; got {list(val_scores)}")
    if missing.all() or not missing.any():
        raise ValueError("missing must mark some patients with and some without clinical data")
    floor = roc_auc_score(y_val[missing], val_scores[XRAY][missing]) - tolerance
    rows = {name: (roc_auc_score(y_val, s), roc_auc_score(y_val[missing], np.asarray(s)[missing]))
            for name, s in val_scores.items()}
    name = max((n for n, (_, m) in rows.items() if m >= floor), key=lambda n: rows[n][0])
    return name, float(rows[name][0]), float(rows[name][1])
