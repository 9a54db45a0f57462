"""Figures and the widget of notebook 11: ROC curves, attention maps, choose-your-fusion."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_curve

from course_lib.metrics import binary_metrics
from course_lib.models.fusion import late_average, late_stacking

STRATEGIES = ("late: average", "late: stacking", "intermediate: embeddings + logistic")


@dataclass
class FusionInputs:
    """Per-modality embeddings and probabilities for train/val/test patients (notebook 11)."""

    embeddings: dict[str, np.ndarray]  # modality -> (n, D)
    probs: dict[str, np.ndarray]  # modality -> (n,) probability from the unimodal model
    y: np.ndarray  # (n,) labels
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def fuse(data: FusionInputs, modalities: tuple[str, ...], strategy: str) -> np.ndarray:
    """Test-set probabilities of one fusion strategy over the chosen modalities (notebook 11)."""
    if not modalities:
        raise ValueError("choose at least one modality")
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if strategy == "late: average":
        return late_average([data.probs[m][data.test] for m in modalities])
    if strategy == "late: stacking":  # the stacker learns on validation patients, unseen by the encoders
        return late_stacking([data.probs[m][data.val] for m in modalities], data.y[data.val],
                             [data.probs[m][data.test] for m in modalities])
    E = np.column_stack([data.embeddings[m] for m in modalities])
    mean, std = E[data.train].mean(0), E[data.train].std(0) + 1e-6
    model = LogisticRegression(C=0.1, max_iter=2000).fit((E[data.train] - mean) / std, data.y[data.train])
    return model.predict_proba((E[data.test] - mean) / std)[:, 1]


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


def render_fusion(data: FusionInputs, modalities=("xray", "clinical"), strategy: str = "late: stacking"):
    """Metrics and ROC of the chosen modalities and strategy, next to each modality alone (notebook 11)."""
    p = fuse(data, tuple(modalities), strategy)
    y = data.y[data.test]
    m = binary_metrics(y, p)
    curves = {f"{m_} only": data.probs[m_][data.test] for m_ in modalities}
    curves[f"{' + '.join(modalities)}: {strategy}"] = p
    fig, ax = plt.subplots(figsize=(6, 4.5))
    plot_roc(y, curves, ax, title=f"accuracy {m['accuracy']:.3f} | AUC {m['AUC']:.3f} | F1 {m['F1']:.3f}")
    return m


def fusion_widget(data: FusionInputs):
    """Choose modalities and a fusion strategy; see the metrics and the ROC curve (notebook 11)."""
    import ipywidgets as w

    boxes = {m: w.Checkbox(value=m in ("xray", "clinical"), description=m) for m in data.probs}
    strategy = w.Dropdown(options=list(STRATEGIES), value="late: stacking", description="strategy")

    def show(strategy, **chosen):
        modalities = tuple(m for m, on in chosen.items() if on)
        if not modalities:
            print("Tick at least one modality.")
            return
        render_fusion(data, modalities, strategy)
        plt.show()

    out = w.interactive_output(show, {"strategy": strategy, **boxes})
    return w.VBox([w.HBox([*boxes.values(), strategy]), out])


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
