"""Figures of notebook 12: AUC-vs-missing-fraction curves, lab ordering at two sites."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def plot_missing_curves(curves: pd.DataFrame, ax=None, title: str = "", marker_at: float | None = None):
    """AUC against the fraction of patients missing the X-ray, one line and bootstrap band per strategy (notebook 12)."""
    ax = ax or plt.gca()
    for name, part in curves.groupby("strategy", sort=False):
        part = part.sort_values("fraction")
        line, = ax.plot(part["fraction"], part["AUC"], marker="o", ms=3, label=name)
        ax.fill_between(part["fraction"], part["low"], part["high"], color=line.get_color(), alpha=0.12)
    if marker_at is not None:
        ax.axvline(marker_at, color="grey", ls="--", lw=1)
    ax.set_xlabel("fraction of test patients without an X-ray")
    ax.set_ylabel("test AUC (pneumonia), 95% bootstrap band")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower left")
    return ax


def plot_lab_ordering(rates: pd.DataFrame, ax=None):
    """Share of patients with each lab drawn, one bar group per site (notebook 12)."""
    ax = ax or plt.gca()
    x = np.arange(len(rates.index))
    width = 0.8 / len(rates.columns)
    for k, site in enumerate(rates.columns):
        ax.bar(x + k * width, rates[site], width, label=f"site {site}")
    ax.set_xticks(x + width * (len(rates.columns) - 1) / 2, rates.index, rotation=30, ha="right")
    ax.set_ylabel("share of patients with the lab drawn")
    ax.legend()
    return ax
