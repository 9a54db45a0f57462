"""Notebook 01's encoders, patchify, attention rollout and the pointing game."""

import numpy as np
import torch
import torch.nn.functional as F

from course_lib.explain.attention import (
    attention_rollout,
    cls_rollout_map,
    gradient_rollout,
    pointing_chance,
    pointing_game,
    vit_attention_maps,
)
from course_lib.models.imaging import (
    HybridEncoder,
    ViTClassifier,
    ViTSmallConfig,
    patchify,
    receptive_field,
    resnet_1ch,
    resnet_embed,
    resnet_features,
    unpatchify,
)
from course_lib.models.pretrained import load_torchxrayvision


def test_patchify_matches_unfold_and_inverts():
    x = torch.randn(2, 3, 12, 16)
    tokens = patchify(x, 4)  # (2, 12, 48)
    assert tokens.shape == (2, 12, 48)
    assert torch.equal(tokens, F.unfold(x, kernel_size=4, stride=4).transpose(1, 2))
    assert torch.equal(unpatchify(tokens, 4, 3, 12), x)
    # Row-major: token 1 is the patch right of token 0.
    assert torch.equal(tokens[0, 1].reshape(3, 4, 4), x[0, :, 0:4, 4:8])


def test_patchify_matches_transformers_patch_embedding():
    torch.manual_seed(0)
    vit = ViTClassifier(ViTSmallConfig(num_channels=2), num_classes=3)
    patch_embed = vit.model.vit.embeddings.patch_embeddings
    conv = patch_embed.projection
    x = torch.randn(2, 2, 32, 32)
    by_hand = patchify(x, 4) @ conv.weight.reshape(conv.out_channels, -1).T + conv.bias
    assert torch.allclose(by_hand, patch_embed(x), atol=1e-5)


def test_rollout_rows_sum_to_one_and_identity():
    torch.manual_seed(0)
    attn = [torch.softmax(torch.randn(2, 4, 5, 5), dim=-1) for _ in range(3)]
    for fusion in ("mean", "max"):
        R = attention_rollout(attn, head_fusion=fusion)
        assert R.shape == (2, 5, 5)
        assert torch.allclose(R.sum(-1), torch.ones(2, 5), atol=1e-5)
    eye = [torch.eye(5).expand(2, 4, 5, 5) for _ in range(3)]
    assert torch.allclose(attention_rollout(eye), torch.eye(5).expand(2, 5, 5))
    # Without the residual term, one layer's rollout is its head-averaged attention.
    assert torch.allclose(attention_rollout(attn[:1], residual=False), attn[0].mean(1))
    assert cls_rollout_map(attn[:1] * 1, grid=2).shape == (2, 2, 2)


def test_gradient_rollout_is_identity_without_evidence():
    attn = [torch.softmax(torch.randn(1, 2, 5, 5), dim=-1) for _ in range(2)]
    zero = [torch.zeros_like(a) for a in attn]
    assert torch.allclose(gradient_rollout(attn, zero), torch.eye(5).expand(1, 5, 5))


def test_pointing_game_and_chance():
    masks = np.zeros((2, 8, 8), bool)
    masks[:, :4, :4] = True  # top-left quarter
    saliency = np.zeros((2, 2, 2))
    saliency[0, 0, 0] = 1  # peak top-left: hit
    saliency[1, 1, 1] = 1  # peak bottom-right: miss
    assert pointing_game(saliency, masks).tolist() == [True, False]
    lungs = np.zeros((2, 8, 8), bool)
    lungs[:, :, :4] = True  # left half
    assert np.allclose(pointing_chance(masks, lungs), 0.5)
    # Restricted to the lungs, image 1's peak moves into the left half (bottom-left: a miss).
    assert pointing_game(saliency, masks, region=lungs).tolist() == [True, False]


def test_encoders_output_shapes():
    x = torch.randn(3, 1, 32, 32)
    cnn = resnet_1ch(num_classes=6)
    assert cnn(x).shape == (3, 6) and resnet_embed(cnn, x).shape == (3, 512)
    assert [m.shape[1] for m in resnet_features(cnn, x)] == [64, 64, 128, 256, 512]
    assert receptive_field(cnn, 0) == 11 and receptive_field(cnn, 1) == 27
    vit = ViTClassifier(ViTSmallConfig(), num_classes=6)
    assert vit(x).shape == (3, 6) and vit.embed(x).shape == (3, 64)
    attentions = vit.attentions(x)
    assert len(attentions) == 3 and attentions[0].shape == (3, 4, 65, 65)
    plain, specific = vit_attention_maps(vit, x, class_index=0)
    assert plain.shape == specific.shape == (3, 8, 8)
    hybrid = HybridEncoder(num_classes=6, image_size=32)
    assert hybrid(x).shape == (3, 6) and hybrid.embed(x).shape == (3, 64)
    assert hybrid.attentions(x)[0].shape == (3, 4, 17, 17)


def test_torchxrayvision_loader_says_why_when_missing():
    model, message = load_torchxrayvision()
    if model is None:
        assert "torchxrayvision" in message or "weights" in message
