"""Admission labs: real units, published time courses after onset, missingness (notebook 11).

Each biomarker is a patient's baseline times a log-normal spread, plus a disease response
that follows the biomarker's own clock after symptom onset (state["onset_hours"]), so an
early presenter has modest labs and a late one florid labs. Time courses (fraction of the
patient's plateau reached t hours after onset):
- hs-troponin T: a Hill curve with half-rise at 3.5 h (steep, exponent 3): within ~3 h of
  onset a sizeable share of MIs is still below the 99th centile (14 ng/L, Roche hs-cTnT).
  Real data: the 99th centile at presentation detects 71.4% of MIs in patients presenting
  within 3 h vs 92.5% later (hs-cTnI, Eur Heart J 2023;44:2846), hence serial testing
  (ESC 0 h/1 h, 0 h/2 h algorithms, Collet JP et al., Eur Heart J 2021;42:1289).
- CRP: detectable rise from ~6 h, half-maximum ~20 h, plateau 36-50 h (Pepys MB,
  Hirschfield GM, J Clin Invest 2003;111:1805). Cohort medians in pneumonia: < 12 h ~5-15,
  12-48 h ~55, > 48 h ~90 mg/L (config.py lists the measured bands).
- Procalcitonin: rises from 3-6 h, half-maximum ~8 h, plateau 12-24 h, bacterial infection
  only (Becker KL et al., Crit Care Med 2008;36:941; Schuetz P et al., BMC Med 2011;9:107).
- WBC: neutrophilia within hours (time constant 6 h); lactate rises over hours in sepsis;
  BNP after an MI rises over ~12 h; heart failure's BNP is there on arrival.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.config import CONDITIONS, CohortConfig
from course_lib.synth.sites import SiteProfile, get_site

LAB_NAMES = ("wbc", "crp", "procalcitonin", "troponin", "bnp", "lactate", "creatinine", "d_dimer")
LAB_UNITS = ("10^9/L", "mg/L", "ng/mL", "ng/L", "pg/mL", "mmol/L", "mg/dL", "ng/mL FEU")
TROPONIN_99TH = 14.0  # ng/L, 99th centile of a healthy population (Roche hs-cTnT)
# Median in a well adult and the log-scale spread of each lab.
_NORMAL_MEDIAN = np.array([7.2, 2.5, 0.04, 4.0, 35.0, 1.1, 0.85, 300.0])
_LOG_SD = np.array([0.3, 1.0, 0.6, 0.6, 0.7, 0.25, 0.18, 0.55])
_DECIMALS = (1, 1, 2, 0, 0, 1, 2, 0)
_FLOORS = np.array([0.5, 0.2, 0.01, 1.0, 5.0, 0.3, 0.2, 100.0])  # assay reporting floors
# How much CRP and procalcitonin each infection raises (viral illness: little PCT).
_CRP_BY_INFECTION = {"viral_uri": 0.3, "acute_bronchitis": 0.7, "gastroenteritis": 0.6, "uti": 1.0, "cellulitis": 0.9}
_PCT_BY_INFECTION = {"viral_uri": 0.05, "acute_bronchitis": 0.1, "gastroenteritis": 0.3, "uti": 1.0, "cellulitis": 0.6}


def hill(t: np.ndarray, half: float, power: float) -> np.ndarray:
    """Fraction of the plateau reached t hours after onset: t^p / (t^p + half^p) (notebook 11)."""
    t = np.maximum(np.asarray(t, float), 0.0)
    return t**power / (t**power + half**power)


def troponin_mi_rise(t: np.ndarray) -> np.ndarray:
    """Fraction of an MI's troponin plateau released t hours after onset (hs-cTnT kinetics)."""
    return hill(t, 3.5, 3.0)


