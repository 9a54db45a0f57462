"""Figures for whole-slide images: pyramid levels, tissue grids, stains, heatmaps (notebook 04)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle


def plot_pyramid(slide, size: int = 256, ax_size: float = 3.0):
    """The same slide at every pyramid level, each with its size and downsample (notebook 04)."""
    n = slide.level_count
    fig, axes = plt.subplots(1, n, figsize=(ax_size * n, ax_size + 0.4))
    for lev, ax in enumerate(np.atleast_1d(axes)):
        w, h = slide.level_dimensions[lev]
        ds = slide.level_downsamples[lev]
        region = (min(w, size), min(h, size))
        # the centre of the slide at this level: a fixed window shows more tissue as the level rises
        x0, y0 = int((w - region[0]) / 2 * ds), int((h - region[1]) / 2 * ds)
        ax.imshow(slide.read_region((x0, y0), lev, region))
        ax.set_title(f"level {lev}: {w:,} x {h:,}\ndownsample {ds:g}", fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_tissue_grid(thumb: np.ndarray, mask: np.ndarray, grid: pd.DataFrame, patch_px0: float,
                     downsample: float, title: str = ""):
    """Thumbnail, tissue mask, and the kept patches drawn as boxes (notebook 04)."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 4))
    axes[0].imshow(thumb)
    axes[0].set_title("thumbnail")
    axes[1].imshow(mask, cmap="gray")
    axes[1].set_title(f"tissue mask ({mask.mean():.0%} of the slide)")
    axes[2].imshow(thumb)
    side = patch_px0 / downsample
    for x, y in zip(grid["x"], grid["y"], strict=True):
        axes[2].add_patch(Rectangle((x / downsample, y / downsample), side, side, fill=False, lw=0.4, ec="k"))
    axes[2].set_title(f"{len(grid)} tissue patches {title}")
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_stains(rgb: np.ndarray, hed: np.ndarray, names=("haematoxylin", "eosin", "DAB")):
    """An image and its stain channels from colour deconvolution (notebook 04)."""
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.6))
    axes[0].imshow(rgb)
    axes[0].set_title("original")
    for i, (ax, name, cmap) in enumerate(zip(axes[1:], names, ["Blues", "RdPu", "Oranges"], strict=True)):
        ax.imshow(hed[..., i], cmap=cmap)
        ax.set_title(name)
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_heatmap(ax, thumb: np.ndarray, heat: np.ndarray, truth: np.ndarray | None = None,
                 title: str = "", alpha: float = 0.55, cmap: str = "inferno", vmax: float | None = None):
    """A patch-score heatmap over the thumbnail, with the true tumour outline in cyan (notebook 04)."""
    ax.imshow(thumb)
    shown = np.ma.masked_invalid(heat)
    im = ax.imshow(shown, cmap=cmap, alpha=alpha, vmin=0, vmax=vmax if vmax is not None else np.nanmax(heat),
                   extent=(0, thumb.shape[1], thumb.shape[0], 0))
    if truth is not None and truth.any():
        # origin "upper" with extent (left, right, bottom=H, top=0): row 0 at the top, as imshow draws it
        ax.contour(truth.astype(float), levels=[0.5], colors="cyan", linewidths=1.2,
                   extent=(0, thumb.shape[1], thumb.shape[0], 0), origin="upper")
    ax.set_title(title, fontsize=9)
    ax.axis("off")
    return im
