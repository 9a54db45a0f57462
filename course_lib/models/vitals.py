"""Per-hour early-warning models over vital-sign sequences: GRU, LSTM, causal TCN, Transformer (notebook 08).

Every model is causal: the score at hour t sees hours 0..t only, as a bedside alarm would.
Input (B, T, F) GRU-D-style features; output (B, T) logits, one per hour.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class GRUNet(nn.Module):
    """A GRU over the hours, a linear read-out at every hour (notebook 08)."""

    def __init__(self, in_dim: int, hidden: int = 32):
        super().__init__()
        self.rnn = nn.GRU(in_dim, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(x)  # (B, T, hidden)
        return self.head(h).squeeze(-1)  # (B, T)


class LSTMNet(GRUNet):
    """The same with an LSTM cell (a separate memory cell and three gates) (notebook 08)."""

    def __init__(self, in_dim: int, hidden: int = 32):
        super().__init__(in_dim, hidden)
        self.rnn = nn.LSTM(in_dim, hidden, batch_first=True)


class CausalConv(nn.Module):
    """A dilated 1D convolution padded on the left only, so no output sees the future (notebook 08)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, dilation: int):
        super().__init__()
        self.pad = (kernel - 1) * dilation
        self.conv = nn.Conv1d(c_in, c_out, kernel, dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T)
        return self.conv(nn.functional.pad(x, (self.pad, 0)))


class TCN(nn.Module):
    """Temporal CNN: residual blocks with dilations 1, 2, 4, 8 (receptive field 31 h) (notebook 08)."""

    def __init__(self, in_dim: int, channels: int = 32, kernel: int = 3, levels: int = 4):
        super().__init__()
        self.inp = nn.Conv1d(in_dim, channels, 1)
        self.blocks = nn.ModuleList(CausalConv(channels, channels, kernel, 2 ** i) for i in range(levels))
        self.head = nn.Conv1d(channels, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x.transpose(1, 2))  # (B, C, T)
        for block in self.blocks:
            h = h + torch.relu(block(h))  # residual: each level adds a wider view of the past
        return self.head(h).squeeze(1)  # (B, T)


def time_encoding(hours: torch.Tensor, dim: int, max_period: float = 96.0) -> torch.Tensor:
    """Sinusoidal encoding of a (possibly irregular) time stamp in hours: (..., ) -> (..., dim) (notebook 08)."""
    freqs = torch.exp(torch.arange(0, dim, 2, device=hours.device) * (-math.log(max_period) / dim))
    angle = hours[..., None] * freqs * 2 * math.pi / 2  # periods from 2 h up to max_period
    return torch.cat([torch.sin(angle), torch.cos(angle)], -1)


class VitalsTransformer(nn.Module):
    """Self-attention over the hours, with a time encoding and a causal mask (notebook 08).

    The time stamp of each step (here the hour since admission, column `time_col` x 48) enters
    through `time_encoding`: the same code takes irregular times directly.
    """

    def __init__(self, in_dim: int, d_model: int = 32, heads: int = 4, layers: int = 1,
                 time_col: int | None = None):
        super().__init__()
        self.time_col = time_col
        self.inp = nn.Linear(in_dim, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=2 * d_model, dropout=0.0,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        hours = x[..., self.time_col] * 48.0 if self.time_col is not None else \
            torch.arange(T, device=x.device, dtype=x.dtype).expand(B, T)
        h = self.inp(x) + time_encoding(hours, self.inp.out_features)  # (B, T, d)
        causal = torch.triu(torch.full((T, T), float("-inf"), device=x.device), diagonal=1)
        return self.head(self.encoder(h, mask=causal)).squeeze(-1)  # (B, T)


VITALS_MODELS = {"GRU": GRUNet, "LSTM": LSTMNet, "TCN (dilated, causal)": TCN,
                 "Transformer (time encoding)": VitalsTransformer}


class MaskedBCE(nn.Module):
    """Binary cross-entropy over the hours inside each stay (labels NaN past the end) (notebook 08)."""

    def __init__(self, pos_weight: float = 1.0):
        super().__init__()
        self.pos_weight = torch.tensor(pos_weight)

    def forward(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        keep = ~torch.isnan(y)
        return nn.functional.binary_cross_entropy_with_logits(
            logits[keep], y[keep], pos_weight=self.pos_weight.to(logits.device))
