"""Evaluation beyond one AUC: prevalence, thresholds, paired tests, calibration, subgroups (notebook 13).

Reuses course_lib.training.metrics (binary_metrics, bootstrap_metrics, weighted_auc,
threshold_for_sensitivity); every function takes labels y (n,) 0/1 and scores p (n,).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from scipy import stats
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import roc_auc_score
from torch import nn

from course_lib.training.metrics import weighted_auc


def _labels(y) -> np.ndarray:
    y = np.asarray(y)
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0/1 (or bool)")
    return y.astype(bool)


# --- Metrics from a confusion matrix ------------------------------------------------------------

def confusion_counts(y, pred) -> dict[str, int]:
    """TP, FP, TN, FN of 0/1 predictions (notebook 13)."""
    y, pred = _labels(y), np.asarray(pred).astype(bool)
    return {"TP": int((y & pred).sum()), "FP": int((~y & pred).sum()),
            "TN": int((~y & ~pred).sum()), "FN": int((y & ~pred).sum())}


def rates_from_counts(tp: int, fp: int, tn: int, fn: int) -> dict[str, float]:
    """Sensitivity, specificity, PPV, NPV, accuracy and F1 from the four counts (notebook 13)."""
    if min(tp, fp, tn, fn) < 0:
        raise ValueError("counts must be non-negative")
    div = lambda a, b: a / b if b else float("nan")  # noqa: E731 (undefined rate: NaN, not a crash)
    return {"sensitivity": div(tp, tp + fn), "specificity": div(tn, tn + fp), "PPV": div(tp, tp + fp),
            "NPV": div(tn, tn + fn), "accuracy": div(tp + tn, tp + fp + tn + fn),
            "F1": div(2 * tp, 2 * tp + fp + fn)}


def dice_iou(pred_mask, true_mask) -> tuple[float, float]:
    """Dice = 2|A∩B|/(|A|+|B|) and IoU = |A∩B|/|A∪B| of two boolean masks (notebook 13)."""
    a, b = np.asarray(pred_mask, bool), np.asarray(true_mask, bool)
    if a.shape != b.shape:
        raise ValueError(f"masks differ in shape: {a.shape} vs {b.shape}")
    inter, total, union = (a & b).sum(), a.sum() + b.sum(), (a | b).sum()
    if union == 0:
        return 1.0, 1.0  # both empty: perfect agreement by convention
    return float(2 * inter / total), float(inter / union)


# --- Prevalence -------------------------------------------------------------------------------

def at_prevalence(sensitivity: float, specificity: float, prevalence: float) -> dict[str, float]:
    """PPV, NPV, accuracy and F1 of a test with fixed sensitivity/specificity at another prevalence (notebook 13)."""
    if not 0 < prevalence < 1:
        raise ValueError(f"prevalence must be in (0, 1), got {prevalence}")
    tp, fn = sensitivity * prevalence, (1 - sensitivity) * prevalence  # shares of all patients
    tn, fp = specificity * (1 - prevalence), (1 - specificity) * (1 - prevalence)
    return {"prevalence": prevalence, **{k: v for k, v in rates_from_counts(tp, fp, tn, fn).items()
                                         if k in ("PPV", "NPV", "accuracy", "F1")}}


def prevalence_weights(y, prevalence: float) -> np.ndarray:
    """Per-patient weights that make the weighted prevalence equal `prevalence` (notebook 13)."""
    y = _labels(y)
    return np.where(y, prevalence / y.mean(), (1 - prevalence) / (1 - y.mean()))


def shift_prevalence(p, from_prevalence: float, to_prevalence: float) -> np.ndarray:
    """Bayes' prior-shift correction of probabilities: add the change of prior log-odds (notebook 13)."""
    logit = lambda q: np.log(q / (1 - q))  # noqa: E731
    z = logit(np.clip(np.asarray(p, float), 1e-7, 1 - 1e-7))
    return 1 / (1 + np.exp(-(z + logit(to_prevalence) - logit(from_prevalence))))


# --- Thresholds and decision curves -------------------------------------------------------------

def youden_threshold(y, p) -> float:
    """The cut-off maximising Youden's J = sensitivity + specificity - 1 (notebook 13)."""
    y, p = _labels(y), np.asarray(p, float)
    cuts = np.unique(p)
    sens = np.array([(p[y] >= t).mean() for t in cuts])
    spec = np.array([(p[~y] < t).mean() for t in cuts])
    return float(cuts[np.argmax(sens + spec - 1)])


