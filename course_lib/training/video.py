"""Phase-recognition training helpers and the field's metrics: accuracy, Jaccard, edit score (notebook 10)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

IGNORE = -100  # target value of padded time steps (nn.CrossEntropyLoss's default ignore_index)


def pad_sequences(features: list[torch.Tensor], labels: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """Procedures of different lengths -> X (B, D, T_max) zero-padded, y (B, T_max) with IGNORE (notebook 10).

    Padding goes at the end, so a causal model's outputs on real frames never see it.
    """
    t_max = max(len(y) for y in labels)
    X = torch.zeros(len(features), features[0].shape[0], t_max)
    y = torch.full((len(labels), t_max), IGNORE, dtype=torch.long)
    for i, (f, lab) in enumerate(zip(features, labels, strict=True)):
        X[i, :, : f.shape[1]] = f
        y[i, : len(lab)] = torch.as_tensor(lab)
    return X, y


@torch.no_grad()
def predict_sequences(model, features: list[torch.Tensor]) -> list[np.ndarray]:
    """Per-frame phase predictions for each procedure, one at a time (no padding) (notebook 10)."""
    model.eval()
    return [model(f.unsqueeze(0))[0].argmax(0).numpy() for f in features]


def segments(labels) -> list[tuple[int, int, int]]:
    """Runs of equal labels: [(label, start, end_exclusive), ...] (notebook 10)."""
    labels = np.asarray(labels)
    if len(labels) == 0:
        return []
    cuts = np.flatnonzero(np.diff(labels)) + 1
    starts, ends = np.r_[0, cuts], np.r_[cuts, len(labels)]
    return [(int(labels[s]), int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def edit_score(pred, true) -> float:
    """Segmental edit score (Lea et al. 2016): 100 * (1 - Levenshtein(segments) / max #segments) (notebook 10).

    Compares only the ORDER of segments, not their length: over-segmentation (flicker) costs,
    a boundary a few frames late does not.
    """
    a = [s[0] for s in segments(pred)]
    b = [s[0] for s in segments(true)]
    if not a and not b:
        return 100.0
    d = np.zeros((len(a) + 1, len(b) + 1))
    d[:, 0], d[0, :] = np.arange(len(a) + 1), np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return float(100 * (1 - d[-1, -1] / max(len(a), len(b))))


def phase_metrics(preds: list[np.ndarray], trues: list[np.ndarray], names) -> pd.DataFrame:
    """Per-phase precision, recall and Jaccard, pooled over procedures, as fractions (notebook 10)."""
    p, t = np.concatenate(preds), np.concatenate(trues)
    rows = {}
    for k, name in enumerate(names):
        tp, fp, fn = np.sum((p == k) & (t == k)), np.sum((p == k) & (t != k)), np.sum((p != k) & (t == k))
        rows[name] = {"precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1),
                      "jaccard": tp / max(tp + fp + fn, 1), "frames": int(np.sum(t == k))}
    return pd.DataFrame(rows).T


def summary(preds: list[np.ndarray], trues: list[np.ndarray], edit_fn=edit_score) -> dict:
    """Frame accuracy (pooled), mean edit score and mean number of segments per procedure (notebook 10)."""
    acc = float(np.mean(np.concatenate(preds) == np.concatenate(trues)))
    edits = [edit_fn(p, t) for p, t in zip(preds, trues, strict=True)]
    return {"accuracy": acc, "edit score": float(np.mean(edits)),
            "segments / procedure": float(np.mean([len(segments(p)) for p in preds]))}


def fps_table(accuracy: dict, ms_per_frame: float) -> pd.DataFrame:
    """Accuracy and CPU load (% of one core) per sampling FPS, for Exercise 10.3 (notebook 10)."""
    fps = np.array(sorted(accuracy))
    return pd.DataFrame({"fps": fps, "accuracy": [accuracy[f] for f in fps],
                         "cpu load (%)": fps * ms_per_frame / 10}).set_index("fps")


def causal_mode_filter(pred, window: int, n_classes: int = 7) -> np.ndarray:
    """Online smoothing: each frame takes the most frequent label of the last `window` frames (notebook 10)."""
    pred = np.asarray(pred)
    onehot = np.eye(n_classes)[pred]  # (T, C)
    csum = np.cumsum(onehot, 0)
    past = csum - np.vstack([np.zeros((window, n_classes)), csum[:-window]])[: len(pred)]
    return past.argmax(1)


def hold_last(pred_sampled, indices, n_frames: int) -> np.ndarray:
    """Online upsampling: frame t shows the prediction of the last sampled frame <= t (notebook 10)."""
    pos = np.searchsorted(np.asarray(indices), np.arange(n_frames), side="right") - 1
    return np.asarray(pred_sampled)[np.clip(pos, 0, None)]
