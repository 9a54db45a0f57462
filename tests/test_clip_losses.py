"""InfoNCE and triplet losses against direct computations (notebook 02)."""

import math

import torch
import torch.nn.functional as F

from course_lib.training.losses import (
    MAX_LOGIT_SCALE,
    effective_negatives,
    hard_negative_info_nce,
    hardest_negatives,
    info_nce,
    negative_weights,
    semi_hard_negatives,
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


def test_semi_hard_negative_skips_negatives_closer_than_the_positive():
    txt = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6], [0.6, 0.8]])
    img = torch.tensor([[0.6, 0.8], [0.0, 1.0], [0.8, 0.6], [0.6, 0.8]])
    # image 0: own report cos 0.6, every other report is closer (0.8, 0.96, 1.0): fall back to the hardest
    assert semi_hard_negatives(img, txt)[0] == hardest_negatives(img, txt)[0] == 3
    # image 2 matches its own report exactly: every negative is farther; the most similar is report 3
    assert semi_hard_negatives(img, txt)[2] == 3
    img2 = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.6, 0.8]])
    txt2 = torch.tensor([[0.9, 0.1], [0.0, 1.0], [0.8, 0.6], [0.0, 1.0]])
    # image 3: own report cos 0.8; report 1 ties it (not farther), report 2 (0.96) is closer,
    # report 0 (0.68) is the only one farther: semi-hard picks it, hardest picks report 2
    assert semi_hard_negatives(img2, txt2)[3] == 0
    assert hardest_negatives(img2, txt2)[3] == 2


def test_negative_weights_and_their_effective_number():
    sim = torch.tensor([[1.0, 0.5, 0.5, 0.5], [0.2, 1.0, 0.9, -0.9], [0.0, 0.0, 1.0, 0.0], [0.3, 0.1, 0.2, 1.0]])
    w = negative_weights(sim, 10.0)
    assert torch.allclose(w.sum(1), torch.ones(4)) and (w.diagonal() == 0).all()
    assert torch.allclose(w[0, 1:], torch.full((3,), 1 / 3))  # equal cosines: equal shares
    assert torch.allclose(effective_negatives(w)[[0, 2]], torch.tensor([3.0, 3.0]))
    assert effective_negatives(negative_weights(sim, 100.0))[1] < 1.01  # cold: one hardest negative
    assert effective_negatives(negative_weights(sim, 1e-6))[1] > 2.99  # hot: all alike
    # InfoNCE's row softmax, renormalised over the negatives: the gradient shares the loss gives them
    g = torch.Generator().manual_seed(3)
    a, b = (F.normalize(torch.randn(5, 3, generator=g, dtype=torch.float64), dim=-1) for _ in range(2))
    sim2 = a @ b.T  # float64: 1 - p_ii below must not lose its digits
    p = (7.0 * sim2).softmax(1)
    expected = p * (1 - torch.eye(5)) / (1 - p.diagonal())[:, None]
    assert torch.allclose(negative_weights(sim2, 7.0), expected, atol=1e-12)
