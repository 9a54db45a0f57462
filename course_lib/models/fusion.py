"""Fusion strategies: early, intermediate, late, cross-attention, hierarchical (notebook 11)."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn


class SmallCNN(nn.Module):
    """A three-block CNN for 32x32 X-rays that also exposes its feature maps (notebook 11)."""

    def __init__(self, num_outputs: int = 1, width: int = 16, dropout: float = 0.2):
        super().__init__()

        def block(c_in, c_out):
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out),
                                 nn.ReLU(), nn.MaxPool2d(2))

        self.low = block(1, width)  # edges, texture: (B, w, 16, 16)
        self.mid = block(width, 2 * width)  # parts of the lung: (B, 2w, 8, 8)
        self.high = block(2 * width, 4 * width)  # (B, 4w, 4, 4)
        self.embed_dim = 4 * width
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(self.embed_dim, num_outputs))

    def features(self, X: torch.Tensor) -> dict[str, torch.Tensor]:
        """Feature maps of every level and the pooled embedding."""
        low = self.low(X)
        mid = self.mid(low)
        high = self.high(mid)
        return {"low": low, "mid": mid, "high": high, "embedding": high.mean(dim=(2, 3))}

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(X)["embedding"])  # (B, num_outputs) logits


class MLP(nn.Module):
    """A two-layer perceptron whose hidden layer is the modality's embedding (notebook 11)."""

    def __init__(self, in_dim: int, hidden: int = 32, num_outputs: int = 1, dropout: float = 0.2):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Dropout(dropout))
        self.head = nn.Linear(hidden, num_outputs)
        self.embed_dim = hidden

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(X))


class EarlyFusionNet(nn.Module):
    """Early fusion: raw (downsampled) pixels and the clinical vector joined at the input (notebook 11)."""

    def __init__(self, image_dim: int, clinical_dim: int, hidden: int = 64, dropout: float = 0.3):
        super().__init__()
        self.image_dim = image_dim
        self.net = MLP(image_dim + clinical_dim, hidden, 1, dropout)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.net(X)  # X: (B, image_dim + clinical_dim), already concatenated


class ImageEmbedding(nn.Module):
    """A SmallCNN without its head: image -> pooled embedding (notebook 11)."""

    def __init__(self, cnn: SmallCNN):
        super().__init__()
        self.cnn, self.embed_dim = cnn, cnn.embed_dim

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.cnn.features(X)["embedding"]  # (B, D)


def split_inputs(X: torch.Tensor, shapes: dict[str, tuple[int, ...]]) -> dict[str, torch.Tensor]:
    """Cut a flat (B, sum of sizes) batch into one tensor per modality, reshaped (notebook 11).

    Packing every modality into one flat tensor lets the course's fit()/predict() train any fusion model.
    """
    sizes = [math.prod(s) for s in shapes.values()]
    parts = torch.split(X, sizes, dim=1)
    return {name: part.reshape(len(X), *shape) for (name, shape), part in zip(shapes.items(), parts,
                                                                               strict=True)}


class IntermediateFusionNet(nn.Module):
    """Intermediate fusion: per-modality encoders, embeddings concatenated, a joint head (notebook 11).

    Input: the modalities packed flat, in the order of `shapes` (see split_inputs).
    """

    def __init__(self, encoders: dict[str, nn.Module], shapes: dict[str, tuple[int, ...]],
                 hidden: int = 32, num_outputs: int = 1, dropout: float = 0.2):
        super().__init__()
        self.encoders, self.shapes = nn.ModuleDict(encoders), dict(shapes)
        total = sum(enc.embed_dim for enc in encoders.values())
        self.head = nn.Sequential(nn.Linear(total, hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, num_outputs))

    def embed(self, X: torch.Tensor) -> torch.Tensor:
        """The concatenated embeddings (B, sum of D)."""
        parts = split_inputs(X, self.shapes)
        return torch.cat([enc(parts[name]) for name, enc in self.encoders.items()], dim=1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(X))  # (B, num_outputs)


class TabularEmbedding(nn.Module):
    """An MLP without its head: clinical vector -> hidden embedding (notebook 11)."""

    def __init__(self, mlp: MLP):
        super().__init__()
        self.mlp, self.embed_dim = mlp, mlp.embed_dim

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.mlp.encoder(X)  # (B, D)


def late_average(probs: list[np.ndarray], weights: list[float] | None = None) -> np.ndarray:
    """Late fusion by (weighted) averaging of each modality's probability; NaN = missing (notebook 11)."""
    P = np.column_stack(probs).astype(float)  # (n, M)
    w = np.ones(P.shape[1]) if weights is None else np.asarray(weights, float)
    present = ~np.isnan(P)
    # A missing modality drops out of the average instead of poisoning it: late fusion's robustness.
    return (np.where(present, P, 0.0) * w).sum(1) / (present * w).sum(1)


