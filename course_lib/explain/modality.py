"""Modality importance: exact Shapley values over modalities, leave-one-out ablation, permutation (notebook 14)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import torch
from captum.attr import IntegratedGradients
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score


def shapley_values(value: Callable[[frozenset], float], players: Sequence[str]) -> dict[str, float]:
    """Exact Shapley values by enumerating all 2^M coalitions (notebook 14).

    phi_i = sum over S not containing i of |S|! (M - |S| - 1)! / M! * (v(S + i) - v(S)).
    They add up to v(all) - v(empty) exactly (efficiency). `value` maps a frozenset of players to a number.
    """
    players = list(players)
    if len(set(players)) != len(players):
        raise ValueError(f"players must be distinct, got {players}")
    M = len(players)
    cache: dict[frozenset, float] = {}

    def v(S: frozenset) -> float:
        if S not in cache:
            cache[S] = float(value(S))
        return cache[S]

    phi = {}
    for p in players:
        others = [q for q in players if q != p]
        total = 0.0
        for k in range(M):
            weight = factorial(k) * factorial(M - k - 1) / factorial(M)
            for S in combinations(others, k):
                S = frozenset(S)
                total += weight * (v(S | {p}) - v(S))
        phi[p] = total
    return phi


def stacker_value(logits: dict[str, np.ndarray], y: np.ndarray, fit_idx: np.ndarray,
                  eval_idx: np.ndarray) -> Callable[[frozenset], float]:
    """v(S): test AUC of a logistic stacker on the modalities in S, fitted on fit_idx; v(empty) = 0.5 (notebook 14).

    Refitting per coalition asks "what does the team do without this modality?", the honest
    counterpart of switching an input off in a model that never saw it missing.
    """
    y = np.asarray(y)

    def value(S: frozenset) -> float:
        if not S:
            return 0.5  # no information: a constant score ranks at chance
        Z = np.column_stack([logits[m] for m in sorted(S)])  # (n, |S|)
        model = LogisticRegression().fit(Z[fit_idx], y[fit_idx])
        return roc_auc_score(y[eval_idx], model.decision_function(Z[eval_idx]))

    return value


def ablation_and_permutation(logits: dict[str, np.ndarray], y: np.ndarray, fit_idx: np.ndarray,
                             eval_idx: np.ndarray, repeats: int = 20, seed: int = 0) -> pd.DataFrame:
    """Two cheaper modality scores for the full stacker: leave-one-out AUC loss and permutation AUC loss (notebook 14)."""
    names = sorted(logits)
    value = stacker_value(logits, y, fit_idx, eval_idx)
    full = value(frozenset(names))
    Z = np.column_stack([logits[m] for m in names])
    model = LogisticRegression().fit(Z[fit_idx], np.asarray(y)[fit_idx])
    rng = np.random.default_rng(seed)
    rows = {}
    for j, m in enumerate(names):
        drops = []
        for _ in range(repeats):
            Zp = Z[eval_idx].copy()
            Zp[:, j] = rng.permutation(Zp[:, j])  # break the link to the patient, keep the distribution
            drops.append(full - roc_auc_score(np.asarray(y)[eval_idx], model.decision_function(Zp)))
        rows[m] = {"leave-one-out AUC loss": full - value(frozenset(names) - {m}),
                   "permutation AUC loss": float(np.mean(drops))}
    return pd.DataFrame(rows).T


def attention_and_gradients(model: torch.nn.Module, clinical: torch.Tensor, patches: torch.Tensor,
                            baseline: torch.Tensor, n_steps: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Two maps over the image patches of a cross-attention model's prediction: attention and IG (notebook 14).

    model: a CrossAttentionFusion (notebook 11) with attend(clinical, patches) -> (logits, weights);
    clinical (B, F); patches (B, P, C); baseline (1, P, C): the patches of "the film without the evidence".
    Returns attention (B, P), the weights averaged over heads and clinical queries, and Integrated
    Gradients (B, P) of the logit w.r.t. the patches, summed over channels, positive part (evidence FOR).
    """
    model = model.eval()
    with torch.no_grad():
        _, weights = model.attend(clinical, patches)  # (B, heads, F, P)
    ig = IntegratedGradients(lambda p, c: model.attend(c, p)[0]).attribute(
        patches, baselines=baseline.expand_as(patches).contiguous(), additional_forward_args=(clinical,),
        target=0, n_steps=n_steps)  # (B, P, C)
    return weights.mean(dim=(1, 2)).numpy(), ig.sum(-1).clamp(min=0).detach().numpy()


def patch_deletion(model: torch.nn.Module, clinical: torch.Tensor, patches: torch.Tensor, baseline: torch.Tensor,
                   scores: np.ndarray, k: int) -> np.ndarray:
    """Faithfulness: drop of the logit when each film's k top-scored patches get the baseline's values, (B,) (notebook 14)."""
    top = np.argsort(-np.asarray(scores), axis=1)[:, :k]  # (B, k) patch indices
    edited = patches.clone()
    rows = np.arange(len(patches))[:, None]
    edited[rows, top] = baseline.expand_as(patches)[rows, top]
    with torch.no_grad():
        before, after = model.attend(clinical, patches)[0], model.attend(clinical, edited)[0]  # (B, 1)
    return (before - after)[:, 0].numpy()
