"""Fusion modules of notebook 11: shapes, masking, late fusion, hierarchical levels."""

import numpy as np
import pytest
import torch

from course_lib.models.fusion import (
    MLP,
    CrossAttentionFusion,
    EarlyFusionNet,
    HierarchicalFusionNet,
    ImageEmbedding,
    IntermediateFusionNet,
    SmallCNN,
    TabularEmbedding,
    cross_attention,
    late_average,
    late_stacking,
    logit,
    split_inputs,
)


def test_small_cnn_levels_and_logits():
    cnn = SmallCNN(num_outputs=6, width=8)
    X = torch.randn(5, 1, 32, 32)
    f = cnn.features(X)
    assert f["low"].shape == (5, 8, 16, 16) and f["mid"].shape == (5, 16, 8, 8)
    assert f["high"].shape == (5, 32, 4, 4) and f["embedding"].shape == (5, 32)
    assert cnn(X).shape == (5, 6)


def test_early_and_intermediate_fusion_shapes():
    assert EarlyFusionNet(256, 22)(torch.randn(4, 278)).shape == (4, 1)
    shapes = {"image": (1, 32, 32), "clinical": (22,)}
    net = IntermediateFusionNet({"image": ImageEmbedding(SmallCNN(width=8)),
                                 "clinical": TabularEmbedding(MLP(22, 16))}, shapes)
    X = torch.randn(3, 32 * 32 + 22)
    assert net(X).shape == (3, 1) and net.embed(X).shape == (3, 32 + 16)


def test_split_inputs_round_trip():
    a, b = torch.randn(2, 1, 4, 4), torch.randn(2, 3)
    parts = split_inputs(torch.cat([a.flatten(1), b], 1), {"a": (1, 4, 4), "b": (3,)})
    assert torch.equal(parts["a"], a) and torch.equal(parts["b"], b)


def test_late_average_skips_missing_modalities():
    p1, p2 = np.array([0.2, 0.8, 0.6]), np.array([0.4, np.nan, 0.2])
    np.testing.assert_allclose(late_average([p1, p2]), [0.3, 0.8, 0.4])
    np.testing.assert_allclose(late_average([p1, p2], [3, 1]), [0.25, 0.8, 0.5])


def test_late_stacking_learns_to_trust_the_informative_modality():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    good = np.clip(0.5 + 0.4 * (2 * y - 1) + rng.normal(0, 0.1, 400), 0.01, 0.99)
    noise = rng.uniform(0.01, 0.99, 400)
    p = late_stacking([good[:200], noise[:200]], y[:200], [good[200:], noise[200:]])
    assert p.shape == (200,) and ((p > 0.5) == y[200:]).mean() > 0.9
    np.testing.assert_allclose(logit(np.array([0.5])), [0.0])


def test_cross_attention_matches_torch_and_respects_the_mask():
    torch.manual_seed(0)
    q, k, v = torch.randn(2, 3, 8), torch.randn(2, 5, 8), torch.randn(2, 5, 4)
    mask = torch.zeros(2, 5, dtype=torch.bool)
    mask[:, 3:] = True
    out, w = cross_attention(q, k, v, mask)
    assert out.shape == (2, 3, 4) and w.shape == (2, 3, 5)
    assert torch.allclose(w.sum(-1), torch.ones(2, 3)) and (w[:, :, 3:] == 0).all()
    ref = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=~mask[:, None, :])
    assert torch.allclose(out, ref, atol=1e-5)


def test_cross_attention_fusion_shapes_and_masking():
    model = CrossAttentionFusion(num_clinical=6, num_patches=16, patch_dim=10, d_model=8, num_heads=2).eval()
    clinical, patches = torch.randn(3, 6), torch.randn(3, 16, 10)
    mask = torch.zeros(3, 16, dtype=torch.bool)
    mask[:, :8] = True
    logits, w = model.attend(clinical, patches, mask)
    assert logits.shape == (3, 1) and w.shape == (3, 2, 6, 16)
    assert (w[..., :8] == 0).all()
    assert model(torch.cat([clinical, patches.flatten(1)], 1)).shape == (3, 1)


def test_hierarchical_levels():
    dims = {"low": (4, 3), "mid": (5, 2), "high": (6, 2), "decision": (1, 1)}
    X = torch.randn(7, sum(sum(d) for d in dims.values()))
    full = HierarchicalFusionNet(dims)
    assert full(X).shape == (7, 1) and full.level_outputs(X).shape == (7, 4)
    assert set(full.level_weights()) == set(HierarchicalFusionNet.LEVELS)
    assert HierarchicalFusionNet(dims, ("mid",))(X).shape == (7, 1)
    with pytest.raises(ValueError):
        HierarchicalFusionNet(dims, ("pixel",))
