"""MONAI U-Nets for volumes: 3D, 2D slice-by-slice and 2.5D, trained on one budget (notebook 09)."""

from __future__ import annotations

import time

import numpy as np
import torch

WINDOW_HU = (-1000.0, 400.0)  # intensity window fed to the networks: lung to soft tissue


def make_unet(spatial_dims: int, in_channels: int = 1, channels=(8, 16, 32)) -> torch.nn.Module:
    """A small MONAI U-Net: 3x3(x3) kernels, two down-samplings, one convolution per level (notebook 09)."""
    from monai.networks.nets import UNet

    return UNet(spatial_dims=spatial_dims, in_channels=in_channels, out_channels=2, channels=channels,
                strides=(2,) * (len(channels) - 1), num_res_units=0)


def scale_hu(ct: np.ndarray) -> np.ndarray:
    """HU -> [0, 1] over WINDOW_HU, clipped (MONAI's ScaleIntensityRange does the same)."""
    lo, hi = WINDOW_HU
    return np.clip((np.asarray(ct, np.float32) - lo) / (hi - lo), 0, 1)


def to_slices(volumes: np.ndarray, context: int = 0) -> np.ndarray:
    """(n, x, y, z) -> (n * z, 2 * context + 1, x, y): axial slices with `context` neighbours each side.

    context=0 is the 2D slice-wise view; context=1 is "2.5D" (three adjacent slices as channels).
    Edge slices repeat the border slice.
    """
    v = np.asarray(volumes)
    padded = np.pad(v, ((0, 0), (0, 0), (0, 0), (context, context)), mode="edge")
    stack = np.stack([padded[..., k:k + v.shape[-1]] for k in range(2 * context + 1)], axis=1)
    return np.ascontiguousarray(stack.transpose(0, 4, 1, 2, 3).reshape(-1, 2 * context + 1, *v.shape[1:3]))


def _patch_batches(images: np.ndarray, labels: np.ndarray, patch: int, batch: int, steps: int,
                   seed: int):
    """3D training batches cropped by MONAI's RandCropByPosNegLabeld (half centred on a nodule)."""
    from monai.transforms import RandCropByPosNegLabeld

    crop = RandCropByPosNegLabeld(keys=["image", "label"], label_key="label", spatial_size=(patch,) * 3,
                                  pos=1, neg=1, num_samples=batch)
    crop.set_random_state(seed)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        i = int(rng.integers(len(images)))
        samples = crop({"image": images[i][None], "label": labels[i][None]})
        yield (torch.stack([torch.as_tensor(np.asarray(s["image"])) for s in samples]),  # (B, 1, p, p, p)
               torch.stack([torch.as_tensor(np.asarray(s["label"])) for s in samples]))


def _slice_batches(X: torch.Tensor, Y: torch.Tensor, per: int, steps: int, seed: int):
    """2D batches: half the slices show a nodule, half are drawn from all (as the 3D crops)."""
    g = torch.Generator().manual_seed(seed)
    positive = torch.nonzero(Y.flatten(1).amax(1) > 0)[:, 0]
    for _ in range(steps):
        pos = positive[torch.randint(len(positive), (per // 2,), generator=g)]
        idx = torch.cat([pos, torch.randint(len(X), (per - per // 2,), generator=g)])
        yield X[idx], Y[idx]


def train_segmenter(images: np.ndarray, labels: np.ndarray, mode: str = "3d", steps: int = 1000,
                    patch: int = 24, lr: float = 3e-3, seed: int = 0) -> dict:
    """Train a U-Net with MONAI's Dice + cross-entropy loss (notebook 09).

    images (n, x, y, z) scaled to [0, 1]; labels (n, x, y, z) in {0, 1}. mode "3d" trains on one
    patch^3 crop per step, "2d" on single axial slices, "2.5d" on 3 adjacent slices. Every mode
    sees the same number of voxels per step (patch^3) and takes the same number of steps: one budget.
    """
    from monai.losses import DiceCELoss

    if mode not in ("2d", "2.5d", "3d"):
        raise ValueError(f"mode must be '2d', '2.5d' or '3d', not {mode!r}")
    torch.manual_seed(seed)
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
    voxels_per_step = patch ** 3
    if mode == "3d":
        model = make_unet(3)
        batches = _patch_batches(images, labels, patch, 1, steps, seed)
    else:
        context = 0 if mode == "2d" else 1
        model = make_unet(2, in_channels=2 * context + 1)
        X = torch.as_tensor(to_slices(images, context))  # (n*z, C, x, y)
        Y = torch.as_tensor(to_slices(labels, 0)).long()  # (n*z, 1, x, y)
        per = max(2, voxels_per_step // (X.shape[-1] * X.shape[-2]))
        batches = _slice_batches(X, Y, per, steps, seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    # Cosine decay to zero: large steps early, fine ones at the end, so the result depends less on
    # where the last few noisy patches happened to push the weights.
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    losses, start = [], time.perf_counter()
    model.train()
    for xb, yb in batches:
        opt.zero_grad()
        loss = loss_fn(model(xb.float()), yb.long())
        loss.backward()
        opt.step()
        schedule.step()
        losses.append(loss.item())
    return {"model": model.eval(), "mode": mode, "losses": losses, "train_s": time.perf_counter() - start}


@torch.no_grad()
def predict_probs(model: torch.nn.Module, images: np.ndarray, mode: str) -> np.ndarray:
    """Nodule probability maps (n, x, y, z); 3D by MONAI's sliding-window inference (notebook 09)."""
    from monai.inferers import sliding_window_inference

    model.eval()
    x = torch.as_tensor(np.asarray(images, np.float32))
    if mode == "3d":
        logits = sliding_window_inference(x[:, None], roi_size=(32, 32, 32), sw_batch_size=8,
                                          predictor=model, overlap=0.25, mode="gaussian")
        return torch.softmax(logits, 1)[:, 1].numpy()  # (n, x, y, z)
    context = 0 if mode == "2d" else 1
    slices = torch.as_tensor(to_slices(x.numpy(), context))  # (n*z, C, x, y)
    probs = torch.softmax(model(slices), 1)[:, 1]  # (n*z, x, y)
    n, _, _, nz = x.shape
    return probs.reshape(n, nz, *probs.shape[1:]).permute(0, 2, 3, 1).numpy()


def train_voxel_classifier(features: np.ndarray, labels: np.ndarray, n_classes: int, steps: int = 300,
                           batch: int = 4096, hidden: int = 32, lr: float = 1e-2,
                           seed: int = 0) -> torch.nn.Module:
    """A small MLP on 3x3x3 neighbourhoods (= one 3D conv layer + 1x1x1 layers) (notebook 09).

    features (n, f) float, labels (n,) int in [0, n_classes). Trained on random voxel batches.
    """
    torch.manual_seed(seed)
    X = torch.as_tensor(features, dtype=torch.float32)
    y = torch.as_tensor(labels, dtype=torch.long)
    mean, std = X.mean(0), X.std(0) + 1e-6
    net = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hidden, n_classes))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        idx = torch.randint(len(X), (batch,), generator=g)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net((X[idx] - mean) / std), y[idx])
        loss.backward()
        opt.step()
    model = torch.nn.Sequential(_Standardise(mean, std), net).eval()
    return model


class _Standardise(torch.nn.Module):
    """Subtract the training mean, divide by the training std (kept inside the model)."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


@torch.no_grad()
def predict_voxels(model: torch.nn.Module, features: np.ndarray) -> np.ndarray:
    """Class probabilities (n, k) of a voxel classifier."""
    return torch.softmax(model(torch.as_tensor(features, dtype=torch.float32)), 1).numpy()
