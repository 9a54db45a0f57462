"""Notebook 05's MI rule-out: the scoring, the reference choice, and the checker's explanations."""

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import ExerciseError
from course_lib.training.ecg import choose_mi_rule_out, rule_out_performance

ECG_CUTS, TROP_CUTS = [0.1, 0.5, 1.01], [0, 5, 14]


def _patients():
    rng = np.random.default_rng(3)
    n = 400
    mi = rng.random(n) < 0.15
    ecg = np.where(mi, rng.uniform(0.2, 1, n), rng.uniform(0, 0.6, n))
    trop = np.where(mi, rng.uniform(6, 200, n), rng.uniform(1, 20, n))
    trop[rng.random(n) < 0.2] = np.nan  # not drawn
    return ecg, trop, mi


def test_rule_out_performance_counts_by_hand():
    ecg, trop, mi = np.array([0.0, 0.0, 0.9, 0.0]), np.array([3.0, np.nan, 50.0, 30.0]), np.array([0, 1, 1, 0])
    assert rule_out_performance(ecg, trop, mi, 0.5, 5) == (1.0, 1 / 3)  # the MI without troponin is kept
    assert rule_out_performance(ecg, trop, mi, 1.01, 100) == (0.5, 1.0)  # the drawn MI goes home
    with pytest.raises(ValueError, match="no acute MI"):
        rule_out_performance(ecg, trop, np.zeros(4), 0.5, 5)


def test_reference_passes_and_mistakes_are_named(monkeypatch, capsys):
    ecg, trop, mi = _patients()
    e, t, share = choose_mi_rule_out(ecg, trop, mi, ECG_CUTS, TROP_CUTS)
    assert rule_out_performance(ecg, trop, mi, e, t)[0] >= 0.99 and share > 0
    checks.check_mi_rule_out(choose_mi_rule_out, ecg, trop, mi, ECG_CUTS, TROP_CUTS)
    assert "✅" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")

    def most_ruled_out(ecg, trop, mi, ecg_cuts, trop_cuts, min_sensitivity=0.99):
        return 1.01, 14.0, rule_out_performance(ecg, trop, mi, 1.01, 14)[1]

    def nobody(ecg, trop, mi, ecg_cuts, trop_cuts, min_sensitivity=0.99):
        return 0.1, 0.0, 0.0

    def share_of_all(ecg, trop, mi, ecg_cuts, trop_cuts, min_sensitivity=0.99):
        e, t, _ = choose_mi_rule_out(ecg, trop, mi, ecg_cuts, trop_cuts)
        return e, t, float(((ecg < e) & (np.nan_to_num(trop, nan=np.inf) < t)).mean())

    for wrong, words in [(most_ruled_out, "send home"), (nobody, "another pair"), (share_of_all, "denominator"),
                         (lambda *a, **k: (0.3, 5.0, 0.1), "from the grids")]:
        with pytest.raises(ExerciseError, match=words):
            checks.check_mi_rule_out(wrong, ecg, trop, mi, ECG_CUTS, TROP_CUTS)
