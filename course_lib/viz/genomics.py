"""Genomics figures: sequence logos, importance tracks over planted sites (notebook 07)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

COLORS = {"A": "tab:green", "C": "tab:blue", "G": "orange", "T": "tab:red"}


def information_matrix(prob: np.ndarray) -> pd.DataFrame:
    """(L, 4) probabilities -> letter heights in bits (information content x probability)."""
    p = np.clip(np.asarray(prob, float), 1e-9, 1)
    ic = 2 + (p * np.log2(p)).sum(1, keepdims=True)  # bits per position, 0..2
    return pd.DataFrame(p * ic, columns=list("ACGT"))


def plot_logo(prob: np.ndarray, ax: plt.Axes | None = None, title: str = "",
              bits: bool = True) -> plt.Axes:
    """A sequence logo with logomaker: letter height = information (bits) or weight (notebook 07)."""
    import logomaker

    ax = ax or plt.subplots(figsize=(max(3, 0.35 * len(prob)), 1.8))[1]
    frame = information_matrix(prob) if bits else pd.DataFrame(np.asarray(prob), columns=list("ACGT"))
    logomaker.Logo(frame, ax=ax, color_scheme=COLORS, show_spines=False)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("bits" if bits else "")
    if bits:
        ax.set_ylim(0, 2)
    return ax


def plot_importance_track(seq: str, importance: np.ndarray, sites: pd.DataFrame | None = None,
                          ax: plt.Axes | None = None, title: str = "",
                          ylabel: str = "importance") -> plt.Axes:
    """Per-position importance over a sequence, planted sites shaded (real green, decoy grey)."""
    ax = ax or plt.subplots(figsize=(11, 2))[1]
    x = np.arange(len(importance))
    ax.bar(x, importance, width=1.0, color=[COLORS[b] for b in seq])
    if sites is not None:
        for r in sites.itertuples(index=False):
            ax.axvspan(r.start - 0.5, r.end - 0.5, color="0.6" if r.decoy else "tab:green", alpha=0.15)
            label = f"{r.motif}{' decoy' if r.decoy else ''} ({r.strand})"
            ax.text((r.start + r.end) / 2, ax.get_ylim()[1] * 0.9, label, ha="center", fontsize=7)
    ax.set(xlim=(-0.5, len(seq) - 0.5), ylabel=ylabel, title=title)
    return ax


def plot_filter_matches(pwms: list[np.ndarray], motifs: dict[str, np.ndarray],
                        matches: pd.DataFrame) -> plt.Figure:
    """Each planted JASPAR motif next to the CNN filter that matches it best (notebook 07)."""
    fig, axes = plt.subplots(len(motifs), 2, figsize=(10, 1.7 * len(motifs)), squeeze=False)
    for row, (name, motif) in zip(axes, motifs.items(), strict=True):
        m = matches.loc[name]
        pwm = pwms[int(m["best filter"])]
        plot_logo(motif, row[0], f"{name} (JASPAR)")
        shown = pwm[::-1, ::-1] if m["strand"] == "-" else pwm  # show it on the motif's strand
        plot_logo(shown, row[1], f"filter {int(m['best filter'])}: similarity {m['similarity']:.2f}"
                  f" ({'reverse complement' if m['strand'] == '-' else 'same strand'})")
    fig.tight_layout()
    return fig


def plot_latent(z: np.ndarray, labels: np.ndarray, ax: plt.Axes | None = None,
                title: str = "") -> plt.Axes:
    """A 2-D latent space coloured by a label (e.g. tumour subtype) (notebook 07)."""
    ax = ax or plt.subplots(figsize=(4.5, 4))[1]
    for k in np.unique(labels):
        ax.scatter(*z[labels == k, :2].T, s=8, alpha=0.6, label=f"subtype {k}")
    ax.set(xlabel="z1", ylabel="z2", title=title)
    ax.legend(fontsize=8)
    return ax
