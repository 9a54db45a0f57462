"""Notebook 16's figures: the folder as a student sees it, learning curves with the best epoch, retrieved films."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np


def plot_folder(root: str | Path, table, rows=(0, 1, 2, 3)):
    """Films read back from xrays/ with their reports.csv row: what the dataset will see (notebook 16)."""
    from PIL import Image

    fig, axes = plt.subplots(1, len(rows), figsize=(3.0 * len(rows), 4.0))
    for ax, i in zip(np.atleast_1d(axes), rows, strict=True):
        row = table.iloc[i]
        with Image.open(Path(root) / row["image"]) as img:
            ax.imshow(np.asarray(img), cmap="gray")
        ax.set_title(f"{row['image']}\npneumonia = {row['pneumonia']}", fontsize=8)
        ax.set_xlabel(textwrap.fill(str(row["report"]).split("IMPRESSION:")[-1].strip()[:90], 32), fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_history(history: dict, title: str = ""):
    """Training and validation loss per epoch, the best epoch (the checkpoint kept) marked (notebook 16)."""
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    ax.plot(epochs, history["train_loss"], "o-", label="train")
    ax.plot(epochs, history["val_loss"], "s-", label="validation")
    best = history["best_epoch"] + 1
    ax.axvline(best, color="grey", ls="--", lw=1)
    ax.annotate("best checkpoint", (best, max(history["val_loss"])), fontsize=8, ha="right", rotation=90, va="top")
    ax.set(xlabel="epoch", ylabel="InfoNCE + BCE", title=title or "learning curves")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_retrieved(query: str, images: list[np.ndarray], captions: list[str]):
    """A report and the films it retrieves, each captioned (notebook 16)."""
    fig, axes = plt.subplots(1, len(images), figsize=(2.3 * len(images), 3.0), squeeze=False)
    for ax, img, cap in zip(axes[0], images, captions, strict=True):
        ax.imshow(img, cmap="gray")
        ax.set_title(textwrap.fill(cap, 26), fontsize=7)
        ax.axis("off")
    fig.suptitle(textwrap.fill(f"query report: {query}", 110), fontsize=8)
    fig.tight_layout()
    return fig
