"""Bootstrap metrics of notebook 11 agree with sklearn and bracket the estimate."""

import numpy as np
from sklearn.metrics import roc_auc_score

from course_lib.training.metrics import (
    best_f1_threshold,
    binary_metrics,
    bootstrap_metrics,
    metrics_table,
)


def _data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    return y, np.clip(0.5 * y + rng.uniform(0, 0.6, 300), 0, 1)


def test_binary_metrics_and_ci():
    y, p = _data()
    m = binary_metrics(y, p)
    assert np.isclose(m["AUC"], roc_auc_score(y, p))
    ci = bootstrap_metrics(y, p, n_boot=200)
    assert (ci["low"] <= ci["value"]).all() and (ci["value"] <= ci["high"]).all()
    assert (ci["high"] - ci["low"]).between(0.005, 0.2).all()


def test_metrics_table_and_threshold():
    y, p = _data()
    t = best_f1_threshold(y, p)
    assert 0 < t < 1
    table = metrics_table(y, {"a": p, "b": 1 - p}, {"a": t}, n_boot=50)
    assert list(table.index) == ["a", "b"] and table.loc["a", "AUC"] > 0.9 > table.loc["b", "AUC"]
    assert table.loc["a", "AUC 95% CI"].startswith("[")


def test_weighted_auc_equals_sklearn_on_resamples():
    from course_lib.training.metrics import weighted_auc

    y, p = _data()
    p = np.round(p, 2)  # ties, as in real scores
    rng = np.random.default_rng(1)
    counts = rng.multinomial(len(y), np.full(len(y), 1 / len(y)), size=5).astype(float)
    want = [roc_auc_score(np.repeat(y, c.astype(int)), np.repeat(p, c.astype(int))) for c in counts]
    np.testing.assert_allclose(weighted_auc(y.astype(bool), p, counts), want)


def test_cost_ledger_counts_what_each_model_builds_on():
    import pytest
    from torch import nn

    from course_lib.training.loop import CostLedger

    ledger = CostLedger()
    ledger.add("image", 2.0, nn.Linear(3, 1))  # 4 parameters
    ledger.add("clinical", 1.0, 10)
    ledger.add("late", 0.0, 3, uses=("image", "clinical"))
    ledger.add("intermediate", 0.5, nn.Linear(4, 1), trained_after=("image",))
    table = ledger.table()
    assert table.loc["late", "parameters"] == 17 and table.loc["late", "train time (s)"] == 3.0
    assert table.loc["intermediate", "parameters"] == 5 and table.loc["intermediate", "train time (s)"] == 2.5
    with pytest.raises(KeyError, match="add it first"):
        ledger.add("stacker", 0, 3, uses=("text",))
