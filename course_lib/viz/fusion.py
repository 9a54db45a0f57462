"""Fusion figures of notebook 11: ROC curves, attention maps, the knowledge graph."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_curve

from course_lib.datasets.knowledge_graph import DISEASES, RELATIONS, node_list


def plot_roc(y: np.ndarray, probs: dict[str, np.ndarray], ax=None, title: str = "ROC, held-out patients"):
    """ROC curves of several models on one axis, AUC in the legend (notebook 11)."""
    from sklearn.metrics import roc_auc_score

    ax = ax or plt.subplots(figsize=(5.5, 5))[1]
    for name, p in probs.items():
        fpr, tpr, _ = roc_curve(y, p)
        ax.plot(fpr, tpr, lw=1.3, label=f"{name} ({roc_auc_score(y, p):.3f})")
    ax.plot([0, 1], [0, 1], ":", color="0.6")
    ax.set(xlabel="1 - specificity", ylabel="sensitivity", title=title)
    ax.legend(fontsize=7, loc="lower right")
    return ax


def plot_attention(images: np.ndarray, weights: np.ndarray, query_names: list[str], titles: list[str],
                   grid: int = 8):
    """Per patient: the X-ray, then where each chosen clinical query looks (notebook 11).

    weights (patients, queries, grid * grid), averaged over heads.
    """
    n, q = weights.shape[:2]
    fig, axes = plt.subplots(n, q + 1, figsize=(1.9 * (q + 1), 2.0 * n), squeeze=False)
    for i in range(n):
        axes[i, 0].imshow(images[i], cmap="gray")
        axes[i, 0].set_title(titles[i], fontsize=8)
        for j in range(q):
            axes[i, j + 1].imshow(images[i], cmap="gray")
            axes[i, j + 1].imshow(weights[i, j].reshape(grid, grid), cmap="magma", alpha=0.55,
                                  extent=(-0.5, images.shape[2] - 0.5, images.shape[1] - 0.5, -0.5))
            if i == 0:
                axes[i, j + 1].set_title(f"query: {query_names[j]}", fontsize=8)
    for ax in axes.ravel():
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_knowledge_graph(ax=None):
    """Diseases on the left, symptoms/findings/tests on the right, one line per relation (notebook 11)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(9, 7))[1]
    nodes = node_list()
    evidence = [(n, t) for n, t in nodes if t != "disease"]
    pos = {d: (0.0, 1 - (i + 0.5) / len(DISEASES)) for i, d in enumerate(DISEASES)}
    pos.update({n: (1.0, 1 - (i + 0.5) / len(evidence)) for i, (n, _) in enumerate(evidence)})
    colors = {"disease": "tab:red", "symptom": "tab:blue", "finding": "tab:green", "test": "tab:purple"}
    styles = {"presents with": "-", "shows on X-ray": "--", "raises": ":", "lowers": "-."}
    for d, e, rel in RELATIONS:
        (x0, y0), (x1, y1) = pos[d], pos[e]
        ax.plot([x0, x1], [y0, y1], styles[rel], color="0.6", lw=0.7)
    for name, kind in nodes:
        x, y = pos[name]
        ax.scatter([x], [y], color=colors[kind], s=40, zorder=3)
        ax.text(x - 0.03 if kind == "disease" else x + 0.03, y, name, fontsize=8, va="center",
                ha="right" if kind == "disease" else "left")
    for kind, color in colors.items():
        ax.scatter([], [], color=color, label=kind)
    for rel, style in styles.items():
        ax.plot([], [], style, color="0.5", label=rel)
    ax.legend(fontsize=7, loc="lower center", ncol=4, bbox_to_anchor=(0.5, -0.12))
    ax.set(xlim=(-0.6, 1.6), title="A small medical knowledge graph (textbook relations)")
    ax.axis("off")
    return ax
