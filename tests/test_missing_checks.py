"""Notebook 12's checkers accept the reference and explain the usual mistakes."""

import numpy as np
import pandas as pd
import pytest
import torch

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.models.missing import masked_mean
from course_lib.training.missing import choose_strategy, drop_modalities

CURVES = pd.DataFrame({0.0: [0.95, 0.95, 0.96], 0.2: [0.80, 0.93, 0.94], 0.4: [0.65, 0.93, 0.935],
                       1.0: [0.5, 0.88, 0.86]}, index=["zero-fill", "dropout", "gated"])


def test_references_pass(capsys):
    checks.check_drop_modalities(drop_modalities)
    checks.check_masked_mean(masked_mean)
    checks.check_choose_strategy(choose_strategy, CURVES)
    assert capsys.readouterr().out.count("✅") == 3


def test_not_done():
    def todo(*args, **kwargs):
        raise NotImplementedError()

    for check, extra in [(checks.check_drop_modalities, ()), (checks.check_masked_mean, ()),
                         (checks.check_choose_strategy, (CURVES,))]:
        with pytest.raises(ExerciseNotDone):
            check(todo, *extra)


@pytest.mark.parametrize("wrong, words", [
    (lambda a, p, rng: a & (rng.random(a.shape) >= np.broadcast_to(p, (a.shape[1],))), "no modality at all"),
    (lambda a, p, rng: rng.random(a.shape) >= 0.0, "never had"),
    (lambda a, p, rng: drop_modalities(a, np.broadcast_to(p, (a.shape[1],)) * 0.2, rng), "expected about 50%"),
    (lambda a, p, rng: drop_modalities(a, p, np.random.default_rng()), "same seeded"),
])
def test_drop_modalities_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_drop_modalities(wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda v, a: v.mean(1), "all modalities"),
    (lambda v, a: (v * a[..., None]).sum(1) / 3, "number of modalities"),
    (lambda v, a: (v * a[..., None]).sum(1) / a.sum(1, keepdim=True), "NaN"),
    (lambda v, a: v.mean(2), "shape"),
])
def test_masked_mean_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_masked_mean(wrong)


def test_choose_strategy_mistakes():
    with pytest.raises(ExerciseError, match="0.4 column"):
        checks.check_choose_strategy(lambda c: "zero-fill", CURVES)
    with pytest.raises(ExerciseError, match="one of the strategy names"):
        checks.check_choose_strategy(lambda c: "magic", CURVES)
    costly = CURVES.copy()
    costly.loc["gated", 0.0] = 0.90
    with pytest.raises(ExerciseError, match="patients who do have an X-ray"):
        checks.check_choose_strategy(lambda c: "gated", costly)


def test_failed_check_returns_reference_when_not_strict(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_STRICT_CHECKS")
    got = checks.check_masked_mean(lambda v, a: v.mean(1))
    assert got is masked_mean or got.__name__ == "masked_mean"
    assert torch.allclose(got(torch.ones(2, 3, 1), torch.ones(2, 3, dtype=torch.bool)), torch.ones(2, 1))
