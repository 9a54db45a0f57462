"""Figures of notebook 17: few-shot curves, PPG, edge table, drift, federated curves, DDP curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator


def plot_few_shot(curve: pd.DataFrame) -> plt.Figure:
    """Test AUC against labelled examples per class, one line per approach, mean ± sd (notebook 17)."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    sns.lineplot(data=curve, x="labels per class", y="AUC", hue="approach", marker="o", errorbar="sd", ax=ax)
    ax.set_xscale("log")
    ax.axhline(0.5, color="0.6", ls=":", lw=1)
    ax.set_title("Few-shot: frozen pre-trained encoder vs training from scratch")
    fig.tight_layout()
    return fig


def plot_ppg(signals: dict[str, np.ndarray], fs: float, peaks: dict[str, np.ndarray] | None = None,
             seconds: float = 10.0) -> plt.Figure:
    """PPG traces (first seconds) with detected beats (notebook 17)."""
    fig, axes = plt.subplots(len(signals), 1, figsize=(10, 1.9 * len(signals)), sharex=True, squeeze=False)
    n = int(seconds * fs)
    for ax, (name, x) in zip(axes[:, 0], signals.items(), strict=True):
        t = np.arange(min(n, len(x))) / fs
        ax.plot(t, x[:len(t)], lw=0.9)
        if peaks and name in peaks:
            pk = peaks[name][peaks[name] < len(t)]
            ax.plot(pk / fs, x[pk], "v", color="C3", ms=5, label="beats found")
            ax.legend(loc="upper right", fontsize=8)
        ax.set_ylabel(name, fontsize=8)
    axes[-1, 0].set_xlabel("time (s)")
    fig.tight_layout()
    return fig


def plot_drift(monthly: pd.DataFrame, alert: float) -> plt.Figure:
    """Monthly PSI of inputs and of the model's output score, with the alert line (notebook 17)."""
    fig, ax = plt.subplots(figsize=(7, 3.3))
    for col in monthly.columns:
        ax.plot(monthly.index, monthly[col], marker="o", label=col)
    ax.axhline(alert, color="C3", ls="--", lw=1, label=f"alert (PSI {alert})")
    ax.set_xlabel("month after deployment")
    ax.set_ylabel("PSI vs validation month")
    ax.legend(fontsize=8)
    ax.set_title("Monitoring a deployed model")
    fig.tight_layout()
    return fig


def plot_curves(curves: dict[str, np.ndarray], xlabel: str, ylabel: str, title: str,
                refs: dict[str, float] | None = None) -> plt.Figure:
    """Several curves on one axis, with optional horizontal reference lines (notebook 17)."""
    fig, ax = plt.subplots(figsize=(7, 3.3))
    for i, (name, c) in enumerate(curves.items()):
        ax.plot(np.arange(1, len(c) + 1), c, label=name, lw=2 if i == 0 else 1.2, ls="-" if i == 0 else "--")
    for j, (name, v) in enumerate((refs or {}).items()):
        ax.axhline(v, color=f"C{j + len(curves)}", ls=":", lw=1.2, label=name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # rounds and steps are whole numbers
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
