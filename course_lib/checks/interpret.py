"""Checkers for notebook 14's exercises: the pointing game, Shapley values over modalities, choosing a method."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np
import pandas as pd

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

POINTING = "Exercise 14.1 (the pointing game)"
SHAPLEY = "Exercise 14.3 (exact Shapley values over modalities)"
CHOICE = "Exercise 14.2 (which map to show a radiologist)"
SANITY_LIMIT = 0.4  # as course_lib.explain.imaging.SANITY_LIMIT (kept here so `checks` need not import captum)


def _pointing_case(seed: int = 14):
    """Maps whose global maximum lies OUTSIDE the region on some films, masks inside it."""
    rng = np.random.default_rng(seed)
    B, H = 12, 16
    maps = rng.random((B, H, H))
    region = np.zeros((B, H, H), bool)
    region[:, 2:14, 2:14] = True
    masks = np.zeros((B, H, H), bool)
    for b in range(B):
        r, c = rng.integers(3, 10, 2)
        masks[b, r:r + 4, c:c + 4] = True
        if b % 2 == 0:
            maps[b, r + 1, c + 1] = 5.0  # a hit inside the mask
        if b % 3 == 0:
            maps[b, 0, 0] = 9.0  # an outside-the-lungs peak (a marker, a tube) that must be ignored
    return maps, masks, region


@exercise_check(POINTING, reference="course_lib.explain.attention:pointing_game")
def check_pointing_game(pointing_game: Callable) -> None:
    """Check pointing_game(saliency, masks, region): per film, is the peak inside the region in the mask?"""
    from course_lib.explain.attention import pointing_game as reference

    maps, masks, region = _pointing_case()
    got = np.asarray(call_student(pointing_game, maps.copy(), masks.copy(), region.copy(), exercise=POINTING))
    want = reference(maps, masks, region)
    if got.shape != want.shape:
        raise ExerciseError(f"{POINTING}: return one hit (True/False) per film, shape {want.shape}; you return "
                            f"shape {got.shape}. Take the argmax of each film separately.")
    if np.array_equal(got.astype(bool), want):
        passed(POINTING, f"{int(want.sum())} hits out of {len(want)} on the test films.")
        return
    if np.array_equal(got.astype(bool), reference(maps, masks)):
        raise ExerciseError(f"{POINTING}: your peaks can fall outside the lung field (a marker in the corner, "
                            "a tube): only look for the maximum where `region` is True, e.g. set the map to "
                            "-inf outside it first.")
    flat = maps.reshape(len(maps), -1)
    if np.array_equal(got.astype(bool), masks.reshape(len(maps), -1)[np.arange(len(maps)), flat.argmin(1)]):
        raise ExerciseError(f"{POINTING}: you take the minimum of the map: the game asks where the map is HIGHEST.")
    raise ExerciseError(f"{POINTING}: your hits differ from the expected ones on films "
                        f"{np.flatnonzero(got.astype(bool) != want).tolist()}. For each film: the index of the "
                        "largest value inside the region, then whether the mask is True there.")


def _game(players):
    """A 3-player cooperative game with interaction (X-ray and clinical are redundant, text adds)."""
    table = {(): 0.5, ("xray",): 0.80, ("clinical",): 0.72, ("text",): 0.60, ("clinical", "xray"): 0.86,
             ("text", "xray"): 0.83, ("clinical", "text"): 0.76, ("clinical", "text", "xray"): 0.88}
    return lambda S: table[tuple(sorted(S))]


@exercise_check(SHAPLEY, reference="course_lib.explain.modality:shapley_values")
def check_shapley_values(shapley_values: Callable) -> None:
    """Check shapley_values(value, players) on a small game with interactions."""
    from course_lib.explain.modality import shapley_values as reference

    players = ["xray", "clinical", "text"]
    value = _game(players)
    got = call_student(shapley_values, value, list(players), exercise=SHAPLEY)
    if not isinstance(got, dict) or set(got) != set(players):
        raise ExerciseError(f"{SHAPLEY}: return a dict with one value per player {players}; you return {got!r}.")
    got = {p: float(v) for p, v in got.items()}
    want = reference(value, players)
    total = value(frozenset(players)) - value(frozenset())
    if all(abs(got[p] - want[p]) < 1e-9 for p in players):
        passed(SHAPLEY, f"the values sum to {sum(got.values()):.3f} = v(all) - v(empty) = {total:.3f}.")
        return
    full = frozenset(players)
    loo = {p: value(full) - value(full - {p}) for p in players}
    alone = {p: value(frozenset({p})) - value(frozenset()) for p in players}
    banzhaf = {p: np.mean([value(frozenset(S) | {p}) - value(frozenset(S))
                           for k in range(len(players)) for S in combinations([q for q in players if q != p], k)])
               for p in players}
    for cand, hint in [
        (loo, "you compute only v(all) - v(all without i): average over ALL coalitions."),
        (alone, "you compute only v({i}) - v(empty): average over ALL coalitions."),
        (banzhaf, "every coalition gets the same weight (that is the Banzhaf value). Weight a "
         "coalition S of size k by k! (M - k - 1)! / M!."),
    ]:
        if all(abs(got[p] - cand[p]) < 1e-9 for p in players):
            raise ExerciseError(f"{SHAPLEY}: {hint}")
    raise ExerciseError(f"{SHAPLEY}: your values sum to {sum(got.values()):.4f}, Shapley values sum to "
                        f"v(all) - v(empty) = {total:.4f}. Check the coalition weights and that every "
                        "coalition without the player is visited once.")


@exercise_check(CHOICE, reference="course_lib.explain.imaging:choose_method")
def check_method_choice(choose_method: Callable, scores: pd.DataFrame, sanity: pd.Series) -> None:
    """Check the judgement: a method that passes the sanity check, the best by the metric named, the number right."""
    got = call_student(choose_method, scores.copy(), sanity.copy(), exercise=CHOICE)
    if not isinstance(got, tuple) or len(got) != 3:
        raise ExerciseError(f"{CHOICE}: return a triple (method, metric, value), e.g. ('Occlusion', 'IoU', 0.31).")
    method, metric, number = got
    if method not in scores.index or metric not in scores.columns:
        raise ExerciseError(f"{CHOICE}: the method must be one of {list(scores.index)} and the metric one of "
                            f"{list(scores.columns)}; you return {method!r}, {metric!r}.")
    if abs(float(number) - float(scores.loc[method, metric])) > 1e-6:
        raise ExerciseError(f"{CHOICE}: {method}'s {metric} is {scores.loc[method, metric]:.4f}, you quote "
                            f"{float(number):.4f}. Quote the number from the table.")
    if sanity.get(method, 0.0) > SANITY_LIMIT:
        raise ExerciseError(f"{CHOICE}: {method} scores well, but its map stays the same when the model's output "
                            f"layer is destroyed (rank correlation {sanity[method]:.2f} > {SANITY_LIMIT}): it shows "
                            "the film, not what the model learned. Rule out the methods that fail the sanity "
                            "check first.")
    allowed = [m for m in scores.index if sanity.get(m, 0.0) <= SANITY_LIMIT]
    best = scores.loc[allowed, metric].idxmax()
    if scores.loc[best, metric] > scores.loc[method, metric] + 1e-9:
        raise ExerciseError(f"{CHOICE}: by {metric}, {best} ({scores.loc[best, metric]:.3f}) beats {method} "
                            f"({scores.loc[method, metric]:.3f}) and also passes the sanity check.")
    passed(CHOICE, f"{method}, {metric} {float(number):.3f}; ruled out by the sanity check: "
                   + (", ".join(m for m in scores.index if m not in allowed) or "none") + ".")

