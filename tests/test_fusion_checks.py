"""Notebook 11's checkers accept the reference and explain the usual mistakes."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.models.fusion import cross_attention, late_average, late_stacking
from course_lib.models.graph import knn_edges


def test_references_pass(capsys):
    checks.check_late_average(late_average)
    checks.check_late_stacking(late_stacking)
    checks.check_cross_attention(cross_attention)
    checks.check_knn_edges(knn_edges)
    assert capsys.readouterr().out.count("✅") == 4


def test_not_done():
    def todo(*args, **kwargs):
        raise NotImplementedError()

    with pytest.raises(ExerciseNotDone):
        checks.check_late_average(todo)


@pytest.mark.parametrize("wrong, words", [
    (lambda probs, weights=None: np.column_stack(probs).mean(1), "ignore the weights"),
    (lambda probs, weights=None: np.column_stack(probs).sum(1) if weights is None
     else (np.column_stack(probs) * weights).sum(1), "divide"),
    (lambda probs, weights=None: np.average(np.column_stack(probs), axis=1, weights=weights), "NaN"),
])
def test_late_average_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_late_average(wrong)


def test_late_stacking_mistakes():
    def on_probs(tr, y, te):
        return LogisticRegression().fit(np.column_stack(tr), y).predict_proba(np.column_stack(te))[:, 1]

    def labels(tr, y, te):
        return (late_stacking(tr, y, te) > 0.5).astype(float)

    with pytest.raises(ExerciseError, match="logit"):
        checks.check_late_stacking(on_probs)
    with pytest.raises(ExerciseError, match="class labels"):
        checks.check_late_stacking(labels)


def test_cross_attention_mistakes():
    def unscaled(q, k, v, mask=None):
        w = (q @ k.transpose(1, 2)).softmax(-1)
        return w @ v, w

    def inverted(q, k, v, mask=None):
        return cross_attention(q, k, v, None if mask is None else ~mask)

    def zero_after(q, k, v, mask=None):
        w = (q @ k.transpose(1, 2) / q.shape[-1] ** 0.5).softmax(-1)
        if mask is not None:
            w = w.masked_fill(mask[:, None, :], 0.0)
        return w @ v, w

    for wrong, words in [(unscaled, "sqrt"), (inverted, "inverted"), (zero_after, "BEFORE")]:
        with pytest.raises(ExerciseError, match=words):
            checks.check_cross_attention(wrong)


def test_knn_mistakes():
    def self_loops(x, k):
        nbrs = torch.cdist(x, x).topk(k, dim=1, largest=False).indices
        return torch.stack([nbrs.reshape(-1), torch.arange(len(x)).repeat_interleave(k)])

    def reversed_(x, k):
        return knn_edges(x, k).flip(0)

    for wrong, words in [(self_loops, "self-loops"), (reversed_, "reversed")]:
        with pytest.raises(ExerciseError, match=words):
            checks.check_knn_edges(wrong)


def _missing_scenario():
    """Early fusion ranks best overall but hurts the patients without clinical data; late fusion is safe."""
    rng = np.random.default_rng(5)
    n = 600
    y = rng.random(n) < 0.3
    missing = rng.random(n) < 0.5
    xray = y + rng.normal(0, 0.8, n)
    late = np.where(missing, xray, y + rng.normal(0, 0.5, n))
    early = np.where(missing, y + rng.normal(0, 1.1, n), y + rng.normal(0, 0.05, n))
    scores = {"X-ray only": xray, "late fusion (average), NaN skipped": late, "early fusion, mean-imputed": early}
    return scores, y.astype(int), missing


def test_fusion_choice_reference_and_mistakes(monkeypatch, capsys):
    from sklearn.metrics import roc_auc_score

    from course_lib.training.fusion import choose_fusion_for_missing

    scores, y, missing = _missing_scenario()
    auc = {k: roc_auc_score(y, s) for k, s in scores.items()}
    assert auc["early fusion, mean-imputed"] > auc["late fusion (average), NaN skipped"] > auc["X-ray only"]
    assert choose_fusion_for_missing(scores, y, missing)[0] == "late fusion (average), NaN skipped"
    checks.check_fusion_choice(choose_fusion_for_missing, scores, y, missing)
    assert "✅" in capsys.readouterr().out

    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")

    def best_overall(s, yv, m):
        name = max(s, key=lambda k: roc_auc_score(yv, s[k]))
        return name, roc_auc_score(yv, s[name]), roc_auc_score(yv[m], s[name][m])

    def always_xray(s, yv, m):
        return "X-ray only", roc_auc_score(yv, s["X-ray only"]), roc_auc_score(yv[m], s["X-ray only"][m])

    def wrong_subgroup(s, yv, m):
        name = "late fusion (average), NaN skipped"
        return name, roc_auc_score(yv, s[name]), roc_auc_score(yv, s[name])

    for wrong, words in [(best_overall, "better off"), (always_xray, "ranks all patients better"),
                         (wrong_subgroup, "missing` patients only"), (lambda s, yv, m: "early", "triple")]:
        with pytest.raises(ExerciseError, match=words):
            checks.check_fusion_choice(wrong, scores, y, missing)
