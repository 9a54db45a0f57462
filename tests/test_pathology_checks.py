"""Notebook 04's checkers: accept right answers, explain the usual wrong ones, say 'not done' for a stub."""

import numpy as np
import pytest
import torch

from course_lib.checks import (
    ExerciseError,
    ExerciseNotDone,
    check_gated_attention,
    check_level_to_level0,
    check_patch_setup,
)
from course_lib.checks.pathology import reference_patch_setup
from course_lib.models.pathology import gated_attention_pool
from course_lib.preprocess.pathology import level_to_level0, patch_setup_table


def todo(*args, **kwargs):
    raise NotImplementedError()


def test_level_to_level0(capsys):
    assert check_level_to_level0(level_to_level0) is level_to_level0
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda xy, ds: np.round(np.asarray(xy) / ds).astype(int), "divided"),
    (lambda xy, ds: np.asarray(xy) * ds, "integer"),
    (lambda xy, ds: (np.asarray(xy) * ds).astype(int), "round first"),
    (lambda xy, ds: np.asarray(xy)[:, :1], "shape"),
])
def test_level_to_level0_wrong(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_level_to_level0(wrong)


def test_not_done_messages():
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_level_to_level0(todo)
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_gated_attention(todo)
    with pytest.raises(ExerciseNotDone, match="not done yet"):
        check_patch_setup(todo, patch_setup_table())


def test_gated_attention_right(capsys):
    check_gated_attention(gated_attention_pool)
    assert "correct" in capsys.readouterr().out


def ungated(h, V, U, w, mask=None):
    s = torch.tanh(h @ V.T) @ w
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    a = torch.softmax(s, 0)
    return a, a @ h


def no_mask(h, V, U, w, mask=None):
    a = torch.softmax((torch.tanh(h @ V.T) * torch.sigmoid(h @ U.T)) @ w, 0)
    return a, a @ h


def wrong_z(h, V, U, w, mask=None):
    a, _ = gated_attention_pool(h, V, U, w, mask)
    return a, h.mean(0)


@pytest.mark.parametrize(("wrong", "hint"), [
    (ungated, "WITHOUT the gate"), (no_mask, "padded"), (wrong_z, "z is not"),
    (lambda h, V, U, w, mask=None: gated_attention_pool(h, V, U, w, mask)[0], "tuple"),
])
def test_gated_attention_wrong(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_gated_attention(wrong)


def test_patch_setup_judgement(capsys):
    table = patch_setup_table()
    check_patch_setup(reference_patch_setup, table)
    assert "correct" in capsys.readouterr().out
    check_patch_setup(lambda t: {"mpp": 1.0, "patch_px": 128, "reason": "128 um field"}, table)  # 10x is defensible too


@pytest.mark.parametrize(("choice", "hint"), [
    ({"mpp": 4.0, "patch_px": 128, "reason": "fast: 382 patches"}, "too coarse"),
    ({"mpp": 0.25, "patch_px": 128, "reason": "28 px nuclei"}, "one or two cells"),
    ({"mpp": 1.0, "patch_px": 512, "reason": "context 512 um"}, "diluted"),
    ({"mpp": 0.5, "patch_px": 256, "reason": "because it is usual"}, "with a number"),
    ({"mpp": 0.3, "patch_px": 256, "reason": "1"}, "not a row"),
    ({"mpp": 0.5}, "keys"),
])
def test_patch_setup_wrong(choice, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_patch_setup(lambda t: choice, patch_setup_table())


def test_failed_check_falls_back_to_the_reference(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "0")
    got = check_gated_attention(todo)
    assert got is gated_attention_pool and "not done yet" in capsys.readouterr().out
    assert check_patch_setup(todo, patch_setup_table()) is reference_patch_setup
