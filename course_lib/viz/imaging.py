"""Imaging figures: CT windows (notebook 00), patch grids, position similarity, feature maps, rollout overlays (notebook 01)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_lib.models.imaging import patchify
from course_lib.preprocess.imaging import window


def show_ct_window(hu: np.ndarray, level: float, width: float, ax: plt.Axes | None = None,
                   title: str | None = None) -> plt.Axes:
    """Show a CT slice through a window (level/width in HU)."""
    ax = ax or plt.gca()
    ax.imshow(window(hu, level, width), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title or f"L {level:.0f} / W {width:.0f} HU")
    ax.axis("off")
    return ax


def plot_patch_grid(image: np.ndarray, patch_size: int, show_tokens: int = 8) -> plt.Figure:
    """An image cut into patches (numbered in token order) and its first tokens (notebook 01)."""
    H, W = image.shape
    tokens = patchify(torch.as_tensor(image, dtype=torch.float32)[None, None], patch_size)[0]
    fig = plt.figure(figsize=(11, 4.2))
    grid = fig.add_gridspec(2, show_tokens + 2, width_ratios=[8, 0.3] + [1] * show_tokens)
    ax = fig.add_subplot(grid[:, 0])
    ax.imshow(image, cmap="gray")
    for k in range(0, H + 1, patch_size):
        ax.axhline(k - 0.5, color="tab:orange", lw=0.8)
    for k in range(0, W + 1, patch_size):
        ax.axvline(k - 0.5, color="tab:orange", lw=0.8)
    cols = W // patch_size
    if len(tokens) <= 64:
        for n in range(len(tokens)):
            r, c = divmod(n, cols)
            ax.text(c * patch_size + 1, r * patch_size + 2, str(n), color="yellow", fontsize=6,
                    va="top")
    ax.set_title(f"{H}x{W} image → {len(tokens)} patches of {patch_size}x{patch_size}")
    ax.axis("off")
    for n in range(min(show_tokens, len(tokens))):
        ax_p = fig.add_subplot(grid[0, n + 2])
        ax_p.imshow(tokens[n].reshape(patch_size, patch_size), cmap="gray",
                    vmin=image.min(), vmax=image.max())
        ax_p.set_title(f"#{n}", fontsize=8)
        ax_p.axis("off")
    ax_t = fig.add_subplot(grid[1, 2:])
    ax_t.imshow(tokens[:show_tokens].numpy(), aspect="auto", cmap="gray")
    ax_t.set_xlabel(f"token = patch flattened to {tokens.shape[1]} values")
    ax_t.set_ylabel("token #")
    ax_t.grid(False)
    fig.tight_layout()
    return fig


def plot_position_similarity(pos_embed: torch.Tensor, grid: int) -> plt.Figure:
    """Cosine similarity of each patch's position embedding with all others (notebook 01)."""
    pos = torch.nn.functional.normalize(pos_embed.detach().float(), dim=-1)  # (N, D)
    sim = (pos @ pos.T).reshape(grid, grid, grid, grid).numpy()  # (row, col, row', col')
    fig, axes = plt.subplots(grid, grid, figsize=(6, 6))
    for r in range(grid):
        for c in range(grid):
            axes[r, c].imshow(sim[r, c], vmin=-1, vmax=1, cmap="viridis")
            axes[r, c].axis("off")
    fig.suptitle("position embedding similarity: panel (r, c) = patch (r, c) vs every patch")
    fig.tight_layout()
    return fig


def plot_feature_maps(image: np.ndarray, maps: list[torch.Tensor], names: list[str],
                      channels: int = 4) -> plt.Figure:
    """The input and a few channels of each feature map, early to late (notebook 01)."""
    fig, axes = plt.subplots(channels, len(maps) + 1, figsize=(2 * (len(maps) + 1), 2 * channels))
    for r in range(channels):
        axes[r, 0].imshow(image, cmap="gray")
        axes[r, 0].axis("off")
        for k, fmap in enumerate(maps):
            # The most active channels: what this stage responds to most on this image.
            order = fmap[0].mean(dim=(1, 2)).argsort(descending=True)
            axes[r, k + 1].imshow(fmap[0, order[r]].numpy(), cmap="magma")
            axes[r, k + 1].axis("off")
            if r == 0:
                axes[r, k + 1].set_title(f"{names[k]}\n{tuple(fmap.shape[1:])}", fontsize=8)
    axes[0, 0].set_title("input")
    fig.tight_layout()
    return fig


def plot_rollout(images: np.ndarray, maps: list[np.ndarray], masks: np.ndarray,
                 row_names: list[str]) -> plt.Figure:
    """X-rays with attention maps overlaid and the true consolidation outlined (notebook 01)."""
    n = len(images)
    fig, axes = plt.subplots(len(maps), n, figsize=(1.8 * n, 1.9 * len(maps)), squeeze=False)
    for r, saliency in enumerate(maps):
        for k in range(n):
            ax = axes[r, k]
            ax.imshow(images[k], cmap="gray")
            ax.imshow(saliency[k], cmap="jet", alpha=0.4)
            ax.contour(masks[k], levels=[0.5], colors="white", linewidths=1)
            ax.axis("off")
        axes[r, 0].set_title(row_names[r], fontsize=9, loc="left")
    fig.tight_layout()
    return fig


