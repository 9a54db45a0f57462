"""Training a small medical CLIP: augmentation, the contrastive loss by name, end-to-end and heads-only loops (notebook 02)."""

from __future__ import annotations

import math

import torch

from course_lib.models.clip import CLIP, MAX_LOGIT_SCALE, AlignmentHeads
from course_lib.training.losses import (
    hard_negative_info_nce,
    hardest_negatives,
    info_nce,
    semi_hard_negatives,
    triplet,
)


def augment_batch(X: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Cheap X-ray augmentation: small shifts and brightness/contrast jitter, no flips (notebook 02)."""
    B = len(X)
    shift = torch.randint(-2, 3, (2,), generator=generator)
    X = torch.roll(X, shifts=(int(shift[0]), int(shift[1])), dims=(2, 3))
    gain = 1 + 0.1 * (torch.rand(B, 1, 1, 1, generator=generator) - 0.5)
    bias = 0.1 * (torch.rand(B, 1, 1, 1, generator=generator) - 0.5)
    return X * gain + bias


def contrastive_loss(img: torch.Tensor, txt: torch.Tensor, logit_scale: torch.Tensor,
                     loss: str = "info_nce", margin: float = 0.2, beta: float = 1.0) -> torch.Tensor:
    """One batch's loss by name: 'info_nce', 'hard_info_nce', 'triplet' or 'triplet_semihard' (notebook 02).

    Triplet: anchor = film, positive = the same patient's report, negative = the hardest other
    report in the batch ('triplet') or the hardest one still farther than the positive
    ('triplet_semihard', FaceNet's mining, which avoids collapse onto false negatives).
    """
    if loss == "info_nce":
        return info_nce(img, txt, logit_scale)
    if loss == "hard_info_nce":
        return hard_negative_info_nce(img, txt, logit_scale, beta)
    if loss == "triplet":  # the hardest other report in the batch is the negative
        return triplet(img, txt, txt[hardest_negatives(img, txt)], margin)
    if loss == "triplet_semihard":
        return triplet(img, txt, txt[semi_hard_negatives(img, txt)], margin)
    raise ValueError(f"unknown loss {loss!r}")


def train_clip(model: CLIP, X: torch.Tensor, tokens: dict[str, torch.Tensor], num_epochs: int = 5,
               batch_size: int = 64, lr: float = 2e-3, loss: str = "info_nce", margin: float = 0.2,
               beta: float = 1.0, augment: bool = True, seed: int = 0) -> dict:
    """Contrastive training on (image, report) pairs with a one-cycle learning rate (notebook 02).

    loss: 'info_nce', 'hard_info_nce', 'triplet' or 'triplet_semihard' (see contrastive_loss).
    Batch 64 by default: on ~1,000 pairs a batch of 128 halves the optimiser steps, and with so
    few pairs the steps matter more than the extra negatives. Returns the loss per epoch and
    the final inverse temperature.
    """
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = num_epochs * math.ceil(len(X) / batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.2)
    history = {"loss": []}
    model.train()
    for _ in range(num_epochs):
        total = 0.0
        order = torch.randperm(len(X), generator=g)
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            Xb = augment_batch(X[idx], g) if augment else X[idx]
            img, txt = model(Xb, tokens["input_ids"][idx], tokens["attention_mask"][idx])  # (B, D) each
            value = contrastive_loss(img, txt, model.logit_scale, loss, margin, beta)
            opt.zero_grad()
            value.backward()
            opt.step()
            sched.step()
            with torch.no_grad():  # CLIP clips the parameter itself, so it cannot drift beyond 100
                model.logit_scale.clamp_(max=math.log(MAX_LOGIT_SCALE))
            total += value.item() * len(idx)
        history["loss"].append(total / len(X))
    history["scale"] = model.scale()
    model.eval()
    return history


def train_heads(heads: AlignmentHeads, image_feats: torch.Tensor, text_feats: torch.Tensor,
                num_epochs: int = 20, batch_size: int = 128, lr: float = 3e-3, loss: str = "info_nce",
                margin: float = 0.2, beta: float = 1.0, seed: int = 0) -> list[float]:
    """Train only the heads and temperature on precomputed features: each run takes a second (notebook 02)."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(heads.parameters(), lr=lr, weight_decay=1e-4)
    losses = []
    for _ in range(num_epochs):
        order, total = torch.randperm(len(image_feats), generator=g), 0.0
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            img, txt = heads(image_feats[idx], text_feats[idx])
            value = contrastive_loss(img, txt, heads.logit_scale, loss, margin, beta)
            opt.zero_grad()
            value.backward()
            opt.step()
            with torch.no_grad():
                heads.logit_scale.clamp_(max=math.log(MAX_LOGIT_SCALE))
            total += value.item() * len(idx)
        losses.append(total / len(order))
    return losses
