"""Notebook 16's image + text model: a torchvision ResNet trunk, a tiny BERT, the slide's fusion layer, projection heads."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from course_lib.models.imaging import resnet_1ch


class ImageEncoder(nn.Module):
    """torchvision's ResNet cut after `stages` stages, globally average-pooled: (B, 1, H, W) -> (B, out_dim) (notebook 16).

    arch="resnet50" builds the slide's ResNet-50 (Bottleneck blocks, 2048-d), for a GPU.
    """

    def __init__(self, stages: int = 2, arch: str = "tiny"):
        super().__init__()
        if arch == "resnet50":
            from torchvision.models import resnet50

            resnet = resnet50(weights=None)  # no download: weights=None, as everywhere in the course
            resnet.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)  # X-rays: 1 channel
            stages = 4
        elif arch == "tiny":
            if not 1 <= stages <= 4:
                raise ValueError(f"stages must be 1..4, got {stages}")
            resnet = resnet_1ch(layers=(1, 1, 1, 1))  # BasicBlocks, one per stage, 1-channel stem
        else:
            raise ValueError(f"arch must be 'tiny' or 'resnet50', not {arch!r}")
        body = [resnet.layer1, resnet.layer2, resnet.layer3, resnet.layer4][:stages]
        self.trunk = nn.Sequential(resnet.conv1, resnet.bn1, resnet.relu, resnet.maxpool, *body)
        self.out_dim = body[-1][-1].bn2.num_features if arch == "tiny" else 2048

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        fmap = self.trunk(X)  # (B, C, H/8, W/8) after two stages
        return fmap.mean(dim=(2, 3))  # (B, C): global average pooling, any input size


class FusionModel(nn.Module):
    """Two encoders, the slide's nn.Linear(img_dim + text_dim, hidden_dim) fusion, a classifier, projection heads (notebook 16).

    forward returns {"img_emb", "text_emb"}: (B, emb_dim) unit vectors for the contrastive loss,
    and {"logits"}: (B,) the classifier's logit from the fused features.
    """

    def __init__(self, image_encoder: nn.Module, text_encoder: nn.Module, hidden_dim: int = 64,
                 emb_dim: int = 64, temperature: float = 0.07):
        super().__init__()
        self.image_encoder, self.text_encoder = image_encoder, text_encoder
        img_dim, text_dim = image_encoder.out_dim, text_encoder.out_dim
        self.fusion = nn.Linear(img_dim + text_dim, hidden_dim)  # the slide's fusion layer
        self.classifier = nn.Sequential(nn.ReLU(), nn.Linear(hidden_dim, 1))
        self.image_head, self.text_head = nn.Linear(img_dim, emb_dim), nn.Linear(text_dim, emb_dim)
        # CLIP's parameterisation: log(1 / temperature); exp(14.3...) = 1/0.07 sharpens the logits.
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / temperature)))

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> dict:
        img = self.image_encoder(image)  # (B, img_dim)
        txt = self.text_encoder(input_ids, attention_mask)  # (B, text_dim)
        fused = self.fusion(torch.cat([img, txt], dim=1))  # (B, hidden_dim)
        return {"img_emb": F.normalize(self.image_head(img), dim=-1),  # (B, emb_dim), unit length
                "text_emb": F.normalize(self.text_head(txt), dim=-1),
                "logits": self.classifier(fused).squeeze(1)}  # (B,)
