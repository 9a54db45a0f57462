"""Notebook 00's checker: accepts a right answer, explains wrong ones."""

import numpy as np
import pytest
from scipy.signal import find_peaks

from course_lib.checks import ExerciseError, ExerciseNotDone, check_heart_rate
from course_lib.datasets.bundled import load_bundled_ecg


@pytest.fixture(scope="module")
def lead_ii():
    ecg = load_bundled_ecg()
    return ecg["signal"][:, ecg["leads"].index("II")], ecg["fs"]


def good(lead, fs):
    peaks, _ = find_peaks(lead, height=0.5 * np.max(lead), distance=int(0.3 * fs))
    return 60 / np.median(np.diff(peaks) / fs)


def test_right_answer_passes(lead_ii, capsys):
    check_heart_rate(good, *lead_ii)
    assert "correct" in capsys.readouterr().out


def test_not_done_says_so(lead_ii):
    def todo(lead, fs):
        raise NotImplementedError()

    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_heart_rate(todo, *lead_ii)


@pytest.mark.parametrize(("factor", "hint"), [(2.0, "twice"), (0.5, "half"), (60.0, "units")])
def test_wrong_answers_get_hints(lead_ii, factor, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_heart_rate(lambda lead, fs: factor * good(lead, fs), *lead_ii)


def test_array_instead_of_number(lead_ii):
    with pytest.raises(ExerciseError, match="one number"):
        check_heart_rate(lambda lead, fs: np.array([60.0, 61.0]), *lead_ii)


def test_crash_is_reported(lead_ii):
    with pytest.raises(ExerciseError, match="ZeroDivisionError"):
        check_heart_rate(lambda lead, fs: 1 / 0, *lead_ii)


def test_every_listed_checker_loads():
    from course_lib import checks

    for name in checks.__all__:
        assert callable(getattr(checks, name)), name
    with pytest.raises(AttributeError):
        checks.no_such_checker  # noqa: B018


def test_threshold_for_sensitivity_is_the_highest_cut_off():
    from course_lib.training.metrics import alarm_cost, threshold_for_sensitivity

    y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    p = np.array([0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.2, 0.1])
    assert threshold_for_sensitivity(y, p, 0.75) == 0.6  # catches 3 of 4 positives
    assert threshold_for_sensitivity(y, p, 1.0) == 0.3
    cost = alarm_cost(y, p, 0.6)
    assert cost["sensitivity"] == 0.75 and cost["specificity"] == 0.75
    assert cost["false alarms per 100 patients"] == 12.5
    with pytest.raises(ValueError, match="target sensitivity"):
        threshold_for_sensitivity(y, p, 1.5)
    with pytest.raises(ValueError, match="no positive"):
        threshold_for_sensitivity(np.zeros(3), np.ones(3))


def test_screening_checker_accepts_the_reference_and_explains_mistakes():
    from course_lib.checks import check_screening_threshold
    from course_lib.training.metrics import threshold_for_sensitivity

    check_screening_threshold(threshold_for_sensitivity)
    with pytest.raises(ExerciseError, match="HIGHEST cut-off"):
        check_screening_threshold(lambda y, p, t: 0.0)
    with pytest.raises(ExerciseError, match="catches only"):
        check_screening_threshold(lambda y, p, t: 0.99)
