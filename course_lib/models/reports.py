"""Report generation: a finding encoder for films, a transformers decoder with cross-attention (notebook 03)."""

from __future__ import annotations

import torch
from torch import nn

from course_lib.preprocess.reports import FINDINGS, split_sections


def target_text(report: str, sections: tuple[str, ...] = ("FINDINGS", "IMPRESSION"),
                comparison: str | None = None) -> str:
    """What a generator writes: FINDINGS and IMPRESSION, with a COMPARISON line first if given (notebook 03).

    EXAMINATION and RECOMMENDATION need the request and the patient's age, which are not in the
    pixels. Both FINDINGS and IMPRESSION: atelectasis is described in the findings but never makes
    the impression, so an impression-only generator can never report it.
    """
    parts = split_sections(report)
    missing = [s for s in sections if s not in parts]
    if missing:
        raise ValueError(f"report lacks {missing}: expected lines such as 'IMPRESSION: ...'")
    lines = [f"{s}: {parts[s]}" for s in sections]
    return "\n".join(([f"COMPARISON: {comparison}"] if comparison else []) + lines)


class FindingEncoder(nn.Module):
    """A small CNN: (B, 1, 64, 64) film -> an 8x8 grid of patch features -> finding logits (notebook 03).

    Trained once as a multi-label classifier of the six findings; frozen, its patch features
    are what the report decoder reads (as R2Gen and most generators start from a pre-trained
    image encoder). The head reads the mean *and* the max of the patches: a small finding (a
    blunted costophrenic angle, a band of atelectasis) fills one or two of 64 patches, and a mean
    alone dilutes it 30-fold.
    """

    def __init__(self, dim: int = 64, num_findings: int = len(FINDINGS)):
        super().__init__()

        def block(i, o, stride):
            return nn.Sequential(nn.Conv2d(i, o, 3, stride=stride, padding=1, bias=False),
                                 nn.BatchNorm2d(o), nn.ReLU())

        self.net = nn.Sequential(block(1, 16, 2), block(16, 32, 2), block(32, dim, 2), block(dim, dim, 1))
        self.head = nn.Linear(2 * dim, num_findings)

    def patches(self, X: torch.Tensor, grid: int | None = None) -> torch.Tensor:
        """(B, 1, H, W) -> (B, N, dim) patch features row by row, N = (H/8)^2 or grid^2 if pooled."""
        if X.ndim != 4 or X.shape[1] != 1:
            raise ValueError(f"films must be (B, 1, H, W), got {tuple(X.shape)}: use xray_tensor(images, 64)")
        maps = self.net(X)  # (B, dim, H/8, W/8)
        if grid is not None:
            maps = nn.functional.adaptive_avg_pool2d(maps, grid)  # (B, dim, grid, grid)
        return maps.flatten(2).transpose(1, 2)

    @torch.no_grad()
    def sides(self, X: torch.Tensor, finding: str = "consolidation") -> torch.Tensor:
        """(B, 1, H, W) films -> (B,) side of a finding: 1 the patient's right, 2 the patient's left (notebook 03).

        The class activation map (Zhou et al., CVPR 2016) of the max branch: each patch's contribution to the
        finding's logit; the side holding the strongest patch wins. Films are shown as the radiologist reads
        them, the patient's right on the image's left.
        """
        self.eval()
        dim = self.head.in_features // 2
        cam = torch.einsum("bdhw,d->bhw", self.net(X), self.head.weight[FINDINGS.index(finding), dim:])  # (B, h, w)
        half = cam.shape[-1] // 2
        image_left, image_right = cam[..., :half].amax((1, 2)), cam[..., half:].amax((1, 2))
        return torch.where(image_left >= image_right, 1, 2)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        p = self.patches(X)  # (B, 64, dim)
        return self.head(torch.cat([p.mean(1), p.amax(1)], 1))  # (B, findings) logits


