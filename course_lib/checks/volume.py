"""Checkers for notebook 09's exercises: volume in mL, 3D Dice, choosing a model for volumetry."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

VOLUME = "Exercise 09.1 (volume in millilitres)"
DICE = "Exercise 09.2 (3D Dice)"
CHOICE = "Exercise 09.3 (2D or 3D for volumetry)"


def _ball(shape, centre, radius) -> np.ndarray:
    grid = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
    return sum((g - c) ** 2 for g, c in zip(grid, centre, strict=True)) <= radius ** 2


@exercise_check(VOLUME, reference="course_lib.preprocess.volume:volume_ml")
def check_volume_ml(volume_ml: Callable) -> None:
    """volume_ml(mask, spacing) on anisotropic grids, against voxel count x voxel volume / 1000."""
    cases = [(_ball((20, 20, 12), (10, 10, 6), 5), (0.7, 0.7, 2.5)),
             (np.ones((10, 10, 10), bool), (1.0, 1.0, 1.0)),
             (_ball((16, 16, 16), (8, 8, 8), 6).astype(np.uint8), (1.5, 1.2, 5.0))]
    for mask, spacing in cases:
        got = call_student(volume_ml, mask.copy(), spacing, exercise=VOLUME)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise ExerciseError(f"{VOLUME}: return one number (mL), not {type(got).__name__}.") from None
        n = int(np.count_nonzero(mask))
        want = n * float(np.prod(spacing)) / 1000
        if np.isclose(got, want, rtol=1e-6):
            continue
        if np.isclose(got, want * 1000, rtol=1e-6):
            raise ExerciseError(f"{VOLUME}: {got:.1f} is the volume in mm³; 1 mL = 1 cm³ = 1000 mm³.")
        if np.isclose(got, n, rtol=1e-6) or np.isclose(got, n / 1000, rtol=1e-6):
            raise ExerciseError(f"{VOLUME}: you counted voxels but ignored their size. A voxel is "
                                "spacing[0] x spacing[1] x spacing[2] mm³, and CT slices are often "
                                "thicker than the pixels are wide.")
        if np.isclose(got, n * spacing[0] * spacing[1] / 1000, rtol=1e-6):
            raise ExerciseError(f"{VOLUME}: you used the pixel area but not the slice spacing (z).")
        raise ExerciseError(f"{VOLUME}: for {n} voxels of {spacing} mm you returned {got:.4g} mL, "
                            f"expected {want:.4g}. Volume = voxel count x voxel volume (mm³), in mL.")
    passed(VOLUME, "Voxel count x voxel volume, in mL, on anisotropic grids.")


@exercise_check(DICE, reference="course_lib.preprocess.volume:dice_3d")
def check_dice_3d(dice_3d: Callable) -> None:
    """dice_3d(pred, target) against MONAI's DiceMetric on overlapping, disjoint and empty volumes."""
    import torch
    from monai.metrics import DiceMetric

    shape = (24, 24, 16)
    a, b = _ball(shape, (10, 12, 8), 6), _ball(shape, (14, 12, 7), 5)
    cases = {"two overlapping balls": (a, b), "identical": (a, a), "disjoint": (a, _ball(shape, (2, 2, 2), 1)),
             "uint8 masks": (a.astype(np.uint8), b.astype(np.uint8))}
    metric = DiceMetric(include_background=True, reduction="none")
    for name, (p, t) in cases.items():
        got = call_student(dice_3d, p.copy(), t.copy(), exercise=DICE)
        want = float(metric(torch.as_tensor(p[None, None]).float(), torch.as_tensor(t[None, None]).float()))
        got = float(got)
        if np.isclose(got, want, atol=1e-6):
            continue
        inter, union = np.logical_and(p, t).sum(), np.logical_or(p, t).sum()
        if union and np.isclose(got, inter / union, atol=1e-6):
            raise ExerciseError(f"{DICE}: on {name} you returned the IoU (Jaccard), |P∩T| / |P∪T|. "
                                "Dice counts the overlap twice over the two sizes: 2|P∩T| / (|P| + |T|).")
        if np.isclose(got, want / 2, atol=1e-6):
            raise ExerciseError(f"{DICE}: half the right value on {name}: the overlap counts twice.")
        raise ExerciseError(f"{DICE}: on {name} you returned {got:.4f}, MONAI's DiceMetric says {want:.4f}.")
    empty = np.zeros(shape, bool)
    got = call_student(dice_3d, empty, empty.copy(), exercise=DICE)
    if not np.isclose(float(got), 1.0):
        raise ExerciseError(f"{DICE}: two empty masks (no nodule, none predicted) returned {got}; "
                            "that is a perfect answer: return 1.0 when both are empty.")
    passed(DICE, "Matches MONAI's DiceMetric; empty vs empty is 1.0.")


def _choice_tables(table: pd.DataFrame) -> list[pd.DataFrame]:
    """The measured table and a reshuffled one in which Dice and volume error disagree."""
    other = table.copy()
    names = list(other.index)
    errors = other["volume error (mL)"].to_numpy(float)
    dice = other["Dice"].to_numpy(float)
    order = np.argsort(errors)
    other["volume error (mL)"] = errors[np.roll(order, 1)][np.argsort(order)]  # a different best model
    other["Dice"] = dice
    other.index = names
    return [table, other]


@exercise_check(CHOICE, reference="course_lib.preprocess.volume:choose_for_volumetry")
def check_volumetry_choice(choose: Callable, table: pd.DataFrame) -> None:
    """choose(table) -> (model name, its volume error): the model for follow-up volumetry."""
    for t in _choice_tables(table):
        got = call_student(choose, t.copy(), exercise=CHOICE)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ExerciseError(f"{CHOICE}: return a pair (model name, the number that defends it), "
                                f"not {got!r}.")
        name, number = got
        errors = t["volume error (mL)"].astype(float)
        best = errors.idxmin()
        if name not in t.index:
            raise ExerciseError(f"{CHOICE}: {name!r} is not a row of the table ({list(t.index)}).")
        if name != best:
            by_dice = t["Dice"].astype(float).idxmax()
            hint = (" You picked the best Dice: Dice rewards overlap, but a follow-up decision "
                    "(has the nodule grown?) reads the volume, so rank by the volume error."
                    if name == by_dice else "")
            raise ExerciseError(f"{CHOICE}: on a table where {best!r} has the smallest volume error, "
                                f"you chose {name!r}.{hint} Read your choice off the table, don't write "
                                "a name in.")
        if not np.isclose(float(number), float(errors[best]), rtol=1e-6):
            raise ExerciseError(f"{CHOICE}: the number should be the chosen model's volume error "
                                f"({errors[best]:.3f} mL), not {number}.")
    passed(CHOICE, f"{table['volume error (mL)'].astype(float).idxmin()!r}: smallest volume error.")
