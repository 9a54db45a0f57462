"""Checkers for notebook 01: HU and windowing, a laterality-safe augmentation, a safe crop scale, patch tokens."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed
from course_lib.models.imaging import patchify
from course_lib.preprocess.augment import add_side_marker, marker_position
from course_lib.preprocess.imaging import WINDOW_PRESETS, to_hounsfield, window

EX_WINDOW = "Exercise 01.1 (HU and windowing)"
EX_PATCH = "Exercise 01.4 (patch tokens)"
EX_CROP = "Exercise 01.3 (how far a random crop may zoom)"
EX_AUG = "Exercise 01.2 (augmentation that keeps laterality)"


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, atol=1e-3))


def _explain_window(got: np.ndarray, raw, slope, intercept, level, width) -> str:
    """Name the usual mistake behind a wrong windowed image."""
    hu = to_hounsfield(raw, slope, intercept)
    want = window(hu, level, width)
    case = f"slope {slope:g}, intercept {intercept:g}, window L {level:g} / W {width:g}"
    if got.shape != want.shape:
        return f"on ({case}) the result has shape {got.shape}; it must keep the image's shape {want.shape}."
    if got.max() > 1.5 and _close(got / 255.0, want):
        return "you return 0..255 grey levels; return floats in [0, 1] (0 = black, 1 = white)."
    if _close(got, 1.0 - want):
        return ("the window maps the wrong end to black: low HU (air, −1000) must be black (0) "
                "and high HU (bone) white (1). Use (HU − (level − width/2)) / width.")
    if _close(got, window(np.asarray(raw, np.float32) * slope, level, width)):
        return "you forgot the intercept: HU = raw × RescaleSlope + RescaleIntercept."
    if _close(got, window(np.asarray(raw, np.float32) + intercept, level, width)):
        return "you forgot the slope: HU = raw × RescaleSlope + RescaleIntercept."
    if _close(got, window(np.asarray(raw, np.float32), level, width)):
        return "you window the raw stored values; convert to Hounsfield units first."
    if got.min() < -1e-3 or got.max() > 1 + 1e-3:
        return ("values fall outside [0, 1]: clip them (everything below the window is black, "
                "above it white), e.g. with np.clip.")
    for factor, words in [(0.5, "half"), (2.0, "twice")]:
        if _close(got, window(hu, level, width * factor)):
            return (f"your window is {words} as wide as asked: it spans level ± width/2, "
                    "i.e. [level − width/2, level + width/2].")
    return (f"on ({case}) your image differs from the reference by up to "
            f"{np.abs(got - want).max():.3f}; compare with course_lib.preprocess.imaging.window.")


@exercise_check(EX_WINDOW, reference="course_lib.preprocess.imaging:hu_window")
def check_hu_window(hu_window: Callable, ct: dict) -> None:
    """Check hu_window(raw, slope, intercept, level, width) on the real CT and a scanner with slope 2."""
    rng = np.random.default_rng(0)
    cases = [(ct["raw"], ct["slope"], ct["intercept"], *WINDOW_PRESETS[p])
             for p in ("lung", "mediastinum", "bone")]
    # A made-up scanner whose slope is not 1, so that forgetting the slope shows.
    cases.append((rng.integers(0, 1500, (16, 24)), 2.0, -1000.0, *WINDOW_PRESETS["mediastinum"]))
    for raw, slope, intercept, level, width in cases:
        got = call_student(hu_window, np.array(raw), slope, intercept, level, width, exercise=EX_WINDOW)
        got = np.asarray(got, dtype=np.float64) if got is not None else None
        if got is None:
            raise ExerciseError(f"{EX_WINDOW}: your function returns None; return the windowed image.")
        want = window(to_hounsfield(raw, slope, intercept), level, width)
        if not _close(got, want):
            raise ExerciseError(f"{EX_WINDOW}: " + _explain_window(got, raw, slope, intercept,
                                                                   level, width))
    passed(EX_WINDOW, "HU from the rescale tags, then level ± width/2 mapped to black..white.")


def _explain_patches(got: torch.Tensor, images: torch.Tensor, p: int) -> str:
    """Name the usual mistake behind wrong patch tokens."""
    B, C, H, W = images.shape
    want = patchify(images, p)
    N, D = want.shape[1:]
    if got.ndim != 3:
        return (f"expected a 3-D tensor (batch, tokens, values) = {tuple(want.shape)}, got shape "
                f"{tuple(got.shape)}. Flatten the grid of patches into one token axis.")
    if tuple(got.shape) == (B, D, N):
        return (f"shape {tuple(got.shape)} is (batch, values, tokens): transpose the last two axes "
                "(F.unfold returns values before tokens).")
    if tuple(got.shape) != tuple(want.shape):
        return f"expected shape (B, N, C·p·p) = {tuple(want.shape)}, got {tuple(got.shape)}."
    # Column-major: patches numbered down the columns first.
    grid = want.reshape(B, H // p, W // p, D).transpose(1, 2).reshape(B, N, D)
    if torch.allclose(got, grid):
        return ("patches are in the wrong order (column-major: top to bottom first). ViT reads "
                "patches row by row, like text: left to right, then the next row.")
    channels_last = images.permute(0, 2, 3, 1).reshape(B, H // p, p, W // p, p, C)
    channels_last = channels_last.permute(0, 1, 3, 2, 4, 5).reshape(B, N, D)
    if torch.allclose(got, channels_last):
        return ("each token is flattened as (p, p, C); flatten it as (C, p, p), the layout of "
                "the Conv2d patch embedding's weights (and of F.unfold).")
    if torch.allclose(got.sort(dim=-1).values, want.sort(dim=-1).values):
        return ("each token holds the right pixels in the wrong order: flatten a patch row by row "
                "(within each channel).")
    return "the tokens differ from the expected ones: print yours for a 4x4 image with patch size 2 and compare with the patch figure above."


@exercise_check(EX_PATCH, reference="course_lib.models.imaging:patchify")
def check_patchify(student_patchify: Callable) -> None:
    """Check student_patchify(images, patch_size) → (B, N, C*p*p), row-major, against the library."""
    g = torch.Generator().manual_seed(0)
    cases = [(torch.arange(2 * 8 * 12, dtype=torch.float32).reshape(2, 1, 8, 12), 4),
             (torch.rand(1, 3, 8, 8, generator=g), 2),
             (torch.rand(3, 1, 32, 32, generator=g), 8)]
    for images, p in cases:
        got = call_student(student_patchify, images.clone(), p, exercise=EX_PATCH)
        if not isinstance(got, torch.Tensor):
            raise ExerciseError(f"{EX_PATCH}: return a torch.Tensor, not {type(got).__name__}.")
        if got.shape != patchify(images, p).shape or not torch.allclose(got, patchify(images, p)):
            raise ExerciseError(f"{EX_PATCH}: on images of shape {tuple(images.shape)} with "
                                f"{p}-pixel patches, " + _explain_patches(got, images, p))
    passed(EX_PATCH, "row-major patch tokens, each flattened as (C, p, p), as in ViT.")


@exercise_check(EX_AUG, reference="course_lib.preprocess.augment:cxr_augment")
def check_augmentation(make_augment: Callable, xray: torch.Tensor, draws: int = 40) -> None:
    """Check make_augment() on a marked X-ray: it augments, keeps left/right and up/down, mild intensity."""
    transform = call_student(make_augment, exercise=EX_AUG)
    if not callable(transform):
        raise ExerciseError(f"{EX_AUG}: make_augment() must return a transform (e.g. v2.Compose).")
    marked = add_side_marker(xray)  # (1, H, W): bright "L" marker top right = patient's left
    torch.manual_seed(0)
    changed = 0
    for _ in range(draws):
        out = call_student(transform, marked.clone(), exercise=EX_AUG)
        if not isinstance(out, torch.Tensor) or out.shape != marked.shape:
            raise ExerciseError(f"{EX_AUG}: the transform must return a tensor of shape "
                                f"{tuple(marked.shape)}, got {getattr(out, 'shape', type(out))}.")
        row, col = marker_position(out)
        if col < 0.5:
            raise ExerciseError(f"{EX_AUG}: the side marker moved to the other side: your pipeline "
                                "flips left and right. On a chest X-ray that turns the heart to the "
                                "right (dextrocardia) and mislabels every lateral finding. Remove "
                                "RandomHorizontalFlip.")
        if row > 0.5:
            raise ExerciseError(f"{EX_AUG}: the marker moved to the bottom half: a vertical flip or "
                                "a large rotation. Keep rotations within about ±10°.")
        ratio = float(out.std() / marked.std())
        shift = abs(float(out.mean() - marked.mean()))
        if not 0.6 <= ratio <= 1.6 or shift > 0.15:
            raise ExerciseError(f"{EX_AUG}: an intensity change this strong (contrast ×{ratio:.2f}, "
                                f"brightness {shift:+.2f}) can hide or fake an opacity; keep "
                                "brightness/contrast changes within about ±20%.")
        changed += not torch.allclose(out, marked, atol=1e-4)
    if changed < draws // 2:
        raise ExerciseError(f"{EX_AUG}: only {changed} of {draws} draws changed the image; an "
                            "augmentation should vary small shifts, rotations or exposure.")
    passed(EX_AUG, f"{changed}/{draws} draws changed the image; the side marker never moved across.")


def _planted_crop_table():
    """A made-up table whose answer differs from the notebook's, so a hard-coded number fails."""
    import pandas as pd

    return pd.DataFrame({"effusion": [0.62, 0.91, 0.955, 0.99, 1.0], "heart": [0.97, 0.99, 1.0, 1.0, 1.0],
                         "consolidation": [0.7, 0.96, 0.97, 0.99, 1.0]},
                        index=pd.Index([0.1, 0.3, 0.5, 0.7, 0.9], name="scale_min"))