def cost_threshold(y, p, cost_fn: float, cost_fp: float, prevalence: float | None = None) -> float:
    """The cut-off with the lowest expected cost per patient, FN and FP priced (notebook 13)."""
    y, p = _labels(y), np.asarray(p, float)
    prev = y.mean() if prevalence is None else prevalence
    cuts = np.unique(p)
    cost = [cost_fn * prev * (p[y] < t).mean() + cost_fp * (1 - prev) * (p[~y] >= t).mean() for t in cuts]
    return float(cuts[int(np.argmin(cost))])


def net_benefit(y, p, thresholds, prevalence: float | None = None) -> np.ndarray:
    """Net benefit TP/n - FP/n · pt/(1-pt) at each threshold probability pt (Vickers & Elkin 2006) (notebook 13).

    With `prevalence`, patients are re-weighted to that prevalence (p must then be calibrated to it).
    """
    y, p = _labels(y), np.asarray(p, float)
    w = np.ones(len(y)) if prevalence is None else prevalence_weights(y, prevalence)
    w = w / w.sum()
    pt = np.asarray(thresholds, float)
    treat = p[None, :] >= pt[:, None]  # (T, n)
    return (treat & y) @ w - (treat & ~y) @ w * pt / (1 - pt)


def decision_curve(y, probs: dict[str, np.ndarray], thresholds, prevalence: float | None = None) -> pd.DataFrame:
    """Net benefit of each model, of treating all and of treating none, per threshold (notebook 13)."""
    y = _labels(y)
    pt = np.asarray(thresholds, float)
    prev = y.mean() if prevalence is None else prevalence
    curves = {name: net_benefit(y, p, pt, prevalence) for name, p in probs.items()}
    curves["treat all"] = prev - (1 - prev) * pt / (1 - pt)
    curves["treat none"] = np.zeros_like(pt)
    return pd.DataFrame(curves, index=pd.Index(pt, name="threshold probability"))


# --- Comparing two models on the same patients --------------------------------------------------

def _placements(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's structural components: V10 per positive, V01 per negative (ties count 1/2)."""
    pos, neg = p[y], p[~y]
    r_all = stats.rankdata(np.concatenate([pos, neg]))  # midranks handle ties
    v10 = (r_all[: len(pos)] - stats.rankdata(pos)) / len(neg)  # share of negatives below each positive
    v01 = 1 - (r_all[len(pos):] - stats.rankdata(neg)) / len(pos)  # share of positives above each negative
    return v10, v01


def delong_test(y, p1, p2) -> dict[str, float]:
    """DeLong, DeLong & Clarke-Pearson (1988) test of two correlated AUCs on the same patients (notebook 13)."""
    y = _labels(y)
    if y.all() or not y.any():
        raise ValueError("need positive and negative patients to compare AUCs")
    comps = [_placements(y, np.asarray(p, float)) for p in (p1, p2)]
    v10, v01 = np.array([c[0] for c in comps]), np.array([c[1] for c in comps])  # (2, m), (2, n)
    aucs = v10.mean(1)
    cov = np.cov(v10) / v10.shape[1] + np.cov(v01) / v01.shape[1]  # (2, 2)
    var = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    se = float(np.sqrt(max(var, 1e-300)))
    z = (aucs[0] - aucs[1]) / se
    return {"AUC 1": aucs[0], "AUC 2": aucs[1], "difference": aucs[0] - aucs[1], "SE": se, "z": z,
            "p": float(2 * stats.norm.sf(abs(z)))}


def paired_bootstrap_auc(y, p1, p2, n_boot: int = 2000, seed: int = 0) -> dict[str, float]:
    """AUC difference with a percentile 95% CI and a two-sided p, resampling patients (notebook 13)."""
    y = _labels(y)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(y), np.full(len(y), 1 / len(y)), size=n_boot).astype(float)  # (B, n)
    counts = counts[((counts @ y) > 0) & ((counts @ ~y) > 0)]
    diff = weighted_auc(y, np.asarray(p1, float), counts) - weighted_auc(y, np.asarray(p2, float), counts)
    # Two-sided p: how often the resampled difference falls on the other side of 0, doubled.
    tail = min((diff <= 0).sum(), (diff >= 0).sum())
    return {"difference": roc_auc_score(y, p1) - roc_auc_score(y, p2), "low": float(np.quantile(diff, 0.025)),
            "high": float(np.quantile(diff, 0.975)), "SE": float(diff.std(ddof=1)),
            "p": float(min(1.0, 2 * (tail + 1) / (len(diff) + 1)))}


