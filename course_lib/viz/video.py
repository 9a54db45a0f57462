"""Figures for surgical video: frame strips, phase ribbons, optical flow, kinematics (notebook 10)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from course_lib.synth.video import PHASES, TOOLS

PHASE_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"]
PHASE_CMAP = ListedColormap(PHASE_COLOURS)


def show_frames(frames, titles=None, ncols: int = 8, size: float = 1.6):
    """A grid of RGB frames with optional titles (notebook 10)."""
    n = len(frames)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * (size + 0.35)), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < n:
            ax.imshow(frames[k])
            if titles is not None:
                ax.set_title(titles[k], fontsize=7)
    fig.tight_layout()
    return fig


def plot_phase_ribbons(rows: dict, fps: float = 1.0, ax=None, cursor: float | None = None):
    """One coloured bar per labelling (true, predictions...) over time, a legend of the 7 phases (notebook 10)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 0.9))
    names = list(rows)
    for k, name in enumerate(names):
        lab = np.asarray(rows[name])
        ax.imshow(lab[None], aspect="auto", cmap=PHASE_CMAP, vmin=-0.5, vmax=6.5, interpolation="nearest",
                  extent=(0, len(lab) / fps, k + 0.9, k + 0.1))
    ax.set(ylim=(len(names), 0), yticks=np.arange(len(names)) + 0.5, yticklabels=names, xlabel="time (s)")
    ax.grid(False)
    if cursor is not None:
        ax.axvline(cursor, color="k", lw=1.5)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in PHASE_COLOURS]
    ax.legend(handles, PHASES, ncol=4, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.45 - 0.05 * len(rows)),
              frameon=False)
    return ax


def plot_flow(frame, flow, step: int = 4, ax=None):
    """A frame with its optical-flow arrows (every `step` pixels) (notebook 10)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2))
    ax.imshow(frame)
    h, w = flow.shape[:2]
    yy, xx = np.mgrid[step // 2:h:step, step // 2:w:step]
    ax.quiver(xx, yy, flow[yy, xx, 0], flow[yy, xx, 1], color="cyan", angles="xy", scale_units="xy", scale=0.5,
              width=0.006)
    ax.axis("off")
    return ax


def plot_tool_timeline(tools, fps: float, ax=None):
    """Tool presence over time, one row per instrument (notebook 10)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 2.2))
    tools = np.asarray(tools, float)
    ax.imshow(tools.T, aspect="auto", cmap="Greys", vmin=0, vmax=1, interpolation="nearest",
              extent=(0, len(tools) / fps, len(TOOLS), 0))
    ax.set(yticks=np.arange(len(TOOLS)) + 0.5, yticklabels=TOOLS, xlabel="time (s)")
    ax.grid(False)
    return ax
