"""Notebook 15's checkers accept the reference, say "not done" for a stub and explain planted mistakes."""

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import ExerciseError, ExerciseNotDone
from course_lib.preprocess.triage import ktas_vitals_level
from course_lib.training.triage import choose_operating_point


@pytest.fixture(autouse=True)
def strict(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")


def test_references_pass(capsys):
    checks.check_ktas_vitals_level(ktas_vitals_level)
    checks.check_choose_operating_point(choose_operating_point)
    assert capsys.readouterr().out.count("✅") == 2


def test_not_done():
    def todo(*args, **kwargs):
        raise NotImplementedError()

    for check in (checks.check_ktas_vitals_level, checks.check_choose_operating_point):
        with pytest.raises(ExerciseNotDone):
            check(todo)


def _ktas_le(v):
    """SpO2 <= 90 counted as severe: the classic off-by-one at a cut-off."""
    hr, sbp, dbp, rr, spo2, temp = v
    if spo2 <= 90 or sbp < 80:
        return 1
    return ktas_vitals_level(v)


def _ktas_no_sirs(v):
    """Any fever 'looks septic': forgets the three SIRS criteria."""
    if v[5] >= 38 and ktas_vitals_level(v) == 3:
        return 2
    return ktas_vitals_level(v)


@pytest.mark.parametrize("wrong, words", [
    (_ktas_le, "SpO2 exactly 90%"),
    (_ktas_no_sirs, "looks unwell"),
    (lambda v: "level 2", "one integer"),
])
def test_ktas_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_ktas_vitals_level(wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda p, c, m=0.05: float(np.sort(np.asarray(p)[np.asarray(c, bool)])[-1]), "more than the"),
    (lambda p, c, m=0.05: float(np.min(p)), "HIGHEST cut-off"),
    (lambda p, c, m=0.05: None, "one number"),
])
def test_operating_point_mistakes(wrong, words):
    with pytest.raises(ExerciseError, match=words):
        checks.check_choose_operating_point(wrong)


def test_registered():
    assert checks.check_ktas_vitals_level.exercise.startswith("Exercise 15.1")
    assert checks.check_choose_operating_point.exercise.startswith("Exercise 15.2")
