"""Notebook 17's checkers accept the reference, name the common mistakes, and say 'not done' for a stub."""

import numpy as np
import pandas as pd
import pytest

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.checks.deploy import reference_edge_choice
from course_lib.training.drift import psi
from course_lib.training.federated import fedavg

TABLE = pd.DataFrame({"size KB": [280.0, 76.0, 75.0, 281.0], "median ms": [0.03, 0.05, 0.05, 0.01],
                      "p95 ms": [0.04, 0.06, 2.5, 0.01], "AUC": [0.839, 0.838, 0.836, 0.839]},
                     index=["float32", "int8", "pruned + int8 (slow)", "ONNX"])


@pytest.fixture(autouse=True)
def strict(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")


def _todo(*args, **kwargs):
    raise NotImplementedError


def test_references_pass(capsys):
    checks.check_edge_choice(reference_edge_choice, TABLE)
    checks.check_psi(psi)
    checks.check_fedavg(fedavg)
    assert capsys.readouterr().out.count("✅") == 3


@pytest.mark.parametrize("check", [checks.check_psi, checks.check_fedavg])
def test_stubs_are_not_done(check):
    with pytest.raises(ExerciseNotDone):
        check(_todo)


def test_edge_stub_not_done():
    with pytest.raises(ExerciseNotDone):
        checks.check_edge_choice(_todo, TABLE)


def test_edge_mistakes_are_named():
    with pytest.raises(ExerciseError, match="latency"):  # smallest, ignoring the budget
        checks.check_edge_choice(lambda t, d, b: str(t["size KB"].idxmin()), TABLE)
    with pytest.raises(ExerciseError, match="smaller acceptable"):  # always float32
        checks.check_edge_choice(lambda t, d, b: "float32", TABLE)
    with pytest.raises(ExerciseError, match="row names"):
        checks.check_edge_choice(lambda t, d, b: 1, TABLE)


def test_psi_mistakes_are_named():
    def no_floor(expected, actual, bins=10, eps=1e-4):
        edges = np.quantile(expected, np.linspace(0, 1, bins + 1)[1:-1])
        e = np.bincount(np.searchsorted(edges, expected, side="right"), minlength=bins) / len(expected)
        a = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=bins) / len(actual)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum((a - e) * np.log(a / e)))

    with pytest.raises(ExerciseError, match="eps"):
        checks.check_psi(no_floor)

    def actual_bins(expected, actual, bins=10, eps=1e-4):  # deciles of the wrong sample
        return psi(actual, expected, bins, eps)

    with pytest.raises(ExerciseError, match="REFERENCE"):
        checks.check_psi(actual_bins)


def test_fedavg_mistakes_are_named():
    with pytest.raises(ExerciseError, match="plain mean"):
        checks.check_fedavg(lambda ws, ns: [np.mean([w[i] for w in ws], axis=0) for i in range(len(ws[0]))])
    with pytest.raises(ExerciseError, match="shape"):
        checks.check_fedavg(lambda ws, ns: [np.concatenate([w[0].ravel() for w in ws])])
    with pytest.raises(ExerciseError, match="differs"):
        checks.check_fedavg(lambda ws, ns: [sum(n * w[i] for n, w in zip(ns, ws, strict=True)) for i in range(2)])
