"""A small, generic training loop: fit() and predict() for any torch model (notebook 05)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm.auto import tqdm


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters (notebook 05)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def fit(model: nn.Module, train_loader, num_epochs: int = 5, lr: float = 1e-3,
        device: str = "cpu", loss_fn: nn.Module | None = None, weight_decay: float = 0.0,
        progress: bool = True) -> dict:
    """Train with AdamW and a one-cycle schedule; returns the loss per epoch and the time (notebook 05).

    `loss_fn` defaults to BCEWithLogitsLoss (multi-label); batches are (X, y) pairs.
    """
    loss_fn = loss_fn or nn.BCEWithLogitsLoss()
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    # One-cycle: warm up then anneal; trains small models well in few epochs.
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=num_epochs * len(train_loader))
    history, start = {"loss": []}, time.perf_counter()
    bar = tqdm(range(num_epochs), desc=type(model).__name__, disable=not progress, leave=False)
    for _ in bar:
        total, count = 0.0, 0
        for X, y in train_loader:
            X, y = X.to(device), y.to(device)
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total, count = total + loss.item() * len(X), count + len(X)
        history["loss"].append(total / count)
        bar.set_postfix(loss=f"{history['loss'][-1]:.3f}")
    history["train_s"] = time.perf_counter() - start
    return history


@torch.no_grad()
def predict(model: nn.Module, loader, device: str = "cpu", activation=torch.sigmoid) -> np.ndarray:
    """Model outputs over a loader (after `activation`, e.g. probabilities) as numpy (notebook 05)."""
    model.to(device).eval()
    outs = []
    for batch in loader:
        X = batch[0] if isinstance(batch, (list, tuple)) else batch
        out = model(X.to(device))
        outs.append((activation(out) if activation else out).cpu().numpy())
    return np.concatenate(outs)


class CostLedger:
    """Parameters and training seconds of each model, counting the models it is built on (notebook 11)."""

    def __init__(self) -> None:
        self.params: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def add(self, name: str, seconds: float, params: nn.Module | int = 0, uses: tuple = (),
            trained_after: tuple = ()) -> None:
        """Record a model. `uses`: models it needs at inference (their parameters and training time
        count); `trained_after`: models it starts from but contains its own copy of (time only)."""
        for other in (*uses, *trained_after):
            if other not in self.seconds:
                raise KeyError(f"{name!r} builds on {other!r}, which is not recorded yet: add it first")
        own = count_parameters(params) if isinstance(params, nn.Module) else int(params)
        self.params[name] = own + sum(self.params[u] for u in uses)
        self.seconds[name] = float(seconds) + sum(self.seconds[u] for u in (*uses, *trained_after))

    def table(self) -> pd.DataFrame:
        """One row per model: parameters and training time (s)."""
        return pd.DataFrame({"parameters": pd.Series(self.params),
                             "train time (s)": pd.Series(self.seconds).round(1)})
