"""Contrastive losses for image–text alignment: symmetric InfoNCE and triplet (notebook 02)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from course_lib.models.clip import MAX_LOGIT_SCALE


def info_nce(image_emb: torch.Tensor, text_emb: torch.Tensor, logit_scale: torch.Tensor | float) -> torch.Tensor:
    """Symmetric InfoNCE (CLIP's loss) for a batch of matching pairs (notebook 02).

    image_emb, text_emb: (B, D), row i of each is one pair; the other B - 1 rows are the in-batch
    negatives. logit_scale is the LOG of the inverse temperature (CLIP's parameter): the cosine
    similarities are multiplied by exp(logit_scale), clamped at 100.
    """
    image_emb = F.normalize(image_emb, dim=-1)  # (B, D) on the unit sphere: dot product = cosine
    text_emb = F.normalize(text_emb, dim=-1)
    scale = torch.as_tensor(logit_scale, dtype=image_emb.dtype).exp().clamp(max=MAX_LOGIT_SCALE)
    logits = scale * image_emb @ text_emb.T  # (B, B): row = image, column = report
    targets = torch.arange(len(logits), device=logits.device)  # the match sits on the diagonal
    # image→text (rows) and text→image (columns), averaged: both retrieval directions are learned.
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def temperature_to_logit_scale(temperature: float) -> float:
    """CLIP's parameterisation: logit_scale = log(1 / temperature) (notebook 02)."""
    return math.log(1.0 / temperature)


def triplet(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor,
            margin: float = 0.2) -> torch.Tensor:
    """Triplet loss on cosine distance: max(0, d(a, p) - d(a, n) + margin), averaged (notebook 02)."""
    a, p, n = (F.normalize(t, dim=-1) for t in (anchor, positive, negative))  # (B, D) each
    d_pos = 1 - (a * p).sum(-1)  # (B,)
    d_neg = 1 - (a * n).sum(-1)
    return F.relu(d_pos - d_neg + margin).mean()


def hardest_negatives(image_emb: torch.Tensor, text_emb: torch.Tensor,
                      same: torch.Tensor | None = None) -> torch.Tensor:
    """Index of the most similar NON-matching report for each image in the batch: (B,) (notebook 02).

    `same` (B, B) bool marks pairs that must not count as negatives (e.g. the same patient).
    """
    sim = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T  # (B, B)
    blocked = torch.eye(len(sim), dtype=torch.bool, device=sim.device)
    if same is not None:
        blocked = blocked | same
    return sim.detach().masked_fill(blocked, -float("inf")).argmax(dim=1)


def negative_weights(sim: torch.Tensor, scale: float) -> torch.Tensor:
    """How InfoNCE spreads each row's push over its negatives: softmax of scale · sim without the diagonal (notebook 02).

    sim: (B, B) cosines, row = film, column = report. Returns (B, B) weights, each row summing to
    1 over the B - 1 negatives: the share of the gradient each negative receives.
    """
    logits = (scale * sim).masked_fill(torch.eye(len(sim), dtype=torch.bool, device=sim.device), -float("inf"))
    return logits.softmax(dim=1)


def effective_negatives(weights: torch.Tensor) -> torch.Tensor:
    """exp(entropy) of each row's weights: how many negatives the loss really looks at, 1 to B - 1 (notebook 02)."""
    w = weights.clamp_min(1e-12)
    return torch.exp(-(weights * w.log()).sum(dim=1))


def semi_hard_negatives(image_emb: torch.Tensor, text_emb: torch.Tensor) -> torch.Tensor:
    """Per image, the most similar report that is still LESS similar than its own: (B,) (notebook 02).

    FaceNet's semi-hard mining: the hardest negatives are often false negatives (another patient
    with the same report), and pulling towards them collapses the embedding. Where no report is
    farther than the positive, the hardest negative is used.
    """
    sim = (F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T).detach()  # (B, B)
    farther = sim < sim.diagonal()[:, None]  # (B, B): negatives beyond the positive (never the diagonal)
    semi = sim.masked_fill(~farther, -float("inf")).argmax(dim=1)
    return torch.where(farther.any(dim=1), semi, hardest_negatives(image_emb, text_emb))


def hard_negative_info_nce(image_emb: torch.Tensor, text_emb: torch.Tensor,
                           logit_scale: torch.Tensor | float, beta: float = 1.0) -> torch.Tensor:
    """InfoNCE with negatives re-weighted by exp(beta * similarity): hard negatives count more (notebook 02).

    The reweighting of Robinson et al. (ICLR 2021); beta = 0 gives plain info_nce.
    """
    image_emb, text_emb = F.normalize(image_emb, dim=-1), F.normalize(text_emb, dim=-1)
    scale = torch.as_tensor(logit_scale, dtype=image_emb.dtype).exp().clamp(max=MAX_LOGIT_SCALE)
    sim = image_emb @ text_emb.T  # (B, B)
    B = len(sim)
    eye = torch.eye(B, dtype=torch.bool, device=sim.device)
    losses = []
    for s in (sim, sim.T):
        # weights of the negatives, normalised to mean 1 per row so the loss stays on InfoNCE's scale
        w = torch.exp(beta * s.detach()).masked_fill(eye, 0)
        w = w * (B - 1) / w.sum(1, keepdim=True)
        logits = scale * s
        neg = (w * logits.exp()).masked_fill(eye, 0).sum(1)  # (B,)
        pos = logits.diagonal().exp()
        losses.append(-(logits.diagonal() - torch.log(pos + neg)).mean())
    return (losses[0] + losses[1]) / 2
