"""Edge tools of notebook 17: int8 shrinks the model, ONNX Runtime matches PyTorch, pruning zeros weights."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from course_lib.models.edge import (
    BedsideMLP,
    export_onnx,
    latency_ms,
    model_size_bytes,
    onnx_predict,
    onnx_session,
    prune_linear,
    quantize_int8,
    sparsity,
    torch_predict_fn,
)
from course_lib.widgets.deploy import describe_edge_choice, edge_widget


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return BedsideMLP(22).eval()


def test_int8_is_smaller_and_close(model):
    q = quantize_int8(copy.deepcopy(model))
    assert model_size_bytes(model) / model_size_bytes(q) >= 3
    X = torch.randn(200, 22)
    a, b = torch_predict_fn(model)(X), torch_predict_fn(q)(X)
    assert np.corrcoef(a[:, 0], b[:, 0])[0, 1] > 0.99  # int8 keeps the ranking


def test_onnx_runtime_matches_pytorch(model, tmp_path):
    path = export_onnx(model, torch.randn(1, 22), tmp_path / "m.onnx")
    session = onnx_session(path)
    X = np.random.default_rng(0).normal(size=(37, 22)).astype(np.float32)  # another batch size: dynamic axis
    assert np.allclose(onnx_predict(session, X), torch_predict_fn(model)(torch.tensor(X)), atol=1e-5)


def test_pruning_and_latency(model):
    pruned = prune_linear(copy.deepcopy(model), 0.5)
    assert 0.49 <= sparsity(pruned) <= 0.51 and sparsity(model) < 0.01
    with pytest.raises(ValueError, match="share of weights"):
        prune_linear(copy.deepcopy(model), 1.5)
    lat = latency_ms(torch_predict_fn(model), torch.randn(1, 22), n_calls=20, warmup=2)
    assert 0 < lat["median ms"] <= lat["p95 ms"]


def test_widget_logic():
    table = pd.DataFrame({"size KB": [200.0, 50.0], "median ms": [0.1, 0.2], "p95 ms": [0.2, 1.5], "AUC": [0.9, 0.895]},
                         index=["float32", "int8"])
    text = describe_edge_choice(table, "int8", p95_budget_ms=1.0)
    assert "4.0× smaller" in text and "misses" in text and "-0.0050" in text
    with pytest.raises(ValueError, match="unknown format"):
        describe_edge_choice(table, "fp16")
    assert edge_widget(table) is not None