def _state_arrays(state: pd.DataFrame) -> dict:
    s = {c: state[f"{c}_severity"].to_numpy() for c in CONDITIONS}
    other = state["other_infection"].to_numpy()
    atypical = state["pneumonia_atypical"].to_numpy()
    pneu_sep = state["pneumonia"].to_numpy() | state["sepsis"].to_numpy()
    crp_w = np.array([_CRP_BY_INFECTION.get(o, 0.0) for o in other])
    pct_w = np.array([_PCT_BY_INFECTION.get(o, 0.0) for o in other])
    bacterial = np.where(atypical, 0.1, 1.0)  # viral/atypical pneumonia: little PCT
    return {
        "s": s,
        "infl": state["inflammation"].to_numpy(),
        "t": state["onset_hours"].to_numpy(float),
        "crp_w": np.where(pneu_sep, np.where(atypical, 0.35, 1.0), crp_w),
        "pct_w": np.where(pneu_sep, bacterial, pct_w),
        "age": (state["age"].to_numpy() - 55) / 10,
        "female": state["sex"].to_numpy() == "F",
        "mi": state["acute_mi"].to_numpy(),
        "stemi": state["mi_type"].to_numpy() == "STEMI",
        "hf": state["heart_failure"].to_numpy(),
        "af": state["atrial_fibrillation"].to_numpy(),
    }


def _baseline_log(a: dict, rng, n: int) -> np.ndarray:
    """(n, 8) log-scale effects that do not depend on the time since onset."""
    s = a["s"]
    eff = np.zeros((n, 8))
    eff[:, 1] = 0.6 * s["heart_failure"] + 0.7 * s["copd_asthma"]
    eff[:, 3] = 0.25 * a["age"] + 1.0 * s["heart_failure"] + 1.2 * s["sepsis"] + 0.4 * s["atrial_fibrillation"]
    eff[:, 4] = (
        0.25 * a["age"] + a["hf"] * (2.4 + 1.2 * s["heart_failure"]) + 0.9 * a["af"] + 0.3 * a["female"]
    )
    eff[:, 5] = 0.2 * s["pneumonia"] + 0.3 * s["heart_failure"] ** 2
    eff[:, 6] = 0.06 * a["age"] - 0.17 * a["female"] + 0.45 * s["sepsis"] ** 1.5 + 0.25 * s["heart_failure"]
    eff[:, 7] = (
        0.15 * a["age"] + 1.0 * s["sepsis"] + 0.5 * s["pneumonia"] + 0.4 * s["heart_failure"]
        + 0.3 * s["acute_mi"] + 0.2 * a["af"]
    )
    return eff


def _responses(a: dict, rng, n: int) -> dict:
    """The plateau of each time-dependent response, per patient (drawn once)."""
    s, infl = a["s"], a["infl"]
    leukopenic = (s["sepsis"] > 0) & (rng.random(n) < 0.12)  # overwhelming sepsis: low WBC
    return {
        "wbc": 0.95 * infl * (0.5 + 0.5 * a["pct_w"]) * np.where(leukopenic, -1.2, 1.0),
        "crp": 265.0 * infl**0.8 * a["crp_w"] * np.exp(rng.normal(0, 0.45, n)),  # mg/L
        "pct": (0.7 * infl**1.5 * a["pct_w"] + 4.0 * s["sepsis"] ** 2) * np.exp(rng.normal(0, 0.8, n)),
        # ng/L: NSTEMI plateau ~150, STEMI ~600, larger with a larger infarct
        "tn": a["mi"] * np.exp(np.log(150) + 1.4 * a["stemi"] + 2.0 * (s["acute_mi"] - 0.45)
                               + rng.normal(0, 1.3, n)),
        "lactate": 1.0 * s["sepsis"] ** 1.5,
        "bnp": 0.9 * s["acute_mi"],
    }