def mcnemar_test(y, pred1, pred2) -> dict[str, float]:
    """Exact McNemar test of two classifiers' accuracy on the same patients (binomial on discordant pairs) (notebook 13)."""
    y = _labels(y)
    right1, right2 = np.asarray(pred1).astype(bool) == y, np.asarray(pred2).astype(bool) == y
    b, c = int((right1 & ~right2).sum()), int((~right1 & right2).sum())  # only discordant pairs inform
    p = 1.0 if b + c == 0 else stats.binomtest(b, b + c, 0.5).pvalue
    return {"only model 1 right": b, "only model 2 right": c, "p": float(p)}


def auc_sample_size(y, p1, p2, delta: float = 0.03, alpha: float = 0.05, power: float = 0.8) -> int:
    """Test patients needed to detect an AUC difference `delta`, scaling DeLong's variance as 1/n (notebook 13)."""
    se = delong_test(y, p1, p2)["SE"]
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return int(np.ceil(len(y) * (z * se / delta) ** 2))


# --- Calibration --------------------------------------------------------------------------------

def expected_calibration_error(y, p, n_bins: int = 10) -> float:
    """ECE with equal-width bins: sum over bins of (share of patients) x |mean p - observed rate| (notebook 13)."""
    y, p = _labels(y).astype(float), np.asarray(p, float)
    if ((p < 0) | (p > 1)).any():
        raise ValueError("p must be probabilities in [0, 1]")
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)  # p = 1.0 belongs to the last bin
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return float(total)


def reliability_table(y, p, n_bins: int = 10) -> pd.DataFrame:
    """Per equal-width bin: patients, mean predicted probability, observed rate (notebook 13)."""
    y, p = _labels(y).astype(float), np.asarray(p, float)
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    frame = pd.DataFrame({"bin": bins, "predicted": p, "observed": y})
    return frame.groupby("bin").agg(patients=("observed", "size"), predicted=("predicted", "mean"),
                                     observed=("observed", "mean"))


def fit_temperature(z, y) -> float:
    """Temperature T minimising the log-loss of sigmoid(z / T) on calibration patients (Guo et al. 2017) (notebook 13)."""
    z, y = np.asarray(z, float), _labels(y).astype(float)

    def nll(log_t):
        s = z / np.exp(log_t)
        return float(np.mean(np.logaddexp(0, s) - y * s))  # -log-likelihood of sigmoid(s), stable

    return float(np.exp(minimize_scalar(nll, bounds=(-4, 4), method="bounded").x))


