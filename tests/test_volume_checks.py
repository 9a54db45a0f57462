"""Notebook 09's checkers: accept right answers, explain the usual wrong ones, say 'not done'."""

import numpy as np
import pandas as pd
import pytest

from course_lib.checks import (
    ExerciseError,
    ExerciseNotDone,
    check_dice_3d,
    check_volume_ml,
    check_volumetry_choice,
)
from course_lib.preprocess.volume import choose_for_volumetry, dice_3d, volume_ml


def todo(*args):
    raise NotImplementedError()


TABLE = pd.DataFrame({"Dice": [0.70, 0.78, 0.85], "volume error (mL)": [0.9, 0.5, 0.6]},
                     index=["2D slice-by-slice", "2.5D (3 slices)", "3D U-Net"])


def test_references_pass(capsys):
    assert check_volume_ml(volume_ml) is volume_ml
    assert check_dice_3d(dice_3d) is dice_3d
    assert check_volumetry_choice(choose_for_volumetry, TABLE) is choose_for_volumetry
    assert capsys.readouterr().out.count("correct") == 3


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda m, s: float(np.count_nonzero(m) * np.prod(s)), "mm³"),
    (lambda m, s: float(np.count_nonzero(m)), "ignored their size"),
    (lambda m, s: float(np.count_nonzero(m) * s[0] * s[1] / 1000), "slice spacing"),
])
def test_volume_wrong_answers_explained(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_volume_ml(wrong)


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda p, t: float((np.logical_and(p, t).sum()) / max(np.logical_or(p, t).sum(), 1)), "IoU"),
    (lambda p, t: float(np.logical_and(p, t).sum() / (p.astype(bool).sum() + t.astype(bool).sum()) or 1.0), "twice"),
    (lambda p, t: 0.0 if not (np.asarray(p).any() or np.asarray(t).any()) else dice_3d(p, t), "both are empty"),
])
def test_dice_wrong_answers_explained(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_dice_3d(wrong)


def test_choice_by_dice_or_hardcoded_is_explained():
    with pytest.raises(ExerciseError, match="best Dice"):
        check_volumetry_choice(lambda t: (t["Dice"].idxmax(), float(t.loc[t["Dice"].idxmax(), "volume error (mL)"])),
                               TABLE)
    with pytest.raises(ExerciseError, match="don't write"):
        check_volumetry_choice(lambda t: ("2.5D (3 slices)", 0.5), TABLE)
    with pytest.raises(ExerciseError, match="number should be"):
        check_volumetry_choice(lambda t: (t["volume error (mL)"].idxmin(), 0.0), TABLE)


@pytest.mark.parametrize("checker", [check_volume_ml, check_dice_3d])
def test_not_done(checker):
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        checker(todo)


def test_choice_not_done():
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_volumetry_choice(todo, TABLE)


def test_fallback_to_reference_without_strict(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_STRICT_CHECKS")
    assert check_volume_ml(todo) is volume_ml
    assert "not done yet" in capsys.readouterr().out
