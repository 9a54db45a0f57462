"""Missing-modality models: fills, a learned mask token, gated fusion, masked means (notebook 12)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def block_slices(dims: dict[str, int]) -> dict[str, slice]:
    """Column slices of each modality in a packed feature matrix, in the order of `dims` (notebook 12)."""
    out, start = {}, 0
    for name, d in dims.items():
        out[name], start = slice(start, start + d), start + d
    return out


def masked_mean(values: torch.Tensor, available: torch.Tensor) -> torch.Tensor:
    """Mean over the available modalities only: values (B, M, D), available (B, M) -> (B, D) (notebook 12).

    A patient with no modality at all gets zeros (nothing to average), never NaN.
    """
    w = available.to(values.dtype).unsqueeze(-1)  # (B, M, 1): 1 where present
    return (values * w).sum(1) / w.sum(1).clamp(min=1.0)


def fill_missing(X: np.ndarray, available: np.ndarray, dims: dict[str, int],
                 fill: np.ndarray | float = 0.0) -> np.ndarray:
    """Copy of X (n, D) with each absent modality's columns replaced by `fill` (a number or a (D,) row) (notebook 12)."""
    X, available = np.array(X, dtype=np.float32), np.asarray(available, dtype=bool)
    if available.shape != (len(X), len(dims)):
        raise ValueError(f"available must be (n, {len(dims)}) booleans, one column per modality {list(dims)}; "
                         f"got {available.shape}")
    row = np.broadcast_to(np.asarray(fill, dtype=np.float32), (X.shape[1],))
    for m, sl in enumerate(block_slices(dims).values()):
        X[~available[:, m], sl] = row[sl]
    return X


class MissingAwareNet(nn.Module):
    """An MLP head over packed modality features [X (D) | available (M)] with optional mask tokens and flags (notebook 12).

    - mask_token=False: an absent modality's features become zeros (zero-fill);
    - mask_token=True: they become a learned vector per modality (the mask token, learned when
      training sees absent modalities, i.e. with modality dropout);
    - flags=True: the availability flags are inputs too, so the head knows what it is missing.
    """

    def __init__(self, dims: dict[str, int], hidden: int = 32, mask_token: bool = False, flags: bool = False,
                 dropout: float = 0.2):
        super().__init__()
        self.dims, self.slices, self.flags = dict(dims), block_slices(dims), flags
        self.width = sum(dims.values())
        self.token = nn.Parameter(torch.zeros(self.width), requires_grad=mask_token)  # (D,)
        self.head = nn.Sequential(nn.Linear(self.width + (len(dims) if flags else 0), hidden), nn.ReLU(),
                                  nn.Dropout(dropout), nn.Linear(hidden, 1))

    def fill(self, X: torch.Tensor) -> torch.Tensor:
        """Features with absent modalities replaced by the token: (B, D + M) -> (B, D)."""
        feats, avail = X[:, :self.width], X[:, self.width:]  # (B, D), (B, M)
        present = torch.cat([avail[:, m:m + 1].expand(-1, sl.stop - sl.start)
                             for m, sl in enumerate(self.slices.values())], dim=1)  # (B, D)
        return torch.where(present > 0.5, feats, self.token.expand_as(feats))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        inputs = self.fill(X)
        if self.flags:
            inputs = torch.cat([inputs, X[:, self.width:]], dim=1)
        return self.head(inputs)  # (B, 1) logits


class GatedFusion(nn.Module):
    """One expert logit per modality, mixed by a gate's confidence weights over the available ones (notebook 12).

    The gate sees every present modality and the availability flags; its softmax is taken over the
    present modalities only, so a missing expert gets weight exactly 0.
    """

    def __init__(self, dims: dict[str, int], hidden: int = 16, dropout: float = 0.2):
        super().__init__()
        self.dims, self.slices = dict(dims), block_slices(dims)
        self.width = sum(dims.values())
        self.experts = nn.ModuleList([nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Dropout(dropout),
                                                    nn.Linear(hidden, 1)) for d in dims.values()])
        self.gate = nn.Sequential(nn.Linear(self.width + len(dims), hidden), nn.ReLU(), nn.Linear(hidden, len(dims)))

    def weights(self, X: torch.Tensor) -> torch.Tensor:
        """Per-patient confidence weight of each modality (B, M); 0 where absent, rows sum to 1."""
        feats, avail = X[:, :self.width], X[:, self.width:]
        present = torch.cat([avail[:, m:m + 1].expand(-1, sl.stop - sl.start)
                             for m, sl in enumerate(self.slices.values())], dim=1)
        scores = self.gate(torch.cat([feats * present, avail], dim=1))  # (B, M)
        return scores.masked_fill(avail < 0.5, -1e9).softmax(dim=1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        feats, avail = X[:, :self.width], X[:, self.width:]
        logits = torch.cat([expert(feats[:, sl]) for expert, sl in zip(self.experts, self.slices.values(),
                                                                        strict=True)], dim=1)  # (B, M)
        w = self.weights(X)
        return (w * logits.masked_fill(avail < 0.5, 0.0)).sum(1, keepdim=True)  # (B, 1)
