"""Checkers for notebook 02's exercises: symmetric InfoNCE, Recall@K, prompt ensembling, operating point."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

# torch and the references are imported inside the checks: `import checks` stays light.

INFO_NCE = "Exercise 02.1 (symmetric InfoNCE)"
RECALL = "Exercise 02.2 (Recall@K)"
ENSEMBLE = "Exercise 02.3 (prompt ensembling)"
OPERATING = "Exercise 02.4 (a zero-shot operating point)"


def _info_nce_variants(img, txt, logit_scale):
    """Common mistakes, each computed, so a wrong answer can be named."""
    import torch
    import torch.nn.functional as F

    ni, nt = F.normalize(img, dim=-1), F.normalize(txt, dim=-1)
    s = min(math.exp(logit_scale), 100.0)
    y = torch.arange(len(img))

    def sym(logits):
        return float((F.cross_entropy(logits, y) + F.cross_entropy(logits.T, y)) / 2)

    return {
        "you compute only one direction (image→text). CLIP averages BOTH cross-entropies: over the rows "
        "(image→text) and over the columns (text→image), i.e. (CE(logits) + CE(logits.T)) / 2.":
            float(F.cross_entropy(s * ni @ nt.T, y)),
        "you add the two directions but do not divide by 2: average them.": 2 * sym(s * ni @ nt.T),
        "you divide the similarities by the logit scale. Multiply: logits = exp(logit_scale) * cos "
        "(the scale is 1 / temperature).": sym(ni @ nt.T / s),
        "you use logit_scale itself as the multiplier. It is the LOG of the inverse temperature: use "
        "exp(logit_scale), clamped at 100.": sym(logit_scale * ni @ nt.T),
        "you do not clamp the scale: CLIP caps exp(logit_scale) at 100 (torch.clamp(..., max=100)).":
            sym(math.exp(logit_scale) * ni @ nt.T),
        "you do not L2-normalise the embeddings: F.normalize(x, dim=-1) first, so the dot product is "
        "the cosine similarity.": sym(s * img @ txt.T),
    }


@exercise_check(INFO_NCE, reference="course_lib.training.losses:info_nce")
def check_info_nce(info_nce: Callable) -> None:
    """Check info_nce(image_emb, text_emb, logit_scale) against the library on random and edge-case inputs."""
    import torch

    from course_lib.training.losses import info_nce as ref

    g = torch.Generator().manual_seed(2)
    cases = [("random 8×16 embeddings, temperature 0.07", torch.randn(8, 16, generator=g),
              torch.randn(8, 16, generator=g), math.log(1 / 0.07)),
             ("embeddings of length 3 to 5 (not unit length), logit scale 0", 3 + 2 * torch.rand(6, 4, generator=g)
              * torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g) * 5, 0.0),
             ("a logit scale above log(100), which must be clamped", torch.randn(5, 8, generator=g),
              torch.randn(5, 8, generator=g), math.log(1000.0)),
             ("perfectly matched pairs (loss near 0)", torch.eye(4) * 2, torch.eye(4), math.log(100.0))]
    for case, img, txt, scale in cases:
        got = call_student(info_nce, img.clone(), txt.clone(), torch.tensor(scale), exercise=INFO_NCE)
        got_t = torch.as_tensor(got)
        if got_t.numel() != 1:
            raise ExerciseError(f"{INFO_NCE}: return one number (the mean loss over the batch), not a tensor "
                                f"of shape {tuple(got_t.shape)}. Did you forget the mean over pairs?")
        want = float(ref(img, txt, scale))
        if abs(float(got_t) - want) < 1e-4:
            continue
        hint = next((h for h, v in _info_nce_variants(img, txt, scale).items()
                     if abs(v - want) > 1e-4 and abs(float(got_t) - v) < 1e-4),
                    "compare with logits = exp(logit_scale) * normalised image @ normalised text.T and "
                    "cross-entropy towards the diagonal, in both directions.")
        raise ExerciseError(f"{INFO_NCE}: with {case} you return {float(got_t):.4f}, expected {want:.4f}: {hint}")
    scale = torch.tensor(math.log(1 / 0.07), requires_grad=True)
    loss = call_student(info_nce, torch.randn(4, 3, generator=g), torch.randn(4, 3, generator=g), scale,
                        exercise=INFO_NCE)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        raise ExerciseError(f"{INFO_NCE}: the loss must stay a torch tensor connected to the logit scale "
                            "(no .item(), no numpy), or the temperature cannot be learned.")
    passed(INFO_NCE, "Both directions, the scale as exp(log-scale) capped at 100, cosines on the unit sphere.")


@exercise_check(RECALL, reference="course_lib.training.retrieval:recall_at_k")
def check_recall_at_k(recall_at_k: Callable) -> None:
    """Check recall_at_k(sim, k) on hand-made and random (Q, G) matrices, match on the diagonal."""
    from course_lib.training.retrieval import recall_at_k as ref

    rng = np.random.default_rng(3)
    hand = np.array([[0.9, 0.1, 0.2], [0.8, 0.5, 0.1], [0.7, 0.9, 0.3]])
    cases = [("the 3×3 matrix [[.9,.1,.2],[.8,.5,.1],[.7,.9,.3]], k=1", hand, 1),
             ("the same matrix, k=2", hand, 2),
             ("a random 50×50 matrix, k=5", rng.normal(size=(50, 50)), 5),
             ("a 3×5 matrix (3 queries, 5 gallery items), k=2", rng.normal(size=(3, 5)), 2)]
    for case, sim, k in cases:
        got = call_student(recall_at_k, sim.copy(), k, exercise=RECALL)
        want = ref(sim, k)
        if np.isclose(float(got), want):
            continue
        if np.isclose(float(got), ref(sim.T, k)) and sim.shape[0] == sim.shape[1]:
            hint = "you rank the columns. Each ROW is a query: sort a row's scores, its match is column i."
        elif np.isclose(float(got), np.mean(np.argsort(sim, 1)[:, :k] == np.arange(len(sim))[:, None]) * 1):
            hint = ("you take the k LOWEST scores (argsort is ascending). Rank by decreasing "
                    "similarity.")
        elif float(got) > 1:
            hint = "you count hits; divide by the number of queries to get a fraction."
        else:
            hint = "for each query (row) i, is column i among the k highest scores? Return the fraction of hits."
        raise ExerciseError(f"{RECALL}: with {case} you return {got}, expected {want:.3f}: {hint}")
    passed(RECALL, f"Chance level is k / gallery size; on the 3×3 matrix R@1 = {ref(hand, 1):.2f}.")


@exercise_check(ENSEMBLE, reference="course_lib.models.clip:prompt_ensemble")
def check_prompt_ensemble(prompt_ensemble: Callable) -> None:
    """Check prompt_ensemble(text_emb) (K, D) → (D,): mean of the normalised prompts, renormalised."""
    import torch
    import torch.nn.functional as F

    from course_lib.models.clip import prompt_ensemble as ref

    g = torch.Generator().manual_seed(4)
    emb = torch.randn(4, 6, generator=g) * torch.tensor([[1.0], [5.0], [0.2], [2.0]])  # unequal lengths
    got = torch.as_tensor(call_student(prompt_ensemble, emb.clone(), exercise=ENSEMBLE)).float()
    want = ref(emb)
    if got.shape != want.shape:
        raise ExerciseError(f"{ENSEMBLE}: return one (D,) = {tuple(want.shape)} vector per class; you return "
                            f"shape {tuple(got.shape)}. Average over the prompts (dim=0).")
    if torch.allclose(got, want, atol=1e-5):
        passed(ENSEMBLE, "Each prompt votes equally, and the class vector is back on the unit sphere.")
        return
    mean_raw = emb.mean(0)
    if torch.allclose(got, F.normalize(mean_raw, dim=0), atol=1e-5):
        hint = ("you average the raw embeddings, so a long vector outvotes the others. Normalise each prompt "
                "first (F.normalize(text_emb, dim=-1)), then average.")
    elif torch.allclose(got, F.normalize(emb, dim=-1).mean(0), atol=1e-5):
        hint = ("you forgot to renormalise the average: a mean of unit vectors is shorter than 1. "
                "Apply F.normalize once more.")
    elif torch.allclose(got, mean_raw, atol=1e-5):
        hint = "normalise each prompt, average, then normalise the average again."
    else:
        hint = ("three steps, in this order: put each prompt on the unit sphere, average over the prompts, "
                "and put the average back on the unit sphere.")
    raise ExerciseError(f"{ENSEMBLE}: {hint}")


def _operating_case(seed: int):
    """Validation and test scores that differ, so a cut-off chosen on test gives itself away."""
    rng = np.random.default_rng(seed)
    y_val, y_test = rng.random(200) < 0.3, rng.random(300) < 0.3
    val = rng.normal(1.2 * y_val, 1.0)
    test = rng.normal(1.0 * y_test, 1.1)
    return val, y_val.astype(int), test, y_test.astype(int)


@exercise_check(OPERATING, reference="course_lib.training.metrics:operating_point")
def check_operating_point(operating_point: Callable) -> None:
    """Check the cut-off is chosen on validation for the sensitivity, and its test costs."""
    from course_lib.training.metrics import alarm_cost, threshold_for_sensitivity
    from course_lib.training.metrics import operating_point as ref

    for seed, target in ((0, 0.95), (1, 0.9)):
        val, y_val, test, y_test = _operating_case(seed)
        got = call_student(operating_point, val, y_val, test, y_test, sensitivity=target, exercise=OPERATING)
        want = ref(val, y_val, test, y_test, sensitivity=target)
        if not isinstance(got, dict) or not {"threshold", "false alarms per 100 patients"} <= set(got):
            raise ExerciseError(f"{OPERATING}: return a dict with at least 'threshold' and "
                                "'false alarms per 100 patients' (alarm_cost gives the test columns).")
        t = float(got["threshold"])
        if np.isclose(t, threshold_for_sensitivity(y_test, test, target)) and not np.isclose(t, want["threshold"]):
            raise ExerciseError(f"{OPERATING}: your cut-off is chosen on the TEST patients. Choose it on "
                                "validation only; the test set then tells you honestly what it costs.")
        sens_val = (val[y_val == 1] >= t).mean()
        if sens_val < target - 1e-9:
            raise ExerciseError(f"{OPERATING}: at your cut-off {t:.3f} the validation sensitivity is "
                                f"{sens_val:.3f}, below the target {target}. Lower the cut-off until at least "
                                f"{target:.0%} of the validation positives score at or above it.")
        if t < want["threshold"] - 1e-9:
            raise ExerciseError(f"{OPERATING}: your cut-off {t:.3f} reaches the sensitivity but is lower than "
                                "it needs to be: every step lower adds false alarms. Take the HIGHEST cut-off "
                                "that still keeps the target sensitivity on validation.")
        if not np.isclose(t, want["threshold"]):
            raise ExerciseError(f"{OPERATING}: expected the cut-off {want['threshold']:.3f}, got {t:.3f}.")
        cost = alarm_cost(y_test, test, t)["false alarms per 100 patients"]
        if not np.isclose(float(got["false alarms per 100 patients"]), cost):
            raise ExerciseError(f"{OPERATING}: false alarms per 100 patients should count TEST patients without "
                                f"the disease whose score is >= the cut-off, per 100 test patients: {cost:.1f}, "
                                f"got {float(got['false alarms per 100 patients']):.1f}.")
    passed(OPERATING, "Chosen on validation, judged on test: the honest price of 95% sensitivity.")