class ReportDecoder(nn.Module):
    """transformers' BertLMHeadModel (causal, with cross-attention) reading frozen patch features (notebook 03).

    The memory every decoder layer cross-attends to holds two kinds of tokens. The patch features
    (B, V, N, D) of V views (today's film, a prior), tagged by patch position and view, say *where*.
    One token per finding, embedding the encoder's call for it, says *what*: "absent", or "new" /
    "unchanged" with a prior ("present" with one view) — the semantic tags of Jing et al. (ACL
    2018), which their decoder attends to beside the visual features, and the diagnosis prompts of
    PromptMRG (Jin et al., AAAI 2024). A token per finding, not one vector for all: a decoder
    writing the pleura sentence attends to the effusion token alone. The consolidation token also carries
    the side (0 none or unknown, 1 right, 2 left), read from the encoder's activation map.
    """

    def __init__(self, vocab_size: int, feat_dim: int = 64, num_patches: int = 16, num_views: int = 1,
                 hidden: int = 64, layers: int = 2, heads: int = 4, max_len: int = 160, dropout: float = 0.1,
                 pad_id: int = 0, bos_id: int = 2, eos_id: int = 3):
        super().__init__()
        from transformers import BertConfig, BertLMHeadModel

        if num_views not in (1, 2):
            raise ValueError(f"num_views must be 1 (today's film) or 2 (today's film and a prior), got {num_views}")
        config = BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                            num_attention_heads=heads, intermediate_size=2 * hidden,
                            max_position_embeddings=max_len, is_decoder=True, add_cross_attention=True,
                            hidden_dropout_prob=dropout, attention_probs_dropout_prob=0.0,
                            pad_token_id=pad_id, bos_token_id=bos_id, eos_token_id=eos_id,
                            attn_implementation="eager", loss_type="ForCausalLM")  # eager: returns the weights
        self.bert = BertLMHeadModel(config)
        self.project = nn.Sequential(nn.Linear(feat_dim, hidden), nn.LayerNorm(hidden))
        self.patch_pos = nn.Parameter(0.02 * torch.randn(1, 1, num_patches, hidden))
        self.view = nn.Parameter(0.02 * torch.randn(1, num_views, 1, hidden))
        self.finding_state = nn.Embedding(3 * len(FINDINGS), hidden)  # finding j, state s -> row 3 j + s
        self.side = nn.Embedding(3, hidden)  # none/unknown, right, left
        self.num_views, self.max_len = num_views, max_len

    def finding_states(self, calls: torch.Tensor) -> torch.Tensor:
        """(B, V, findings) 0/1 calls -> (B, findings) state per finding: absent 0, new/present 1, unchanged 2."""
        if calls.ndim != 3 or calls.shape[1:] != (self.num_views, len(FINDINGS)):
            raise ValueError(f"tags must be (B, {self.num_views} views, {len(FINDINGS)}) 0/1 finding calls, "
                             f"got {tuple(calls.shape)}")
        now = calls[:, 0] > 0.5  # (B, findings)
        state = now.long()
        if self.num_views == 2:
            state = state + (now & (calls[:, 1] > 0.5)).long()  # on the prior too: unchanged
        return state

    def memory(self, feats: torch.Tensor, tags: torch.Tensor, side: torch.Tensor | None = None) -> torch.Tensor:
        """(B, V, N, D) patches, (B, V, findings) calls, (B,) side -> (B, V*N + findings, hidden) memory."""
        if feats.ndim != 4 or feats.shape[1] != self.num_views:
            raise ValueError(f"features must be (B, {self.num_views} views, patches, dim), got {tuple(feats.shape)}")
        side = torch.zeros(len(feats), dtype=torch.long) if side is None else torch.as_tensor(side).long()
        if side.shape != (len(feats),) or side.min() < 0 or side.max() > 2:
            raise ValueError(f"side must be ({len(feats)},) with 0 none, 1 right, 2 left, got {tuple(side.shape)}")
        patches = (self.project(feats) + self.patch_pos + self.view).flatten(1, 2)  # (B, V*N, hidden)
        rows = 3 * torch.arange(len(FINDINGS)) + self.finding_states(tags)  # (B, findings)
        findings = self.finding_state(rows)  # (B, findings, hidden)
        # The side rides on the consolidation token: the decoder reads it where it reads "consolidation".
        c = FINDINGS.index("consolidation")
        findings[:, c] = findings[:, c] + self.side(side)
        return torch.cat([patches, findings], 1)

    def forward(self, feats: torch.Tensor, tags: torch.Tensor, input_ids: torch.Tensor,
                attention_mask: torch.Tensor, side: torch.Tensor | None = None, output_attentions: bool = False):
        """Teacher forcing: the loss of every next token given the film, the calls and the true prefix."""
        labels = input_ids.masked_fill(attention_mask == 0, -100)  # no loss on padding
        return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                         encoder_hidden_states=self.memory(feats, tags, side), labels=labels,
                         output_attentions=output_attentions)

    @torch.no_grad()
    def generate(self, feats: torch.Tensor, tags: torch.Tensor, side: torch.Tensor | None = None,
                 **kwargs) -> torch.Tensor:
        """(B, T) token ids from transformers' generate: num_beams, repetition_penalty, length_penalty..."""
        from transformers.cache_utils import DynamicCache, EncoderDecoderCache

        self.eval()
        config = self.bert.config
        start = torch.full((len(feats), 1), config.bos_token_id, dtype=torch.long)
        kwargs.setdefault("max_new_tokens", self.max_len - 1)
        # A decoder-only model with cross-attention needs a two-part cache (self- and cross-attention).
        return self.bert.generate(input_ids=start, encoder_hidden_states=self.memory(feats, tags, side),
                                  cache=EncoderDecoderCache(DynamicCache(), DynamicCache()),
                                  do_sample=False, eos_token_id=config.eos_token_id,
                                  pad_token_id=config.pad_token_id, **kwargs)


@torch.no_grad()
def cross_attention(model: ReportDecoder, feats: torch.Tensor, tags: torch.Tensor,
                    input_ids: torch.Tensor, side: torch.Tensor | None = None) -> torch.Tensor:
    """Last decoder layer's cross-attention, averaged over heads: (B, T, V*N + findings) (notebook 03).

    Columns: the N patches of today's film (row by row), the N of the prior, then one per finding.
    """
    model.eval()
    out = model(feats, tags, input_ids, torch.ones_like(input_ids), side=side, output_attentions=True)
    return out.cross_attentions[-1].mean(1)  # (B, heads, T, M) -> (B, T, M)
