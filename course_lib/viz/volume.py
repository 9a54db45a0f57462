"""Figures for volumes: orthogonal planes, MIP, overlays, 3D surfaces (notebook 09)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

LUNG_WINDOW = (-600.0, 1500.0)  # (level, width) in HU


def window_limits(level: float, width: float) -> tuple[float, float]:
    """The display range (vmin, vmax) of a window level/width."""
    return level - width / 2, level + width / 2


def _planes(volume: np.ndarray, point) -> dict[str, np.ndarray]:
    """Axial (x-y at z), coronal (x-z at y) and sagittal (y-z at x) slices through a point."""
    x, y, z = (int(p) for p in point)
    return {"axial": volume[:, :, z], "coronal": volume[:, y, :], "sagittal": volume[x, :, :]}


def _aspects(spacing) -> dict[str, float]:
    sx, sy, sz = spacing
    # imshow draws array rows vertically: images are shown transposed (second axis vertical)
    return {"axial": sy / sx, "coronal": sz / sx, "sagittal": sz / sy}


def plot_orthogonal(volume: np.ndarray, spacing, point=None, mask: np.ndarray | None = None,
                    window=LUNG_WINDOW, cmap: str = "gray", title: str = "", overlay=None,
                    overlay_cmap: str = "hot", axes=None) -> plt.Figure:
    """Three orthogonal planes through `point` (voxel), true aspect ratio from the spacing (notebook 09).

    `mask` is drawn as a red contour; `overlay` (e.g. PET SUV on the CT grid) is blended in colour.
    """
    point = np.array(volume.shape) // 2 if point is None else point
    vmin, vmax = window_limits(*window) if window else (volume.min(), volume.max())
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
    else:
        fig = axes[0].figure
    aspects = _aspects(spacing)
    masks = _planes(mask, point) if mask is not None else {}
    overlays = _planes(overlay, point) if overlay is not None else {}
    for ax, (name, img) in zip(axes, _planes(volume, point).items(), strict=True):
        ax.imshow(img.T, cmap=cmap, vmin=vmin, vmax=vmax, origin="lower", aspect=aspects[name])
        if name in overlays:
            ov = np.ma.masked_less(overlays[name].T, 0.1 * overlay.max())
            ax.imshow(ov, cmap=overlay_cmap, alpha=0.55, origin="lower", aspect=aspects[name])
        if name in masks and masks[name].any():
            ax.contour(masks[name].T, levels=[0.5], colors="red", linewidths=0.8, origin="lower")
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_mip(volume: np.ndarray, spacing, slab: tuple[int, int] | None = None, window=LUNG_WINDOW,
             axes=None) -> plt.Figure:
    """One axial slice next to the maximum-intensity projection of a slab of slices (notebook 09).

    On a single slice a vessel and a nodule are both round; on the MIP vessels become long
    branches and nodules stay round -- how radiologists find nodules (and what 3D models learn).
    """
    lo, hi = slab if slab else (0, volume.shape[2])
    mid = (lo + hi) // 2
    vmin, vmax = window_limits(*window)
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.8))
    else:
        fig = axes[0].figure
    aspect = spacing[1] / spacing[0]
    axes[0].imshow(volume[:, :, mid].T, cmap="gray", vmin=vmin, vmax=vmax, origin="lower", aspect=aspect)
    axes[0].set_title(f"axial slice {mid}", fontsize=9)
    axes[1].imshow(volume[:, :, lo:hi].max(2).T, cmap="gray", vmin=vmin, vmax=vmax, origin="lower",
                   aspect=aspect)
    axes[1].set_title(f"MIP of slices {lo}-{hi - 1} ({(hi - lo) * spacing[2]:.0f} mm slab)", fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def plot_surface(masks: dict[str, np.ndarray], spacing, colors=None, ax=None) -> plt.Figure:
    """3D surfaces of binary masks by marching cubes (scikit-image), in mm (notebook 09)."""
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection
    from skimage.measure import marching_cubes

    colors = colors or ["tab:red", "tab:blue", "0.6", "tab:green"]
    if ax is None:
        fig = plt.figure(figsize=(5, 4.5))
        ax = fig.add_subplot(projection="3d")
    else:
        fig = ax.figure
    shape = None
    for (name, mask), color in zip(masks.items(), colors, strict=False):
        shape = mask.shape
        if not np.asarray(mask).any():
            continue
        verts, faces, _, _ = marching_cubes(np.pad(mask.astype(np.float32), 1), 0.5, spacing=tuple(spacing))
        verts -= np.asarray(spacing)  # undo the padding
        mesh = Poly3DCollection(verts[faces], alpha=0.35 if name != "nodules" else 0.9, facecolor=color,
                                edgecolor="none", label=name)
        ax.add_collection3d(mesh)
    extent = np.asarray(shape) * np.asarray(spacing)
    ax.set(xlim=(0, extent[0]), ylim=(0, extent[1]), zlim=(0, extent[2]),
           xlabel="x (mm)", ylabel="y (mm)", zlabel="z (mm)")
    ax.set_box_aspect(tuple(extent))
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.6) for c in colors[:len(masks)]],
              labels=list(masks), fontsize=8, loc="upper left")
    return fig


def plot_predictions(ct: np.ndarray, truth: np.ndarray, preds: dict[str, np.ndarray], z: int, spacing,
                     window=LUNG_WINDOW) -> plt.Figure:
    """One axial slice with the truth (green) and each model's mask (red) side by side (notebook 09)."""
    vmin, vmax = window_limits(*window)
    fig, axes = plt.subplots(1, len(preds) + 1, figsize=(3.2 * (len(preds) + 1), 3.4))
    aspect = spacing[1] / spacing[0]
    for ax, (name, mask) in zip(axes, [("truth", truth), *preds.items()], strict=True):
        ax.imshow(ct[:, :, z].T, cmap="gray", vmin=vmin, vmax=vmax, origin="lower", aspect=aspect)
        if truth[:, :, z].any():
            ax.contour(truth[:, :, z].T, levels=[0.5], colors="lime", linewidths=0.8)
        if name != "truth" and mask[:, :, z].any():
            ax.contour(mask[:, :, z].T, levels=[0.5], colors="red", linewidths=0.9)
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"axial slice {z}: truth green, prediction red", fontsize=10)
    return fig
