"""A rule-out decision from the ECG model and the first troponin (notebook 05)."""

from __future__ import annotations

import numpy as np


def rule_out_performance(ecg_score: np.ndarray, troponin: np.ndarray, acute_mi: np.ndarray, ecg_cut: float,
                         trop_cut: float) -> tuple[float, float]:
    """(sensitivity for acute MI, share of troponin-tested patients ruled out) of one rule (notebook 05).

    A patient is ruled out when the ECG score < ecg_cut AND the first troponin (ng/L) < trop_cut; a patient
    without a troponin (NaN) is never ruled out. Sensitivity counts every MI that is NOT ruled out.
    """
    ecg_score, troponin = np.asarray(ecg_score, float), np.asarray(troponin, float)
    acute_mi = np.asarray(acute_mi, bool)
    if not acute_mi.any():
        raise ValueError("no acute MI among these patients: sensitivity is undefined")
    drawn = ~np.isnan(troponin)
    ruled_out = drawn & (ecg_score < ecg_cut) & (np.nan_to_num(troponin, nan=np.inf) < trop_cut)
    return float(1 - ruled_out[acute_mi].mean()), float(ruled_out[drawn].mean())


def choose_mi_rule_out(ecg_score, troponin, acute_mi, ecg_cuts, trop_cuts,
                       min_sensitivity: float = 0.99) -> tuple[float, float, float]:
    """The (ECG cut, troponin cut) pair that rules out most while missing few MIs (notebook 05, Exercise 05.4).

    Among all pairs of the two grids with sensitivity >= min_sensitivity, the one that rules out the largest
    share of troponin-tested patients. Returns (ecg_cut, trop_cut, share ruled out).
    """
    best = None
    for e in ecg_cuts:
        for t in trop_cuts:
            sensitivity, share = rule_out_performance(ecg_score, troponin, acute_mi, e, t)
            if sensitivity >= min_sensitivity and (best is None or share > best[2]):
                best = (float(e), float(t), share)
    if best is None:
        raise ValueError("no pair reaches the sensitivity: add a troponin cut-off of 0 (rule out nobody)")
    return best
