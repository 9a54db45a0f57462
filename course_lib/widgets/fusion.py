"""The choose-your-fusion widget of notebook 11 (logic in plain functions)."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression

from course_lib.models.fusion import late_average, late_stacking
from course_lib.training.metrics import binary_metrics
from course_lib.viz.fusion import plot_roc

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
