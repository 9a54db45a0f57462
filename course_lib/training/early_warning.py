"""Early-warning evaluation per hour: AUROC/AUPRC, lead time, alarm burden, PhysioNet 2019 utility (notebook 08).

Scores and labels are (n, H) arrays with NaN past each stay's end; hour t's score is the
alarm state at the end of hour t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from course_lib.training.metrics import threshold_for_sensitivity

# PhysioNet/CinC 2019 utility (Reyna et al. 2020; the challenge's evaluate_sepsis_score.py).
DT_EARLY, DT_OPTIMAL, DT_LATE = -12, -6, 3  # hours relative to t_sepsis
MAX_U_TP, MIN_U_FN, U_FP, U_TN = 1.0, -2.0, -0.05, 0.0


def _valid(y: np.ndarray) -> np.ndarray:
    return ~np.isnan(np.asarray(y, float))


def hourly_auc(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """AUROC and AUPRC over all patient-hours, as the challenge computed them (notebook 08)."""
    v = _valid(y)
    return {"AUROC": roc_auc_score(y[v], p[v]), "AUPRC": average_precision_score(y[v], p[v])}


def _weighted_auc(value: np.ndarray, y: np.ndarray, w: np.ndarray, n_values: int) -> float:
    """AUROC with case weights from scores given as tie-aware ranks `value` (ties count 1/2)."""
    pos = np.bincount(value, weights=w * y, minlength=n_values)
    neg = np.bincount(value, weights=w * (1 - y), minlength=n_values)
    below = np.cumsum(neg) - neg  # negatives with a strictly lower score
    return float((pos * (below + 0.5 * neg)).sum() / (pos.sum() * neg.sum()))


def patient_bootstrap_auroc(y: np.ndarray, p: np.ndarray, n_boot: int = 200, seed: int = 0,
                            level: float = 0.95) -> tuple[float, float]:
    """Percentile CI of the hourly AUROC, resampling PATIENTS (their hours are not independent) (notebook 08)."""
    rng = np.random.default_rng(seed)
    v = _valid(y)
    patient = np.broadcast_to(np.arange(len(y))[:, None], y.shape)[v]
    yy = y[v].astype(float)
    _, value = np.unique(p[v], return_inverse=True)
    draws = []
    for _ in range(n_boot):
        w = np.bincount(rng.integers(0, len(y), len(y)), minlength=len(y))[patient].astype(float)
        if (w * yy).sum() == 0 or (w * (1 - yy)).sum() == 0:
            continue  # a resample without positives (or negatives) has no AUROC
        draws.append(_weighted_auc(value, yy, w, value.max() + 1))
    a = (1 - level) / 2
    return float(np.quantile(draws, a)), float(np.quantile(draws, 1 - a))


def hour_threshold(y: np.ndarray, p: np.ndarray, sensitivity: float = 0.8) -> float:
    """Highest cut-off flagging at least `sensitivity` of the positive hours (notebook 08)."""
    v = _valid(y)
    return threshold_for_sensitivity(y[v], p[v], sensitivity)


def alarm_onsets(p: np.ndarray, threshold: float, snooze: int = 4) -> np.ndarray:
    """(n, H) True where an alarm fires (notebook 08).

    An alarm fires when the score is at or above the cut-off and no alarm fired in the previous
    `snooze` hours: a persistent high score re-alarms every `snooze` hours, as a nurse re-escalates.
    """
    above = np.nan_to_num(np.asarray(p, float), nan=-np.inf) >= threshold
    fired = np.zeros_like(above)
    quiet = np.full(len(above), snooze)  # hours since the last alarm
    for t in range(above.shape[1]):
        fired[:, t] = above[:, t] & (quiet >= snooze)
        quiet = np.where(fired[:, t], 1, quiet + 1)
    return fired


def alarms_per_patient_day(p: np.ndarray, y: np.ndarray, threshold: float, snooze: int = 4) -> float:
    """Alarms per 24 patient-hours: the nurse's burden (alarm fatigue) (notebook 08)."""
    v = _valid(y)
    return float(alarm_onsets(np.where(v, p, np.nan), threshold, snooze).sum() / (v.sum() / 24))


def lead_times(p: np.ndarray, onset: np.ndarray, threshold: float, late: int = DT_LATE) -> np.ndarray:
    """Hours from the first alarm to sepsis onset, per septic patient (notebook 08).

    Positive: the alarm came before onset. NaN: no alarm by onset + `late` h (missed). Alarms
    more than 12 h before onset are not counted: the challenge scores them as false alarms.
    """
    out = []
    for i in np.flatnonzero(np.isfinite(onset)):
        t0 = int(onset[i])
        window = np.arange(max(t0 + DT_EARLY, 0), min(t0 + late + 1, p.shape[1]))
        hit = window[np.nan_to_num(p[i, window], nan=-np.inf) >= threshold]
        out.append(t0 - hit[0] if len(hit) else np.nan)
    return np.array(out, float)


