"""Checkers for notebook 11's exercises: late fusion, a strategy for missing labs, cross-attention, kNN patient graph."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.checks._core import ExerciseError, call_student, exercise_check, passed

# torch, torch_geometric and the references are imported inside the checks: `import checks` stays light.

AVERAGE = "Exercise 11.1 (late fusion by averaging)"
STACKING = "Exercise 11.2 (late fusion by logistic stacking)"
ATTENTION = "Exercise 11.4 (cross-attention block)"
KNN = "Exercise 11.5 (kNN patient-similarity graph)"


def _as_array(got, exercise: str, n: int) -> np.ndarray:
    got = np.asarray(got, dtype=float)
    if got.shape == (n, 2):
        raise ExerciseError(f"{exercise}: you return shape {got.shape}: both columns of predict_proba. "
                            "Keep the probability of the positive class: predict_proba(X)[:, 1].")
    if got.shape != (n,):
        raise ExerciseError(f"{exercise}: return one probability per patient, shape ({n},); you return "
                            f"shape {got.shape}.")
    return got


@exercise_check(AVERAGE, reference="course_lib.models.fusion:late_average")
def check_late_average(late_average: Callable) -> None:
    """Check late_average(probs, weights=None): (weighted) mean of probabilities, NaN = missing modality."""
    from course_lib.models.fusion import late_average as ref_late_average
    from course_lib.models.fusion import logit

    rng = np.random.default_rng(11)
    p_img, p_cli, p_txt = rng.uniform(0.02, 0.98, (3, 40))
    cases = [("two modalities, equal weights", [p_img, p_cli], None),
             ("three modalities, weights [2, 1, 1]", [p_img, p_cli, p_txt], [2.0, 1.0, 1.0])]
    for case, probs, weights in cases:
        got = _as_array(call_student(late_average, [p.copy() for p in probs], weights, exercise=AVERAGE),
                        AVERAGE, 40)
        want = ref_late_average(probs, weights)
        if np.allclose(got, want, atol=1e-6):
            continue
        w = np.ones(len(probs)) if weights is None else np.asarray(weights)
        P = np.column_stack(probs)
        if np.allclose(got, (P * w).sum(1), atol=1e-6):
            hint = "you sum the weighted probabilities but do not divide by the sum of the weights."
        elif weights is not None and np.allclose(got, P.mean(1), atol=1e-6):
            hint = "you ignore the weights: multiply each modality's probability by its weight."
        elif np.allclose(got, 1 / (1 + np.exp(-(logit(P) * w).sum(1) / w.sum())), atol=1e-6):
            hint = ("you average logits, not probabilities. That is a valid fusion rule too, but this "
                    "exercise asks for the mean of the probabilities.")
        else:
            hint = "compute sum_m w_m * p_m / sum_m w_m for each patient."
        raise ExerciseError(f"{AVERAGE}: with {case}, {hint}")
    missing = p_cli.copy()
    missing[::4] = np.nan  # the clinical data of every 4th patient is missing
    got = _as_array(call_student(late_average, [p_img.copy(), missing], None, exercise=AVERAGE), AVERAGE, 40)
    if np.isnan(got).any():
        raise ExerciseError(f"{AVERAGE}: when one modality is missing (NaN) your average is NaN. A missing "
                            "modality must drop out: average only the modalities that are present "
                            "(e.g. np.nansum and count the non-NaN weights).")
    if not np.allclose(got, ref_late_average([p_img, missing]), atol=1e-6):
        raise ExerciseError(f"{AVERAGE}: with a missing modality (NaN), average the modalities present; "
                            "a patient with only the X-ray gets the X-ray's probability, not half of it.")
    passed(AVERAGE, "Weighted, and a missing modality simply drops out: late fusion's robustness.")


@exercise_check(STACKING, reference="course_lib.models.fusion:late_stacking")
def check_late_stacking(late_stacking: Callable) -> None:
    """Check late_stacking(train_probs, y_train, test_probs) against a logistic stacker on logits."""
    from course_lib.models.fusion import late_stacking as ref_late_stacking

    rng = np.random.default_rng(12)
    y = rng.integers(0, 2, 400)
    strong = 1 / (1 + np.exp(-(2.5 * (2 * y - 1) + rng.normal(0, 1.5, 400))))
    weak = 1 / (1 + np.exp(-(0.8 * (2 * y - 1) + rng.normal(0, 1.5, 400))))
    train = [strong[:300], weak[:300]]
    test = [strong[300:], weak[300:]]
    got = call_student(late_stacking, [p.copy() for p in train], y[:300].copy(), [p.copy() for p in test],
                       exercise=STACKING)
    got = _as_array(got, STACKING, 100)
    want = ref_late_stacking(train, y[:300], test)
    if np.allclose(got, want, atol=0.02):
        passed(STACKING, "The stacker learned how much to trust each modality from held-out predictions.")
        return
    from sklearn.linear_model import LogisticRegression

    on_probs = LogisticRegression().fit(np.column_stack(train), y[:300]).predict_proba(
        np.column_stack(test))[:, 1]
    if set(np.unique(got)) <= {0.0, 1.0}:
        hint = "you return class labels (0/1). Return probabilities: predict_proba(X)[:, 1]."
    elif np.allclose(got, on_probs, atol=0.02):
        hint = ("you fit on the probabilities. Fit on their logits, log(p / (1 - p)) (use `logit`): "
                "a probability squeezes confident predictions near 0 and 1, a logit keeps them apart "
                "and makes the stacker a weighted vote of evidence.")
    elif np.allclose(got, 1 - want, atol=0.02):
        hint = "your probabilities are for the wrong class: use predict_proba(X)[:, 1]."
    else:
        hint = ("fit LogisticRegression on the stacked logits of the TRAINING probabilities with y_train, "
                "then predict_proba on the stacked logits of the test probabilities.")
    raise ExerciseError(f"{STACKING}: {hint}")


@exercise_check(ATTENTION, reference="course_lib.models.fusion:cross_attention")
def check_cross_attention(cross_attention: Callable) -> None:
    """Check cross_attention(q, k, v, key_padding_mask) -> (out, weights): shapes, scaling, masking."""
    import torch

    from course_lib.models.fusion import cross_attention as ref_cross_attention

    torch.manual_seed(0)
    B, Nq, Nk, D, Dv = 2, 3, 5, 8, 4
    q, k, v = torch.randn(B, Nq, D), torch.randn(B, Nk, D), torch.randn(B, Nk, Dv)
    got = call_student(cross_attention, q.clone(), k.clone(), v.clone(), None, exercise=ATTENTION)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise ExerciseError(f"{ATTENTION}: return a pair (out, weights).")
    out, w = (torch.as_tensor(t) for t in got)
    if out.shape != (B, Nq, Dv):
        raise ExerciseError(f"{ATTENTION}: out has shape {tuple(out.shape)}, expected (B, Nq, Dv) = "
                            f"{(B, Nq, Dv)}: one output per QUERY, built from the values.")
    if w.shape != (B, Nq, Nk):
        hint = " It looks transposed: compute q @ k.transpose(1, 2)." if w.shape == (B, Nk, Nq) else ""
        raise ExerciseError(f"{ATTENTION}: weights have shape {tuple(w.shape)}, expected (B, Nq, Nk) = "
                            f"{(B, Nq, Nk)}: one weight per query and key.{hint}")
    want_out, want_w = ref_cross_attention(q, k, v)
    if not torch.allclose(w, want_w, atol=1e-5):
        raw = q @ k.transpose(1, 2)
        if torch.allclose(w, raw.softmax(-1), atol=1e-5):
            hint = "you forgot to divide the scores by sqrt(D): without it softmax saturates as D grows."
        elif torch.allclose(w, (raw / D ** 0.5).softmax(1), atol=1e-5):
            hint = "softmax runs over the wrong axis: each query's weights over the KEYS must sum to 1 (dim=-1)."
        else:
            hint = "weights = softmax(q @ k^T / sqrt(D)) over the keys (dim=-1)."
        raise ExerciseError(f"{ATTENTION}: {hint}")
    if not torch.allclose(out, want_out, atol=1e-5):
        raise ExerciseError(f"{ATTENTION}: the weights are right but out is not: out = weights @ v.")
    mask = torch.zeros(B, Nk, dtype=torch.bool)
    mask[0, 3:] = True  # e.g. patches outside the lungs, or a missing modality's tokens
    mask[1, :1] = True
    got = call_student(cross_attention, q.clone(), k.clone(), v.clone(), mask.clone(), exercise=ATTENTION)
    out, w = (torch.as_tensor(t) for t in got)
    want_out, want_w = ref_cross_attention(q, k, v, mask)
    if not torch.allclose(w, want_w, atol=1e-5):
        if torch.allclose(w, ref_cross_attention(q, k, v, ~mask)[1], atol=1e-5):
            hint = ("the mask is inverted: True means 'ignore this key' (as in torch's key_padding_mask), "
                    "so fill the scores where the mask is True with -inf.")
        elif (w[mask[:, None, :].expand_as(w)] != 0).any():
            hint = ("masked keys still get weight. Set their scores to -inf BEFORE the softmax: "
                    "scores.masked_fill(mask[:, None, :], float('-inf')).")
        elif not torch.allclose(w.sum(-1), torch.ones(B, Nq), atol=1e-5):
            hint = ("masked keys get weight 0 but each query's weights no longer sum to 1: you zeroed them "
                    "after the softmax. Fill the scores with -inf BEFORE the softmax instead.")
        else:
            hint = "mask the scores with -inf before the softmax; the mask (B, Nk) broadcasts over queries."
        raise ExerciseError(f"{ATTENTION}: with a key_padding_mask, {hint}")
    if not torch.allclose(out, want_out, atol=1e-5):
        raise ExerciseError(f"{ATTENTION}: with a mask the weights are right but out = weights @ v is not.")
    passed(ATTENTION, "Shapes (B, Nq, Dv) and (B, Nq, Nk), scaled by sqrt(D), masked keys get weight 0.")


def _edge_set(ei) -> set:
    import torch

    ei = torch.as_tensor(ei)
    return set(zip(ei[0].tolist(), ei[1].tolist(), strict=True))


@exercise_check(KNN, reference="course_lib.models.graph:knn_edges")
def check_knn_edges(knn_edges: Callable) -> None:
    """Check knn_edges(x, k) -> (2, N * k) edge_index, neighbour -> node, no self-loops."""
    import torch

    from course_lib.models.graph import knn_edges as ref_knn_edges

    torch.manual_seed(1)
    x, k = torch.randn(30, 5), 4
    got = torch.as_tensor(call_student(knn_edges, x.clone(), k, exercise=KNN))
    if got.shape != (2, 30 * k):
        hint = " It looks transposed: stack into (2, E), not (E, 2)." if got.shape == (30 * k, 2) else ""
        raise ExerciseError(f"{KNN}: edge_index has shape {tuple(got.shape)}, expected (2, N * k) = "
                            f"(2, {30 * k}).{hint}")
    edges, want = _edge_set(got), _edge_set(ref_knn_edges(x, k))
    if edges == want:
        passed(KNN, "Each patient receives messages from its k most similar patients.")
        return
    if any(a == b for a, b in edges):
        hint = ("there are self-loops: a node is its own nearest neighbour (distance 0). Set the diagonal "
                "of the distance matrix to inf before topk (GCNConv adds self-loops by itself).")
    elif edges == {(b, a) for a, b in want}:
        hint = ("the direction is reversed: torch_geometric sends messages from edge_index[0] (source) to "
                "edge_index[1] (target). Put the neighbours in row 0 and the node itself in row 1.")
    elif edges == _edge_set(_farthest(x, k)):
        hint = "you picked the k FARTHEST patients: use topk(k, largest=False) on distances."
    else:
        hint = ("use dist = torch.cdist(x, x), set its diagonal to inf, take "
                "dist.topk(k, dim=1, largest=False).indices as the neighbours of each node.")
    raise ExerciseError(f"{KNN}: {hint}")


def _farthest(x, k: int):
    import torch

    nbrs = torch.cdist(x, x).topk(k, dim=1).indices  # (N, k)
    return torch.stack([nbrs.reshape(-1), torch.arange(len(x)).repeat_interleave(k)])


CHOICE = "Exercise 11.3 (a strategy for an ED where half the patients have no labs yet)"


@exercise_check(CHOICE, reference="course_lib.training.fusion:choose_fusion_for_missing")
def check_fusion_choice(choose_fusion: Callable, val_scores: dict, y_val: np.ndarray, missing: np.ndarray) -> None:
    """Check the judgement: not below the X-ray alone without clinical data, then the best AUC over all."""
    from sklearn.metrics import roc_auc_score

    from course_lib.training.fusion import XRAY

    y_val, missing = np.asarray(y_val), np.asarray(missing, bool)
    got = call_student(choose_fusion, dict(val_scores), y_val.copy(), missing.copy(), exercise=CHOICE)
    if not isinstance(got, tuple) or len(got) != 3 or got[0] not in val_scores:
        raise ExerciseError(f"{CHOICE}: return a triple (strategy name, AUC over all, AUC without clinical data), "
                            f"the name one of {list(val_scores)}.")
    name = got[0]
    auc_all = {n: roc_auc_score(y_val, s) for n, s in val_scores.items()}
    auc_missing = {n: roc_auc_score(y_val[missing], np.asarray(s)[missing]) for n, s in val_scores.items()}
    if abs(float(got[1]) - auc_all[name]) > 1e-6 or abs(float(got[2]) - auc_missing[name]) > 1e-6:
        raise ExerciseError(f"{CHOICE}: for {name} the validation AUCs are {auc_all[name]:.4f} over all patients "
                            f"and {auc_missing[name]:.4f} on the patients without clinical data; you return "
                            f"{float(got[1]):.4f} and {float(got[2]):.4f}. Score the second on the `missing` "
                            "patients only.")
    floor = auc_missing[XRAY] - 0.01
    if auc_missing[name] < floor:
        raise ExerciseError(f"{CHOICE}: {name} scores the patients without clinical data at AUC "
                            f"{auc_missing[name]:.3f}, below the X-ray alone ({auc_missing[XRAY]:.3f}) by more "
                            "than 0.01: those patients would be better off if the clinical model did not exist. "
                            "Rule such strategies out first, however good their overall AUC.")
    allowed = [n for n in val_scores if auc_missing[n] >= floor]
    best = max(allowed, key=auc_all.get)
    if auc_all[best] > auc_all[name] + 1e-9:
        raise ExerciseError(f"{CHOICE}: {name} is safe for the patients without clinical data, but {best} is too "
                            f"and ranks all patients better (AUC {auc_all[best]:.3f} vs {auc_all[name]:.3f}).")
    passed(CHOICE, f"{name}: validation AUC {auc_all[name]:.3f} over all, {auc_missing[name]:.3f} without clinical "
                   f"data (X-ray alone {auc_missing[XRAY]:.3f}); ruled out: "
                   + (", ".join(n for n in val_scores if n not in allowed) or "none"))
