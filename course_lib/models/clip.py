"""A small medical CLIP: WordPiece tokenizer, tiny BERT, notebook 01's ResNet, projection heads (notebook 02)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.models.imaging import HybridEncoder

MAX_LOGIT_SCALE = 100.0  # CLIP clamps exp(logit scale) at 100: sharper logits make training unstable
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_wordpiece(texts: list[str], vocab_size: int = 1000):
    """Train a BERT-style WordPiece tokenizer on the reports; wrapped for transformers (notebook 02)."""
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)  # as uncased BERT: lower case, no accents
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()  # split on spaces and punctuation
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS))
    # The trainer breaks ties between equally frequent merges in hash order, which changes from
    # one process to the next: the intermediate pieces it keeps (and so how an unseen word such
    # as "x-ray" splits) and the ids differ. Keep only what is deterministic: the pieces the
    # corpus uses and the single characters (every word can still be spelled); then number them
    # canonically (specials, then by use on the corpus, then alphabetically).
    use = Counter(t for enc in tok.encode_batch(list(texts)) for t in enc.tokens)
    keep = (t for t in tok.get_vocab() if t not in SPECIAL_TOKENS and (use[t] or len(t.removeprefix("##")) == 1))
    rest = sorted(keep, key=lambda t: (-use[t], t))
    vocab = {t: i for i, t in enumerate(SPECIAL_TOKENS + rest)}
    tok.model = models.WordPiece(vocab=vocab, unk_token="[UNK]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[(t, tok.token_to_id(t)) for t in ("[CLS]", "[SEP]")])
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


def report_text(report: str) -> str:
    """The part of a report that describes the film: view, IMPRESSION, FINDINGS, in that order (notebook 02).

    COMPARISON and RECOMMENDATION say nothing about the pixels and are dropped; the impression comes
    before the findings so that truncation to the text encoder's length cuts detail, not the conclusion.
    The view stays: a portable AP film looks different from a PA film, and the report says which.
    """
    headers = ("EXAMINATION:", "FINDINGS:", "IMPRESSION:")  # each section is one line after its header
    missing = [h for h in headers if h not in report]
    if missing:
        raise ValueError(f"report lacks {missing}: expected the cohort's EXAMINATION/FINDINGS/IMPRESSION "
                         f"layout, got {report[:80]!r}")
    view, findings, impression = (report.split(h)[1].split("\n")[0].strip() for h in headers)
    return f"{view}\nIMPRESSION: {impression}\nFINDINGS: {findings}"


def tokenize(tokenizer, texts: list[str], max_length: int = 64) -> dict[str, torch.Tensor]:
    """Token ids and attention mask, padded to the longest text: {input_ids, attention_mask} (B, T) (notebook 02)."""
    enc = tokenizer(list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}


class TextEncoder(nn.Module):
    """A tiny BERT (transformers' BertModel) with mean pooling over the real tokens (notebook 02)."""

    def __init__(self, vocab_size: int, hidden: int = 64, layers: int = 2, heads: int = 4, bert=None):
        super().__init__()
        from transformers import BertConfig, BertModel

        config = BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                            num_attention_heads=heads, intermediate_size=2 * hidden, max_position_embeddings=128,
                            hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)  # few epochs: no dropout
        self.bert = bert if bert is not None else BertModel(config, add_pooling_layer=False)
        self.out_dim = self.bert.config.hidden_size

    def tokens(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Contextual token features: (B, T, H)."""
        return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        h = self.tokens(input_ids, attention_mask)  # (B, T, H)
        m = attention_mask[..., None].to(h.dtype)  # (B, T, 1): padding does not count
        return (h * m).sum(1) / m.sum(1)  # (B, H)


def load_pretrained_bert(folder: str | Path):
    """A TextEncoder from local CXR-BERT / PubMedBERT weights (no download; notebook 02).

    Only safetensors weights are read: a pytorch_model.bin is a pickle that can run code.
    Convert one once with `AutoModel.from_pretrained(folder).save_pretrained(folder)`.
    """
    from transformers import AutoModel, AutoTokenizer

    folder = Path(folder)
    if not any(folder.glob("*.safetensors")):
        raise FileNotFoundError(
            f"no *.safetensors weights in {folder}: the course reads only safetensors (a .bin "
            "checkpoint is a pickle). On a machine you trust, load it once with transformers and "
            "call save_pretrained(folder, safe_serialization=True)."
        )
    bert = AutoModel.from_pretrained(folder, use_safetensors=True)
    return TextEncoder(0, bert=bert), AutoTokenizer.from_pretrained(folder)


class ImageEncoder(nn.Module):
    """Notebook 01's hybrid (ResNet stem + transformer) at 32 px: a 4×4 grid of 64-d patch tokens (notebook 02)."""

    def __init__(self, image_size: int = 32, dim: int = 64):
        super().__init__()
        self.hybrid = HybridEncoder(image_size=image_size, dim=dim)
        self.out_dim = dim

    def patches(self, X: torch.Tensor) -> torch.Tensor:
        """Contextual patch tokens after the transformer: (B, N, dim), N = 16 at 32 px."""
        h = self.hybrid
        tokens = h.proj(h.stem(X)).flatten(2).transpose(1, 2)  # (B, N, dim)
        x = torch.cat([h.cls_token.expand(len(X), -1, -1), tokens], dim=1) + h.pos_embed  # (B, 1+N, dim)
        for block in h.blocks:
            x, _ = block(x)
        return h.norm(x)[:, 1:]  # drop the CLS token: (B, N, dim)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # mean of the patch tokens (not CLS): a linear head then maps patches and film alike.
        return self.patches(X).mean(1)  # (B, dim)


class ProjectionHead(nn.Module):
    """Map an encoder's features to the joint space: 'linear' (CLIP) or 'mlp' (ConVIRT) (notebook 02)."""

    def __init__(self, in_dim: int, out_dim: int = 64, kind: str = "linear"):
        super().__init__()
        if kind == "linear":
            self.net = nn.Linear(in_dim, out_dim)
        elif kind == "mlp":
            self.net = nn.Sequential(nn.Linear(in_dim, in_dim), nn.GELU(), nn.Linear(in_dim, out_dim))
        else:
            raise ValueError(f"kind must be 'linear' or 'mlp', not {kind!r}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CLIP(nn.Module):
    """Two encoders, two projection heads, a learnable temperature (notebook 02)."""

    def __init__(self, vocab_size: int, dim: int = 64, head: str = "linear", text_hidden: int = 64,
                 temperature: float = 0.07, learn_temperature: bool = True):
        super().__init__()
        self.image_encoder, self.text_encoder = ImageEncoder(), TextEncoder(vocab_size, text_hidden)
        self.image_head = ProjectionHead(self.image_encoder.out_dim, dim, head)
        self.text_head = ProjectionHead(self.text_encoder.out_dim, dim, head)
        # CLIP learns log(1 / temperature), starting at 1/0.07; exp() keeps the scale positive.
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / temperature)), requires_grad=learn_temperature)

    def encode_image(self, X: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.image_head(self.image_encoder(X)), dim=-1)  # (B, dim), unit length

    def encode_text(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.text_head(self.text_encoder(input_ids, attention_mask)), dim=-1)  # (B, dim)

    def scale(self) -> float:
        """The current inverse temperature exp(logit_scale), as clamped in the loss."""
        return float(self.logit_scale.detach().exp().clamp(max=MAX_LOGIT_SCALE))

    def forward(self, X, input_ids, attention_mask):
        return self.encode_image(X), self.encode_text(input_ids, attention_mask)


