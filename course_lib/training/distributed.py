"""The course's training step under DistributedDataParallel (gloo, CPU processes) (notebook 17).

Run with torchrun (`torchrun --nproc_per_node 2 -m course_lib.training.distributed`) or, from
Python, with `run_ddp` (torch.multiprocessing). Each rank trains on its half of every global
batch; DDP all-reduces (averages) the gradients, so two processes take the same steps as one
process with the same global batch. On GPUs the one change is backend="nccl" (and a device per rank).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn


def make_data(n: int = 512, d: int = 16, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed logistic-regression problem (X (n, d), y (n, 1)) for the equivalence demo (notebook 17)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    w = torch.randn(d, 1, generator=g)
    y = (torch.sigmoid(X @ w) > torch.rand(n, 1, generator=g)).float()
    return X, y


def make_model(d: int, seed: int = 0) -> nn.Module:
    """Same initial weights on every rank (DDP also broadcasts rank 0's at wrap time) (notebook 17)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, 1))


def train_steps(model: nn.Module, X: torch.Tensor, y: torch.Tensor, global_batch: int, epochs: int,
                lr: float, rank: int = 0, world: int = 1) -> list[float]:
    """SGD over fixed-order global batches; this rank sees rows rank::world of each (notebook 17).

    Returns the global-batch loss per step (all-reduced when world > 1), so every rank reports
    the same curve as a single process would.
    """
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn, curve = nn.BCEWithLogitsLoss(), []
    for _ in range(epochs):
        for start in range(0, len(X), global_batch):
            xb, yb = X[start:start + global_batch], y[start:start + global_batch]
            xb, yb = xb[rank::world], yb[rank::world]  # (global_batch / world, d): this rank's share
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()  # DDP averages the gradients over ranks during backward
            opt.step()
            value = loss.detach().clone()
            if world > 1:
                dist.all_reduce(value)  # sum of the ranks' mean losses ...
                value /= world  # ... averaged: the global batch's loss when shares are equal
            curve.append(float(value))
    return curve


def _worker(rank: int, world: int, init_file: str, out_dir: str, kwargs: dict) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        X, y = make_data(kwargs["n"], kwargs["d"], kwargs["data_seed"])
        model = nn.parallel.DistributedDataParallel(make_model(kwargs["d"], kwargs["seed"]))
        curve = train_steps(model, X, y, kwargs["global_batch"], kwargs["epochs"], kwargs["lr"], rank, world)
        if rank == 0:
            np.save(Path(out_dir) / "curve.npy", np.asarray(curve))
    finally:
        dist.destroy_process_group()


def run_ddp(world: int = 2, n: int = 512, d: int = 16, global_batch: int = 64, epochs: int = 3,
            lr: float = 0.5, seed: int = 0, data_seed: int = 0) -> np.ndarray:
    """Train with `world` gloo processes (torch.multiprocessing.spawn); rank 0's loss per step (notebook 17)."""
    if global_batch % world:
        raise ValueError(f"global_batch={global_batch} must split evenly over {world} processes")
    kwargs = {"n": n, "d": d, "global_batch": global_batch, "epochs": epochs, "lr": lr, "seed": seed,
              "data_seed": data_seed}
    with tempfile.TemporaryDirectory() as tmp:
        init_file = str(Path(tmp) / "rendezvous")  # a file store: no network port needed
        # fork (Linux) starts the workers without re-importing torch; spawn elsewhere (macOS, Windows)
        method = "fork" if "fork" in mp.get_all_start_methods() and sys.platform.startswith("linux") else "spawn"
        mp.start_processes(_worker, args=(world, init_file, tmp, kwargs), nprocs=world, join=True,
                           start_method=method)
        return np.load(Path(tmp) / "curve.npy")


def run_single(n: int = 512, d: int = 16, global_batch: int = 64, epochs: int = 3, lr: float = 0.5,
               seed: int = 0, data_seed: int = 0) -> np.ndarray:
    """The same training in this one process: the reference curve (notebook 17)."""
    X, y = make_data(n, d, data_seed)
    return np.asarray(train_steps(make_model(d, seed), X, y, global_batch, epochs, lr))


def main() -> None:
    """torchrun entry point: reads RANK/WORLD_SIZE/MASTER_ADDR from the environment torchrun sets."""
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    X, y = make_data()
    model = nn.parallel.DistributedDataParallel(make_model(X.shape[1]))
    curve = train_steps(model, X, y, 64, 3, 0.5, rank, world)
    if rank == 0:
        out = os.environ.get("DDP_CURVE", str(Path(tempfile.gettempdir()) / "ddp_curve.npy"))
        np.save(out, np.asarray(curve))
        print(f"{world} processes, {len(curve)} steps, final loss {curve[-1]:.4f}; curve saved to {out}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
