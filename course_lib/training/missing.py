"""Training and evaluating with missing modalities: modality dropout, missing-fraction curves (notebook 12)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from course_lib.training.metrics import weighted_auc


def drop_modalities(available: np.ndarray, p: float | Sequence[float], rng: np.random.Generator) -> np.ndarray:
    """Modality dropout: drop each present modality with probability p[m], never all of a patient's (notebook 12).

    available (n, M) bool -> (n, M) bool, a subset of `available`. Where every present modality
    would be dropped, one of them (chosen at random) is kept: a patient with no input teaches nothing.
    """
    available = np.asarray(available, dtype=bool)
    p = np.broadcast_to(np.asarray(p, dtype=float), (available.shape[1],))
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"drop probabilities must lie in [0, 1], got {p}")
    kept = available & (rng.random(available.shape) >= p)  # (n, M)
    lost = available.any(1) & ~kept.any(1)  # rows that would be left with nothing
    if lost.any():
        # one present modality per such row, chosen uniformly among its present ones
        scores = np.where(available[lost], rng.random(available[lost].shape), -1.0)
        kept[np.flatnonzero(lost), scores.argmax(1)] = True
    return kept


def augment_with_dropout(X: np.ndarray, available: np.ndarray, y: np.ndarray, copies: int, p,
                         rng: np.random.Generator, drop: Callable = drop_modalities):
    """`copies` versions of the training set, each with its own modality-dropout masks (notebook 12).

    Returns packed inputs [X | available] (copies * n, D + M) and the repeated labels.
    """
    masks = [drop(available, p, rng) for _ in range(copies)]
    Xp = np.concatenate([np.column_stack([X, m.astype(np.float32)]) for m in masks]).astype(np.float32)
    return Xp, np.tile(np.asarray(y, dtype=np.float32), copies)


def missing_masks(n: int, fractions: Sequence[float], modality: int, num_modalities: int,
                  seed: int = 0) -> dict[float, np.ndarray]:
    """Nested availability masks (n, M): the first `fraction` of a random order misses `modality` (notebook 12).

    Nested (a patient missing at 20% is missing at 40% too), so a curve's steps are the effect of
    the fraction, not of new random draws.
    """
    order = np.random.default_rng(seed).permutation(n)
    out = {}
    for f in fractions:
        avail = np.ones((n, num_modalities), dtype=bool)
        avail[order[:int(round(f * n))], modality] = False
        out[float(f)] = avail
    return out


def auc_with_band(y: np.ndarray, p: np.ndarray, n_boot: int = 100, seed: int = 0) -> tuple[float, float, float]:
    """AUC and its percentile 95% bootstrap band, resampling patients (notebook 12)."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y).astype(bool)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(y), np.full(len(y), 1 / len(y)), size=n_boot).astype(float)
    counts = counts[((counts @ y) > 0) & ((counts @ ~y) > 0)]
    draws = weighted_auc(y, np.asarray(p, dtype=float), counts)
    return float(roc_auc_score(y, p)), float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975))


def missing_curves(strategies: dict[str, Callable[[np.ndarray], np.ndarray]], masks: dict[float, np.ndarray],
                   y: np.ndarray, n_boot: int = 100, seed: int = 0) -> pd.DataFrame:
    """AUC with bootstrap band of each strategy at each missing fraction (notebook 12).

    strategies: name -> function(available (n, M) bool) -> (n,) probabilities for the test patients.
    Returns a long table: strategy, fraction, AUC, low, high.
    """
    rows = []
    for name, predict in strategies.items():
        for f, avail in masks.items():
            auc, lo, hi = auc_with_band(y, predict(avail), n_boot, seed)
            rows.append({"strategy": name, "fraction": f, "AUC": auc, "low": lo, "high": hi})
    return pd.DataFrame(rows)


def missing_at_rates(n: int, rates: Sequence[float], seed: int = 0) -> np.ndarray:
    """Availability (n, M): modality m is missing for a random rates[m] share of patients, independently (notebook 12)."""
    rng = np.random.default_rng(seed)
    avail = np.ones((n, len(rates)), dtype=bool)
    for m, r in enumerate(rates):
        if not 0 <= r <= 1:
            raise ValueError(f"missing rates must lie in [0, 1], got {r} for modality {m}")
        avail[rng.permutation(n)[:int(round(r * n))], m] = False
    return avail


def choose_strategy(curves: pd.DataFrame, fraction: float = 0.4) -> str:
    """The strategy to deploy where `fraction` of X-rays are missing: best worst-case AUC up to there (notebook 12).

    curves: one row per strategy, one column per missing fraction (AUC). Robust choice: among
    fractions 0..fraction, the strategy whose lowest AUC is highest (good at 40% missing and no
    worse than the others on the complete patients).
    """
    cols = [c for c in curves.columns if isinstance(c, float) and c <= fraction + 1e-9]
    return str(curves[cols].min(axis=1).idxmax())
