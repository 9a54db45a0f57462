"""Federated learning across the cohort's sites with Flower: clients, FedAvg, in-process and multi-process runs (notebook 17).

The same Flower objects serve both runs: `SiteClient` (a flwr NumPyClient) trains on one site's
patients and `flwr.server.strategy.FedAvg` aggregates. `run_fedavg` calls them in this process
(no network: Flower's simulation engine would need Ray); `run_flower_processes` starts a real
Flower server and one client process per site that talk gRPC on localhost (the test runs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import flwr as fl
import numpy as np
import torch
from flwr.common import Code, FitIns, FitRes, Status, ndarrays_to_parameters, parameters_to_ndarrays
from flwr.server.strategy import FedAvg
from torch import nn


def make_model(in_dim: int, seed: int = 0) -> nn.Module:
    """The clinical model every site trains: notebook 11's MLP (22 inputs -> 32 -> 1 logit) (notebook 17)."""
    from course_lib.models.fusion import MLP

    torch.manual_seed(seed)
    return MLP(in_dim, hidden=32, dropout=0.0)


def get_weights(model: nn.Module) -> list[np.ndarray]:
    """The model's parameters as the list of numpy arrays Flower ships (notebook 17)."""
    return [v.detach().cpu().numpy().copy() for v in model.state_dict().values()]


def set_weights(model: nn.Module, weights: list[np.ndarray]) -> nn.Module:
    """Load a list of numpy arrays (get_weights order) into the model (notebook 17)."""
    keys = list(model.state_dict())
    if len(keys) != len(weights):
        raise ValueError(f"{len(weights)} arrays for a model with {len(keys)} tensors: same architecture?")
    model.load_state_dict({k: torch.as_tensor(w) for k, w in zip(keys, weights, strict=True)})
    return model


def train_local(model: nn.Module, X: np.ndarray, y: np.ndarray, epochs: int = 1, lr: float = 0.01,
                batch_size: int = 32, seed: int = 0) -> float:
    """Plain SGD on one site's patients for a few epochs; returns the mean loss (notebook 17)."""
    X, y = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)[:, None]
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn, total = nn.BCEWithLogitsLoss(), 0.0
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            loss = loss_fn(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
    return total / (epochs * len(X))


def scores(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """(n,) logits of a one-output model (notebook 17)."""
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32))[:, 0].numpy()


class SiteClient(fl.client.NumPyClient):
    """One hospital in the federation: trains on its own patients, shares only weights (notebook 17)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, epochs: int = 1, lr: float = 0.01, seed: int = 0):
        self.X, self.y, self.epochs, self.lr, self.seed = X, y, epochs, lr, seed
        self.model = make_model(X.shape[1], seed)

    def get_parameters(self, config):
        return get_weights(self.model)

    def fit(self, parameters, config):
        set_weights(self.model, parameters)
        rnd = int(config.get("server_round", 0))
        loss = train_local(self.model, self.X, self.y, self.epochs, self.lr, seed=self.seed + rnd)
        return get_weights(self.model), len(self.X), {"loss": loss}

    def evaluate(self, parameters, config):
        set_weights(self.model, parameters)
        z = scores(self.model, self.X)
        loss = float(nn.functional.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(self.y, dtype=torch.float32)))
        return loss, len(self.X), {}


def fit_config(server_round: int) -> dict:
    """Per-round config sent to every client: the round number seeds its shuffling (notebook 17)."""
    return {"server_round": server_round}


def run_fedavg(clients: dict[str, SiteClient], rounds: int, init: list[np.ndarray], evaluate=None) -> dict:
    """FedAvg in this process with Flower's own client and strategy code (no network) (notebook 17).

    Each round every client's `fit` runs through Flower's Client interface and Flower's FedAvg
    strategy aggregates the FitRes messages: the same code path as a networked run, minus gRPC.
    `evaluate(weights) -> float` is called after every round; its values form the curve.
    """
    strategy = FedAvg(fit_metrics_aggregation_fn=lambda metrics: {})
    params, curve = ndarrays_to_parameters(init), []
    for rnd in range(1, rounds + 1):
        results = []
        for client in clients.values():
            res = client.to_client().fit(FitIns(params, fit_config(rnd)))
            results.append((None, FitRes(Status(Code.OK, ""), res.parameters, res.num_examples, res.metrics)))
        params, _ = strategy.aggregate_fit(rnd, results, [])
        if evaluate is not None:
            curve.append(evaluate(parameters_to_ndarrays(params)))
    return {"weights": parameters_to_ndarrays(params), "curve": curve}


# --- The multi-process run: a real Flower server and one client process per site ----------------

def _serve(address: str, rounds: int, n_clients: int, init_file: str, out_file: str) -> None:
    """Server process: FedAvg over n_clients for `rounds`; writes the final weights (npz) (notebook 17)."""
    init = list(np.load(init_file).values())

    class Recording(FedAvg):
        def aggregate_fit(self, server_round, results, failures):
            params, metrics = super().aggregate_fit(server_round, results, failures)
            if server_round == rounds:  # written at once, atomically: the parent need not wait for shutdown
                np.savez(out_file + ".part.npz", **{f"w{i}": w for i, w in enumerate(parameters_to_ndarrays(params))})
                os.replace(out_file + ".part.npz", out_file)
            return params, metrics

    strategy = Recording(min_fit_clients=n_clients, min_available_clients=n_clients, fraction_evaluate=0.0,
                         initial_parameters=ndarrays_to_parameters(init), on_fit_config_fn=fit_config,
                         fit_metrics_aggregation_fn=lambda metrics: {})
    fl.server.start_server(server_address=address, config=fl.server.ServerConfig(num_rounds=rounds),
                           strategy=strategy)


def _client(address: str, data_file: str, epochs: int, lr: float, seed: int) -> None:
    """Client process: one site's patients, served to the Flower server until it says stop (notebook 17)."""
    data = np.load(data_file)
    client = SiteClient(data["X"], data["y"], epochs=epochs, lr=lr, seed=seed)
    fl.client.start_client(server_address=address, client=client.to_client(), insecure=True, transport="grpc-bidi",
                        max_retries=50, max_wait_time=60.0)


