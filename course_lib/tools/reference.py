"""A fixed reference workload: how fast is this machine, so that benchmarks travel (issue 15)."""

from __future__ import annotations

import os
import platform
import time


def cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo, else platform)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def reference_workload(repeats: int = 3) -> float:
    """Seconds for a fixed mix like the notebooks': a small convnet's training steps and NumPy/pandas.

    One untimed warm-up run (first-call costs: kernels, allocations), then the best of `repeats`
    runs with the same data on one thread, so that a busy moment does not count; a notebook's time
    divided by this is comparable between machines.
    """
    import numpy as np
    import pandas as pd
    import torch
    from torch import nn

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: robust to a busy second core (no OpenMP barrier stalls)
    try:
        g = torch.Generator().manual_seed(0)
        X = torch.randn(256, 1, 32, 32, generator=g)  # (B, C, H, W) like notebook 01's films
        y = torch.randint(0, 2, (256,), generator=g)
        rng = np.random.default_rng(0)
        A = rng.standard_normal((400, 400))
        frame = pd.DataFrame({"k": rng.integers(0, 50, 200_000), "v": rng.standard_normal(200_000)})
        best = float("inf")
        for attempt in range(repeats + 1):
            torch.manual_seed(0)
            model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten(), nn.Linear(32, 2))
            opt = torch.optim.SGD(model.parameters(), lr=0.01)
            start = time.perf_counter()
            for step in range(48):
                idx = slice(step % 4 * 64, step % 4 * 64 + 64)
                loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            for _ in range(20):
                np.linalg.solve(A @ A.T + np.eye(400), A[:, 0])
            for _ in range(4):
                frame.groupby("k")["v"].agg(["mean", "std", "count"])
            if attempt:  # the first run only warms up
                best = min(best, time.perf_counter() - start)
        return best
    finally:
        torch.set_num_threads(threads)


def machine_row(ref_start_s: float, ref_end_s: float) -> dict[str, str]:
    """What the benchmark records about the machine next to the notebooks' times."""
    from importlib.metadata import version

    return {"cpu": cpu_model(), "cores": str(os.cpu_count()), "python": platform.python_version(),
            "torch": version("torch"), "numpy": version("numpy"),
            "reference_start_s": f"{ref_start_s:.3f}", "reference_end_s": f"{ref_end_s:.3f}"}
