"""Checkers for notebook 04: level -> level-0 coordinates, gated attention pooling, patch size and magnification."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

EX_COORDS = "Exercise 04.1 (level coordinates to level 0)"
EX_ATTN = "Exercise 04.2 (gated attention pooling)"
EX_SETUP = "Exercise 04.3 (patch size and magnification)"

# What the judgement exercise asks of a patch set-up for lymph-node metastasis detection.
MIN_NUCLEUS_PX = 3.0  # a 7 um lymphocyte nucleus must span >= 3 px to show its shape
MIN_LESION_SHARE = 0.25  # a 0.2 mm micrometastasis must fill >= 25 % of a patch it sits in
MIN_FIELD_UM = 60.0  # a patch must show a group of cells, not one nucleus
MAX_PATCHES = 200_000  # patches per 100 mm2 of tissue that a CPU/GPU budget allows


@exercise_check(EX_COORDS, reference="course_lib.preprocess.pathology:level_to_level0")
def check_level_to_level0(level_to_level0: Callable) -> None:
    """Check level_to_level0(xy, downsample) on integer and real scanners' non-integer downsamples."""
    from course_lib.preprocess.pathology import level_to_level0 as ref

    rng = np.random.default_rng(0)
    xy = rng.integers(0, 3000, (20, 2))
    for ds in (4.0, 16.0, 4.000244, 63.99):  # Aperio files store downsamples like 4.000244
        got = np.asarray(call_student(level_to_level0, xy.copy(), ds, exercise=EX_COORDS))
        want = ref(xy, ds)
        if got.shape != want.shape:
            raise ExerciseError(f"{EX_COORDS}: return one (x, y) per input point, shape {want.shape}; "
                                f"you return {got.shape}.")
        if np.allclose(got, xy / ds, atol=1):
            raise ExerciseError(f"{EX_COORDS}: you divided by the downsample. A level-k pixel covers "
                                "`downsample` level-0 pixels, so level-0 coordinates are LARGER.")
        if not np.issubdtype(got.dtype, np.integer):
            raise ExerciseError(f"{EX_COORDS}: read_region wants integer level-0 pixels; round and convert "
                                "(np.round(...).astype(int)).")
        if not np.array_equal(got, want):
            worst = int(np.abs(got - want).max())
            hint = (" Truncating (astype(int) alone) drops the fraction: round first."
                    if np.array_equal(got, np.floor(xy * ds).astype(int)) else "")
            raise ExerciseError(f"{EX_COORDS}: with downsample {ds} your points are off by up to {worst} "
                                f"level-0 pixels.{hint}")
    passed(EX_COORDS, "read_region((x0, y0), level, size) always takes level-0 coordinates.")


@exercise_check(EX_ATTN, reference="course_lib.models.pathology:gated_attention_pool")
def check_gated_attention(gated_attention_pool: Callable) -> None:
    """Check gated_attention_pool(h, V, U, w, mask) against Ilse et al.'s equation 9."""
    import torch

    from course_lib.models.pathology import gated_attention_pool as ref

    g = torch.Generator().manual_seed(0)
    h, V, U = torch.randn(7, 5, generator=g), torch.randn(4, 5, generator=g), torch.randn(4, 5, generator=g)
    w = torch.randn(4, generator=g)
    mask = torch.tensor([True] * 5 + [False] * 2)
    for m in (None, mask):
        out = call_student(gated_attention_pool, h.clone(), V, U, w, m, exercise=EX_ATTN)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ExerciseError(f"{EX_ATTN}: return a tuple (a, z): the weights (N,) and the bag embedding (H,).")
        a, z = (torch.as_tensor(t).float() for t in out)
        a_ref, z_ref = ref(h, V, U, w, m)
        if a.shape != a_ref.shape or z.shape != z_ref.shape:
            raise ExerciseError(f"{EX_ATTN}: shapes a {tuple(a.shape)}, z {tuple(z.shape)}; expected "
                                f"{tuple(a_ref.shape)} and {tuple(z_ref.shape)}. One weight per patch; z is a "
                                "weighted sum over patches (dim 0).")
        if m is not None and a[~m].abs().max() > 1e-6:
            raise ExerciseError(f"{EX_ATTN}: padded patches (mask False) got weight {a[~m].max():.3f}; set "
                                "their scores to -inf before the softmax.")
        if not torch.allclose(a.sum(), torch.tensor(1.0), atol=1e-4):
            raise ExerciseError(f"{EX_ATTN}: the weights sum to {a.sum():.3f}; a softmax over the patches "
                                "makes them sum to 1.")
        if not torch.allclose(a, a_ref, atol=1e-5):
            ungated = torch.softmax(torch.tanh(h @ V.T) @ w if m is None else
                                    (torch.tanh(h @ V.T) @ w).masked_fill(~m, float("-inf")), 0)
            hint = ("these are the weights WITHOUT the gate: multiply tanh(V h) element-wise by sigmoid(U h)."
                    if torch.allclose(a, ungated, atol=1e-5) else
                    "score_k = w . (tanh(V h_k) * sigmoid(U h_k)); then softmax over k.")
            raise ExerciseError(f"{EX_ATTN}: the weights differ from Ilse et al.'s gated attention: {hint}")
        if not torch.allclose(z, z_ref, atol=1e-5):
            raise ExerciseError(f"{EX_ATTN}: the weights are right but z is not: z = sum_k a_k h_k (a @ h).")
    passed(EX_ATTN, "The weights are one softmax over the bag; padding gets none.")


