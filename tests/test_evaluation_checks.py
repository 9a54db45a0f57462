"""Notebook 13's checkers accept the reference and explain the usual mistakes."""

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.training.evaluation import (
    choose_rule_out,
    expected_calibration_error,
    rates_from_counts,
)


def rule_out_data():
    rng = np.random.default_rng(3)
    y = (rng.random(600) < 0.25).astype(int)
    good = 1 / (1 + np.exp(-(2.5 * (2 * y - 1) + rng.normal(0, 1.5, 600))))
    weak = 1 / (1 + np.exp(-(1.0 * (2 * y - 1) + rng.normal(0, 1.5, 600))))
    return {"weak": weak, "good": good}, y


def test_references_pass(capsys):
    checks.check_rates_from_counts(rates_from_counts)
    checks.check_ece(expected_calibration_error)
    checks.check_rule_out(choose_rule_out, *rule_out_data())
    assert capsys.readouterr().out.count("✅") == 3


def todo(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("checker, extra", [("check_rates_from_counts", ()), ("check_ece", ()),
                                            ("check_rule_out", rule_out_data())])
def test_not_done(checker, extra):
    with pytest.raises(ExerciseNotDone):
        getattr(checks, checker)(todo, *extra)


def test_rates_mistakes():
    def ppv_is_sensitivity(tp, fp, tn, fn):
        return {**rates_from_counts(tp, fp, tn, fn), "PPV": tp / (tp + fn)}

    with pytest.raises(ExerciseError, match="sensitivity as PPV"):
        checks.check_rates_from_counts(ppv_is_sensitivity)

    def spec_is_npv(tp, fp, tn, fn):
        return {**rates_from_counts(tp, fp, tn, fn), "specificity": tn / (tn + fn)}

    with pytest.raises(ExerciseError, match="NPV"):
        checks.check_rates_from_counts(spec_is_npv)
    with pytest.raises(ExerciseError, match="keys"):
        checks.check_rates_from_counts(lambda *c: {"sensitivity": 1.0})


def test_ece_mistakes():
    def unweighted(y, p, n_bins=10):
        bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
        return np.mean([abs(p[bins == b].mean() - y[bins == b].mean()) for b in np.unique(bins)])

    with pytest.raises(ExerciseError, match="share of the patients"):
        checks.check_ece(unweighted)
    with pytest.raises(ExerciseError, match="in-the-large"):
        checks.check_ece(lambda y, p, n_bins=10: abs(np.mean(p) - np.mean(y)))


def test_rule_out_mistakes():
    probs, y = rule_out_data()
    with pytest.raises(ExerciseError, match="95%"):
        checks.check_rule_out(lambda vp, yv: ("good", 0.9), probs, y)
    with pytest.raises(ExerciseError, match="another row"):
        checks.check_rule_out(lambda vp, yv: ("weak", 0.0), probs, y)
    with pytest.raises(ExerciseError, match="lower than it needs"):
        checks.check_rule_out(lambda vp, yv: ("good", 0.0), probs, y)
    with pytest.raises(ExerciseError, match="pair"):
        checks.check_rule_out(lambda vp, yv: "good", probs, y)


def test_fallback_returns_reference(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "0")
    got = checks.check_ece(todo)
    assert got is expected_calibration_error and "not done" in capsys.readouterr().out
