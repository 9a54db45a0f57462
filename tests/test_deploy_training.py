"""Notebook 17's multi-process runs (bounded, localhost only): Flower server + clients, DDP with gloo; and DP-SGD."""

import multiprocessing
import socket

import numpy as np
import pytest
import torch

from course_lib.training.distributed import run_ddp, run_single
from course_lib.training.federated import (
    SiteClient,
    fedavg,
    get_weights,
    make_model,
    run_fedavg,
    run_flower_processes,
)
from course_lib.training.privacy import train_dp


def _can_spawn() -> str | None:
    """Why this platform cannot run the multi-process tests, or None."""
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
        ctx = multiprocessing.get_context("spawn")
        p = ctx.Process(target=int)
        p.start()
        p.join(30)
        return None if p.exitcode == 0 else "a spawned process did not exit cleanly"
    except (OSError, PermissionError) as err:
        return f"this platform cannot spawn processes or bind localhost: {err}"


REASON = _can_spawn()
needs_processes = pytest.mark.skipif(REASON is not None, reason=REASON or "")


def _sites(seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for name, n in (("A", 120), ("B", 60)):
        X = rng.normal(size=(n, 6)).astype(np.float32)
        out[name] = (X, (X[:, 0] + rng.normal(size=n) > 0).astype(np.float32))
    return out


def test_in_process_fedavg_is_flower_fedavg():
    torch.set_num_threads(1)
    sites = _sites()
    init = get_weights(make_model(6, seed=0))
    out = run_fedavg({s: SiteClient(X, y, seed=i) for i, (s, (X, y)) in enumerate(sites.items())}, 1, init)
    manual = [SiteClient(X, y, seed=i).fit(init, {"server_round": 1}) for i, (X, y) in enumerate(sites.values())]
    want = fedavg([m[0] for m in manual], [m[1] for m in manual])
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(out["weights"], want, strict=True))


@needs_processes
def test_flower_server_and_client_processes_match_in_process_run():
    sites = _sites()
    init = get_weights(make_model(6, seed=0))
    got = run_flower_processes(sites, rounds=2, init=init, seeds={"A": 0, "B": 1}, timeout=120)
    want = run_fedavg({s: SiteClient(X, y, seed=i) for i, (s, (X, y)) in enumerate(sites.items())}, 2, init)["weights"]
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(got, want, strict=True))


@needs_processes
def test_ddp_two_processes_follow_the_single_process_curve():
    one = run_single(n=256, global_batch=32, epochs=1)
    two = run_ddp(world=2, n=256, global_batch=32, epochs=1)
    assert len(one) == len(two) == 8 and np.abs(one - two).max() < 1e-5
    with pytest.raises(ValueError, match="split evenly"):
        run_ddp(world=2, global_batch=33)


def test_dp_sgd_spends_the_target_epsilon():
    X, y = _sites()["A"]
    out = train_dp(make_model(6), X, y, epsilon=2.0, epochs=2, batch_size=32)
    assert 1.5 < out["epsilon"] <= 2.0 + 1e-6 and out["noise_multiplier"] > 0
    plain = train_dp(make_model(6), X, y, epsilon=None, epochs=2)
    assert plain["epsilon"] == float("inf")