def _at(resp: dict, base: np.ndarray, eff: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(n, 8) lab values t hours after onset, before rounding and missingness."""
    log = eff.copy()
    log[:, 0] += resp["wbc"] * (1 - np.exp(-t / 6.0))
    log[:, 5] += resp["lactate"] * (0.6 + 0.4 * (1 - np.exp(-t / 12.0)))
    log[:, 4] += resp["bnp"] * (1 - np.exp(-t / 12.0))
    values = base * np.exp(log)
    values[:, 1] += resp["crp"] * hill(t, 20.0, 2.2)
    values[:, 2] += resp["pct"] * hill(t, 8.0, 2.0)
    values[:, 3] += resp["tn"] * troponin_mi_rise(t)
    return values


def _round(values: np.ndarray) -> np.ndarray:
    values = np.column_stack([np.round(values[:, j], d) for j, d in enumerate(_DECIMALS)])
    return np.maximum(values, _FLOORS)


def _drawn(state: pd.DataFrame, triage_vitals: np.ndarray, rng, n: int, site: SiteProfile) -> np.ndarray:
    """(n, 8) bool: which labs the ED physician ordered (missing otherwise)."""
    sick = state["severity"].to_numpy() > 0
    febrile = triage_vitals[:, 5] >= 38.0
    hypotensive = triage_vitals[:, 1] < 100
    symptom = state["chief_symptom"].to_numpy()
    # Order sets follow the complaint, not the (unknown) diagnosis: chest pain gets a troponin.
    chest = np.isin(symptom, ["chest_pain", "epigastric", "palpitations", "syncope"])
    dyspnoea = np.isin(symptom, ["dyspnoea", "wheeze", "leg_swelling"])
    older = state["age"].to_numpy() >= 50
    # Order sets are generous in an ED: most patients get bloods, so what is missing
    # says little about the diagnosis (an informative-missingness trap kept small).
    p = np.empty((n, 8))
    p[:, 0] = np.where(sick | febrile, 0.95, 0.75)  # WBC (full blood count)
    p[:, 1] = np.where(sick | febrile, 0.9, 0.65)  # CRP
    p[:, 2] = np.where(febrile | hypotensive, 0.6, 0.25)  # procalcitonin
    p[:, 3] = np.where(chest, 0.95, np.where(older | dyspnoea, 0.75, 0.3))  # troponin
    p[:, 4] = np.where(dyspnoea | (older & sick), 0.5, 0.25)  # BNP
    p[:, 5] = np.where(febrile | hypotensive, 0.8, 0.25)  # lactate
    p[:, 6] = np.where(sick | older, 0.92, 0.75)  # creatinine
    p[:, 7] = np.where(chest | dyspnoea, 0.35, 0.25)  # D-dimer
    factor = np.array([site.practice.lab_order_factor.get(name, 1.0) for name in LAB_NAMES])
    return rng.random((n, 8)) < np.clip(p * factor, 0, 0.99)


def make_serial_labs(
    state: pd.DataFrame,
    triage_vitals: np.ndarray,
    rng: np.random.Generator,
    repeat_rng: np.random.Generator,
    config: CohortConfig,
    site: SiteProfile | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Admission labs (n, 8) and a repeat troponin 1-3 h later for chest-pain patients (notebook 11).

    The repeat frame has columns troponin_repeat (ng/L) and troponin_repeat_hours (hours
    after the first draw), NaN where no repeat was drawn. The repeat uses its own random
    stream, so the admission labs do not depend on it.
    """
    site = site or get_site("A")
    n = len(state)
    a = _state_arrays(state)
    eff = _baseline_log(a, rng, n)
    resp = _responses(a, rng, n)
    base = _NORMAL_MEDIAN * np.exp(rng.normal(0, 1, (n, 8)) * _LOG_SD * config.lab_noise_scale)
    first = _round(_at(resp, base, eff, a["t"]))
    drawn = _drawn(state, triage_vitals, rng, n, site)
    labs = np.where(drawn, first, np.nan).astype(np.float32)

    # Repeat troponin: same patient, later on the curve, with 5% analytical variation.
    gap = repeat_rng.choice(np.asarray(config.repeat_troponin_hours, float), n)
    later = _at(resp, base, eff, a["t"] + gap)[:, 3] * np.exp(repeat_rng.normal(0, 0.05, n))
    later = np.maximum(np.round(later), _FLOORS[3])
    chest = np.isin(state["chief_symptom"].to_numpy(), ["chest_pain", "epigastric"])
    wanted = drawn[:, 3] & (chest | (first[:, 3] > TROPONIN_99TH)) & (repeat_rng.random(n) < 0.9)
    repeat = pd.DataFrame(
        {
            "troponin_repeat": np.where(wanted, later, np.nan).astype(np.float32),
            "troponin_repeat_hours": np.where(wanted, gap, np.nan).astype(np.float32),
        }
    )
    return labs, repeat


def make_labs(
    state: pd.DataFrame,
    triage_vitals: np.ndarray,
    rng: np.random.Generator,
    config: CohortConfig,
    site: SiteProfile | None = None,
) -> np.ndarray:
    """(n, 8) float32 lab values in LAB_UNITS, NaN where not drawn (notebook 11)."""
    labs, _ = make_serial_labs(state, triage_vitals, rng, np.random.default_rng(0), config, site)
    return labs
