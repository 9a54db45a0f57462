"""Four 1-D models for 12-lead ECGs: CNN, ResNet, GRU, Transformer (notebook 05).

Every model maps X (B, 12, T) in mV to logits (B, num_classes).
"""

from __future__ import annotations

import torch
from torch import nn


def _pool(h: torch.Tensor) -> torch.Tensor:
    """(B, C, T) -> (B, 2C): average (overall shape) and max (one abnormal beat is enough)."""
    return torch.cat([h.mean(-1), h.amax(-1)], dim=1)


class ECGCNN(nn.Module):
    """Plain 1-D CNN: conv-BN-ReLU-pool blocks, then global pooling (notebook 05)."""

    def __init__(self, in_leads: int = 12, num_classes: int = 5, width: int = 16):
        super().__init__()
        chans = [in_leads, width, 2 * width, 2 * width, 4 * width]
        # The first conv has stride 2: at 100 Hz a QRS still spans ~4 samples, and the
        # CPU does half the work.
        blocks = [nn.Conv1d(in_leads, width, 7, 2, 3, bias=False), nn.BatchNorm1d(width), nn.ReLU(),
                  nn.MaxPool1d(2)]
        for c_in, c_out in zip(chans[1:-1], chans[2:], strict=True):
            blocks += [nn.Conv1d(c_in, c_out, 5, padding=2, bias=False), nn.BatchNorm1d(c_out),
                       nn.ReLU(), nn.MaxPool1d(2)]
        self.features = nn.Sequential(*blocks)  # time / 32: a unit sees ~2 s, two beats
        self.head = nn.Linear(8 * width, num_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(_pool(self.features(X)))  # (B, 12, T) -> (B, 4w, T/32) -> (B, classes)


class ResBlock1d(nn.Module):
    """Two convolutions and a skip connection (strided 1x1 conv when the shape changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(c_in, c_out, 7, stride, 3, bias=False), nn.BatchNorm1d(c_out), nn.ReLU(),
            nn.Conv1d(c_out, c_out, 7, 1, 3, bias=False), nn.BatchNorm1d(c_out))
        self.skip = (nn.Identity() if stride == 1 and c_in == c_out else
                     nn.Sequential(nn.Conv1d(c_in, c_out, 1, stride, bias=False),
                                   nn.BatchNorm1d(c_out)))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(X) + self.skip(X))


class ECGResNet1d(nn.Module):
    """1-D ResNet (as in Ribeiro et al. 2020, much smaller) (notebook 05)."""

    def __init__(self, in_leads: int = 12, num_classes: int = 5, width: int = 16):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(in_leads, width, 7, 2, 3, bias=False),
                                  nn.BatchNorm1d(width), nn.ReLU(), nn.MaxPool1d(2))
        self.blocks = nn.Sequential(ResBlock1d(width, width, 2), ResBlock1d(width, 2 * width, 2),
                                    ResBlock1d(2 * width, 2 * width, 2))
        self.head = nn.Linear(4 * width, num_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(_pool(self.blocks(self.stem(X))))  # (B, 12, T) -> (B, 2w, T/32)


class ECGGRU(nn.Module):
    """Conv front end (time / 16), then a bidirectional GRU over the beats (notebook 05)."""

    def __init__(self, in_leads: int = 12, num_classes: int = 5, hidden: int = 24):
        super().__init__()
        # A GRU over 1000 raw samples is slow and forgetful; strided convs first turn
        # 10 ms samples into 160 ms steps, so the GRU sees ~62 steps and compares beats.
        self.front = nn.Sequential(
            nn.Conv1d(in_leads, hidden, 7, 2, 3), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Conv1d(hidden, hidden, 5, 2, 2), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Conv1d(hidden, hidden, 5, 2, 2), nn.BatchNorm1d(hidden), nn.ReLU(), nn.MaxPool1d(2))
        self.gru = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(4 * hidden, num_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        h = self.front(X).transpose(1, 2)  # (B, T/16, H)
        out, _ = self.gru(h)  # (B, T/16, 2H)
        return self.head(_pool(out.transpose(1, 2)))


class ECGTransformer(nn.Module):
    """Patch embedding (conv), learned positions, Transformer encoder, mean pooling (notebook 05)."""

    def __init__(self, in_leads: int = 12, num_classes: int = 5, d_model: int = 32,
                 patch: int = 20, num_layers: int = 2, nhead: int = 4, max_len: int = 1000):
        super().__init__()
        self.embed = nn.Sequential(nn.Conv1d(in_leads, d_model, 7, 2, 3), nn.BatchNorm1d(d_model),
                                   nn.ReLU(), nn.Conv1d(d_model, d_model, patch // 2, patch // 2))
        self.pos = nn.Parameter(torch.zeros(1, max_len // patch, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, 2 * d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.head = nn.Linear(2 * d_model, num_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        tokens = self.embed(X).transpose(1, 2)  # (B, T/patch, d): one token per 200 ms
        tokens = self.encoder(tokens + self.pos[:, : tokens.shape[1]])  # attention across beats
        return self.head(_pool(tokens.transpose(1, 2)))


ECG_MODELS = {"1D CNN": ECGCNN, "1D ResNet": ECGResNet1d, "GRU": ECGGRU,
              "Transformer": ECGTransformer}
