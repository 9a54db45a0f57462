"""Notebook 08: the PhysioNet 2019 utility, alarm burden, lead time, patient-level bootstrap."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from course_lib.training.early_warning import (
    _weighted_auc,
    alarm_onsets,
    alarms_per_patient_day,
    choose_ward_threshold,
    lead_times,
    normalized_utility,
    patient_bootstrap_auroc,
    prediction_utility,
)


def test_utility_challenge_example():
    # evaluate_sepsis_score.py's docstring example; by hand: t_sepsis = 4 + 6 = 10, alarms at
    # t = 2, 3, 4 earn (t - 10 + 12) / 6 = 2/3, 5/6, 1; at t = 5, 1 - (5 - 4) / 9 = 8/9.
    got = prediction_utility(np.array([0, 0, 0, 0, 1, 1]), np.array([0, 0, 1, 1, 1, 1]))
    assert got == pytest.approx(2 / 3 + 5 / 6 + 1 + 8 / 9)


def test_utility_hand_cases():
    labels = np.r_[np.zeros(20), np.ones(10)]  # label from t = 20: t_sepsis = 26
    assert prediction_utility(labels, np.zeros(30)) == pytest.approx(sum(-2 / 9 * (t - 20) for t in range(21, 30)))
    early = np.zeros(30)
    early[5] = 1  # 21 h before t_sepsis: costs like a false alarm
    assert prediction_utility(labels, early) - prediction_utility(labels, np.zeros(30)) == pytest.approx(-0.05)
    assert prediction_utility(np.zeros(10), np.ones(10)) == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="one prediction per hour"):
        prediction_utility(np.zeros(3), np.zeros(4))


def loop_normalized(y, a):
    obs = best = none = 0.0
    for lab, pred in zip(y, a, strict=True):
        keep = ~np.isnan(lab)
        lab, pred = lab[keep], pred[keep]
        ideal = np.zeros(len(lab))
        if lab.any():
            ts = int(np.argmax(lab)) + 6
            ideal[max(0, ts - 12):min(ts + 4, len(lab))] = 1
        obs += prediction_utility(lab, pred)
        best += prediction_utility(lab, ideal)
        none += prediction_utility(lab, np.zeros(len(lab)))
    return (obs - none) / (best - none)


def test_vectorised_utility_equals_the_loop():
    rng = np.random.default_rng(0)
    y, a = np.full((60, 40), np.nan), np.zeros((60, 40))
    for i in range(60):
        L = rng.integers(10, 41)
        lab = np.zeros(L)
        if rng.random() < 0.4:
            lab[rng.integers(0, L):] = 1
        y[i, :L], a[i, :L] = lab, rng.random(L) < 0.3
    assert normalized_utility(y, a) == pytest.approx(loop_normalized(y, a))
    assert normalized_utility(y, np.zeros_like(a)) == pytest.approx(0.0)


def test_weighted_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.2).astype(float)
    p = np.round(rng.random(400) + 0.5 * y, 1)
    w = rng.integers(0, 3, 400).astype(float)
    _, value = np.unique(p, return_inverse=True)
    assert _weighted_auc(value, y, w, value.max() + 1) == pytest.approx(roc_auc_score(y, p, sample_weight=w))


def test_patient_bootstrap_brackets_the_estimate():
    rng = np.random.default_rng(2)
    y = np.where(rng.random((80, 30)) < 0.1, 1.0, 0.0)
    p = y * 0.5 + rng.random((80, 30))
    y[:, 25:] = np.nan
    low, high = patient_bootstrap_auroc(y, p, n_boot=100)
    keep = ~np.isnan(y)
    assert low < roc_auc_score(y[keep], p[keep]) < high


def test_alarms_snooze_and_burden():
    p = np.array([[0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0.0]])
    assert np.flatnonzero(alarm_onsets(p, 0.5, snooze=4)[0]).tolist() == [1, 5]
    assert np.flatnonzero(alarm_onsets(p, 0.5, snooze=1)[0]).tolist() == [1, 2, 3, 4, 5, 7]
    y = np.zeros((1, 12))
    assert alarms_per_patient_day(p, y, 0.5) == pytest.approx(2 / (12 / 24))


def test_lead_times():
    p = np.zeros((3, 30))
    onset = np.array([20.0, 20.0, np.nan])
    p[0, 15:] = 1  # first alarm 5 h before onset
    p[1, 2:4] = 1  # only 18 h before onset: outside the 12 h window, so missed
    got = lead_times(p, onset, 0.5)
    assert got[0] == 5 and np.isnan(got[1]) and len(got) == 2


def test_choose_ward_threshold():
    table = pd.DataFrame({"alarms / patient-day": [4.0, 1.9, 1.0, 0.3], "septic detected": [1.0, 1.0, 1.0, 0.6],
                          "median lead time (h)": [9.0, 6.0, 3.0, 1.0]}, index=[0.1, 0.2, 0.3, 0.5])
    assert choose_ward_threshold(table, 2.0) == 0.2
    with pytest.raises(ValueError, match="no cut-off"):
        choose_ward_threshold(table, 0.1)
