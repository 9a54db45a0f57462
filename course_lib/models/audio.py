"""Small lung-sound classifiers on log-mel spectrograms: CNN, ResNet, GRU, AST-style transformer (notebook 06).

Every model maps (B, 1, M, T) standardised log-mel to (B, 2) logits: crackles present, wheezes
present (multi-label; the ICBHI class follows: normal, crackle, wheeze or both).
"""

from __future__ import annotations

import torch
from torch import nn


def _pool(h: torch.Tensor) -> torch.Tensor:
    """(B, C, F, T) -> (B, 2C): mean over frequency, then max and mean over time.

    Max over time: one crackle anywhere in the cycle is enough; mean: how much of the cycle wheezes.
    """
    h = h.mean(dim=2)  # (B, C, T)
    return torch.cat([h.amax(dim=2), h.mean(dim=2)], dim=1)


class MelCNN(nn.Module):
    """A 2D CNN on the spectrogram as an image: three conv blocks, pooled, linear (notebook 06)."""

    def __init__(self, num_outputs: int = 2, width: int = 8):
        super().__init__()
        layers, c_in = [], 1
        for c_out in (width, 2 * width, 4 * width):
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
                       nn.MaxPool2d(2)]
            c_in = c_out
        self.features = nn.Sequential(*layers[:-1])  # no pooling after the last block
        self.head = nn.Linear(2 * c_in, num_outputs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(_pool(self.features(X)))  # (B, num_outputs)


class ResBlock(nn.Module):
    """Two 3x3 convolutions with a skip connection (a 1x1 projection when the shape changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False), nn.BatchNorm2d(c_out))
        self.skip = (nn.Identity() if stride == 1 and c_in == c_out else
                     nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(X) + self.skip(X))


class MelResNet(nn.Module):
    """A small ResNet: a stem and three residual stages, pooled, linear (notebook 06)."""

    def __init__(self, num_outputs: int = 2, width: int = 8):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width),
                                  nn.ReLU(), nn.MaxPool2d(2))
        self.stages = nn.Sequential(ResBlock(width, 2 * width, 2), ResBlock(2 * width, 4 * width, 2))
        self.head = nn.Linear(8 * width, num_outputs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(_pool(self.stages(self.stem(X))))  # (B, num_outputs)


class MelGRU(nn.Module):
    """A bidirectional GRU over mel frames: each frame is a vector of band energies (notebook 06)."""

    def __init__(self, n_mels: int = 32, num_outputs: int = 2, hidden: int = 24):
        super().__init__()
        self.frame = nn.Sequential(nn.Linear(n_mels, hidden), nn.ReLU())
        self.gru = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(4 * hidden, num_outputs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = nn.functional.avg_pool2d(X, (1, 2))  # (B, 1, M, T/2): 64 ms steps, half the recurrence
        h = self.frame(X[:, 0].transpose(1, 2))  # (B, T/2, hidden): one vector per step
        h, _ = self.gru(h)  # (B, T, 2 * hidden)
        return self.head(torch.cat([h.amax(dim=1), h.mean(dim=1)], dim=1))


class MelAST(nn.Module):
    """An Audio-Spectrogram-Transformer-style model: patches, positions, self-attention, [CLS] (notebook 06)."""

    def __init__(self, n_mels: int = 32, n_frames: int = 94, num_outputs: int = 2, patch: tuple = (8, 8),
                 d_model: int = 32, depth: int = 2, heads: int = 4):
        super().__init__()
        self.patch = patch
        self.embed = nn.Conv2d(1, d_model, kernel_size=patch, stride=patch)  # one token per patch
        n_tokens = (n_mels // patch[0]) * (n_frames // patch[1])
        self.cls = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos = nn.Parameter(torch.randn(1, n_tokens + 1, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, heads, 2 * d_model, dropout=0.0, batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d_model), nn.Linear(d_model, num_outputs))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        tokens = self.embed(X).flatten(2).transpose(1, 2)  # (B, N, d): patches in row order
        tokens = torch.cat([self.cls.expand(len(X), -1, -1), tokens], dim=1)
        h = self.encoder(tokens + self.pos[:, :tokens.shape[1]])  # (B, N + 1, d)
        return self.head(h[:, 0])  # the [CLS] token summarises the cycle


AUDIO_MODELS = {"2D CNN": MelCNN, "ResNet": MelResNet, "GRU": MelGRU, "AST (transformer)": MelAST}
