"""Differentially private training with Opacus (DP-SGD) on the clinical model (notebook 17)."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_dp(model: nn.Module, X: np.ndarray, y: np.ndarray, epsilon: float | None, delta: float = 1e-5,
             epochs: int = 5, lr: float = 0.05, batch_size: int = 64, max_grad_norm: float = 1.0,
             seed: int = 0) -> dict:
    """Train with DP-SGD (Opacus) to a target (epsilon, delta), or without privacy if epsilon is None (notebook 17).

    Opacus clips every patient's gradient to max_grad_norm, adds Gaussian noise scaled to the
    clipping norm, samples batches by Poisson sampling, and its accountant (RDP) picks the noise
    multiplier that spends exactly epsilon over the planned epochs. Returns the model and epsilon spent.
    """
    from opacus import PrivacyEngine

    torch.manual_seed(seed)
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)[:, None])
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    engine = None
    if epsilon is not None:
        with warnings.catch_warnings():  # Opacus warns about secure RNG: fine for teaching, not for a release
            warnings.simplefilter("ignore")
            engine = PrivacyEngine(accountant="rdp")
            model, opt, loader = engine.make_private_with_epsilon(
                module=model, optimizer=opt, data_loader=loader, target_epsilon=epsilon, target_delta=delta,
                epochs=epochs, max_grad_norm=max_grad_norm)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            if len(xb) == 0:  # Poisson sampling can draw an empty batch
                continue
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            with warnings.catch_warnings():  # Opacus' per-sample hooks warn when inputs need no gradient
                warnings.filterwarnings("ignore", message="Full backward hook")
                loss.backward()
            opt.step()
    spent = engine.get_epsilon(delta) if engine is not None else float("inf")
    noise = opt.noise_multiplier if engine is not None else 0.0
    return {"model": model.eval(), "epsilon": spent, "noise_multiplier": noise}
