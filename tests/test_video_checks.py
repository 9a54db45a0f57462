"""Notebook 10's checkers: accept the reference, explain planted mistakes, say "not done"."""

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from course_lib.checks import (
    ExerciseError,
    ExerciseNotDone,
    check_causal_conv1d,
    check_choose_fps,
    check_edit_score,
)
from course_lib.checks.video import reference_choose_fps
from course_lib.models.video import causal_conv1d
from course_lib.training.video import edit_score, fps_table


def not_done(*args):
    raise NotImplementedError


def test_causal_conv(capsys):
    assert check_causal_conv1d(causal_conv1d) is causal_conv1d
    assert "correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="future"):  # symmetric padding sees ahead
        check_causal_conv1d(lambda x, w, b, d: F.conv1d(x, w, b, dilation=d, padding=d))
    with pytest.raises(ExerciseError, match="delayed"):  # one dilation too much padding
        check_causal_conv1d(lambda x, w, b, d: F.conv1d(F.pad(x, (3 * d, 0)), w, b, dilation=d)[..., :x.shape[-1]])
    with pytest.raises(ExerciseError, match="expected"):  # no padding: shorter output
        check_causal_conv1d(lambda x, w, b, d: F.conv1d(x, w, b, dilation=d))
    with pytest.raises(ExerciseNotDone):
        check_causal_conv1d(not_done)


def test_edit_score():
    check_edit_score(edit_score)
    with pytest.raises(ExerciseError, match="ORDER"):  # frame-wise accuracy is not the edit score
        check_edit_score(lambda p, t: 100 * float(np.mean(np.asarray(p) == np.asarray(t))))
    with pytest.raises(ExerciseError, match="percent"):
        check_edit_score(lambda p, t: edit_score(p, t) / 100)
    with pytest.raises(ExerciseNotDone):
        check_edit_score(not_done)


def test_fallback_returns_the_reference(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "0")
    assert check_edit_score(not_done) is edit_score
    assert "not done" in capsys.readouterr().out


@pytest.fixture
def table():
    return fps_table({0.5: 0.80, 1.0: 0.90, 2.5: 0.905, 5.0: 0.93}, ms_per_frame=60)  # loads 3, 6, 15, 30 %


def test_choose_fps(table):
    assert reference_choose_fps(table, 25.0) == 1.0
    check_choose_fps(reference_choose_fps, table, budget=25.0)
    check_choose_fps(lambda t, b: 2.5 if b == 25.0 and t.loc[2.5, "cpu load (%)"] <= 25 else 1.0, table)
    with pytest.raises(ExerciseError, match="over the"):  # the most accurate, but too slow
        check_choose_fps(lambda t, b: float(t["accuracy"].idxmax()), table)
    with pytest.raises(ExerciseError, match="below the best"):  # the cheapest, but inaccurate
        check_choose_fps(lambda t, b: float(t.index.min()), table)
    with pytest.raises(ExerciseNotDone):
        check_choose_fps(not_done, table)
    assert isinstance(table, pd.DataFrame) and torch.is_tensor(torch.zeros(1))
