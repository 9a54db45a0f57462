"""Evaluation figures of notebook 13: masks, ROC and PR at two prevalences, decision curves,
reliability diagrams, subgroups and sites (seaborn for the statistical panels)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from course_lib.training.evaluation import dice_iou, prevalence_weights, reliability_table


def plot_masks(image: np.ndarray, truth: np.ndarray, predictions: dict[str, np.ndarray]):
    """A film with the true lesion (green) and each predicted mask (red), Dice and IoU in the titles (notebook 13)."""
    fig, axes = plt.subplots(1, len(predictions), figsize=(2.6 * len(predictions), 2.9), squeeze=False)
    for ax, (name, mask) in zip(axes[0], predictions.items(), strict=True):
        dice, iou = dice_iou(mask, truth)
        ax.imshow(image, cmap="gray")
        ax.contour(truth, levels=[0.5], colors="lime", linewidths=1)
        ax.contour(mask, levels=[0.5], colors="red", linewidths=1)
        ax.set_title(f"{name}\nDice {dice:.2f} | IoU {iou:.2f}", fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_roc_pr(y: np.ndarray, probs: dict[str, np.ndarray], prevalence: float):
    """ROC (prevalence-free) beside PR curves at the cohort's and at a real prevalence (notebook 13).

    The real-prevalence PR curve re-weights the negatives; no patient is dropped.
    """
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    weights = prevalence_weights(y, prevalence)
    for name, p in probs.items():
        fpr, tpr, _ = roc_curve(y, p)
        axes[0].plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, p):.3f})")
        for ax, w in ((axes[1], None), (axes[2], weights)):
            precision, recall, _ = precision_recall_curve(y, p, sample_weight=w)
            ax.plot(recall, precision, label=f"{name} (AP {average_precision_score(y, p, sample_weight=w):.3f})")
    axes[0].plot([0, 1], [0, 1], ":", color="0.6")
    axes[0].set(xlabel="1 - specificity", ylabel="sensitivity", title="ROC: the same at any prevalence")
    for ax, prev in ((axes[1], np.mean(y)), (axes[2], prevalence)):
        ax.axhline(prev, ls=":", color="0.6", label=f"no skill = prevalence {prev:.0%}")
        ax.set(xlabel="recall (sensitivity)", ylabel="precision (PPV)", ylim=(0, 1.02),
               title=f"PR at prevalence {prev:.0%}")
    for ax in axes:
        ax.legend(fontsize=7, loc="lower right" if ax is axes[0] else "lower left")
    fig.tight_layout()
    return fig


def plot_decision_curve(curves: pd.DataFrame, ax=None, title: str = "Decision curve"):
    """Net benefit against threshold probability; treat-all and treat-none as references (notebook 13)."""
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    for name in curves.columns:
        style = {"treat all": dict(color="0.4", ls="--"), "treat none": dict(color="0.1", ls=":")}.get(name, {})
        ax.plot(curves.index, curves[name], label=name, **style)
    top = np.nanmax(curves.to_numpy())
    ax.set(xlabel="threshold probability", ylabel="net benefit", ylim=(-0.1 * top, 1.1 * top), title=title)
    ax.legend(fontsize=7)
    return ax


def plot_reliability(y: np.ndarray, probs: dict[str, np.ndarray], ax=None, n_bins: int = 10,
                     title: str = "Reliability diagram"):
    """Observed rate against mean predicted probability per equal-width bin, marker size = patients (notebook 13)."""
    ax = ax or plt.subplots(figsize=(4.8, 4.4))[1]
    for name, p in probs.items():
        table = reliability_table(y, p, n_bins)
        ax.plot(table["predicted"], table["observed"], "-", lw=1, label=name)
        ax.scatter(table["predicted"], table["observed"], s=8 + 60 * table["patients"] / len(p))
    ax.plot([0, 1], [0, 1], "k:", lw=1)
    ax.set(xlabel="predicted probability", ylabel="observed frequency", xlim=(0, 1), ylim=(0, 1), title=title)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_subgroups(draws: pd.DataFrame):
    """Bootstrap distribution per subgroup and metric: mean and 95% percentile interval (seaborn) (notebook 13)."""
    grid = sns.catplot(data=draws, x="value", y="group", hue="model", col="metric", kind="point",
                       errorbar=("pi", 95), linestyle="none", sharex=False, height=3.2, aspect=1.1,
                       dodge=0.4 if draws["model"].nunique() > 1 else False)  # seaborn: no dodge for one hue
    grid.set_titles("{col_name}")
    return grid


def plot_score_distributions(scores: pd.DataFrame):
    """Score distributions by outcome, one panel per site (seaborn) (notebook 13)."""
    grid = sns.displot(data=scores, x="score", hue="pneumonia", col="site", kind="kde", common_norm=False,
                       fill=True, height=2.8, aspect=1.2, clip=(0, 1))
    grid.set_titles("site {col_name}")
    return grid
