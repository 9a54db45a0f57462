"""Checkers for notebook 17's exercises: choosing a bedside format, PSI, FedAvg aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

EDGE = "Exercise 17.1 (a bedside format)"
PSI = "Exercise 17.2 (population stability index)"
FEDAVG = "Exercise 17.3 (FedAvg aggregation)"


def _eligible(table: pd.DataFrame, max_auc_drop: float, p95_budget_ms: float) -> pd.DataFrame:
    ref = table["AUC"].iloc[0]
    return table[(ref - table["AUC"] <= max_auc_drop) & (table["p95 ms"] <= p95_budget_ms)]


@exercise_check(EDGE, reference="course_lib.checks.deploy:reference_edge_choice")
def check_edge_choice(choose_format, table: pd.DataFrame, max_auc_drop: float = 0.01,
                      p95_budget_ms: float = 1.0) -> None:
    """The chosen format keeps AUC within max_auc_drop of float32, meets the p95 budget, and is the smallest."""
    got = call_student(choose_format, table, max_auc_drop, p95_budget_ms, exercise=EDGE)
    if got not in table.index:
        raise ExerciseError(f"{EDGE}: return one of the table's row names {list(table.index)}, not {got!r}.")
    ok = _eligible(table, max_auc_drop, p95_budget_ms)
    row = table.loc[got]
    if got not in ok.index:
        why = ("its AUC is more than the allowed drop below float32" if table["AUC"].iloc[0] - row["AUC"] > max_auc_drop
               else "its 95th-percentile latency is over the budget")
        raise ExerciseError(f"{EDGE}: {got!r} is not acceptable: {why}. Filter on both constraints first.")
    if row["size KB"] > ok["size KB"].min():
        raise ExerciseError(f"{EDGE}: {got!r} meets the constraints, but a smaller acceptable format exists: "
                            "a device's storage and download are what quantization buys.")
    # a synthetic table where the smallest format is too slow: the constraints must bind
    trap = pd.DataFrame({"size KB": [100.0, 30.0, 20.0], "median ms": [0.1, 0.1, 5.0], "p95 ms": [0.2, 0.2, 9.0],
                         "AUC": [0.90, 0.895, 0.90]}, index=["f32", "int8", "tiny-slow"])
    if call_student(choose_format, trap, 0.01, 1.0, exercise=EDGE) != "int8":
        raise ExerciseError(f"{EDGE}: on a table where the smallest format misses the latency budget your function "
                            "did not pick the acceptable one: check latency and AUC before size.")
    passed(EDGE, f"{got}: {row['size KB']:.0f} KB, p95 {row['p95 ms']:.3f} ms, AUC {row['AUC']:.3f}")


def reference_edge_choice(table: pd.DataFrame, max_auc_drop: float = 0.01, p95_budget_ms: float = 1.0) -> str:
    """The smallest format within the AUC tolerance and the p95 budget (notebook 17)."""
    return str(_eligible(table, max_auc_drop, p95_budget_ms)["size KB"].idxmin())


@exercise_check(PSI, reference="course_lib.training.drift:psi")
def check_psi(psi) -> None:
    """PSI matches the library's on shifted, equal and sparse samples."""
    from course_lib.training.drift import psi as reference

    rng = np.random.default_rng(0)
    ref = rng.normal(size=2000)
    cases = {"a shifted sample": rng.normal(0.5, 1.2, size=1500), "an identical distribution": rng.normal(size=1500),
             "a sample that sits in one tail": rng.normal(3.0, 0.2, size=300)}
    for what, new in cases.items():
        got = float(call_student(psi, ref, new, exercise=PSI))
        want = reference(ref, new)
        if not np.isfinite(got):
            raise ExerciseError(f"{PSI}: PSI is not finite on {what}: floor the shares of empty bins at eps "
                                "before taking the logarithm.")
        if abs(got - want) > 1e-6 * max(1.0, want):
            hint = (" Bins must be the deciles of the REFERENCE sample (np.quantile of expected), and the sum is "
                    "(a - e) * ln(a / e) over bins of shares, not counts.")
            raise ExerciseError(f"{PSI}: on {what} you get {got:.4f}, expected {want:.4f}.{hint}")
    passed(PSI, f"shifted sample PSI {reference(ref, cases['a shifted sample']):.3f}")


@exercise_check(FEDAVG, reference="course_lib.training.federated:fedavg")
def check_fedavg(fedavg) -> None:
    """FedAvg weights each client's arrays by its number of patients, layer by layer."""
    from flwr.server.strategy.aggregate import aggregate

    rng = np.random.default_rng(0)
    clients = [[rng.normal(size=(3, 2)), rng.normal(size=2)] for _ in range(3)]
    sizes = [700, 250, 50]
    got = call_student(fedavg, clients, sizes, exercise=FEDAVG)
    want = aggregate(list(zip(clients, sizes, strict=True)))  # Flower's own FedAvg arithmetic
    if len(got) != len(want) or any(np.shape(g) != w.shape for g, w in zip(got, want, strict=False)):
        raise ExerciseError(f"{FEDAVG}: return one array per layer with the layer's shape "
                            f"({[w.shape for w in want]}), not {[np.shape(g) for g in got]}.")
    plain = [np.mean([c[i] for c in clients], axis=0) for i in range(2)]
    if all(np.allclose(g, p) for g, p in zip(got, plain, strict=True)):
        raise ExerciseError(f"{FEDAVG}: you took the plain mean over clients: a site with 50 patients then counts "
                            "as much as one with 700. Weight each client by its share of all patients.")
    if not all(np.allclose(g, w) for g, w in zip(got, want, strict=True)):
        raise ExerciseError(f"{FEDAVG}: your average differs from Flower's FedAvg: the weights must be n_k / sum(n).")
    passed(FEDAVG, "matches flwr.server.strategy.aggregate.aggregate")
