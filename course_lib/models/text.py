"""A small word-level text classifier whose embeddings gradient methods can explain (notebook 14)."""

from __future__ import annotations

import re

import numpy as np
import torch
from torch import nn

PAD, UNK = "<pad>", "<unk>"


def words(text: str) -> list[str]:
    """Lower-case word tokens; punctuation dropped (notebook 14)."""
    return re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)?", text.lower())


class Vocabulary:
    """Word -> id, built from training texts only; id 0 = padding, 1 = unknown (notebook 14)."""

    def __init__(self, texts: list[str], min_count: int = 2):
        counts: dict[str, int] = {}
        for text in texts:
            for w in words(text):
                counts[w] = counts.get(w, 0) + 1
        self.itos = [PAD, UNK, *sorted(w for w, c in counts.items() if c >= min_count)]
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, texts: list[str], length: int = 64) -> torch.Tensor:
        """(n, length) long ids, truncated or padded with 0."""
        ids = np.zeros((len(texts), length), np.int64)
        for i, text in enumerate(texts):
            toks = [self.stoi.get(w, 1) for w in words(text)][:length]
            ids[i, :len(toks)] = toks
        return torch.from_numpy(ids)


class TextCNN(nn.Module):
    """Embeddings, one convolution over word trigrams, max over time, a linear head (notebook 14).

    Trigrams let the model see "no focal consolidation" as one phrase, which a bag of words cannot.
    """

    def __init__(self, vocab_size: int, dim: int = 16, channels: int = 32, num_outputs: int = 1):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, channels, 3, padding=1)
        self.head = nn.Linear(channels, num_outputs)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        h = self.conv(self.embedding(ids).transpose(1, 2)).relu()  # (B, D, L) -> (B, C, L)
        h = h.masked_fill((ids == 0)[:, None, :], 0.0)  # padding carries no evidence
        return self.head(h.amax(dim=2))  # (B, num_outputs) logits
