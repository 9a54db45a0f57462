"""CLIP figures of notebook 02: positive/negative pairs, similarity matrices, token attention maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def plot_pairs(panels: list[tuple[np.ndarray, str, str]]):
    """Positive and negative pairs for one anchor: (film, role, report text) per panel (notebook 02)."""
    import textwrap

    fig, axes = plt.subplots(1, len(panels), figsize=(2.9 * len(panels), 4.1))
    for ax, (image, role, text) in zip(axes, panels, strict=True):
        ax.imshow(image, cmap="gray")
        colour = "tab:green" if role.startswith("positive") else "tab:red"
        ax.set_title(role, fontsize=9, color=colour)
        ax.set_xlabel(textwrap.fill(text, 34), fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_similarity(sims: dict[str, np.ndarray], n: int = 16):
    """Image×report cosine matrices side by side; matches on the diagonal (notebook 02)."""
    fig, axes = plt.subplots(1, len(sims), figsize=(4.2 * len(sims), 3.6), squeeze=False)
    for ax, (title, sim) in zip(axes[0], sims.items(), strict=True):
        im = ax.imshow(sim[:n, :n], cmap="viridis", vmin=-1, vmax=1)
        ax.set(title=title, xlabel="report", ylabel="X-ray")
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def plot_token_attention(image: np.ndarray, attention: np.ndarray, tokens: list[str], grid: int = 4):
    """The film, then where each chosen token looks among the patches (notebook 02)."""
    fig, axes = plt.subplots(1, 1 + len(tokens), figsize=(2.3 * (1 + len(tokens)), 2.6))
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title("X-ray", fontsize=8)
    size = image.shape[0]
    for ax, tok, att in zip(axes[1:], tokens, attention, strict=True):
        ax.imshow(image, cmap="gray")
        ax.imshow(att.reshape(grid, grid), cmap="magma", alpha=0.55, extent=(0, size, size, 0))
        ax.set_title(f"“{tok}”", fontsize=8)
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    return fig
