"""Surgical video models: a per-frame CNN, temporal models over its features, a 3D CNN (notebook 10).

The field's recipe (EndoNet, TeCNO, Trans-SVNet): a 2D CNN turns each frame into a feature vector
(trained on phase and tool presence together), then a temporal model reads the sequence of
features. Online (causal) models see only the past, as in the operating room; offline models see
the whole video, as for indexing a recorded video afterwards.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def causal_conv1d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                  dilation: int = 1) -> torch.Tensor:
    """Dilated 1D convolution whose output at t sees inputs at t, t-d, t-2d, ... only (notebook 10).

    x (B, C_in, T), weight (C_out, C_in, k) -> (B, C_out, T): pad (k-1)*d zeros on the left only.
    """
    k = weight.shape[-1]
    return F.conv1d(F.pad(x, ((k - 1) * dilation, 0)), weight, bias, dilation=dilation)


class FrameCNN(nn.Module):
    """EndoNet-style multi-task CNN: one frame (B, 3, H, W) -> phase (7) and tool (7) logits (notebook 10).

    forward returns (B, 14): phase logits then tool logits; `features` gives the (B, feat_dim)
    vector that the temporal models read.
    """

    def __init__(self, n_phases: int = 7, n_tools: int = 7, width: int = 16, feat_dim: int = 64):
        super().__init__()

        def block(c_in, c_out, stride=1):
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out),
                                 nn.ReLU(inplace=True))

        self.conv = nn.Sequential(block(3, width, 2), block(width, 2 * width), nn.MaxPool2d(2),
                                  block(2 * width, 4 * width))
        # Average pooling describes the scene; max pooling keeps a small instrument tip that
        # averaging over the whole frame would dilute (tools are a few pixels wide).
        self.embed = nn.Sequential(nn.Linear(8 * width, feat_dim), nn.ReLU(inplace=True))
        self.phase_head = nn.Linear(feat_dim, n_phases)
        self.tool_head = nn.Linear(feat_dim, n_tools)
        self.n_phases = n_phases

    def features(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv(x)  # (B, 4w, h, w)
        return self.embed(torch.cat([h.mean((2, 3)), h.amax((2, 3))], 1))  # (B, feat_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        return torch.cat([self.phase_head(f), self.tool_head(f)], 1)  # (B, 7 + 7)


class PhaseToolLoss(nn.Module):
    """Cross-entropy on the phase logits + binary cross-entropy on the tool logits (notebook 10).

    Targets (B, 1 + n_tools): the phase index, then 0/1 per tool (-1 = not annotated, ignored).
    """

    def __init__(self, n_phases: int = 7, tool_weight: float = 1.0, pos_weight: torch.Tensor | None = None):
        super().__init__()
        self.n_phases, self.tool_weight = n_phases, tool_weight
        self.pos_weight = pos_weight  # (n_tools,) e.g. negatives / positives: rare tools count more

    def forward(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        phase_loss = F.cross_entropy(out[:, :self.n_phases], y[:, 0].long())
        tools, known = y[:, 1:], y[:, 1:] >= 0
        w = None if self.pos_weight is None else self.pos_weight.expand_as(tools)[known]
        tool_loss = F.binary_cross_entropy_with_logits(out[:, self.n_phases:][known], tools[known].float(),
                                                       pos_weight=w)
        return phase_loss + self.tool_weight * tool_loss


class DilatedResidual(nn.Module):
    """MS-TCN's layer: dilated conv (k=3) -> ReLU -> 1x1 conv -> dropout, plus the input (notebook 10)."""

    def __init__(self, channels: int, dilation: int, causal: bool, conv_fn=causal_conv1d):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, 3, dilation=dilation)
        self.out = nn.Conv1d(channels, channels, 1)
        self.dilation, self.causal, self.conv_fn = dilation, causal, conv_fn
        self.drop = nn.Dropout(0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T)
        if self.causal:
            h = self.conv_fn(x, self.conv.weight, self.conv.bias, self.dilation)
        else:  # offline: look d frames back and d ahead
            h = F.conv1d(F.pad(x, (self.dilation, self.dilation)), self.conv.weight, self.conv.bias,
                         dilation=self.dilation)
        return x + self.drop(self.out(F.relu(h)))


class PhaseTCN(nn.Module):
    """A multi-stage TCN (TeCNO / MS-TCN): features (B, D, T) -> phase logits (B, 7, T) (notebook 10).

    Each stage stacks dilated residual layers (dilations 1, 2, 4, ...: the receptive field doubles
    per layer); later stages refine the previous stage's probabilities. causal=True: online.
    """

    def __init__(self, in_dim: int, n_classes: int = 7, channels: int = 32, layers: int = 6,
                 stages: int = 2, causal: bool = True, conv_fn=causal_conv1d):
        super().__init__()

        def stage(d_in):
            return nn.ModuleList([nn.Conv1d(d_in, channels, 1),
                                  *[DilatedResidual(channels, 2**i, causal, conv_fn) for i in range(layers)],
                                  nn.Conv1d(channels, n_classes, 1)])

        self.stages = nn.ModuleList([stage(in_dim)] + [stage(n_classes) for _ in range(stages - 1)])
        self.causal = causal

    @property
    def receptive_field(self) -> int:
        """Frames of past (causal) context one output sees, over all stages."""
        per_stage = 1 + 2 * (2 ** (len(self.stages[0]) - 2) - 1)
        return len(self.stages) * (per_stage - 1) + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for k, stage in enumerate(self.stages):
            h = x if k == 0 else F.softmax(x, 1)
            for layer in stage:
                h = layer(h)
            x = h
        return x  # (B, n_classes, T)


class PhaseLSTM(nn.Module):
    """An LSTM over frame features (B, D, T) -> (B, 7, T); bidirectional = offline (notebook 10)."""

    def __init__(self, in_dim: int, n_classes: int = 7, hidden: int = 48, bidirectional: bool = False):
        super().__init__()
        self.lstm = nn.LSTM(in_dim, hidden, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(x.transpose(1, 2))  # (B, T, H)
        return self.head(h).transpose(1, 2)  # (B, n_classes, T)


class Clip3DCNN(nn.Module):
    """A small 3D CNN: a clip (B, 3, L, H, W) -> phase logits (B, 7); kernels span time too (notebook 10)."""

    def __init__(self, n_classes: int = 7, width: int = 8):
        super().__init__()

        def block(c_in, c_out, pool):
            return nn.Sequential(nn.Conv3d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm3d(c_out),
                                 nn.ReLU(inplace=True), nn.MaxPool3d(pool))

        self.body = nn.Sequential(block(3, width, (1, 2, 2)), block(width, 2 * width, (2, 2, 2)),
                                  block(2 * width, 4 * width, (2, 2, 2)), nn.AdaptiveAvgPool3d(1),
                                  nn.Flatten())
        self.head = nn.Linear(4 * width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))
