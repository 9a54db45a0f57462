"""Attention rollout (Abnar & Zuidema 2020) and the pointing game, to score attention maps (notebook 01)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F


def attention_rollout(attentions: Sequence[torch.Tensor], residual: bool = True,
                      head_fusion: str = "mean") -> torch.Tensor:
    """Multiply the layers' attention maps from input to output: (B, T, T) (notebook 01).

    `attentions`: one (B, heads, T, T) tensor per layer, rows summing to 1. With `residual`,
    each layer's map becomes 0.5 A + 0.5 I: the skip connection carries the token itself.
    Row i of the result says how much output token i draws from each input token.
    """
    rollout = None
    for A in attentions:
        A = A.mean(dim=1) if head_fusion == "mean" else A.amax(dim=1)  # (B, T, T)
        if residual:
            A = 0.5 * A + 0.5 * torch.eye(A.shape[-1], dtype=A.dtype, device=A.device)
        A = A / A.sum(dim=-1, keepdim=True)  # rows sum to 1 again (needed after amax)
        rollout = A if rollout is None else A @ rollout  # (B, T, T): layer l on top of 1..l-1
    if rollout is None:
        raise ValueError("attention_rollout needs at least one layer of attention")
    return rollout


def cls_rollout_map(attentions: Sequence[torch.Tensor], grid: int, **kwargs) -> torch.Tensor:
    """How much the CLS token draws from each patch, as a (B, grid, grid) map (notebook 01)."""
    rollout = attention_rollout(attentions, **kwargs)  # (B, 1+N, 1+N)
    cls_to_patches = rollout[:, 0, 1:]  # (B, N): drop CLS → CLS
    return cls_to_patches.reshape(-1, grid, grid)  # row-major, like patchify


def upsample_map(saliency: torch.Tensor | np.ndarray, size: int) -> np.ndarray:
    """(B, h, w) saliency → (B, size, size) with bilinear interpolation (notebook 01)."""
    s = torch.as_tensor(np.asarray(saliency), dtype=torch.float32)[:, None]  # (B, 1, h, w)
    return F.interpolate(s, size=(size, size), mode="bilinear", align_corners=False)[:, 0].numpy()


def pointing_game(saliency: torch.Tensor | np.ndarray, masks: np.ndarray,
                  region: np.ndarray | None = None) -> np.ndarray:
    """Per image: does the saliency map's maximum fall inside the mask? (B,) bool (notebook 01).

    The saliency (B, h, w) is upsampled to the mask size (B, H, W) first (Zhang et al. 2018).
    With `region` (e.g. the lung field), the maximum is taken inside the region only, so the
    chance rate is pointing_chance(masks, region).
    """
    masks = np.asarray(masks, dtype=bool)
    up = upsample_map(saliency, masks.shape[-1]).reshape(len(masks), -1)  # (B, H*W)
    if region is not None:
        up = np.where(np.asarray(region, bool).reshape(len(masks), -1), up, -np.inf)
    peak = up.argmax(axis=1)
    return masks.reshape(len(masks), -1)[np.arange(len(masks)), peak]


def pointing_chance(masks: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Hit rate of a random point in `region` (e.g. the lungs): mask area / region area (notebook 01)."""
    masks, region = np.asarray(masks, bool), np.asarray(region, bool)
    inside = (masks & region).sum(axis=(-2, -1))
    return inside / np.maximum(region.sum(axis=(-2, -1)), 1)


def gradient_rollout(attentions: Sequence[torch.Tensor], grads: Sequence[torch.Tensor]) -> torch.Tensor:
    """Class-specific rollout (Chefer, Gur & Wolf, ICCV 2021): R ← R + mean_h(max(0, ∇A ⊙ A)) R, (B, T, T) (notebook 01).

    `grads` are the gradients of one class logit w.r.t. each layer's attention: plain rollout
    shows where the CLS token reads for ALL outputs; this keeps what raises that class.
    """
    B, _, T, _ = attentions[0].shape
    R = torch.eye(T, dtype=attentions[0].dtype).expand(B, T, T)
    for A, grad in zip(attentions, grads, strict=True):
        cam = (grad * A).clamp(min=0).mean(dim=1)  # (B, T, T): positive evidence, heads averaged
        R = R + cam @ R
    return R


def vit_attention_maps(model, X: torch.Tensor, class_index: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Plain and class-specific rollout maps of a ViTClassifier: two (B, grid, grid) (notebook 01)."""
    model.eval()
    out = model.model(pixel_values=X, output_attentions=True)
    attentions = out.attentions  # per layer (B, heads, 1+N, 1+N)
    grads = torch.autograd.grad(out.logits[:, class_index].sum(), attentions)
    grid = int(round((attentions[0].shape[-1] - 1) ** 0.5))
    plain = cls_rollout_map([a.detach() for a in attentions], grid)
    specific = gradient_rollout([a.detach() for a in attentions], grads)[:, 0, 1:]
    return plain, specific.reshape(-1, grid, grid).detach()
