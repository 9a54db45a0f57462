"""Notebook 04's patch encoder and MIL pooling: shapes, masking, the gated attention formula, and learning."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from course_lib.models import pathology as mp


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: two threads only wait on each other (and crawl on a shared CPU)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def toy_bags(n=60, size=30, dim=8, seed=0):
    """Bags of Gaussian instances; positives hide 1-2 shifted 'tumour' instances."""
    rng = np.random.default_rng(seed)
    bags, labels, truth = [], [], []
    for i in range(n):
        k = int(rng.integers(size - 10, size + 1))
        b = rng.normal(0, 1, (k, dim)).astype(np.float32)
        t = np.zeros(k, bool)
        if i % 2:
            t[rng.choice(k, int(rng.integers(1, 3)), replace=False)] = True
            b[t, 0] += 4.0
        bags.append(b)
        labels.append(i % 2)
        truth.append(t.astype(float))
    return bags, np.array(labels), truth


def test_patch_encoder_shapes():
    enc = mp.PatchEncoder(dim=32)
    x = mp.to_tensor(np.zeros((5, 32, 32, 3), np.uint8))
    assert x.shape == (5, 3, 32, 32) and float(x.min()) == -1.0
    assert enc(x).shape == (5, 1) and enc.embed(x).shape == (5, 32)
    emb, prob = mp.embed_patches(enc, np.zeros((3, 32, 32, 3), np.uint8), batch=2)
    assert emb.shape == (3, 32) and prob.shape == (3,) and ((prob > 0) & (prob < 1)).all()


def test_pad_bags():
    x, mask = mp.pad_bags([np.ones((2, 3)), np.ones((4, 3))])
    assert x.shape == (2, 4, 3) and mask.sum(1).tolist() == [2, 4] and x[0, 2:].abs().sum() == 0
    with pytest.raises(ValueError, match="at least one bag"):
        mp.pad_bags([])


def test_functional_gated_attention_equals_the_module():
    torch.manual_seed(0)
    model = mp.MILPool(dim=8, pooling="attention", hidden=6, attn=5)
    x, mask = mp.pad_bags([np.random.default_rng(1).normal(size=(7, 8)).astype(np.float32),
                           np.ones((4, 8), np.float32)])
    logits, a, h = model.eval()(x, mask)
    for b in range(2):
        a_f, z_f = mp.gated_attention_pool(h[b], model.V.weight, model.U.weight, model.w.weight[0], mask[b])
        assert torch.allclose(a_f, a[b], atol=1e-6)
        assert torch.allclose(model.classifier(z_f), logits[b:b + 1], atol=1e-5)
    assert a[1, 4:].abs().max() == 0 and torch.allclose(a.sum(1), torch.ones(2))


@pytest.mark.parametrize("pooling", ["mean", "max", "attention"])
def test_padding_does_not_change_the_output(pooling):
    torch.manual_seed(0)
    model = mp.MILPool(dim=8, pooling=pooling).eval()
    bag = np.random.default_rng(2).normal(size=(5, 8)).astype(np.float32)
    alone = model(*mp.pad_bags([bag]))[0]
    padded = model(*mp.pad_bags([bag, np.zeros((9, 8), np.float32)]))[0][:1]
    assert torch.allclose(alone, padded, atol=1e-6)


def test_attention_mil_learns_a_low_witness_rate_and_points_at_the_witnesses():
    bags, labels, truth = toy_bags()
    x, mask = mp.pad_bags(bags)
    tr, te = slice(0, 40), slice(40, 60)
    results = {}
    for pooling in ("mean", "attention"):
        torch.manual_seed(0)
        model = mp.MILPool(dim=8, pooling=pooling)
        losses = mp.fit_mil(model, x[tr], mask[tr], labels[tr], num_epochs=150, seed=0)
        assert losses[-1] < losses[0]
        p, a = mp.predict_mil(model, x[te], mask[te])
        results[pooling] = roc_auc_score(labels[te], p)
    assert results["attention"] >= 0.95, results
    att_auc = np.mean([roc_auc_score(t, a_i[:len(t)]) for t, a_i, y in zip(truth[40:], a, labels[te], strict=True) if y])
    assert att_auc > 0.9


def test_clam_loss_and_errors():
    bags, labels, _ = toy_bags(n=8)
    x, mask = mp.pad_bags(bags)
    model = mp.MILPool(dim=8)
    losses = mp.fit_mil(model, x, mask, labels, num_epochs=5, clam_weight=0.5)
    assert np.isfinite(losses).all()
    with pytest.raises(ValueError, match="pooling"):
        mp.MILPool(dim=8, pooling="median")
