"""Notebook 12's missing-modality models and training helpers."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from course_lib.models.missing import (
    GatedFusion,
    MissingAwareNet,
    block_slices,
    fill_missing,
    masked_mean,
)
from course_lib.training.missing import (
    auc_with_band,
    augment_with_dropout,
    choose_strategy,
    drop_modalities,
    missing_at_rates,
    missing_curves,
    missing_masks,
)

DIMS = {"xray": 4, "labs": 3, "vitals": 2}


def test_block_slices_and_fill():
    assert block_slices(DIMS) == {"xray": slice(0, 4), "labs": slice(4, 7), "vitals": slice(7, 9)}
    X = np.arange(18, dtype=np.float32).reshape(2, 9)
    avail = np.array([[False, True, True], [True, False, True]])
    out = fill_missing(X, avail, DIMS, -1.0)
    assert (out[0, :4] == -1).all() and (out[0, 4:] == X[0, 4:]).all()
    assert (out[1, 4:7] == -1).all() and (out[1, :4] == X[1, :4]).all()
    assert (X >= 0).all(), "the input is not modified"
    with pytest.raises(ValueError, match="one column per modality"):
        fill_missing(X, avail[:, :2], DIMS)


def test_masked_mean_matches_numpy():
    v = torch.randn(5, 3, 2)
    a = torch.tensor([[1, 1, 1], [1, 0, 0], [0, 1, 1], [0, 0, 0], [1, 0, 1]], dtype=torch.bool)
    got = masked_mean(v, a)
    for i in range(5):
        want = v[i][a[i]].mean(0) if a[i].any() else torch.zeros(2)
        assert torch.allclose(got[i], want, atol=1e-6)


def test_mask_token_replaces_absent_modality():
    net = MissingAwareNet(DIMS, mask_token=True).eval()
    with torch.no_grad():
        net.token.fill_(7.0)
    X = torch.cat([torch.zeros(1, 9), torch.tensor([[0.0, 1.0, 1.0]])], dim=1)
    filled = net.fill(X)
    assert (filled[0, :4] == 7).all() and (filled[0, 4:] == 0).all()
    assert net(X).shape == (1, 1)
    assert not MissingAwareNet(DIMS).token.requires_grad  # zero-fill: the token stays zeros


def test_gate_gives_absent_modalities_no_weight():
    torch.manual_seed(0)
    net = GatedFusion(DIMS).eval()
    avail = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    X = torch.cat([torch.randn(2, 9), avail], dim=1)
    w = net.weights(X)
    assert torch.allclose(w.sum(1), torch.ones(2))
    assert (w[avail == 0] == 0).all()
    # the output does not depend on an absent modality's features
    X2 = X.clone()
    X2[0, 4:7] = 100.0
    assert torch.allclose(net(X), net(X2))


def test_drop_modalities_rates_and_guarantee():
    rng = np.random.default_rng(0)
    avail = np.ones((20000, 3), dtype=bool)
    avail[:5000, 1] = False
    kept = drop_modalities(avail, [0.5, 0.5, 0.0], rng)
    assert not (kept & ~avail).any() and kept.any(1).all() and kept[:, 2].all()
    assert 0.45 <= 1 - kept[:, 0].mean() <= 0.52
    only_two = np.zeros((1000, 2), dtype=bool)
    only_two[:, 0] = True
    assert drop_modalities(only_two, 1.0, rng)[:, 0].all(), "a sole modality is never dropped"
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        drop_modalities(avail, 1.5, rng)


def test_augment_and_masks():
    X, avail, y = np.ones((10, 9), np.float32), np.ones((10, 3), bool), np.arange(10) % 2
    Xa, ya = augment_with_dropout(X, avail, y, 3, 0.5, np.random.default_rng(0))
    assert Xa.shape == (30, 12) and ya.shape == (30,)
    masks = missing_masks(100, [0.0, 0.3, 0.6], 0, 3)
    assert masks[0.0].all() and (~masks[0.3][:, 0]).sum() == 30
    assert not (~masks[0.3][:, 0] & masks[0.6][:, 0]).any(), "nested"
    avail = missing_at_rates(200, [0.5, 0.25, 0.0])
    assert (~avail).sum(0).tolist() == [100, 50, 0]


def test_auc_band_and_curves():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = y + rng.normal(0, 1, 300)
    auc, lo, hi = auc_with_band(y, p, n_boot=100)
    assert auc == pytest.approx(roc_auc_score(y, p)) and lo < auc < hi
    curves = missing_curves({"s": lambda a: p - 2 * (~a[:, 0])}, missing_masks(300, [0.0, 0.5], 0, 2), y, n_boot=20)
    assert list(curves.columns) == ["strategy", "fraction", "AUC", "low", "high"] and len(curves) == 2


def test_choose_strategy_prefers_best_worst_case():
    import pandas as pd

    curves = pd.DataFrame({0.0: [0.96, 0.95], 0.4: [0.70, 0.93]}, index=["fragile", "robust"])
    assert choose_strategy(curves) == "robust"