def prediction_utility(labels: np.ndarray, predictions: np.ndarray) -> float:
    """One patient's utility, the PhysioNet 2019 definition (notebook 08).

    labels: (L,) 0/1 SepsisLabel (1 from 6 h before onset); predictions: (L,) 0/1 alarms.
    t_sepsis = first positive label + 6. Before t_sepsis - 12 an alarm costs like a false one;
    from -12 to -6 its reward rises linearly 0 -> 1; then falls to 0 at +3. A septic patient
    missed between -6 and +3 loses up to 2 points; a non-septic patient's alarm costs 0.05.
    """
    labels, predictions = np.asarray(labels), np.asarray(predictions).astype(bool)
    if labels.shape != predictions.shape:
        raise ValueError("one prediction per hour: labels and predictions differ in length")
    t = np.arange(len(labels), dtype=float)
    if not labels.any():
        return float(np.where(predictions, U_FP, U_TN).sum())
    ts = float(np.argmax(labels)) - DT_OPTIMAL
    rel = t - ts
    m1 = MAX_U_TP / (DT_OPTIMAL - DT_EARLY)
    m2 = -MAX_U_TP / (DT_LATE - DT_OPTIMAL)
    m3 = MIN_U_FN / (DT_LATE - DT_OPTIMAL)
    tp = np.where(rel <= DT_OPTIMAL, np.maximum(m1 * (rel - DT_EARLY), U_FP), m2 * (rel - DT_LATE))
    fn = np.where(rel <= DT_OPTIMAL, 0.0, m3 * (rel - DT_OPTIMAL))
    u = np.where(predictions, tp, fn)
    return float(u[rel <= DT_LATE].sum())


def utility_grids(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, H) utility of an alarm, of no alarm, and the ideal alarms, every hour at once (notebook 08).

    The same rules as `prediction_utility`, vectorised over patients; hours that do not count
    (past the stay, or after t_sepsis + 3 for septic patients) carry 0.
    """
    y = np.asarray(y, float)
    valid = _valid(y)
    pos = np.nan_to_num(y) == 1
    septic = pos.any(1)
    ts = np.where(septic, np.argmax(pos, 1) - DT_OPTIMAL, 0)[:, None]
    rel = np.arange(y.shape[1])[None, :] - ts
    m1 = MAX_U_TP / (DT_OPTIMAL - DT_EARLY)
    m2 = -MAX_U_TP / (DT_LATE - DT_OPTIMAL)
    m3 = MIN_U_FN / (DT_LATE - DT_OPTIMAL)
    early = rel <= DT_OPTIMAL
    sep = septic[:, None]
    tp = np.where(sep, np.where(early, np.maximum(m1 * (rel - DT_EARLY), U_FP), m2 * (rel - DT_LATE)), U_FP)
    fn = np.where(sep, np.where(early, 0.0, m3 * (rel - DT_OPTIMAL)), U_TN)
    counted = valid & (~sep | (rel <= DT_LATE))
    ideal = sep & (rel >= DT_EARLY) & (rel <= DT_LATE) & valid
    return tp * counted, fn * counted, ideal


def normalized_utility(y: np.ndarray, alarms: np.ndarray) -> float:
    """Cohort utility normalised as the challenge did: 1 = the ideal alarms, 0 = never alarming (notebook 08).

    y, alarms: (n, H) with NaN past each stay; alarms 0/1 (NaN counts as no alarm).
    """
    tp, fn, ideal = utility_grids(y)
    pred = np.nan_to_num(np.asarray(alarms, float)) > 0
    obs, best, none = np.where(pred, tp, fn).sum(), np.where(ideal, tp, fn).sum(), fn.sum()
    return float((obs - none) / (best - none))


def best_utility_threshold(y: np.ndarray, p: np.ndarray, grid: np.ndarray | None = None) -> float:
    """The cut-off with the highest utility (choose it on validation patients) (notebook 08)."""
    v = _valid(y)
    grid = np.unique(np.quantile(p[v], np.linspace(0.5, 0.995, 40))) if grid is None else grid
    return float(max(grid, key=lambda c: normalized_utility(y, np.where(v, p >= c, 0))))


def ward_report(y: np.ndarray, p: np.ndarray, onset: np.ndarray, threshold: float,
                utility_threshold: float | None = None) -> dict[str, float]:
    """The ward's view of one early-warning score at one cut-off (notebook 08)."""
    v = _valid(y)
    lead = lead_times(p, onset, threshold)
    out = {**hourly_auc(y, p),
           "hour sensitivity": float((p[v][y[v] == 1] >= threshold).mean()),
           "alarms / patient-day": alarms_per_patient_day(p, y, threshold),
           "septic detected": float(np.isfinite(lead).mean()),
           "median lead time (h)": float(np.nanmedian(lead)) if np.isfinite(lead).any() else np.nan}
    cut = threshold if utility_threshold is None else utility_threshold
    out["utility"] = normalized_utility(y, np.where(v, p >= cut, 0))
    return out


def threshold_table(y: np.ndarray, p: np.ndarray, onset: np.ndarray, cuts) -> pd.DataFrame:
    """The ward's view of each candidate cut-off: alarms, detection, lead time, utility (notebook 08)."""
    rows = {}
    for c in cuts:
        r = ward_report(y, p, onset, float(c))
        rows[round(float(c), 3)] = {k: r[k] for k in ("hour sensitivity", "alarms / patient-day",
                                                      "septic detected", "median lead time (h)", "utility")}
    return pd.DataFrame(rows).T.rename_axis("cut-off")


def choose_ward_threshold(table, budget: float = 2.0) -> float:
    """Among cut-offs within the alarm budget (per patient-day), the one detecting most septic patients (notebook 08).

    Ties go to the longer median lead time, then to the higher cut-off (fewer alarms).
    """
    ok = table[table["alarms / patient-day"] <= budget]
    if ok.empty:
        raise ValueError(f"no cut-off in the table keeps alarms within {budget} per patient-day")
    ranked = ok.assign(cut=ok.index).sort_values(["septic detected", "median lead time (h)", "cut"])
    return float(ranked.index[-1])