class _Logits(ClassifierMixin, BaseEstimator):
    """A 'classifier' whose decision function is its one input column: lets sklearn calibrate saved logits."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X):
        return np.asarray(X, float)[:, 0]

    def predict(self, X):
        return (self.decision_function(X) > 0).astype(int)


def fit_calibrator(z_cal, y_cal, method: str):
    """A function logits -> calibrated probabilities, fitted on calibration patients (notebook 13).

    method: "temperature" (one scale, Guo et al. 2017), "platt" (scale and shift, Platt 1999) or
    "isotonic" (any monotone map, Zadrozny & Elkan 2002); scikit-learn's CalibratedClassifierCV.
    """
    names = {"temperature": "temperature", "platt": "sigmoid", "isotonic": "isotonic"}
    if method not in names:
        raise ValueError(f"method must be one of {sorted(names)}, got {method!r}")
    z_cal = np.asarray(z_cal, float)[:, None]
    calibrated = CalibratedClassifierCV(FrozenEstimator(_Logits().fit(z_cal, y_cal)), method=names[method])
    calibrated.fit(z_cal, _labels(y_cal).astype(int))
    return lambda z: calibrated.predict_proba(np.asarray(z, float)[:, None])[:, 1]


class SmoothedBCELoss(nn.Module):
    """BCE with label smoothing: targets y(1-eps) + eps/2, a regulariser of many training recipes (notebook 13)."""

    def __init__(self, eps: float = 0.2):
        super().__init__()
        self.eps = eps

    def forward(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(logits, y * (1 - self.eps) + self.eps / 2)


# --- Subgroups ----------------------------------------------------------------------------------

def subgroup_draws(y, p, groups, threshold: float, n_boot: int = 500, seed: int = 0) -> pd.DataFrame:
    """Bootstrap draws of AUC, sensitivity and specificity within each group, long format (notebook 13)."""
    y, p, groups = _labels(y), np.asarray(p, float), np.asarray(groups)
    rng, parts = np.random.default_rng(seed), []
    for g in sorted(pd.unique(groups)):  # sorted: age bands and sexes in reading order
        yg, pg = y[groups == g], p[groups == g]
        flag = pg >= threshold
        counts = rng.multinomial(len(yg), np.full(len(yg), 1 / len(yg)), size=n_boot).astype(float)
        counts = counts[((counts @ yg) > 0) & ((counts @ ~yg) > 0)]  # (B, n_g), both classes present
        for metric, draw in {"AUC": weighted_auc(yg, pg, counts),
                             "sensitivity": counts @ (yg & flag) / (counts @ yg),
                             "specificity": counts @ (~yg & ~flag) / (counts @ ~yg)}.items():
            parts.append(pd.DataFrame({"group": g, "metric": metric, "value": draw}))
    return pd.concat(parts, ignore_index=True)


def subgroup_table(y, p, groups, threshold: float, n_boot: int = 500, seed: int = 0) -> pd.DataFrame:
    """Per group: patients, positives, AUC, sensitivity, specificity with bootstrap 95% CIs (notebook 13)."""
    y, p, groups = _labels(y), np.asarray(p, float), np.asarray(groups)
    draws = subgroup_draws(y, p, groups, threshold, n_boot, seed)
    rows = {}
    for g in sorted(pd.unique(groups)):  # sorted: age bands and sexes in reading order
        yg, flag = y[groups == g], p[groups == g] >= threshold
        row = {"patients": len(yg), "positives": int(yg.sum())}
        point = {"AUC": roc_auc_score(yg, p[groups == g]), "sensitivity": flag[yg].mean(),
                 "specificity": (~flag[~yg]).mean()}
        for metric, value in point.items():
            d = draws.loc[(draws["group"] == g) & (draws["metric"] == metric), "value"]
            row[metric] = value
            row[f"{metric} 95% CI"] = f"[{d.quantile(0.025):.3f}, {d.quantile(0.975):.3f}]"
        rows[g] = row
    return pd.DataFrame(rows).T


def equal_opportunity_difference(y, pred, groups) -> float:
    """Largest gap in true-positive rate (sensitivity) between groups (Hardt et al. 2016) (notebook 13)."""
    y, pred, groups = _labels(y), np.asarray(pred).astype(bool), np.asarray(groups)
    tpr = [pred[(groups == g) & y].mean() for g in pd.unique(groups) if ((groups == g) & y).any()]
    return float(max(tpr) - min(tpr))


def min_subgroup_size(prevalence: float, sensitivity: float = 0.9, half_width: float = 0.05,
                      confidence: float = 0.95) -> int:
    """Patients a subgroup needs so that its sensitivity's Wald CI is ± half_width (notebook 13)."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    positives = z**2 * sensitivity * (1 - sensitivity) / half_width**2
    return int(np.ceil(positives / prevalence))


# --- External validation: one site shift at a time -----------------------------------------------

SHIFTS = ("population", "practice", "imaging", "concept")


def site_variant(site: str, keep: tuple[str, ...]):
    """Site `site` with only the shifts in `keep` switched on, the others at site A's defaults (notebook 13).

    The variant keeps the site's random streams, so it draws the same random numbers as the
    full site: the patients differ only through the shifts that are switched off.
    """
    from course_lib.synth.sites import get_site

    unknown = set(keep) - set(SHIFTS)
    if unknown:
        raise ValueError(f"unknown shifts {sorted(unknown)}: choose from {SHIFTS}")
    base = get_site(site)
    off = {part: type(getattr(base, part))() for part in SHIFTS if part not in keep}
    return replace(base, name=f"{site}[{'+'.join(keep) or 'no shift'}]", **off)


def variant_cohort(profile, n_patients: int, seed: int, image_size: int):
    """A cohort at a site profile built by site_variant, cached like any other (notebook 13)."""
    from course_lib.synth.cohort import make_cohort

    return make_cohort(n_patients, seed, image_size, site=profile)


def choose_rule_out(val_probs: dict[str, np.ndarray], y_val, sensitivity: float = 0.95) -> tuple[str, float]:
    """The model and cut-off for a rule-out test: target sensitivity on validation, most specific (notebook 13)."""
    from course_lib.training.metrics import threshold_for_sensitivity

    y_val = _labels(y_val)
    best = None
    for name, p in val_probs.items():
        t = threshold_for_sensitivity(y_val, p, sensitivity)
        spec = (np.asarray(p)[~y_val] < t).mean()
        if best is None or spec > best[2]:
            best = (name, t, spec)
    return best[0], float(best[1])
