"""A report generator: notebook 02's image encoder + a transformer decoder with cross-attention (notebook 03)."""

from __future__ import annotations

import torch
from torch import nn

from course_lib.preprocess.reports import split_sections


def target_text(report: str, sections: tuple[str, ...] = ("IMPRESSION",)) -> str:
    """The sections a generator writes from the film, default the IMPRESSION alone (notebook 03).

    EXAMINATION, COMPARISON and RECOMMENDATION need the request, the prior film and the patient's
    age, none of which is in the pixels; FINDINGS is five times longer and costs five times the
    training on a CPU.
    """
    parts = split_sections(report)
    missing = [s for s in sections if s not in parts]
    if missing:
        raise ValueError(f"report lacks {missing}: expected lines such as 'IMPRESSION: ...'")
    return "\n".join(f"{s}: {parts[s]}" for s in sections)


class PatchEncoder(nn.Module):
    """A small strided CNN: (B, 1, 32, 32) film -> (B, 16, dim) tokens, one per 8x8 patch (notebook 03).

    Notebook 01's hybrid encoder is better but ten times slower on a CPU; the lesson here is the decoder.
    """

    def __init__(self, dim: int = 64):
        super().__init__()

        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, stride=2, padding=1), nn.BatchNorm2d(o), nn.GELU())

        self.net = nn.Sequential(block(1, 16), block(16, 32), block(32, dim), nn.Conv2d(dim, dim, 1))
        self.pos = nn.Parameter(torch.zeros(1, 16, dim))
        nn.init.normal_(self.pos, std=0.02)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.shape[-2:] != (32, 32):
            raise ValueError(f"films must be 32x32 (got {tuple(X.shape[-2:])}): use xray_tensor(images, size=32)")
        return self.net(X).flatten(2).transpose(1, 2) + self.pos  # (B, 16, dim)


class ReportGenerator(nn.Module):
    """Film -> patch tokens (ImageEncoder) -> causal transformer decoder that cross-attends to them (notebook 03)."""

    def __init__(self, vocab_size: int, dim: int = 64, layers: int = 2,
                 heads: int = 4, max_len: int = 96):
        super().__init__()
        self.encoder = PatchEncoder(dim)
        self.embed = nn.Embedding(vocab_size, dim)
        self.pos = nn.Parameter(torch.zeros(1, max_len, dim))
        layer = nn.TransformerDecoderLayer(dim, heads, dim_feedforward=2 * dim, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.decoder = nn.TransformerDecoder(layer, layers)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab_size)
        self.max_len = max_len
        nn.init.normal_(self.pos, std=0.02)

    def encode(self, X: torch.Tensor) -> torch.Tensor:
        """(B, 1, H, W) films -> (B, N, dim) patch memory."""
        return self.encoder(X)

    def decode(self, memory: torch.Tensor, ids: torch.Tensor, pad_mask: torch.Tensor | None = None) -> torch.Tensor:
        """(B, N, dim) memory, (B, T) token ids -> (B, T, vocab) next-token logits."""
        T = ids.shape[1]
        if T > self.max_len:
            raise ValueError(f"{T} tokens but the decoder has {self.max_len} positions: truncate the reports")
        x = self.embed(ids) + self.pos[:, :T]  # (B, T, dim)
        causal = nn.Transformer.generate_square_subsequent_mask(T, device=ids.device)  # (T, T), -inf above
        if pad_mask is not None:
            pad_mask = torch.zeros(pad_mask.shape).masked_fill(pad_mask, float("-inf"))  # same type as causal
        x = self.decoder(x, memory, tgt_mask=causal, tgt_is_causal=True, tgt_key_padding_mask=pad_mask)
        return self.head(self.norm(x))

    def forward(self, X: torch.Tensor, ids: torch.Tensor, pad_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Teacher forcing: logits (B, T, vocab) for every next token of the true report."""
        return self.decode(self.encode(X), ids, pad_mask)


def cross_attention(model: ReportGenerator, X: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Last decoder layer's cross-attention, averaged over heads: (B, T, N) weights over patches (notebook 03)."""
    store = {}
    layer = model.decoder.layers[-1]
    original = layer.multihead_attn.forward

    def hook(*args, **kwargs):
        kwargs["need_weights"], kwargs["average_attn_weights"] = True, True
        out = original(*args, **kwargs)
        store["w"] = out[1]
        return out

    layer.multihead_attn.forward = hook
    try:
        with torch.no_grad():
            model.eval()
            model(X, ids)
    finally:
        layer.multihead_attn.forward = original
    return store["w"]  # (B, T, N)
