"""InfoNCE and triplet losses against direct computations (notebook 02)."""

import math

import torch
import torch.nn.functional as F

from course_lib.losses import (
    MAX_LOGIT_SCALE,
    hard_negative_info_nce,
    hardest_negatives,
    info_nce,
    temperature_to_logit_scale,
    triplet,
)


def direct_info_nce(img, txt, scale):
    """InfoNCE written with explicit loops over log-softmax rows and columns."""
    img, txt = F.normalize(img, dim=-1), F.normalize(txt, dim=-1)
    B = len(img)
    i2t = t2i = 0.0
    for i in range(B):
        row = [scale * float(img[i] @ txt[j]) for j in range(B)]
        col = [scale * float(img[j] @ txt[i]) for j in range(B)]
        i2t -= row[i] - math.log(sum(math.exp(v) for v in row))
        t2i -= col[i] - math.log(sum(math.exp(v) for v in col))
    return (i2t + t2i) / (2 * B)


def test_info_nce_matches_loops():
    g = torch.Generator().manual_seed(0)
    img, txt = torch.randn(7, 5, generator=g), torch.randn(7, 5, generator=g)
    for temperature in (1.0, 0.1, 0.07):
        got = info_nce(img, txt, temperature_to_logit_scale(temperature))
        assert abs(float(got) - direct_info_nce(img, txt, 1 / temperature)) < 1e-4


def test_info_nce_clamps_scale_and_ignores_norm():
    g = torch.Generator().manual_seed(1)
    img, txt = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    huge = info_nce(img, txt, math.log(1e4))
    assert abs(float(huge) - direct_info_nce(img, txt, MAX_LOGIT_SCALE)) < 1e-3
    assert torch.isclose(info_nce(3 * img, 0.5 * txt, 0.0), info_nce(img, txt, 0.0))


def test_info_nce_edge_cases():
    eye = torch.eye(4)
    assert float(info_nce(eye, eye, math.log(100))) < 1e-6  # perfect alignment at high scale
    same = torch.ones(4, 3)
    assert abs(float(info_nce(same, same, 0.0)) - math.log(4)) < 1e-6  # all equal: chance
    assert abs(float(info_nce(eye[:1], eye[:1], 0.0))) < 1e-7  # one pair, no negatives


def test_info_nce_gradient_reaches_logit_scale():
    scale = torch.tensor(math.log(1 / 0.07), requires_grad=True)
    info_nce(torch.randn(5, 3), torch.randn(5, 3), scale).backward()
    assert scale.grad is not None and torch.isfinite(scale.grad)


def test_hard_negative_info_nce_beta_zero_is_info_nce():
    g = torch.Generator().manual_seed(2)
    img, txt = torch.randn(8, 4, generator=g), torch.randn(8, 4, generator=g)
    assert torch.isclose(hard_negative_info_nce(img, txt, 1.0, beta=0.0), info_nce(img, txt, 1.0), atol=1e-5)
    assert hard_negative_info_nce(img, txt, 1.0, beta=5.0) > 0


def test_triplet_and_hardest_negative():
    a = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    assert float(triplet(a, a, -a, margin=0.2)) == 0.0  # positive at 0, negative at distance 2
    assert abs(float(triplet(a, -a, a, margin=0.2)) - 2.2) < 1e-6  # swapped: 2 - 0 + margin
    txt = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1]])
    img = txt.clone()
    assert hardest_negatives(img, txt).tolist() == [2, 2, 0]
    same = torch.zeros(3, 3, dtype=torch.bool)
    same[0, 2] = True
    assert hardest_negatives(img, txt, same)[0] == 1
