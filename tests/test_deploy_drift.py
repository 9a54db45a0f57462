"""Drift, rehearsal and bias helpers of notebook 17, checked against hand computations and scipy."""

import numpy as np
import pytest
from scipy import stats

from course_lib.training.deploy import few_shot_indices, group_thresholds, group_weights
from course_lib.training.drift import drift_table, psi, rehearsal_set


def test_psi_by_hand_and_properties():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=5000)
    assert psi(ref, rng.normal(size=5000)) < 0.01
    assert psi(ref, rng.normal(1.0, 1.0, size=5000)) > 0.25
    # by hand with 2 bins: edge at the median of ref; actual has 80% above it
    e, a = np.array([0.5, 0.5]), np.array([0.2, 0.8])
    actual = np.concatenate([np.full(20, -1.0), np.full(80, 1.0)])
    assert psi(np.linspace(-1, 1, 100), actual, bins=2) == pytest.approx(np.sum((a - e) * np.log(a / e)))
    with pytest.raises(ValueError, match="reference values"):
        psi([1.0, 2.0], [1.0], bins=10)


def test_drift_table_uses_scipy_ks():
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(300, 2)), rng.normal(size=(200, 2)) + [0, 0.8]
    table = drift_table(A, B, ["same", "shifted"])
    assert table.index[0] == "shifted"
    assert table.loc["shifted", "KS"] == pytest.approx(stats.ks_2samp(A[:, 1], B[:, 1]).statistic)


def test_rehearsal_and_groups():
    X_old, y_old = np.zeros((50, 3)), np.zeros(50)
    X, y = rehearsal_set(X_old, y_old, np.ones((10, 3)), np.ones(10), buffer=20)
    assert X.shape == (30, 3) and y.sum() == 10
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    g = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
    w = group_weights(y, g)
    cells = [w[(g == gg) & (y == c)].sum() for gg in "ab" for c in (0, 1)]
    assert np.allclose(cells, cells[0])
    p = np.linspace(0, 1, 8)
    cuts = group_thresholds(y, p, g, sensitivity=1.0)
    assert cuts["a"] == p[3] and cuts["b"] == p[5]
    idx = few_shot_indices(y, np.arange(8), 1, seed=0)
    assert y[idx].tolist() == [1, 0]
