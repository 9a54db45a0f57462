"""The missing-rate widget of notebook 12 (logic in plain functions)."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from course_lib.training.missing import missing_at_rates
from course_lib.viz.missing import plot_missing_curves


def auc_at_rates(strategies: dict[str, Callable[[np.ndarray], np.ndarray]], y: np.ndarray, xray_rate: float,
                 labs_rate: float, num_modalities: int, seed: int = 0) -> pd.Series:
    """Test AUC of each strategy when X-ray (modality 0) and labs (modality 1) miss at the given rates (notebook 12)."""
    rates = [xray_rate, labs_rate] + [0.0] * (num_modalities - 2)
    avail = missing_at_rates(len(y), rates, seed)
    return pd.Series({name: roc_auc_score(y, predict(avail)) for name, predict in strategies.items()},
                     name="AUC").sort_values()


def render_missing(strategies, y, curves: pd.DataFrame, xray_rate: float, labs_rate: float,
                   num_modalities: int) -> pd.Series:
    """The curves (labs as observed) with a marker at the chosen X-ray rate, and bars at both rates (notebook 12)."""
    aucs = auc_at_rates(strategies, y, xray_rate, labs_rate, num_modalities)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    plot_missing_curves(curves, left, "AUC vs missing X-ray (labs as drawn)", marker_at=xray_rate)
    right.barh(aucs.index, aucs.values, color="tab:blue")
    right.set_xlim(max(0.5, aucs.min() - 0.05), min(1.0, aucs.max() + 0.02))
    right.set_title(f"X-ray missing {xray_rate:.0%}, whole lab panel missing {labs_rate:.0%}")
    right.set_xlabel("test AUC")
    fig.tight_layout()
    return aucs


def missing_widget(strategies, y, curves: pd.DataFrame, num_modalities: int):
    """Sliders for the missing rate of the X-ray and of the lab panel; the figure updates (notebook 12)."""
    import ipywidgets as widgets

    slider = dict(min=0.0, max=1.0, step=0.1, continuous_update=False, readout_format=".0%")
    xray = widgets.FloatSlider(value=0.4, description="X-ray missing", **slider)
    labs = widgets.FloatSlider(value=0.0, description="labs missing", **slider)

    def show(xray_rate, labs_rate):
        render_missing(strategies, y, curves, xray_rate, labs_rate, num_modalities)
        plt.show()

    out = widgets.interactive_output(show, {"xray_rate": xray, "labs_rate": labs})
    return widgets.VBox([widgets.HBox([xray, labs]), out])
