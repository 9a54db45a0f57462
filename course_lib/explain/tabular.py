"""Tabular explanations: the generator's true drivers, SHAP rankings, counterfactuals and contrastive cases (notebook 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from course_lib.synth.config import stream
from course_lib.synth.labs import make_serial_labs
from course_lib.synth.sites import get_site
from course_lib.synth.vitals import make_vitals

# The heart-rate terms of each condition in synth/patients.py (the true rate is drawn with the patient).
_HR_TERMS = {"pneumonia": 4.0, "sepsis": 22.0, "heart_failure": 12.0, "copd_asthma": 12.0, "acute_mi": 8.0}
_INFECTIONS = ("pneumonia", "sepsis")


def _without(state: pd.DataFrame, condition: str) -> pd.DataFrame:
    """The same patients with `condition` removed: severity 0, and what it caused undone."""
    cf = state.copy()
    sev = cf[f"{condition}_severity"].to_numpy(float)
    cf[condition] = False
    cf[f"{condition}_severity"] = 0.0
    infl = cf["inflammation"].to_numpy(float)
    new_infl = infl
    if condition in _INFECTIONS:
        # Inflammation follows the largest infection burden; with no other infection it is gone.
        others = [c for c in _INFECTIONS if c != condition]
        still = np.any([cf[c].to_numpy(bool) for c in others], axis=0) | (cf["other_infection"].astype(str) != "")
        new_infl = np.where(still, infl, 0.0)
    cf["inflammation"] = new_infl
    cf["heart_rate_true"] = cf["heart_rate_true"] - _HR_TERMS.get(condition, 0.0) * sev - 12 * (infl - new_infl)
    return cf


def intervention_effects(cohort, condition: str) -> pd.DataFrame:
    """The generator's truth: how much `condition` moves each vital and lab, in SD units (notebook 14).

    Regenerates the vitals and labs of the patients who have the condition with the SAME random
    draws but the condition removed (a counterfactual run of synth/vitals.py and synth/labs.py),
    and reports the mean shift per feature divided by the feature's SD in the cohort (labs on the
    log scale). A lab that is not drawn cannot drive a model, so the effect is also weighted by the
    share of these patients in whom it was measured ("visible effect"); rows are sorted by
    |visible effect|: the first row is the condition's top driver among what a model sees.
    """
    if condition not in cohort.condition_names:
        raise ValueError(f"unknown condition {condition!r}; choose one of {cohort.condition_names}")
    site = get_site(cohort.site)
    sick = cohort.state[condition].to_numpy(bool)
    if not sick.any():
        raise ValueError(f"no patient of this cohort has {condition}; use a larger cohort")

    def generate(state):
        vitals, _ = make_vitals(state, stream(cohort.seed, "vitals", site.index), cohort.config)
        labs, _ = make_serial_labs(state, vitals, stream(cohort.seed, "labs", site.index),
                                   stream(cohort.seed, "labs_repeat", site.index), cohort.config, site=site)
        return np.column_stack([vitals, np.log(labs)])

    # Labs are drawn only when ordered; compare values where both runs drew them.
    factual, counter = generate(cohort.state), generate(_without(cohort.state, condition))
    values = np.column_stack([cohort.vitals, np.log(cohort.labs)])
    sd = np.nanstd(values, axis=0)
    shift = np.nanmean((factual - counter)[sick], axis=0) / sd
    measured = (~np.isnan(values[sick])).mean(axis=0)
    names = [*cohort.vital_names, *[f"log {n}" for n in cohort.lab_names]]
    table = pd.DataFrame({"effect (SD)": shift, "measured in": measured, "visible effect (SD)": shift * measured},
                         index=names)
    return table.reindex(table["visible effect (SD)"].abs().sort_values(ascending=False).index)


def top_k_contains(ranking: list[str], truth: str, k: int = 3) -> bool:
    """Is the true driver among the first k names of a ranking? (notebook 14)"""
    return truth in list(ranking)[:k]


def shap_ranking(shap_values: np.ndarray, names: list[str]) -> pd.Series:
    """Mean |SHAP| per feature over patients, largest first (the beeswarm's order) (notebook 14)."""
    values = np.abs(np.asarray(shap_values)).mean(axis=0)
    return pd.Series(values, index=names).sort_values(ascending=False)


def counterfactual(predict_proba, x: np.ndarray, candidates: np.ndarray, names: list[str],
                   mutable: list[str], threshold: float = 0.5) -> pd.DataFrame:
    """The smallest single-feature changes that flip a prediction, within observed values (notebook 14).

    predict_proba maps (m, F) -> (m,) probabilities; x (F,) one patient (standardised features);
    candidates (m, F) real patients: a feature may only take values that some patient has (the
    plausibility constraint), and only `mutable` features may change (age or sex may not).
    Returns one row per feature that can flip the decision, smallest |change| first.
    """
    x = np.asarray(x, float)
    start = float(predict_proba(x[None])[0])
    above = start >= threshold
    rows = []
    for name in mutable:
        j = names.index(name)
        values = np.unique(candidates[:, j])
        trials = np.repeat(x[None], len(values), axis=0)
        trials[:, j] = values
        p = np.asarray(predict_proba(trials))
        flips = (p < threshold) if above else (p >= threshold)
        if flips.any():
            k = np.flatnonzero(flips)[np.argmin(np.abs(values[flips] - x[j]))]
            rows.append({"feature": name, "from": x[j], "to": values[k], "change (SD)": values[k] - x[j],
                         "probability after": p[k]})
    table = pd.DataFrame(rows, columns=["feature", "from", "to", "change (SD)", "probability after"])
    table.attrs["probability before"] = start
    return table.reindex(table["change (SD)"].abs().sort_values().index).reset_index(drop=True)


def nearest_contrast(X: np.ndarray, predicted: np.ndarray, i: int) -> int:
    """The most similar patient (Euclidean, standardised features) with the other predicted outcome (notebook 14)."""
    other = np.flatnonzero(predicted != predicted[i])
    if len(other) == 0:
        raise ValueError("every patient has the same predicted outcome: no contrastive case exists")
    return int(other[np.argmin(((X[other] - X[i]) ** 2).sum(axis=1))])


def rank_agreement(a: pd.Series, b: pd.Series) -> float:
    """Spearman rank correlation of two feature importances over the features they share (notebook 14)."""
    common = a.index.intersection(b.index)
    if len(common) < 3:
        raise ValueError(f"the rankings share {len(common)} features; need at least 3 to correlate")
    return float(spearmanr(a[common].abs(), b[common].abs()).statistic)
