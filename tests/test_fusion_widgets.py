"""Notebook 11's inputs, figures and the fusion widget's logic."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.datasets.cohort import clinical_feature_names, clinical_matrix, xray_tensor  # noqa: E402
from course_lib.viz.fusion import plot_attention, plot_knowledge_graph  # noqa: E402
from course_lib.widgets.fusion import (  # noqa: E402
    STRATEGIES,
    FusionInputs,
    fuse,
    fusion_widget,
    render_fusion,
)


def test_xray_tensor_and_clinical_matrix():
    rng = np.random.default_rng(0)
    X = xray_tensor(rng.uniform(0, 1, (4, 64, 64)).astype(np.float32), size=32)
    assert X.shape == (4, 1, 32, 32)
    assert np.allclose(X.mean(dim=(2, 3)).numpy(), 0, atol=1e-5)
    vitals, labs = rng.normal(size=(10, 6)), np.exp(rng.normal(size=(10, 8)))
    labs[::2, 0] = np.nan
    C = clinical_matrix(vitals, labs, np.arange(6))
    assert C.shape == (10, 22) and not np.isnan(C).any()
    assert len(clinical_feature_names(list("abcdef"), list("ABCDEFGH"))) == 22


def _data(n=300):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    probs = {m: np.clip(0.5 + s * (y - 0.5) + rng.normal(0, 0.2, n), 0.01, 0.99)
             for m, s in [("xray", 0.5), ("clinical", 0.4), ("text", 0.3)]}
    emb = {m: np.column_stack([p, rng.normal(size=(n, 3))]) for m, p in probs.items()}
    idx = np.arange(n)
    return FusionInputs(emb, probs, y, idx[:150], idx[150:220], idx[220:])


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_fuse_every_strategy(strategy):
    data = _data()
    p = fuse(data, ("xray", "clinical"), strategy)
    assert p.shape == (80,) and ((0 <= p) & (p <= 1)).all()


def test_fuse_rejects_bad_choices():
    with pytest.raises(ValueError):
        fuse(_data(), (), "late: average")
    with pytest.raises(ValueError):
        fuse(_data(), ("xray",), "early: pixels")


def test_render_fusion_and_widget():
    data = _data()
    m = render_fusion(data, ("xray", "clinical", "text"), "late: stacking")
    assert set(m) == {"accuracy", "AUC", "F1"} and m["AUC"] > 0.8
    assert fusion_widget(data) is not None
    plt.close("all")


def test_static_figures():
    rng = np.random.default_rng(0)
    fig = plot_attention(rng.uniform(size=(2, 64, 64)), rng.dirichlet(np.ones(64), size=(2, 3)),
                         ["a", "b", "c"], ["p1", "p2"])
    assert len(fig.axes) == 8
    assert plot_knowledge_graph() is not None
    plt.close("all")