def logit(p: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """log(p / (1 - p)), clipped away from 0 and 1 (notebook 11)."""
    p = np.clip(p, eps, 1 - eps)
    return np.log(p / (1 - p))


def late_stacking(train_probs: list[np.ndarray], y_train: np.ndarray, test_probs: list[np.ndarray],
                  C: float = 1.0) -> np.ndarray:
    """Late fusion by a learned stacker: logistic regression on the modalities' logits (notebook 11)."""
    from sklearn.linear_model import LogisticRegression

    stacker = LogisticRegression(C=C).fit(logit(np.column_stack(train_probs)), y_train)
    return stacker.predict_proba(logit(np.column_stack(test_probs)))[:, 1]


def cross_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                    key_padding_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention of queries over keys; mask True = ignore that key (notebook 11).

    q (B, Nq, D), k (B, Nk, D), v (B, Nk, Dv), key_padding_mask (B, Nk) -> out (B, Nq, Dv), weights (B, Nq, Nk).
    """
    scores = q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])  # (B, Nq, Nk)
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, :], float("-inf"))
    weights = scores.softmax(dim=-1)  # each query's weights over the keys sum to 1
    return weights @ v, weights


class FeatureTokenizer(nn.Module):
    """One token per clinical variable: value * w_i + b_i (as in FT-Transformer) (notebook 11)."""

    def __init__(self, num_features: int, d_model: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(num_features, d_model) * 0.1)
        self.bias = nn.Parameter(torch.zeros(num_features, d_model))  # also identifies the variable

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return X[:, :, None] * self.weight + self.bias  # (B, F) -> (B, F, D)


class CrossAttentionFusion(nn.Module):
    """Clinical tokens (queries) attend over image patches (keys, values), multi-head (notebook 11).

    forward(X) takes the flat batch [clinical (F) | patches (P * C)]; attend() takes them apart.
    """

    def __init__(self, num_clinical: int, num_patches: int, patch_dim: int, d_model: int = 32,
                 num_heads: int = 4, dropout: float = 0.1):
        super().__init__()
        self.shapes = {"clinical": (num_clinical,), "patches": (num_patches, patch_dim)}
        self.tokens = FeatureTokenizer(num_clinical, d_model)
        self.patch_proj = nn.Linear(patch_dim, d_model)
        self.pos = nn.Parameter(torch.zeros(1, num_patches, d_model))  # learned patch positions
        self.attn = nn.MultiheadAttention(d_model, num_heads, dropout=dropout, batch_first=True)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Sequential(nn.Linear(2 * d_model, d_model), nn.ReLU(), nn.Linear(d_model, 1))

    def attend(self, clinical: torch.Tensor, patches: torch.Tensor,
               patch_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (B, 1) and attention weights (B, heads, F, P); patch_mask True = hide that patch."""
        q = self.tokens(clinical)  # (B, F, D)
        kv = self.patch_proj(patches) + self.pos  # (B, P, D)
        attended, weights = self.attn(q, kv, kv, key_padding_mask=patch_mask,
                                      average_attn_weights=False)  # (B, F, D), (B, H, F, P)
        fused = self.norm(q + attended)  # residual: each clinical token enriched by the image
        pooled = torch.cat([fused.mean(1), kv.mean(1)], dim=1)  # (B, 2D)
        return self.head(pooled), weights

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        parts = split_inputs(X, self.shapes)
        return self.attend(parts["clinical"], parts["patches"])[0]


class HierarchicalFusionNet(nn.Module):
    """Fusion at low, mid, high and decision level of two modalities in one model (notebook 11).

    Input: flat [level features in LEVELS order], each level = [image part | clinical part] with the
    sizes in `dims`; `levels` picks which levels fuse, so one class gives single-level and
    hierarchical models alike.
    """

    LEVELS = ("low", "mid", "high", "decision")

    def __init__(self, dims: dict[str, tuple[int, int]], levels=LEVELS, hidden: int = 16,
                 dropout: float = 0.2):
        super().__init__()
        unknown = set(levels) - set(self.LEVELS)
        if unknown or not levels:
            raise ValueError(f"levels must be a non-empty subset of {self.LEVELS}, got {levels}")
        self.levels, self.dims = tuple(levels), {lvl: dims[lvl] for lvl in self.LEVELS}
        self.fuse = nn.ModuleDict({
            lvl: nn.Linear(sum(dims[lvl]), 1) if lvl == "decision"  # weights on the unimodal logits
            else nn.Sequential(nn.Linear(sum(dims[lvl]), hidden), nn.ReLU(), nn.Dropout(dropout),
                               nn.Linear(hidden, 1))
            for lvl in self.levels})
        # Learned, softmax-normalised level weights: how much each level contributes.
        self.level_logits = nn.Parameter(torch.zeros(len(self.levels)))

    def level_outputs(self, X: torch.Tensor) -> torch.Tensor:
        """(B, L) logits, one per active fusion level."""
        parts = split_inputs(X, {lvl: (sum(d),) for lvl, d in self.dims.items()})
        return torch.cat([self.fuse[lvl](parts[lvl]) for lvl in self.levels], dim=1)

    def level_weights(self) -> dict[str, float]:
        """The learned share of each level in the final logit."""
        return dict(zip(self.levels, self.level_logits.softmax(0).tolist(), strict=True))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        w = self.level_logits.softmax(0)  # (L,)
        return (self.level_outputs(X) * w).sum(1, keepdim=True) * len(self.levels)  # (B, 1)
