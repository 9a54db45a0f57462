"""Image encoders for one-channel medical images: ResNet, ViT and a CNN+transformer hybrid (notebook 01)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, ResNet


def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut (B, C, H, W) images into (B, N, C*p*p) patch tokens, row by row (notebook 01).

    Patch order is row-major (left to right, then top to bottom) and each token is the
    patch flattened as (C, p, p): the order of ViT's Conv2d patch embedding and F.unfold.
    """
    B, C, H, W = images.shape
    p = patch_size
    if H % p or W % p:
        raise ValueError(f"image size {H}x{W} is not a multiple of the patch size {p}")
    x = images.reshape(B, C, H // p, p, W // p, p)  # (B, C, rows, p, cols, p)
    x = x.permute(0, 2, 4, 1, 3, 5)  # (B, rows, cols, C, p, p)
    return x.reshape(B, (H // p) * (W // p), C * p * p)  # (B, N, C*p*p)


def unpatchify(tokens: torch.Tensor, patch_size: int, channels: int, height: int) -> torch.Tensor:
    """Inverse of patchify for square grids: (B, N, C*p*p) → (B, C, H, W) (notebook 01)."""
    B, N, _ = tokens.shape
    p, rows = patch_size, height // patch_size
    cols = N // rows
    x = tokens.reshape(B, rows, cols, channels, p, p).permute(0, 3, 1, 4, 2, 5)
    return x.reshape(B, channels, rows * p, cols * p)


def resnet_1ch(num_classes: int = 6, layers: tuple[int, ...] = (1, 1, 1, 1)) -> ResNet:
    """torchvision's ResNet with a one-channel stem; layers=(2, 2, 2, 2) is ResNet-18 (notebook 01)."""
    model = ResNet(BasicBlock, list(layers), num_classes=num_classes)
    # X-rays and CT slices have one channel: a 1-channel conv1 instead of averaging RGB.
    model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    return model


def receptive_field(model: ResNet, stage: int, size: int = 64) -> int:
    """Width in pixels of the input region that one unit of a stage sees (0 = stem) (notebook 01).

    Measured, not computed by formula: the gradient of the centre unit w.r.t. the input.
    """
    X = torch.rand(1, 1, size, size, generator=torch.Generator().manual_seed(0)).requires_grad_()
    was_training = model.training
    model.eval()  # batch norm with running statistics: units do not mix across the batch
    fmap = resnet_features(model, X)[stage]  # (1, C, h, w)
    fmap[0, :, fmap.shape[2] // 2, fmap.shape[3] // 2].sum().backward()
    model.train(was_training)
    cols = torch.nonzero(X.grad[0, 0].abs().sum(dim=0) > 0)
    return int(cols.max() - cols.min() + 1)


def resnet_embed(model: ResNet, X: torch.Tensor) -> torch.Tensor:
    """The ResNet's pooled features before its classifier: (B, 512) (notebook 01)."""
    return torch.flatten(model.avgpool(resnet_features(model, X)[-1]), 1)


def resnet_features(model: ResNet, X: torch.Tensor) -> list[torch.Tensor]:
    """Feature maps after the stem and after each of the four stages (notebook 01)."""
    x = model.maxpool(model.relu(model.bn1(model.conv1(X))))  # (B, 64, H/4, W/4)
    maps = [x]
    for stage in (model.layer1, model.layer2, model.layer3, model.layer4):
        x = stage(x)  # channels 64 → 128 → 256 → 512, resolution halves from layer2 on
        maps.append(x)
    return maps


@dataclass
class ViTSmallConfig:
    """A ViT small enough for a CPU; the fields are those of transformers' ViTConfig (notebook 01)."""

    image_size: int = 32
    patch_size: int = 4  # 32 px / 4 px = 8 x 8 = 64 patch tokens, + 1 CLS token
    num_channels: int = 1
    hidden_size: int = 64  # ViT-Base: 768
    num_hidden_layers: int = 3  # ViT-Base: 12
    num_attention_heads: int = 4  # ViT-Base: 12
    intermediate_size: int = 128  # MLP width; ViT-Base: 3072

    def to_hf(self):
        """The transformers ViTConfig with these fields (no dropout: small data, few epochs)."""
        from transformers import ViTConfig

        return ViTConfig(**self.__dict__, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)


class ViTClassifier(nn.Module):
    """transformers' ViTForImageClassification returning plain logits, for fit() (notebook 01)."""

    def __init__(self, config: ViTSmallConfig | None = None, num_classes: int = 6):
        super().__init__()
        from transformers import ViTForImageClassification

        hf = (config or ViTSmallConfig()).to_hf()
        hf.num_labels = num_classes
        # eager attention: the only implementation that can return the attention maps.
        hf._attn_implementation = "eager"
        self.model = ViTForImageClassification(hf)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.model(pixel_values=X).logits  # (B, num_classes)

    def embed(self, X: torch.Tensor) -> torch.Tensor:
        """The final CLS token after layer norm: (B, D)."""
        hidden = self.model.vit(pixel_values=X).last_hidden_state  # (B, 1+N, D), normed
        return hidden[:, 0]

    def attentions(self, X: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Attention probabilities of every layer: each (B, heads, 1+N, 1+N)."""
        return self.model.vit(pixel_values=X, output_attentions=True).attentions


class Block(nn.Module):
    """A pre-norm transformer block that can return its attention maps (notebook 01)."""

    def __init__(self, dim: int, heads: int, mlp_ratio: int = 2):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(),
                                 nn.Linear(mlp_ratio * dim, dim))

    def forward(self, x: torch.Tensor, need_weights: bool = False):
        h = self.norm1(x)  # (B, T, D)
        out, weights = self.attn(h, h, h, need_weights=need_weights, average_attn_weights=False)
        x = x + out
        return x + self.mlp(self.norm2(x)), weights  # weights: (B, heads, T, T) or None


class HybridEncoder(nn.Module):
    """A ResNet stem for local texture, then a transformer for global context (CoAtNet idea) (notebook 01)."""

    def __init__(self, num_classes: int = 6, image_size: int = 64, dim: int = 64,
                 depth: int = 2, heads: int = 4):
        super().__init__()
        cnn = resnet_1ch(num_classes)
        # torchvision's ResNet stem and first two stages: 64 px → (128, 8, 8) feature map.
        self.stem = nn.Sequential(cnn.conv1, cnn.bn1, cnn.relu, cnn.maxpool, cnn.layer1, cnn.layer2)
        self.proj = nn.Conv2d(128, dim, kernel_size=1)  # feature-map cells become tokens
        self.grid = image_size // 8
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + self.grid**2, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def _run(self, X: torch.Tensor, need_weights: bool):
        tokens = self.proj(self.stem(X)).flatten(2).transpose(1, 2)  # (B, N, dim)
        cls = self.cls_token.expand(len(X), -1, -1)  # (B, 1, dim)
        x = torch.cat([cls, tokens], dim=1) + self.pos_embed  # (B, 1+N, dim)
        attentions = []
        for block in self.blocks:
            x, weights = block(x, need_weights)
            attentions.append(weights)
        return self.norm(x)[:, 0], attentions

    def embed(self, X: torch.Tensor) -> torch.Tensor:
        """The final CLS token: (B, dim)."""
        return self._run(X, need_weights=False)[0]

    def attentions(self, X: torch.Tensor) -> list[torch.Tensor]:
        """Attention probabilities of every block: each (B, heads, 1+N, 1+N)."""
        return self._run(X, need_weights=True)[1]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(X))  # (B, num_classes)


@torch.no_grad()
def extract_embeddings(embed, X: torch.Tensor, batch_size: int = 256) -> np.ndarray:
    """Run an encoder's embed(X) over a tensor in batches: (n, D) numpy (notebook 01)."""
    return np.concatenate([embed(X[i:i + batch_size]).numpy() for i in range(0, len(X), batch_size)])
