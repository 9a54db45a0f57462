"""Domain-specific pretrained X-ray encoders, loaded only from local weights (notebook 01)."""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn.functional as F

XRV_WEIGHTS = "densenet121-res224-all"  # DenseNet-121 trained on 8 public chest X-ray sets
XRV_FOLDER = Path("~/.torchxrayvision/models_data").expanduser()  # where the package looks


def load_torchxrayvision(weights: str = XRV_WEIGHTS):
    """torchxrayvision's pretrained DenseNet if package and weights are here, else (None, why) (notebook 01)."""
    try:
        import torchxrayvision as xrv
    except ImportError:
        return None, ("torchxrayvision is not installed. `pip install torchxrayvision`, then fetch "
                      "the weights once (see below); the notebook never downloads them itself.")
    filename = os.path.basename(xrv.models.model_urls[weights]["weights_url"])
    local = XRV_FOLDER / filename
    if not local.exists():
        return None, (f"no weights at {local}. On a machine with internet, run once: python -c "
                      f"\"import torchxrayvision as xrv; xrv.models.DenseNet(weights='{weights}')\"")
    return xrv.models.DenseNet(weights=weights).eval(), f"loaded {weights} from {local}"


@torch.no_grad()
def xrv_embed(model, images01: torch.Tensor) -> torch.Tensor:
    """(B, 1, H, W) X-rays in [0, 1] → (B, 1024) torchxrayvision features (notebook 01)."""
    # torchxrayvision's input convention: 224 x 224, grey values scaled to [-1024, 1024].
    x = F.interpolate(images01.float(), size=(224, 224), mode="bilinear", align_corners=False)
    return model.features2(x * 2048.0 - 1024.0)
