"""Notebook 02's checkers accept the reference and name the common mistakes."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.models.clip import prompt_ensemble
from course_lib.training.losses import info_nce
from course_lib.training.metrics import operating_point
from course_lib.training.retrieval import recall_at_k


def test_references_pass(capsys):
    checks.check_info_nce(info_nce)
    checks.check_recall_at_k(recall_at_k)
    checks.check_prompt_ensemble(prompt_ensemble)
    checks.check_operating_point(operating_point)
    assert capsys.readouterr().out.count("✅") == 4


def _sym(logits):
    y = torch.arange(len(logits))
    return (F.cross_entropy(logits, y) + F.cross_entropy(logits.T, y)) / 2


@pytest.mark.parametrize("wrong, hint", [
    (lambda i, t, s: F.cross_entropy(s.exp().clamp(max=100) * F.normalize(i, dim=-1) @ F.normalize(t, dim=-1).T,
                                     torch.arange(len(i))), "one direction"),
    (lambda i, t, s: _sym(F.normalize(i, dim=-1) @ F.normalize(t, dim=-1).T / s.exp().clamp(max=100)), "divide"),
    (lambda i, t, s: _sym(s.exp().clamp(max=100) * i @ t.T), "normalise"),
    (lambda i, t, s: _sym(s.exp() * F.normalize(i, dim=-1) @ F.normalize(t, dim=-1).T), "clamp"),
])
def test_info_nce_mistakes_are_named(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_info_nce(wrong)


def test_info_nce_not_done():
    def todo(i, t, s):
        raise NotImplementedError

    with pytest.raises(ExerciseNotDone):
        checks.check_info_nce(todo)
    assert math.isfinite(float(info_nce(torch.randn(3, 2), torch.randn(3, 2), 0.0)))


def test_recall_mistakes_are_named():
    with pytest.raises(ExerciseError, match="LOWEST"):
        checks.check_recall_at_k(lambda s, k: float(np.mean(np.argsort(s, 1)[:, :k] == np.arange(len(s))[:, None])
                                                      * s.shape[0] / len(s)))
    with pytest.raises(ExerciseError, match="fraction"):
        checks.check_recall_at_k(lambda s, k: float(np.sum(np.argsort(-s, 1)[:, :k] == np.arange(len(s))[:, None])))


def test_prompt_ensemble_mistakes_are_named():
    with pytest.raises(ExerciseError, match="raw embeddings"):
        checks.check_prompt_ensemble(lambda e: F.normalize(e.mean(0), dim=0))
    with pytest.raises(ExerciseError, match="renormalise"):
        checks.check_prompt_ensemble(lambda e: F.normalize(e, dim=-1).mean(0))
    with pytest.raises(ExerciseError, match=r"\(D,\)"):
        checks.check_prompt_ensemble(lambda e: F.normalize(e, dim=-1))


def _on_test(val, y_val, test, y_test, sensitivity=0.95):
    from course_lib.training.metrics import operating_point

    return operating_point(test, y_test, test, y_test, sensitivity)  # chooses on the test patients


def _too_low(val, y_val, test, y_test, sensitivity=0.95):
    from course_lib.training.metrics import operating_point

    out = operating_point(val, y_val, test, y_test, sensitivity)
    return {**out, "threshold": out["threshold"] - 0.5}


def _misses(val, y_val, test, y_test, sensitivity=0.95):
    from course_lib.training.metrics import operating_point

    return operating_point(val, y_val, test, y_test, sensitivity - 0.2)


@pytest.mark.parametrize("wrong, hint", [(_on_test, "TEST patients"), (_too_low, "HIGHEST"),
                                         (_misses, "below the target")])
def test_operating_point_mistakes_are_named(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_operating_point(wrong)