@exercise_check(EX_SETUP, reference="course_lib.checks.pathology:reference_patch_setup")
def check_patch_setup(choose_patch_setup: Callable, table) -> None:
    """Judge a patch size and magnification for metastasis detection against the table's numbers."""
    choice = call_student(choose_patch_setup, table.copy(), exercise=EX_SETUP)
    if not isinstance(choice, dict) or not {"mpp", "patch_px", "reason"} <= set(choice):
        raise ExerciseError(f"{EX_SETUP}: return a dict with keys 'mpp', 'patch_px' and 'reason'.")
    row = table[(np.isclose(table["mpp"], float(choice["mpp"]))) & (table["patch_px"] == int(choice["patch_px"]))]
    if row.empty:
        raise ExerciseError(f"{EX_SETUP}: ({choice['mpp']} um/px, {choice['patch_px']} px) is not a row of the table.")
    r = row.iloc[0]
    if r["nucleus_px"] < MIN_NUCLEUS_PX:
        raise ExerciseError(f"{EX_SETUP}: at {r['mpp']} um/px a lymphocyte nucleus is {r['nucleus_px']:.1f} px: "
                            "too coarse to tell a tumour cell from a lymphocyte. Zoom in.")
    if r["field_um"] < MIN_FIELD_UM:
        raise ExerciseError(f"{EX_SETUP}: a {r['field_um']:.0f} um patch shows one or two cells; metastases are "
                            "recognised as groups of cells. Take a bigger field.")
    if r["lesion_share"] < MIN_LESION_SHARE:
        raise ExerciseError(f"{EX_SETUP}: a 0.2 mm micrometastasis fills only {r['lesion_share']:.0%} of a "
                            f"{r['field_um']:.0f} um patch: it is diluted among normal cells. Take a smaller field.")
    if r["patches"] > MAX_PATCHES:
        raise ExerciseError(f"{EX_SETUP}: {r['patches']:,} patches per 100 mm2 of tissue is beyond the budget "
                            f"({MAX_PATCHES:,}).")
    if not re.search(r"\d", str(choice["reason"])):
        raise ExerciseError(f"{EX_SETUP}: your set-up is sensible; now defend it in 'reason' with a number "
                            "from the table (field of view, nucleus size, lesion share or patch count).")
    passed(EX_SETUP, f"{r['magnification']}, {r['patch_px']} px: field {r['field_um']:.0f} um, nucleus "
                     f"{r['nucleus_px']:.0f} px, {r['patches']:,} patches per 100 mm2.")


def reference_patch_setup(table) -> dict:
    """One defensible choice: 20x (0.5 um/px), 256 px patches (notebook 04)."""
    return {"mpp": 0.5, "patch_px": 256,
            "reason": "a 128 um field shows cell groups, nuclei are 14 px, a 0.2 mm lesion fills the patch, "
                      "and 100 mm2 of tissue is ~6,100 patches"}
