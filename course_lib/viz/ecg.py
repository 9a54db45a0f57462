"""ECG figures: 12-lead paper print (notebooks 00 and 05)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

# Standard 12-lead print: 3 rows × 4 columns of 2.5 s, then a 10 s lead II rhythm strip.
LAYOUT_3X4 = [["I", "aVR", "V1", "V4"], ["II", "aVL", "V2", "V5"], ["III", "aVF", "V3", "V6"]]


def _ecg_grid(ax: plt.Axes, t_max: float, v_min: float, v_max: float) -> None:
    """Draw ECG paper: 1 mm = 0.04 s and 0.1 mV (25 mm/s, 10 mm/mV), bold every 5 mm."""
    # Line collections, not tick grids: 13 panels × 250 minor ticks would take seconds.
    for step, color, width in [(0.04, "#fcc", 0.3), (0.2, "#e88", 0.6)]:
        ax.vlines(np.arange(0, t_max + 1e-9, step), v_min, v_max, colors=color, linewidth=width)
    for step, color, width in [(0.1, "#fcc", 0.3), (0.5, "#e88", 0.6)]:
        first = np.ceil(v_min / step) * step
        ax.hlines(np.arange(first, v_max + 1e-9, step), 0, t_max, colors=color, linewidth=width)
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(0, t_max)
    ax.set_ylim(v_min, v_max)
    ax.set_aspect(0.04 / 0.1)  # 1 mm squares: 0.04 s wide, 0.1 mV high


def plot_ecg_12lead(signal: np.ndarray, fs: float, leads: list[str], title: str = "",
                    v_range: tuple[float, float] = (-1.5, 2.0)) -> plt.Figure:
    """Plot a (T, 12) mV ECG in the standard 3×4 layout plus a lead II rhythm strip."""
    if signal.ndim != 2 or signal.shape[1] != len(leads):
        raise ValueError(f"signal must be (T, {len(leads)}) to match the lead names, got {signal.shape}")
    index = {name: i for i, name in enumerate(leads)}
    seg = int(2.5 * fs)
    n_rhythm = min(signal.shape[0], int(10 * fs))
    fig = plt.figure(figsize=(11, 6.4))
    grid = fig.add_gridspec(4, 4, hspace=0.05, wspace=0.02, left=0.02, right=0.98, top=0.94, bottom=0.02)
    for r, row in enumerate(LAYOUT_3X4):
        for c, lead in enumerate(row):
            ax = fig.add_subplot(grid[r, c])
            chunk = signal[c * seg:(c + 1) * seg, index[lead]]
            _ecg_grid(ax, 2.5, *v_range)
            ax.plot(np.arange(len(chunk)) / fs, chunk, color="k", linewidth=0.7)
            ax.text(0.05, v_range[1] - 0.35, lead, fontsize=9, weight="bold")
    ax = fig.add_subplot(grid[3, :])
    _ecg_grid(ax, n_rhythm / fs, *v_range)
    ax.plot(np.arange(n_rhythm) / fs, signal[:n_rhythm, index["II"]], color="k", linewidth=0.7)
    ax.text(0.05, v_range[1] - 0.35, "II (rhythm)", fontsize=9, weight="bold")
    fig.suptitle(title + "   25 mm/s, 10 mm/mV", fontsize=11)
    return fig
