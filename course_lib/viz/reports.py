"""Figures of notebook 03: a film beside its generated report, errors highlighted."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

from course_lib.training.reports import errors_of


def plot_report(image: np.ndarray, report: str, truth_row, title: str = "generated report"):
    """Film (H, W) and report; hallucinated findings in red, omitted ones in orange (notebook 03)."""
    err = errors_of(report, truth_row)
    fig, (ax_img, ax_txt) = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"width_ratios": [1, 2]})
    ax_img.imshow(image, cmap="gray")
    ax_img.set_title("film", fontsize=9)
    ax_img.axis("off")
    body = "\n".join(textwrap.fill(line, 60) for line in report.splitlines())
    ax_txt.text(0, 1, body, va="top", fontsize=8, family="monospace")
    lines = [("hallucinated: " + ", ".join(err["hallucinated"]), "tab:red") if err["hallucinated"] else None,
             ("omitted: " + ", ".join(err["omitted"]), "tab:orange") if err["omitted"] else None]
    for k, item in enumerate(x for x in lines if x):
        ax_txt.text(0, 0.08 - 0.1 * k, item[0], color=item[1], fontsize=9, weight="bold")
    ax_txt.set_title(title, fontsize=9)
    ax_txt.axis("off")
    fig.tight_layout()
    return fig


def plot_attention(images: np.ndarray, weights: np.ndarray, masks: np.ndarray):
    """Films with the decoder's cross-attention over the patch grid and the finding's outline (notebook 03)."""
    n = len(images)
    grid = int(round(weights.shape[1] ** 0.5))
    fig, axes = plt.subplots(1, n, figsize=(2.6 * n, 2.8), squeeze=False)
    for ax, image, w, m in zip(axes[0], images, weights, masks, strict=True):
        size = image.shape[0]
        ax.imshow(image, cmap="gray")
        ax.imshow(w.reshape(grid, grid), cmap="magma", alpha=0.45, extent=(0, size, size, 0))
        ax.contour(m, levels=[0.5], colors="cyan", linewidths=1)
        ax.set_title("attention (magma), finding (cyan)", fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    return fig
