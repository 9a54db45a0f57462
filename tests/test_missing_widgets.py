"""Notebook 12's widget logic and figures."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course_lib.training.missing import missing_curves, missing_masks  # noqa: E402
from course_lib.viz.missing import plot_lab_ordering  # noqa: E402
from course_lib.widgets.missing import auc_at_rates, missing_widget, render_missing  # noqa: E402


def _setup():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    score = y + rng.normal(0, 1, 200)
    strategies = {"uses x-ray": lambda a: score + 3 * y * a[:, 0], "ignores it": lambda a: score}
    curves = missing_curves(strategies, missing_masks(200, [0.0, 0.5, 1.0], 0, 3), y, n_boot=10)
    return y, strategies, curves


def test_auc_at_rates_follows_the_sliders():
    y, strategies, _ = _setup()
    high = auc_at_rates(strategies, y, 0.0, 0.0, 3)
    low = auc_at_rates(strategies, y, 1.0, 0.0, 3)
    assert high["uses x-ray"] > low["uses x-ray"]
    assert high["ignores it"] == low["ignores it"]


def test_render_and_widget():
    y, strategies, curves = _setup()
    aucs = render_missing(strategies, y, curves, 0.4, 0.3, 3)
    assert set(aucs.index) == set(strategies)
    plt.close("all")
    assert missing_widget(strategies, y, curves, 3) is not None
    import pandas as pd

    plot_lab_ordering(pd.DataFrame({"A": [0.8, 0.4], "B": [0.4, 0.2]}, index=["crp", "bnp"]))
    plt.close("all")
