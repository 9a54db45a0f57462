"""Edge deployment: int8 quantization, pruning, ONNX export and ONNX Runtime inference (notebook 17)."""

from __future__ import annotations

import io
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn


def model_size_bytes(model: nn.Module) -> int:
    """Bytes of the serialised state_dict: what a device must store and load (notebook 17)."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


def quantize_int8(model: nn.Module) -> nn.Module:
    """Dynamic int8 quantization of every nn.Linear with torch.ao (weights int8, activations on the fly) (notebook 17).

    Dynamic quantization needs no calibration data: weights are stored as int8 with one scale per
    tensor, and activations are quantized per batch at run time. It suits MLPs and transformers on CPU.
    """
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():  # torch.ao announces its move to torchao; the API still works
        warnings.simplefilter("ignore")
        return quantize_dynamic(model.eval(), {nn.Linear}, dtype=torch.qint8)


def prune_linear(model: nn.Module, amount: float) -> nn.Module:
    """L1 magnitude pruning of every nn.Linear weight with torch.nn.utils.prune, made permanent (notebook 17).

    The zeros are stored as zeros: a dense model is not smaller or faster on a CPU unless a sparse
    format or structured pruning follows; the point here is how much accuracy the weights can spare.
    """
    if not 0.0 <= amount < 1.0:
        raise ValueError(f"amount={amount}: the share of weights to remove must be in [0, 1)")
    from torch.nn.utils import prune

    for module in model.modules():
        if isinstance(module, nn.Linear):
            prune.l1_unstructured(module, "weight", amount=amount)
            prune.remove(module, "weight")  # bake the mask into the weight
    return model


def sparsity(model: nn.Module) -> float:
    """Share of exactly-zero weights over every nn.Linear (notebook 17)."""
    weights = [m.weight.detach() for m in model.modules() if isinstance(m, nn.Linear)]
    return float(sum((w == 0).sum().item() for w in weights) / sum(w.numel() for w in weights))


def export_onnx(model: nn.Module, example: torch.Tensor, path: str | Path) -> Path:
    """Export a float model to ONNX (opset 17, dynamic batch axis) with the TorchScript exporter (notebook 17)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # the exporter warns that dynamo export will become the default
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (example,), str(path), dynamo=False, opset_version=17,
                          input_names=["x"], output_names=["logit"],
                          dynamic_axes={"x": {0: "batch"}, "logit": {0: "batch"}})
    import onnx

    onnx.checker.check_model(onnx.load(str(path)))  # a malformed graph fails here, not on the device
    return path


def onnx_session(path: str | Path, threads: int = 1):
    """An ONNX Runtime CPU session (notebook 17)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_predict(session, X) -> np.ndarray:
    """Outputs of an ONNX Runtime session for a float32 array (n, ...) (notebook 17)."""
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float32))
    return session.run(None, {session.get_inputs()[0].name: X})[0]


def latency_ms(predict_fn, x, n_calls: int = 200, warmup: int = 20) -> dict[str, float]:
    """Median and 95th-percentile wall time (ms) of predict_fn(x) over n_calls single calls (notebook 17).

    A bedside device answers one patient at a time, so latency is timed per call, not per batch; the
    p95 matters because a device must answer in time nearly every time, not on average.
    """
    for _ in range(warmup):
        predict_fn(x)
    times = np.empty(n_calls)
    for i in range(n_calls):
        start = time.perf_counter()
        predict_fn(x)
        times[i] = time.perf_counter() - start
    return {"median ms": float(np.median(times) * 1e3), "p95 ms": float(np.percentile(times, 95) * 1e3)}


def torch_predict_fn(model: nn.Module):
    """A numpy-in, numpy-out predictor of a torch model without autograd (notebook 17)."""
    model.eval()

    def run(X):
        with torch.inference_mode():
            return model(torch.as_tensor(X)).numpy()

    return run


class BedsideMLP(nn.Module):
    """A wider MLP on vitals and labs, big enough that its weights (not file overhead) set its size (notebook 17)."""

    def __init__(self, in_dim: int, hidden: int = 256, depth: int = 2, dropout: float = 0.1):
        super().__init__()
        layers, width = [], in_dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(dropout)]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(X))  # (B, 1) logits