def _wait_for_port(address: str, deadline: float, server: subprocess.Popen) -> None:
    """Block until the server accepts TCP connections (or died, or the deadline passed)."""
    import socket

    host, port = address.rsplit(":", 1)
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection((host, int(port)), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_flower_processes(site_data: dict[str, tuple[np.ndarray, np.ndarray]], rounds: int,
                         init: list[np.ndarray], epochs: int = 1, lr: float = 0.01, seeds: dict | None = None,
                         timeout: float = 120.0) -> list[np.ndarray]:
    """Start a Flower server and one client process per site on localhost; the final FedAvg weights (notebook 17).

    Command line of each process: `python -m course_lib.training.federated server|client ...`.
    Raises TimeoutError (and stops every process it started) if the federation does not finish.
    """
    seeds = seeds or {}
    address = f"127.0.0.1:{_free_port()}"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        np.savez(tmp / "init.npz", **{f"w{i}": w for i, w in enumerate(init)})
        cmd = [sys.executable, "-m", "course_lib.training.federated"]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "GRPC_VERBOSITY": "ERROR"}
        logs = {"server": open(tmp / "server.log", "wb")}  # files, not pipes: Flower logs a lot
        procs = [subprocess.Popen([*cmd, "server", address, str(rounds), str(len(site_data)),
                                   str(tmp / "init.npz"), str(tmp / "final.npz")], env=env,
                                  stdout=subprocess.DEVNULL, stderr=logs["server"])]
        deadline = time.monotonic() + timeout
        _wait_for_port(address, deadline, procs[0])  # clients that dial too early give up
        for i, (site, (X, y)) in enumerate(site_data.items()):
            np.savez(tmp / f"{site}.npz", X=X, y=y)
            logs[site] = open(tmp / f"{site}.log", "wb")
            procs.append(subprocess.Popen([*cmd, "client", address, str(tmp / f"{site}.npz"), str(epochs),
                                           str(lr), str(seeds.get(site, i))], env=env,
                                          stdout=subprocess.DEVNULL, stderr=logs[site]))
        try:
            while not (tmp / "final.npz").exists():  # grpc shutdown takes seconds; the result is ready before
                if procs[0].poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            if not (tmp / "final.npz").exists() and procs[0].poll() is None:
                raise subprocess.TimeoutExpired(procs[0].args, timeout)
        except subprocess.TimeoutExpired as err:
            tails = {name: (tmp / f"{name}.log").read_text(errors="replace")[-600:] for name in logs}
            raise TimeoutError(f"the Flower run did not finish in {timeout:.0f} s; log tails: {tails}") from err
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            for f in logs.values():
                f.close()
        if not (tmp / "final.npz").exists():
            raise RuntimeError(f"the Flower server failed: {(tmp / 'server.log').read_text()[-2000:]}")
        final = np.load(tmp / "final.npz")
        return [final[f"w{i}"] for i in range(len(final.files))]


def auc_of(model: nn.Module, weights: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """Test AUC of a model carrying the given weights (notebook 17)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores(set_weights(model, weights), X)))


if __name__ == "__main__":
    torch.set_num_threads(1)
    role, args = sys.argv[1], sys.argv[2:]
    if role == "server":
        _serve(args[0], int(args[1]), int(args[2]), args[3], args[4])
    elif role == "client":
        _client(args[0], args[1], int(args[2]), float(args[3]), int(args[4]))
    else:
        sys.exit(json.dumps({"error": f"unknown role {role!r}: use server or client"}))


def fedavg(client_weights: list[list[np.ndarray]], num_examples: list[int]) -> list[np.ndarray]:
    """FedAvg's server step: average each layer over clients, weighted by their patients (McMahan 2017) (notebook 17)."""
    if len(client_weights) != len(num_examples) or not client_weights:
        raise ValueError("one list of arrays and one patient count per client, at least one client")
    share = np.asarray(num_examples, dtype=np.float64) / np.sum(num_examples)
    return [sum(s * w[i] for s, w in zip(share, client_weights, strict=True)) for i in range(len(client_weights[0]))]