@exercise_check(EX_CROP, reference="course_lib.preprocess.augment:choose_crop_scale")
def check_crop_scale(choose_crop_scale: Callable, table) -> None:
    """Check the judgement on the notebook's table and on a planted one: safe for every finding, else strongest."""
    for name, tab in [("the table above", table), ("a second, made-up table", _planted_crop_table())]:
        got = call_student(choose_crop_scale, tab.copy(), 0.95, exercise=EX_CROP)
        if not isinstance(got, tuple) or len(got) != 2:
            raise ExerciseError(f"{EX_CROP}: return a pair (scale_min, the worst finding's share at that scale).")
        scale, share = float(got[0]), float(got[1])
        if scale not in tab.index:
            raise ExerciseError(f"{EX_CROP}: on {name} you return scale {scale:g}; choose one of the rows, "
                                f"{list(tab.index)}.")
        worst = tab.min(axis=1)
        if abs(share - worst[scale]) > 1e-9:
            raise ExerciseError(f"{EX_CROP}: on {name}, at scale {scale:g} the finding cut most often is "
                                f"{tab.loc[scale].idxmin()} (kept in {worst[scale]:.1%} of crops); you return "
                                f"{share:.1%}. Report the WORST finding's share: the rule must hold for every one.")
        if worst[scale] < 0.95:
            raise ExerciseError(f"{EX_CROP}: on {name}, scale {scale:g} keeps {tab.loc[scale].idxmin()} in only "
                                f"{worst[scale]:.1%} of crops: more than 1 crop in 20 would carry a label its image "
                                "no longer shows. Every finding must reach 95%.")
        safe = worst[worst >= 0.95]
        if scale > safe.index.min():
            raise ExerciseError(f"{EX_CROP}: on {name}, scale {scale:g} is safe, but so is the smaller "
                                f"{safe.index.min():g} (worst finding {safe.iloc[0]:.1%}): it augments more "
                                "strongly at no cost in wrong labels.")
    scale, share = choose_crop_scale(table.copy(), 0.95)
    passed(EX_CROP, f"RandomResizedCrop(scale=({scale:g}, 1)): every finding kept in ≥ {share:.1%} of crops; "
                    f"the smallest scale in the table, {table.index[0]:g}, would keep {table.iloc[0].idxmin()} "
                    f"in only {table.iloc[0].min():.1%}.")
