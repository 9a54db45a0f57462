"""Admission labs: real units, log-normal spread, condition effects, missingness (notebook 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.config import CONDITIONS, CohortConfig

LAB_NAMES = ("wbc", "crp", "procalcitonin", "troponin", "bnp", "lactate", "creatinine", "d_dimer")
LAB_UNITS = ("10^9/L", "mg/L", "ng/mL", "ng/L", "pg/mL", "mmol/L", "mg/dL", "ng/mL FEU")
# Median in a well adult and the log-scale spread of each lab.
_NORMAL_MEDIAN = np.array([7.2, 2.5, 0.04, 4.0, 35.0, 1.1, 0.85, 300.0])
_LOG_SD = np.array([0.3, 1.1, 0.6, 0.6, 0.7, 0.25, 0.18, 0.55])
_DECIMALS = (1, 1, 2, 0, 0, 1, 2, 0)


def _log_effects(state: pd.DataFrame, rng, n: int) -> np.ndarray:
    """(n, 8) additive effects on log(lab) from demographics and conditions."""
    s = {c: state[f"{c}_severity"].to_numpy() for c in CONDITIONS}
    infl = state["inflammation"].to_numpy()
    has = {c: state[c].to_numpy() for c in ("acute_mi", "heart_failure", "atrial_fibrillation")}
    age = (state["age"].to_numpy() - 55) / 10
    female = state["sex"].to_numpy() == "F"
    stemi = state["mi_type"].to_numpy() == "STEMI"
    atypical = state["pneumonia_atypical"].to_numpy()
    bacterial = np.where(atypical, 0.3, 1.0)  # viral/atypical: little procalcitonin
    leukopenic = (s["sepsis"] > 0) & (rng.random(n) < 0.12)  # overwhelming sepsis: low WBC
    eff = np.zeros((n, 8))
    eff[:, 0] = 0.55 * infl * bacterial * np.where(leukopenic, -1.2, 1.0) + 0.12 * has["acute_mi"]
    eff[:, 1] = 2.6 * np.sqrt(infl) * (0.6 + 0.4 * bacterial) + 0.6 * s["heart_failure"]
    infected = (
        state["pneumonia"].to_numpy()
        | state["sepsis"].to_numpy()
        | (state["other_infection"].to_numpy() != "")
    )
    eff[:, 1] += 0.7 * s["copd_asthma"] + 0.7 * infected  # CRP rises with ANY infection
    eff[:, 2] = 3.0 * infl * bacterial + 1.5 * s["sepsis"]
    eff[:, 3] = (
        0.25 * age
        + has["acute_mi"] * (2.2 + 2.5 * s["acute_mi"] + 1.2 * stemi)
        + 1.0 * s["heart_failure"]
        + 1.2 * s["sepsis"]
        + 0.4 * s["atrial_fibrillation"]
    )
    eff[:, 4] = (
        0.25 * age
        + has["heart_failure"] * (2.4 + 1.2 * s["heart_failure"])
        + 0.9 * has["atrial_fibrillation"]
        + 0.7 * s["acute_mi"]
        + 0.3 * female
    )
    eff[:, 5] = 1.0 * s["sepsis"] ** 1.5 + 0.2 * s["pneumonia"] + 0.3 * s["heart_failure"] ** 2
    eff[:, 6] = (
        0.06 * age
        - 0.17 * female
        + 0.12 * state["diabetes"].to_numpy()
        + 0.45 * s["sepsis"] ** 1.5
        + 0.25 * s["heart_failure"]
    )
    eff[:, 7] = (
        0.15 * age
        + 1.0 * s["sepsis"]
        + 0.5 * s["pneumonia"]
        + 0.4 * s["heart_failure"]
        + 0.3 * s["acute_mi"]
        + 0.2 * has["atrial_fibrillation"]
    )
    return eff


def _drawn(state: pd.DataFrame, triage_vitals: np.ndarray, rng, n: int) -> np.ndarray:
    """(n, 8) bool: which labs the ED physician ordered (missing otherwise)."""
    sick = state["severity"].to_numpy() > 0
    febrile = triage_vitals[:, 5] >= 38.0
    hypotensive = triage_vitals[:, 1] < 100
    chest = sick & (state["acute_mi"].to_numpy() | state["atrial_fibrillation"].to_numpy())
    chest |= state["presentation"].to_numpy() == "noncardiac_chest_pain"
    dyspnoea = (
        state["pneumonia"].to_numpy()
        | state["heart_failure"].to_numpy()
        | state["copd_asthma"].to_numpy()
    )
    older = state["age"].to_numpy() >= 50
    # Order sets are generous in an ED: most patients get bloods, so what is missing
    # says little about the diagnosis (an informative-missingness trap kept small).
    p = np.empty((n, 8))
    p[:, 0] = np.where(sick | febrile, 0.95, 0.75)  # WBC (full blood count)
    p[:, 1] = np.where(sick | febrile, 0.9, 0.65)  # CRP
    p[:, 2] = np.where(febrile | hypotensive, 0.6, 0.25)  # procalcitonin
    p[:, 3] = np.where(chest | older, 0.85, 0.35)  # troponin
    p[:, 4] = np.where(dyspnoea | (older & sick), 0.5, 0.25)  # BNP
    p[:, 5] = np.where(febrile | hypotensive, 0.8, 0.25)  # lactate
    p[:, 6] = np.where(sick | older, 0.92, 0.75)  # creatinine
    p[:, 7] = np.where(chest | dyspnoea, 0.35, 0.25)  # D-dimer
    return rng.random((n, 8)) < p


def make_labs(
    state: pd.DataFrame, triage_vitals: np.ndarray, rng: np.random.Generator, config: CohortConfig
) -> np.ndarray:
    """(n, 8) float32 lab values in LAB_UNITS, NaN where not drawn (notebook 11)."""
    n = len(state)
    eff = _log_effects(state, rng, n)
    noise = rng.normal(0, 1, (n, 8)) * _LOG_SD * config.lab_noise_scale
    values = _NORMAL_MEDIAN * np.exp(eff + noise)
    values = np.column_stack([np.round(values[:, j], d) for j, d in enumerate(_DECIMALS)])
    values = np.maximum(values, [0.5, 0.2, 0.01, 1.0, 5.0, 0.3, 0.2, 100.0])  # assay floors
    drawn = _drawn(state, triage_vitals, rng, n)
    return np.where(drawn, values, np.nan).astype(np.float32)
