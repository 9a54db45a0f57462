"""Notebook 10's models: causal convolutions see no future, shapes, losses, temporal metrics."""

import numpy as np
import torch
import torch.nn.functional as F

from course_lib.models.video import (
    Clip3DCNN,
    FrameCNN,
    PhaseLSTM,
    PhaseTCN,
    PhaseToolLoss,
    causal_conv1d,
)
from course_lib.training.video import (
    IGNORE,
    causal_mode_filter,
    edit_score,
    fps_table,
    hold_last,
    pad_sequences,
    phase_metrics,
    segments,
    summary,
)


def test_causal_conv_matches_a_shifted_torch_conv():
    x, w, b = torch.randn(2, 3, 30), torch.randn(4, 3, 3), torch.randn(4)
    for d in (1, 2, 5):
        full = F.conv1d(x, w, b, dilation=d, padding=2 * d)[..., :30]  # symmetric padding, keep the past
        assert torch.allclose(causal_conv1d(x, w, b, d), full, atol=1e-5)


def test_online_tcn_ignores_the_future_offline_does_not():
    torch.manual_seed(0)
    x = torch.randn(1, 8, 50)
    y = x.clone()
    y[..., 30:] += 5
    online, offline = PhaseTCN(8, layers=4, causal=True).eval(), PhaseTCN(8, layers=4, causal=False).eval()
    assert torch.allclose(online(x)[..., :30], online(y)[..., :30], atol=1e-5)
    assert not torch.allclose(offline(x)[..., :30], offline(y)[..., :30], atol=1e-5)
    assert online.receptive_field == 2 * (2 * (2**4 - 1)) + 1


def test_shapes():
    assert FrameCNN()(torch.randn(5, 3, 32, 32)).shape == (5, 14)
    assert FrameCNN().features(torch.randn(5, 3, 32, 32)).shape == (5, 64)
    assert PhaseLSTM(6)(torch.randn(2, 6, 9)).shape == (2, 7, 9)
    assert PhaseLSTM(6, bidirectional=True)(torch.randn(2, 6, 9)).shape == (2, 7, 9)
    assert Clip3DCNN(width=4)(torch.randn(2, 3, 8, 16, 16)).shape == (2, 7)


def test_phase_tool_loss_ignores_unannotated_tools():
    out = torch.randn(4, 14)
    y = torch.tensor([[0] + [1] * 7, [1] + [0] * 7, [2] + [-1] * 7, [3] + [-1] * 7])
    loss = PhaseToolLoss()(out, y)
    want = F.cross_entropy(out[:, :7], y[:, 0]) + F.binary_cross_entropy_with_logits(out[:2, 7:], y[:2, 1:].float())
    assert torch.allclose(loss, want)


def test_segments_and_edit_score():
    assert segments([0, 0, 1, 1, 0]) == [(0, 0, 2), (1, 2, 4), (0, 4, 5)]
    true = [0] * 5 + [1] * 5 + [2] * 5
    assert edit_score(true, true) == 100
    assert edit_score([0] * 7 + [1] * 3 + [2] * 5, true) == 100  # a late boundary costs nothing
    assert edit_score([0] * 5 + [1, 2, 1, 1, 1] + [2] * 5, true) == 60  # 5 segments, 2 insertions
    assert edit_score([0] * 10 + [2] * 5, true) == 100 * (1 - 1 / 3)


def test_padding_smoothing_holding_and_tables():
    X, y = pad_sequences([torch.ones(3, 4), torch.ones(3, 2)], [np.array([1, 2, 3, 4]), np.array([5, 6])])
    assert X.shape == (2, 3, 4) and y[1].tolist() == [5, 6, IGNORE, IGNORE] and X[1, :, 2:].abs().sum() == 0
    assert causal_mode_filter(np.array([0, 0, 1, 0, 0, 1, 1, 1]), 3).tolist() == [0, 0, 0, 0, 0, 0, 1, 1]
    assert hold_last([4, 5, 6], [0, 5, 10], 12).tolist() == [4] * 5 + [5] * 5 + [6] * 2
    m = phase_metrics([np.array([0, 0, 1, 1])], [np.array([0, 1, 1, 1])], ["a", "b"])
    assert m.loc["a", "precision"] == 0.5 and m.loc["b", "recall"] == 2 / 3 and m.loc["b", "jaccard"] == 2 / 3
    s = summary([np.array([0, 0, 1])], [np.array([0, 1, 1])])
    assert s["accuracy"] == 2 / 3 and s["edit score"] == 100
    t = fps_table({1: 0.9, 0.5: 0.8}, ms_per_frame=50)
    assert list(t.index) == [0.5, 1] and t.loc[1, "cpu load (%)"] == 5
