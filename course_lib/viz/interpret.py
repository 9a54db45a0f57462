"""Figures of notebook 14: saliency maps next to the truth, sanity checks, ECG and token attributions, an explanation card."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns


def overlay(ax: plt.Axes, film: np.ndarray, heat: np.ndarray | None = None, mask: np.ndarray | None = None,
            title: str = "") -> None:
    """A film in grey, an optional heatmap on top, the truth mask as a contour (notebook 14)."""
    ax.imshow(film, cmap="gray")
    if heat is not None:
        h = heat - heat.min()
        ax.imshow(h / (h.max() + 1e-12), cmap="jet", alpha=0.45)
    if mask is not None and mask.any():
        ax.contour(mask, levels=[0.5], colors="lime", linewidths=1.2)
    ax.set_title(title, fontsize=8)
    ax.axis("off")


def plot_method_maps(film: np.ndarray, mask: np.ndarray, maps: dict[str, np.ndarray],
                     scores: dict[str, str] | None = None) -> plt.Figure:
    """One film: the truth, then each method's map with its score (notebook 14)."""
    fig, axes = plt.subplots(1, len(maps) + 1, figsize=(1.9 * (len(maps) + 1), 2.3))
    overlay(axes[0], film, None, mask, "film + finding mask")
    for ax, (name, heat) in zip(axes[1:], maps.items(), strict=True):
        overlay(ax, film, heat, mask, f"{name}\n{(scores or {}).get(name, '')}")
    fig.tight_layout()
    return fig


def plot_method_scores(table: pd.DataFrame, chance: float, metric: str = "pointing") -> plt.Figure:
    """Bar chart of one score per method (mean over films) with the chance level (notebook 14)."""
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    order = table[metric].sort_values(ascending=False).index
    sns.barplot(x=list(order), y=table.loc[order, metric].to_numpy(), hue=list(order), ax=ax, palette="crest",
                legend=False)
    ax.axhline(chance, color="k", ls="--", lw=1, label=f"chance ({chance:.2f})")
    ax.set(ylabel=metric, ylim=(0, 1), title=f"{metric} per method (held-out films)")
    ax.tick_params(axis="x", rotation=25, labelsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_cascade(similarity: pd.DataFrame, threshold: float) -> plt.Figure:
    """Rank similarity to the trained model's maps as layers are randomised from the top (notebook 14)."""
    fig, ax = plt.subplots(figsize=(5.5, 3))
    for name in similarity.columns:
        ax.plot(similarity.index, similarity[name], "o-", label=name)
    ax.axhline(threshold, color="k", ls=":", lw=1)
    ax.set(ylabel="Spearman rank correlation\nwith the trained model's map", xlabel="layers re-initialised",
           ylim=(-0.3, 1.05), title="Cascading parameter randomisation (Adebayo et al. 2018)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_ecg_attribution(signal: np.ndarray, attr: np.ndarray, truth: np.ndarray, fs: float,
                         leads: tuple[str, ...], title: str = "") -> plt.Figure:
    """12 leads stacked, the truth windows shaded green, the attribution as red dots on the trace (notebook 14)."""
    T = len(signal)
    t = np.arange(T) / fs
    fig, axes = plt.subplots(len(leads), 1, figsize=(8, 8), sharex=True)
    scale = np.percentile(attr, 99.5) + 1e-12
    for k, ax in enumerate(axes):
        ax.fill_between(t, signal[:, k].min(), signal[:, k].max(), where=truth[:, k], color="tab:green", alpha=0.2,
                        lw=0)
        ax.plot(t, signal[:, k], color="k", lw=0.6)
        size = 30 * np.clip(attr[:, k] / scale, 0, 1) ** 2  # squared: the peaks stand out, the noise fades
        keep = size > 0.3
        ax.scatter(t[keep], signal[keep, k], s=size[keep], color="tab:red", zorder=3)
        ax.set_ylabel(leads[k], rotation=0, labelpad=14, fontsize=8)
        ax.set_yticks([])
    axes[-1].set_xlabel("seconds")
    axes[0].set_title(title, fontsize=9)
    fig.tight_layout(h_pad=0.1)
    return fig


def plot_token_attributions(tables: dict[str, pd.DataFrame]) -> plt.Figure:
    """Each sentence's words coloured by attribution (red raises, blue lowers the finding) (notebook 14)."""
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(tables) + 0.4))
    ax.axis("off")
    for row, (label, table) in enumerate(tables.items()):
        y = 1 - (row + 0.5) / len(tables)
        vmax = np.abs(table["attribution"]).max() + 1e-9
        ax.text(0, y, f"{label}, p = {table.attrs['probability']:.2f}", fontsize=9, va="center")
        x = 0.2
        for word, a in zip(table["word"], table["attribution"], strict=True):
            color = plt.cm.coolwarm(0.5 + 0.5 * a / vmax)
            ax.text(x, y, word, fontsize=10, va="center", bbox={"facecolor": color, "edgecolor": "none", "pad": 1.5})
            x += 0.012 * (len(word) + 2)
    fig.tight_layout()
    return fig


def plot_explanation_card(card: dict) -> plt.Figure:
    """One patient on one page: prediction, film with map, top features, modalities, counterfactual, intended use (notebook 14)."""
    fig = plt.figure(figsize=(10, 5.2))
    grid = fig.add_gridspec(2, 3, height_ratios=[1, 0.55])
    ax_img = fig.add_subplot(grid[0, 0])
    overlay(ax_img, card["film"], card["map"], card.get("mask"), card["map_title"])
    ax_feat = fig.add_subplot(grid[0, 1])
    feats = card["features"]  # Series: name -> SHAP value (log-odds)
    colors = ["tab:red" if v > 0 else "tab:blue" for v in feats.to_numpy()]
    ax_feat.barh(feats.index[::-1], feats.to_numpy()[::-1], color=colors[::-1])
    ax_feat.set(title="clinical features (SHAP, log-odds)", xlabel="pushes towards / away")
    ax_feat.tick_params(axis="y", labelsize=8)
    ax_mod = fig.add_subplot(grid[0, 2])
    mods = card["modalities"]  # Series: modality -> share
    ax_mod.bar(mods.index, mods.to_numpy(), color="tab:gray")
    ax_mod.set(title="modality importance (Shapley, AUC)", ylabel="AUC points")
    ax_txt = fig.add_subplot(grid[1, :])
    ax_txt.axis("off")
    ax_txt.text(0, 1, "\n".join(card["lines"]), va="top", fontsize=9, family="monospace")
    fig.suptitle(card["title"], fontsize=11)
    fig.tight_layout()
    return fig
