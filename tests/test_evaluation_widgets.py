"""Notebook 13's widget logic and figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from course_lib.training.evaluation import at_prevalence, decision_curve, subgroup_draws  # noqa: E402
from course_lib.viz.evaluation import (  # noqa: E402
    plot_decision_curve,
    plot_masks,
    plot_reliability,
    plot_roc_pr,
    plot_score_distributions,
    plot_subgroups,
)
from course_lib.widgets.evaluation import operating_summary, operating_widget, render_operating  # noqa: E402


def data(n=500, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.25).astype(int)
    return y, 1 / (1 + np.exp(-(2.0 * (2 * y - 1) - 1 + rng.normal(0, 1.2, n))))


def test_operating_summary_is_bayes_and_net_benefit():
    y, p = data()
    s = operating_summary(y, p, threshold=0.05, prevalence=0.04)
    moved = at_prevalence(s["sensitivity"], s["specificity"], 0.04)
    assert np.isclose(s["PPV"], moved["PPV"]) and np.isclose(s["NPV"], moved["NPV"])
    assert np.isclose(s["net benefit"], s["sensitivity"] * 0.04 - (1 - s["specificity"]) * 0.96 * 0.05 / 0.95)
    assert np.isclose(s["net benefit, treat all"], 0.04 - 0.96 * 0.05 / 0.95)
    # A higher cut-off flags fewer patients.
    assert operating_summary(y, p, 0.2, 0.04)["flagged per 1,000"] < s["flagged per 1,000"]
    with pytest.raises(ValueError, match="threshold"):
        operating_summary(y, p, 1.0, 0.04)


def test_render_and_widget():
    y, p = data()
    assert set(render_operating(y, p, 0.1, 0.05)) >= {"PPV", "NPV", "net benefit"}
    plt.close("all")
    assert operating_widget(y, p) is not None


def test_figures_run():
    y, p = data()
    plot_roc_pr(y, {"m": p}, 0.04)
    plot_decision_curve(decision_curve(y, {"m": p}, np.linspace(0.01, 0.3, 10)))
    plot_reliability(y, {"m": p})
    mask = np.zeros((32, 32), bool)
    mask[10:20, 10:20] = True
    plot_masks(np.random.default_rng(0).random((32, 32)), mask, {"same": mask, "none": np.zeros_like(mask)})
    groups = np.where(np.arange(len(y)) % 2, "F", "M")
    plot_subgroups(subgroup_draws(y, p, groups, 0.5, n_boot=50).assign(model="m"))
    plot_score_distributions(pd.DataFrame({"score": p, "pneumonia": y.astype(bool), "site": groups}))
    plt.close("all")
