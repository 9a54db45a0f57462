"""A check cell never stops Run All: it reports, and hands back the reference (issue 13)."""

import numpy as np
import pytest

from course_lib.checks import ExerciseError, ExerciseNotDone, check_late_average
from course_lib.checks._core import STATUS, exercise_check
from course_lib.models.fusion import late_average as reference


def not_done(probs, weights=None):
    raise NotImplementedError()


def wrong(probs, weights=None):
    return np.column_stack(probs).sum(1)  # forgets to divide


def test_strict_mode_raises(monkeypatch):
    with pytest.raises(ExerciseNotDone):
        check_late_average(not_done)
    with pytest.raises(ExerciseError):
        check_late_average(wrong)


@pytest.mark.parametrize("answer, status, mark", [(not_done, "not done", "⏳"), (wrong, "failed", "❌")])
def test_student_mode_reports_and_falls_back(monkeypatch, capsys, answer, status, mark):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "0")
    got = check_late_average(answer)
    out = capsys.readouterr().out
    assert got is reference, "later cells must get the library's reference"
    assert out.startswith(mark) and "Later cells use the reference `late_average` until you finish " \
                                    "Exercise 11.1" in out
    assert STATUS["Exercise 11.1 (late fusion by averaging)"][0] == status


def test_a_right_answer_comes_back_unchanged(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "0")
    assert check_late_average(reference) is reference
    assert "correct" in capsys.readouterr().out
    assert STATUS["Exercise 11.1 (late fusion by averaging)"] == ("passed", "")


def test_every_checker_names_an_importable_reference():
    from course_lib import checks
    from course_lib.checks._core import load_reference

    for name in checks.__all__:
        if name.startswith("check_"):
            checker = getattr(checks, name)
            assert checker.exercise.startswith("Exercise "), name
            assert callable(load_reference(checker.reference)), name


def test_decorator_keeps_the_checker_signature_and_doc():
    @exercise_check("Exercise 99.1 (demo)", reference="course_lib.models.fusion:late_average")
    def check_demo(answer, extra=1):
        """Check a demo."""

    assert check_demo.__doc__ == "Check a demo." and check_demo.__name__ == "check_demo"
