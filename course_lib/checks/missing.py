"""Checkers for notebook 12's exercises: modality dropout, masked mean, choosing a strategy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

# torch, pandas and the references are imported inside the checks: `import checks` stays light.

DROPOUT = "Exercise 12.1 (modality dropout)"
MEAN = "Exercise 12.2 (masked mean over available modalities)"
CHOICE = "Exercise 12.3 (choose a strategy for 40% missing X-rays)"


@exercise_check(DROPOUT, reference="course_lib.training.missing:drop_modalities")
def check_drop_modalities(drop_modalities: Callable) -> None:
    """Check drop_modalities(available, p, rng): drop rates, only present ones, never all of a patient's."""
    n = 20000
    available = np.ones((n, 3), dtype=bool)
    available[: n // 4, 1] = False  # a quarter of the patients never had labs
    got = call_student(drop_modalities, available.copy(), [0.5, 0.3, 0.0], np.random.default_rng(0),
                       exercise=DROPOUT)
    got = np.asarray(got)
    if got.shape != available.shape or got.dtype != bool:
        raise ExerciseError(f"{DROPOUT}: return a boolean array shaped like `available` {available.shape}; "
                            f"you return {got.dtype} {got.shape}.")
    if (got & ~available).any():
        raise ExerciseError(f"{DROPOUT}: you make a modality available that the patient never had. Dropout "
                            "can only remove: combine your random draw with `available`.")
    if not got.any(1).all():
        raise ExerciseError(f"{DROPOUT}: {int((~got.any(1)).sum())} patients are left with no modality at all. "
                            "Where every present modality was dropped, keep one of them.")
    if not got[:, 2].all():
        raise ExerciseError(f"{DROPOUT}: with p = 0 for the third modality, none of it may be dropped.")
    rate = 1 - got[:, 0].mean()
    if not 0.42 <= rate <= 0.55:
        raise ExerciseError(f"{DROPOUT}: with p = 0.5 you drop the first modality for {rate:.0%} of patients; "
                            "expected about 50% (a little less: some are kept so no patient has nothing). "
                            "Draw one uniform number per patient and modality and drop where it is below p.")
    same = call_student(drop_modalities, available.copy(), 0.5, np.random.default_rng(0), exercise=DROPOUT)
    again = call_student(drop_modalities, available.copy(), 0.5, np.random.default_rng(0), exercise=DROPOUT)
    if not np.asarray(same).any(1).all():
        raise ExerciseError(f"{DROPOUT}: with p = 0.5 for every modality, {int((~np.asarray(same).any(1)).sum())} "
                            "patients are left with no modality at all. Where every present modality was "
                            "dropped, keep one of them.")
    if not np.array_equal(np.asarray(same), np.asarray(again)):
        raise ExerciseError(f"{DROPOUT}: two calls with the same seeded `rng` differ. Draw every random number "
                            "from the `rng` argument (not np.random or torch).")
    passed(DROPOUT, f"X-ray dropped for {rate:.1%} of patients at p = 0.5; nobody is left with nothing.")


@exercise_check(MEAN, reference="course_lib.models.missing:masked_mean")
def check_masked_mean(masked_mean: Callable) -> None:
    """Check masked_mean(values (B, M, D), available (B, M)) -> (B, D)."""
    import torch

    from course_lib.models.missing import masked_mean as ref

    gen = torch.Generator().manual_seed(12)
    values = torch.randn(6, 3, 4, generator=gen)
    available = torch.tensor([[1, 1, 1], [1, 0, 1], [0, 0, 1], [1, 0, 0], [0, 1, 1], [0, 0, 0]], dtype=torch.bool)
    got = call_student(masked_mean, values.clone(), available.clone(), exercise=MEAN)
    got = torch.as_tensor(got)
    if tuple(got.shape) != (6, 4):
        raise ExerciseError(f"{MEAN}: return one vector per patient, shape (6, 4); you return {tuple(got.shape)}. "
                            "Average over the modality axis (dim 1).")
    if torch.isnan(got).any():
        raise ExerciseError(f"{MEAN}: a patient with no modality gives NaN (0 / 0). Clamp the count of "
                            "available modalities to at least 1, so that patient gets zeros.")
    want = ref(values, available)
    if torch.allclose(got, want, atol=1e-5):
        passed(MEAN, "absent modalities get no weight; a patient with none gets zeros.")
        return
    if torch.allclose(got[:5], values[:5].mean(1), atol=1e-5):
        hint = "you average over all modalities, present or not: zero the absent ones and divide by the present count."
    elif torch.allclose(got[:5], (values * available[..., None]).sum(1)[:5] / 3, atol=1e-5):
        hint = "you divide by the number of modalities (3), not by the number present for that patient."
    else:
        hint = "compute sum_m a_m * v_m / sum_m a_m for each patient, with a_m = 1 where modality m is present."
    raise ExerciseError(f"{MEAN}: {hint}")


@exercise_check(CHOICE, reference="course_lib.training.missing:choose_strategy")
def check_choose_strategy(choose_strategy: Callable, curves) -> None:
    """Check the judgement: a choice close to the best at 40% missing X-rays and on complete patients."""
    got = call_student(choose_strategy, curves.copy(), exercise=CHOICE)
    if got not in curves.index:
        raise ExerciseError(f"{CHOICE}: return one of the strategy names {list(curves.index)}; you return {got!r}.")
    at40, at0 = curves[0.4], curves[0.0]
    if at40[got] < at40.max() - 0.01:
        raise ExerciseError(f"{CHOICE}: '{got}' reaches AUC {at40[got]:.3f} at 40% missing, but "
                            f"'{at40.idxmax()}' reaches {at40.max():.3f}. Read the 0.4 column of the curves.")
    if at0[got] < at0.max() - 0.015:
        raise ExerciseError(f"{CHOICE}: '{got}' is good at 40% missing but costs {at0.max() - at0[got]:.3f} AUC on "
                            "patients who do have an X-ray (the 0.0 column). Most patients still have one: "
                            "choose a strategy that is good at both.")
    passed(CHOICE, f"'{got}': AUC {at40[got]:.3f} at 40% missing X-rays (best {at40.max():.3f}), "
                   f"{at0[got]:.3f} with every X-ray.")