@torch.no_grad()
def embed_images(model: CLIP, X: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """Unit-length image embeddings for many films: (n, D) (notebook 02)."""
    model.eval()
    return torch.cat([model.encode_image(X[i:i + batch_size]) for i in range(0, len(X), batch_size)])


@torch.no_grad()
def embed_texts(model: CLIP, tokenizer, texts: list[str], batch_size: int = 512) -> torch.Tensor:
    """Unit-length text embeddings for many texts: (n, D) (notebook 02)."""
    model.eval()
    out = []
    for i in range(0, len(texts), batch_size):
        tok = tokenize(tokenizer, texts[i:i + batch_size])
        out.append(model.encode_text(tok["input_ids"], tok["attention_mask"]))
    return torch.cat(out)


def prompt_ensemble(text_emb: torch.Tensor) -> torch.Tensor:
    """One class embedding from several prompts: mean of the unit vectors, renormalised: (K, D) → (D,) (notebook 02)."""
    return F.normalize(F.normalize(text_emb, dim=-1).mean(0), dim=-1)


@torch.no_grad()
def zero_shot_scores(model: CLIP, tokenizer, image_emb: torch.Tensor, positive: list[str],
                     negative: list[str]) -> np.ndarray:
    """Zero-shot score per image: softmax over (finding, no finding) prompt ensembles → P(finding) (n,) (notebook 02)."""
    classes = torch.stack([prompt_ensemble(embed_texts(model, tokenizer, p)) for p in (negative, positive)])  # (2, D)
    logits = model.scale() * image_emb @ classes.T  # (n, 2)
    return logits.softmax(-1)[:, 1].numpy()


def search(query: str, model: CLIP, tokenizer, image_emb: torch.Tensor, k: int = 5) -> list[tuple[int, float]]:
    """Text→image search: the k most similar films to a free-text query, as (index, cosine) (notebook 02)."""
    q = embed_texts(model, tokenizer, [query])[0]  # (D,)
    sims = image_emb @ q  # (n,)
    top = torch.topk(sims, min(k, len(sims)))
    return [(int(i), float(s)) for s, i in zip(top.values, top.indices, strict=True)]


@torch.no_grad()
def token_patch_attention(model: CLIP, X: torch.Tensor, input_ids: torch.Tensor,
                          attention_mask: torch.Tensor) -> torch.Tensor:
    """Cross-attention of text tokens (queries) over image patches (keys), in the joint space: (T, N) (notebook 02).

    One image and one text. With linear heads and mean pooling, tokens and patches projected by the
    heads live in the same space as the pooled embeddings, so their dot products mean something.
    """
    model.eval()
    q = F.normalize(model.text_head(model.text_encoder.tokens(input_ids, attention_mask))[0], dim=-1)  # (T, D)
    k = F.normalize(model.image_head(model.image_encoder.patches(X))[0], dim=-1)  # (N, D)
    return (model.scale() * q @ k.T).softmax(-1)  # (T, N): each token's attention over the patches


class AlignmentHeads(nn.Module):
    """Projection heads and a temperature on top of FROZEN encoder features (LiT-style) (notebook 02)."""

    def __init__(self, image_dim: int, text_dim: int, dim: int = 64, head: str = "linear",
                 temperature: float = 0.07, learn_temperature: bool = True):
        super().__init__()
        self.image_head, self.text_head = ProjectionHead(image_dim, dim, head), ProjectionHead(text_dim, dim, head)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / temperature)), requires_grad=learn_temperature)

    def forward(self, image_feats: torch.Tensor, text_feats: torch.Tensor):
        return (F.normalize(self.image_head(image_feats), dim=-1),
                F.normalize(self.text_head(text_feats), dim=-1))  # (B, dim) each


@torch.no_grad()
def text_features(model: CLIP, tokenizer, texts: list[str], batch_size: int = 512) -> torch.Tensor:
    """The text encoder's pooled features before the head: (n, H) (notebook 02)."""
    model.eval()
    out = []
    for i in range(0, len(texts), batch_size):
        out.append(model.text_encoder(**tokenize(tokenizer, texts[i:i + batch_size])))
    return torch.cat(out)
