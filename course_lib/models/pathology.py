"""Patch encoder and multiple-instance learning (MIL) pooling: mean, max, gated attention, CLAM-style (notebook 04).

A slide is a *bag* of patch embeddings (N, D) with one label: positive if ANY patch is tumour.
Bags have different sizes, so they are padded to (B, N, D) with a mask (B, N) True on real patches.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class PatchEncoder(nn.Module):
    """A small CNN: an RGB patch (B, 3, 32, 32) -> an embedding (B, dim); `head` scores tumour (notebook 04)."""

    def __init__(self, dim: int = 32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),  # (B, 16, 16, 16)
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),  # (B, 32, 8, 8)
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),  # (B, 32, 8, 8)
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # (B, 32)
            nn.Linear(32, dim),  # (B, dim): the embedding MIL works on
        )
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(dim, 1))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, 1) tumour logit


def to_tensor(patches: np.ndarray) -> torch.Tensor:
    """uint8 patches (N, p, p, 3) -> float tensor (N, 3, p, p) in [-1, 1] (notebook 04)."""
    return torch.from_numpy(np.ascontiguousarray(patches.transpose(0, 3, 1, 2))).float().div_(127.5).sub_(1)


@torch.no_grad()
def embed_patches(encoder: PatchEncoder, patches: np.ndarray, batch: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings (N, dim) and tumour probabilities (N,) of uint8 patches (notebook 04)."""
    encoder.eval()
    embs, probs = [], []
    for i in range(0, len(patches), batch):
        e = encoder.embed(to_tensor(patches[i:i + batch]))
        embs.append(e.numpy())
        probs.append(torch.sigmoid(encoder.head(e))[:, 0].numpy())
    return np.concatenate(embs), np.concatenate(probs)


def pad_bags(bags: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """List of (N_i, D) bags -> padded (B, N_max, D) float tensor and mask (B, N_max) bool (notebook 04)."""
    if not bags:
        raise ValueError("pad_bags needs at least one bag")
    n_max, dim = max(len(b) for b in bags), bags[0].shape[1]
    x, mask = torch.zeros(len(bags), n_max, dim), torch.zeros(len(bags), n_max, dtype=torch.bool)
    for i, b in enumerate(bags):
        x[i, :len(b)], mask[i, :len(b)] = torch.as_tensor(b, dtype=torch.float32), True
    return x, mask


def gated_attention_pool(h: torch.Tensor, V: torch.Tensor, U: torch.Tensor, w: torch.Tensor,
                         mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Gated attention pooling (Ilse et al. 2018, eq. 9) of one bag (notebook 04).

    h (N, H) instance embeddings; V, U (A, H); w (A,).
    a_k = softmax_k( w . (tanh(V h_k) * sigmoid(U h_k)) ); z = sum_k a_k h_k.
    Returns the weights a (N,) and the bag embedding z (H,). Masked-out instances get weight 0.
    """
    scores = (torch.tanh(h @ V.T) * torch.sigmoid(h @ U.T)) @ w  # (N,)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    a = torch.softmax(scores, dim=0)  # (N,)
    return a, a @ h  # (N,), (H,)


class MILPool(nn.Module):
    """Instance MLP, then a pooling over the bag ("mean" | "max" | "attention"), then a classifier (notebook 04)."""

    def __init__(self, dim: int, pooling: str = "attention", hidden: int = 32, attn: int = 16,
                 dropout: float = 0.1):
        super().__init__()
        if pooling not in ("mean", "max", "attention"):
            raise ValueError(f"pooling must be 'mean', 'max' or 'attention', got {pooling!r}")
        self.pooling = pooling
        self.instance = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Dropout(dropout))
        self.V = nn.Linear(hidden, attn, bias=False)  # attention branch (tanh)
        self.U = nn.Linear(hidden, attn, bias=False)  # gate branch (sigmoid)
        self.w = nn.Linear(attn, 1, bias=False)
        self.classifier = nn.Linear(hidden, 1)
        self.instance_classifier = nn.Linear(hidden, 2)  # used by the CLAM-style clustering loss only
        # Input standardisation, set from the training instances by fit_mil: encoders' features come at
        # any scale, and attention trains unreliably on unscaled inputs.
        self.register_buffer("mu", torch.zeros(dim))
        self.register_buffer("sd", torch.ones(dim))

    def attention(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Attention weights (B, N) over each bag's real instances."""
        if self.pooling == "attention":
            scores = self.w(torch.tanh(self.V(h)) * torch.sigmoid(self.U(h)))[..., 0]  # (B, N)
        elif self.pooling == "max":  # the max picks one instance per feature; report the instance norm
            scores = h.norm(dim=-1) * 50
        else:
            scores = torch.zeros(h.shape[:2])
        return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x (B, N, D), mask (B, N) -> slide logits (B,), attention (B, N), instance embeddings (B, N, H)."""
        h = self.instance((x - self.mu) / self.sd)  # (B, N, H)
        a = self.attention(h, mask)
        if self.pooling == "max":
            z = h.masked_fill(~mask[..., None], float("-inf")).amax(1)  # (B, H)
        elif self.pooling == "mean":
            z = (h * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)  # (B, H)
        else:
            z = torch.einsum("bn,bnh->bh", a, h)  # (B, H) attention-weighted sum
        return self.classifier(z)[:, 0], a, h


def clam_instance_loss(model: MILPool, a: torch.Tensor, h: torch.Tensor, y: torch.Tensor, k: int = 3) -> torch.Tensor:
    """CLAM's instance-level clustering loss (Lu et al. 2021), single-branch (notebook 04).

    In each bag, the k most-attended instances are pseudo-labelled "tumour" if the slide is positive
    (else "normal"), and the k least-attended "normal"; a small instance classifier learns them.
    """
    top = a.topk(k, dim=1).indices  # (B, k)
    bottom = (-a).masked_fill(a == 0, float("-inf")).topk(k, dim=1).indices
    idx = torch.cat([top, bottom], 1)  # (B, 2k)
    hs = torch.gather(h, 1, idx[..., None].expand(-1, -1, h.shape[-1]))  # (B, 2k, H)
    target = torch.cat([y[:, None].expand(-1, k), torch.zeros_like(top)], 1).long()  # (B, 2k)
    return F.cross_entropy(model.instance_classifier(hs).reshape(-1, 2), target.reshape(-1))


def fit_mil(model: MILPool, x: torch.Tensor, mask: torch.Tensor, y: np.ndarray, num_epochs: int = 150,
            lr: float = 3e-3, weight_decay: float = 1e-3, clam_weight: float = 0.0, seed: int = 0) -> list[float]:
    """Full-batch training of a MIL model on padded bags; returns the loss per epoch (notebook 04)."""
    torch.manual_seed(seed)
    y_t = torch.as_tensor(y, dtype=torch.float32)
    real = x[mask]  # (instances, D): the training patches, padding excluded
    model.mu.copy_(real.mean(0))
    model.sd.copy_(real.std(0) + 1e-6)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    losses = []
    model.train()
    for _ in range(num_epochs):
        logits, a, h = model(x, mask)
        loss = F.binary_cross_entropy_with_logits(logits, y_t)
        if clam_weight > 0:
            loss = loss + clam_weight * clam_instance_loss(model, a, h, y_t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def predict_mil(model: MILPool, x: torch.Tensor, mask: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Slide probabilities (B,) and attention weights (B, N) (0 on padding) (notebook 04)."""
    model.eval()
    logits, a, _ = model(x, mask)
    return torch.sigmoid(logits).numpy(), a.numpy()