def plot_embedding_2d(xy: np.ndarray, labels: np.ndarray, names: list[str],
                      title: str) -> plt.Axes:
    """A 2-D map of image embeddings, one colour per condition (notebook 01)."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    none = labels.sum(axis=1) == 0
    ax.scatter(*xy[none].T, s=6, c="0.75", label="none of these")
    for k, name in enumerate(names):
        ax.scatter(*xy[labels[:, k] == 1].T, s=8, label=name, alpha=0.7)
    ax.legend(fontsize=8, markerscale=2)
    ax.set_title(title)
    return ax


# One film per finding at a high and a low severity, with the sign to look for (notebook 00).
# Each entry: (title, plan columns at high severity, at low severity, sign, arrow tip (x, y)
# in patient coordinates: x < 0 is the patient's right, on the image left).
FINDING_GALLERY = (
    ("consolidation (RML)",
     dict(consolidation_visibility=1.0, consolidation_lobe="RML", consolidation_extent=1.0),
     dict(consolidation_visibility=0.3, consolidation_lobe="RML", consolidation_extent=0.5),
     "right heart border lost:\nsilhouette sign; air bronchograms", (-0.22, 0.30)),
    ("consolidation (RLL)",
     dict(consolidation_visibility=1.0, consolidation_lobe="RLL", consolidation_extent=1.0),
     dict(consolidation_visibility=0.3, consolidation_lobe="RLL", consolidation_extent=0.5),
     "right dome lost,\nheart border kept", (-0.45, 0.40)),
    ("atelectasis (RLL)",
     dict(atelectasis_visibility=1.0, atelectasis_lobe="RLL", dome_elevation_right=0.12,
          mediastinal_shift=-0.03),
     dict(atelectasis_visibility=0.4, atelectasis_lobe="RLL", atelectasis_plate=True),
     "volume loss: right dome up,\nmediastinum pulled right", (-0.45, 0.25)),
    ("oedema", dict(oedema_visibility=1.0, ctr=0.58), dict(oedema_visibility=0.3, ctr=0.52),
     "perihilar haze, Kerley B lines,\nupper-lobe diversion", (0.62, 0.30)),
    ("effusion", dict(effusion_right=0.35), dict(effusion_right=0.08),
     "meniscus; blunted\ncostophrenic angle", (-0.66, 0.45)),
    ("cardiomegaly", dict(ctr=0.66), dict(ctr=0.53), "CTR > 0.5 on a PA film", (0.30, 0.30)),
    ("hyperinflation", dict(hyperinflation_visibility=1.0, ctr=0.40),
     dict(hyperinflation_visibility=0.35, ctr=0.43), "flat low domes,\nmore posterior ribs",
     (0.40, 0.62)),
)


def plot_finding_gallery(size: int = 128, seed: int = 0) -> plt.Figure:
    """Each finding of the synthetic films at high and low severity, sign annotated (notebook 00)."""
    from course_lib.synth.xray_examples import count_posterior_ribs, example_film, measured_ctr

    n = len(FINDING_GALLERY) + 1
    fig, axes = plt.subplots(2, n, figsize=(2.3 * n, 6.0))
    normal, normal_masks, _ = example_film(size, seed=seed)
    for r, label in enumerate(("high severity", "low severity")):
        ax = axes[r, 0]
        ax.imshow(normal, cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"normal PA\nCTR {measured_ctr(normal_masks):.2f}, "
                     f"{count_posterior_ribs(normal, normal_masks)} ribs", fontsize=7.5)
        ax.set_ylabel(label)
    for k, (title, high, low, sign, (tx, ty)) in enumerate(FINDING_GALLERY, start=1):
        for r, findings in enumerate((high, low)):
            image, masks, _ = example_film(size, seed=seed, **findings)
            ax = axes[r, k]
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            extra = ""
            if title == "cardiomegaly":
                extra = f" (read {measured_ctr(masks):.2f})"
            if title == "hyperinflation":
                extra = f" ({count_posterior_ribs(image, masks)} ribs)"
            ax.set_title(f"{title}{extra}" + (f"\n{sign}" if r == 0 else ""), fontsize=7.5)
            px, py = (tx + 1) / 2 * (size - 1), (ty + 1) / 2 * (size - 1)
            ax.annotate("", xy=(px, py), xytext=(px + 0.12 * size * np.sign(tx), py + 0.14 * size),
                        arrowprops=dict(arrowstyle="->", color="yellow", lw=1.2))
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Synthetic chest films: each finding as the sign a radiologist looks for "
                 "(top: high severity, bottom: low)", fontsize=10)
    fig.tight_layout()
    return fig


def plot_real_vs_synthetic(real: np.ndarray, films: np.ndarray, titles: list[str],
                           window: tuple[float, float]) -> plt.Figure:
    """A real CR beside synthetic films, all at one size and one window (notebooks 00, 01).

    real: (H, W) and films: (k, H, W) display values (white = dense); window: (center, width)
    applied to every panel alike, so differences are the images', not the display's.
    """
    center, width = window
    lo, hi = center - width / 2, center + width / 2
    k = len(films) + 1
    fig, axes = plt.subplots(1, k, figsize=(2.6 * k, 2.9))
    for ax, image, title in zip(axes, [real, *films], titles, strict=True):
        ax.imshow(image, cmap="gray", vmin=lo, vmax=hi)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig
