"""Checkers for notebook 10's exercises: causal dilated convolution, edit score, sampling FPS."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import torch

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

CAUSAL = "Exercise 10.1 (causal dilated convolution)"
EDIT = "Exercise 10.2 (segmental edit score)"
FPS_CHOICE = "Exercise 10.3 (sampling FPS for the OR)"


@exercise_check(CAUSAL, reference="course_lib.models.video:causal_conv1d")
def check_causal_conv1d(causal_conv1d: Callable) -> None:
    """Same output as the reference, same length as the input, and blind to the future."""
    from course_lib.models.video import causal_conv1d as reference

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 5, 40, generator=gen)
    w, b = torch.randn(4, 5, 3, generator=gen), torch.randn(4, generator=gen)
    for d in (1, 4):
        got = call_student(causal_conv1d, x.clone(), w, b, d, exercise=CAUSAL)
        if not isinstance(got, torch.Tensor) or got.shape != (2, 4, 40):
            shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
            raise ExerciseError(f"{CAUSAL}: with dilation {d} the output is {shape}, expected (2, 4, 40): "
                                "one output per input frame. Pad (k - 1) * dilation zeros, on the left only.")
        future = x.clone()
        future[..., 25:] += 10 * torch.randn(2, 5, 15, generator=gen)
        later = call_student(causal_conv1d, future, w, b, d, exercise=CAUSAL)
        if not torch.allclose(got[..., :25], later[..., :25], atol=1e-5):
            first = int((got[..., :25] - later[..., :25]).abs().amax((0, 1)).gt(1e-5).nonzero()[0])
            raise ExerciseError(f"{CAUSAL}: changing frames 25+ changed your output at frame {first}: the "
                                "convolution looks into the future. Put all the padding on the left "
                                "(the past), none on the right.")
        want = reference(x, w, b, d)
        if not torch.allclose(got, want, atol=1e-4):
            shifted = torch.allclose(got[..., d:], want[..., :-d], atol=1e-4)
            hint = (" Your output is the right one delayed by `dilation` frames: pad (k - 1) * dilation, "
                    "not k * dilation." if shifted else
                    " Check that you pass dilation= to the convolution and add the bias once.")
            raise ExerciseError(f"{CAUSAL}: causal and the right length, but the values differ from a "
                                f"dilated convolution (dilation {d}).{hint}")
    passed(CAUSAL, "Same length as the input, and frame t sees only frames t, t - d, t - 2d.")


@exercise_check(EDIT, reference="course_lib.training.video:edit_score")
def check_edit_score(edit_score: Callable) -> None:
    """Known cases: identical, over-segmented, shifted boundary, missing and swapped segments."""
    from course_lib.training.video import edit_score as reference

    true = np.array([0] * 5 + [1] * 10 + [2] * 5 + [3] * 8)
    cases = {
        "identical sequences": true.copy(),
        "a late boundary (same segments)": np.r_[[0] * 7, [1] * 8, [2] * 5, [3] * 8],
        "one flicker inside a phase": np.r_[[0] * 5, [1] * 4, [3], [1] * 5, [2] * 5, [3] * 8],
        "a missing phase": np.r_[[0] * 5, [1] * 15, [3] * 8],
        "two phases swapped": np.r_[[0] * 5, [2] * 5, [1] * 10, [3] * 8],
    }
    for name, pred in cases.items():
        got = call_student(edit_score, pred.copy(), true.copy(), exercise=EDIT)
        want = reference(pred, true)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise ExerciseError(f"{EDIT}: return one number (0-100), not {type(got).__name__}.") from None
        if abs(got - want) < 1e-6:
            continue
        if abs(got - want / 100) < 1e-6:
            raise ExerciseError(f"{EDIT}: your score is a fraction; the field reports it in percent (0-100).")
        if name == "a late boundary (same segments)":
            raise ExerciseError(f"{EDIT}: for {name} you give {got:.1f}, expected 100: the edit score compares "
                                "the ORDER of segments, not frames. Collapse each sequence to its segment "
                                "labels first.")
        raise ExerciseError(f"{EDIT}: for {name} you give {got:.1f}, expected {want:.1f}. Count insertions, "
                            "deletions and substitutions between the two segment lists (Levenshtein), "
                            "divide by the longer list's length, and report 100 * (1 - that).")
    passed(EDIT, "It ignores when a boundary falls and punishes flicker, missing and swapped phases.")


def _acceptable(table: pd.DataFrame, budget: float, tolerance: float) -> set:
    ok = table[table["cpu load (%)"] <= budget]
    if ok.empty:
        return set()
    return set(ok.index[ok["accuracy"] >= ok["accuracy"].max() - tolerance])


@exercise_check(FPS_CHOICE, reference="course_lib.checks.video:reference_choose_fps")
def check_choose_fps(choose_fps: Callable, table: pd.DataFrame, budget: float = 25.0,
                     tolerance: float = 0.01) -> None:
    """Any rate that fits the CPU budget and is within `tolerance` of the best that fits is accepted."""
    other = table.copy()
    other["cpu load (%)"] = other["cpu load (%)"] * 4  # a slower OR computer
    for name, tab in [("the measured table", table), ("a 4x slower OR computer", other)]:
        got = call_student(choose_fps, tab.copy(), budget, exercise=FPS_CHOICE)
        good = _acceptable(tab, budget, tolerance)
        if not good:
            continue
        if got not in tab.index:
            raise ExerciseError(f"{FPS_CHOICE}: return one of the table's fps values {list(tab.index)}, "
                                f"not {got!r}.")
        row = tab.loc[got]
        if row["cpu load (%)"] > budget:
            raise ExerciseError(f"{FPS_CHOICE}: on {name}, {got} fps needs {row['cpu load (%)']:.0f}% of a "
                                f"core, over the {budget:.0f}% budget: the model would fall behind the "
                                "video. Keep only the rates that fit the budget.")
        if got not in good:
            raise ExerciseError(f"{FPS_CHOICE}: on {name}, {got} fps fits but its accuracy "
                                f"{row['accuracy']:.3f} is more than {tolerance} below the best rate "
                                "that fits. Among the rates that fit, prefer accuracy, then the cheaper.")
    passed(FPS_CHOICE, "Your rate fits the OR computer's budget without giving up accuracy.")


def reference_choose_fps(table: pd.DataFrame, budget: float, tolerance: float = 0.01) -> float:
    """The cheapest rate within `tolerance` of the best accuracy among rates that fit the budget."""
    good = _acceptable(table, budget, tolerance)
    return float(min(good)) if good else float(table["cpu load (%)"].idxmin())
