"""Notebook 08's checkers: accept right answers, explain the usual wrong ones."""

import numpy as np
import pandas as pd
import pytest

from course_lib.checks import (
    ExerciseError,
    ExerciseNotDone,
    check_alarm_threshold,
    check_forward_fill,
    check_news2,
)
from course_lib.preprocess.vitals import locf_mask_delta, news2
from course_lib.training.early_warning import choose_ward_threshold


def todo(*args, **kwargs):
    raise NotImplementedError()


def test_news2_reference_passes(capsys):
    check_news2(news2)
    assert "correct" in capsys.readouterr().out


def test_news2_not_done():
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_news2(todo)


def shifted_rr(hr, sbp, rr, spo2, temp, o2, conf):
    """Strict '<' at the RR edges: RR 20 scores 2 instead of 0."""
    rr_shift = np.where(np.asarray(rr) == 20, 21, rr)
    return news2(hr, sbp, rr_shift, spo2, temp, o2, conf)


@pytest.mark.parametrize(("wrong", "hint"), [
    (shifted_rr, "resp_rate = 20"),
    (lambda hr, sbp, rr, spo2, t, o2, c: news2(hr, sbp, rr, spo2, t, np.zeros_like(o2), c), "oxygen"),
    (lambda hr, sbp, rr, spo2, t, o2, c: news2(hr, sbp, rr, spo2, t, o2, np.zeros_like(c)), "confusion"),
    (lambda hr, sbp, rr, spo2, t, o2, c: news2(hr, sbp, rr, spo2, t, o2, c)[:5], "one score per row"),
])
def test_news2_wrong_answers_explained(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_news2(wrong)


def test_forward_fill_reference_and_not_done(capsys):
    check_forward_fill(locf_mask_delta)
    assert "correct" in capsys.readouterr().out
    with pytest.raises(ExerciseNotDone):
        check_forward_fill(todo)


def zero_fill(values):
    filled, mask, delta = locf_mask_delta(values)
    return np.nan_to_num(filled), mask, delta


def delta_from_previous(values):
    filled, mask, delta = locf_mask_delta(values)
    return filled, mask, delta + mask


def backfill(values):
    import pandas as pd

    filled, mask, delta = locf_mask_delta(values)
    back = np.stack([pd.DataFrame(v).bfill().to_numpy() for v in values])
    return back, mask, delta


@pytest.mark.parametrize(("wrong", "hint"), [
    (zero_fill, "nothing to carry forward"),
    (delta_from_previous, "delta is 0"),
    (backfill, "never fill from the future"),
    (lambda v: locf_mask_delta(v)[:2], "three arrays"),
    (lambda v: (locf_mask_delta(v)[0], 1 - locf_mask_delta(v)[1], locf_mask_delta(v)[2]), "mask"),
])
def test_forward_fill_wrong_answers_explained(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_forward_fill(wrong)


@pytest.fixture
def table():
    return pd.DataFrame({"alarms / patient-day": [4.0, 1.9, 1.0, 0.3], "septic detected": [1.0, 1.0, 0.9, 0.6],
                         "median lead time (h)": [9.0, 6.0, 3.0, 1.0]}, index=[0.1, 0.2, 0.3, 0.5])


def test_alarm_reference_passes(table, capsys):
    check_alarm_threshold(choose_ward_threshold, table, 2.0)
    assert "cut-off 0.2" in capsys.readouterr().out


@pytest.mark.parametrize(("cut", "hint"), [(0.1, "over the budget"), (0.3, "Spend the budget"),
                                           (0.25, "not one of the table"), ("x", "one cut-off")])
def test_alarm_wrong_answers_explained(table, cut, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_alarm_threshold(lambda t, b: cut, table, 2.0)


def test_alarm_not_done(table):
    with pytest.raises(ExerciseNotDone):
        check_alarm_threshold(todo, table, 2.0)


def test_fallback_returns_reference(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_STRICT_CHECKS")
    got = check_forward_fill(todo)
    assert got is locf_mask_delta and "not done" in capsys.readouterr().out
