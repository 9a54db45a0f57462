"""The latent state of every patient: who they are and what they have (notebook 00)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.config import CONDITIONS, ONSET_HOURS, CohortConfig
from course_lib.synth.sites import SiteProfile, get_site

LOBES = ("RUL", "RML", "RLL", "LUL", "LLL")
LOBE_WEIGHTS = (0.15, 0.12, 0.30, 0.18, 0.25)  # lower lobes dominate (aspiration, gravity)
STEMI_TERRITORIES = ("anterior", "inferior", "lateral")
TERRITORY_WEIGHTS = (0.45, 0.40, 0.15)
SEPSIS_SOURCES = ("urinary", "abdominal", "skin_soft_tissue", "unknown")
OTHER_INFECTIONS = ("viral_uri", "uti", "cellulitis", "gastroenteritis", "acute_bronchitis")
# Presentations of patients without any of the six conditions, with the ESI resources
# they typically need (labs, imaging, IV fluids/meds, procedures; ECG does not count).
MINOR_PRESENTATIONS = {
    "noncardiac_chest_pain": 2,  # labs (troponin) + chest X-ray
    "abdominal_pain": 2,
    "headache": 1,
    "back_pain": 1,
    "minor_injury": 1,  # one X-ray
    "laceration": 1,  # simple repair
    "rash": 0,
    "uri_symptoms": 0,
    "medication_refill": 0,
    "anxiety_palpitations": 1,
    "syncope": 2,  # vasovagal: labs + ECG (the ECG is not an ESI resource) + often a CT
    "general_weakness": 2,  # the older patient "off legs": labs + imaging
}
# How often each minor presentation comes: non-cardiac chest pain is the commonest reason
# to be worked up for an MI that is not one (only ~5-15% of ED chest pain is an acute
# coronary syndrome; in this enriched cohort about one chest-pain note in five is an MI).
MINOR_WEIGHTS = (0.47, 0.07, 0.04, 0.04, 0.05, 0.03, 0.02, 0.06, 0.02, 0.05, 0.07, 0.08)
# The chief symptom (what the patient complains of) by presenting problem: shared across
# diseases, so the complaint is a hint, not a diagnosis. MI is drawn separately (atypical
# presentations depend on sex, age and diabetes: config.mi_no_chest_pain_base).
SYMPTOMS = {
    "pneumonia": {"cough_fever": 0.5, "dyspnoea": 0.2, "chest_pain": 0.15, "fever": 0.08,
                  "weakness": 0.05, "confusion": 0.02},
    "sepsis": {"fever": 0.3, "weakness": 0.22, "confusion": 0.13, "cough_fever": 0.1,
               "dyspnoea": 0.05, "abdominal_pain": 0.08, "urinary": 0.12},
    "heart_failure": {"dyspnoea": 0.72, "weakness": 0.1, "chest_pain": 0.08, "cough_fever": 0.05,
                      "leg_swelling": 0.05},
    "copd": {"dyspnoea": 0.52, "cough_fever": 0.4, "wheeze": 0.08},
    "asthma": {"dyspnoea": 0.55, "wheeze": 0.18, "cough_fever": 0.27},
    "atrial_fibrillation": {"palpitations": 0.55, "dyspnoea": 0.15, "chest_pain": 0.12,
                            "syncope": 0.1, "weakness": 0.08},
    "noncardiac_chest_pain": {"chest_pain": 0.9, "epigastric": 0.1},
    "anxiety_palpitations": {"palpitations": 0.4, "chest_pain": 0.45, "dyspnoea": 0.15},
    "uri_symptoms": {"cough_fever": 0.7, "sore_throat": 0.2, "dyspnoea": 0.1},
    "abdominal_pain": {"abdominal_pain": 0.7, "epigastric": 0.3},
    "syncope": {"syncope": 0.8, "weakness": 0.2},
    "general_weakness": {"weakness": 0.75, "dyspnoea": 0.15, "syncope": 0.1},
}
# A UTI, cellulitis or gastroenteritis seen for a minor problem often says so instead.
INFECTION_SYMPTOMS = {"uti": "urinary", "cellulitis": "leg_swelling", "gastroenteritis": "vomiting"}
# Atypical MI: the chief symptom when it is not chest pain. GRACE, ACS without chest pain:
# dyspnoea 49%, diaphoresis 26%, nausea/vomiting 24%, syncope 19% (Brieger D et al.,
# Chest 2004;126:461).
MI_ATYPICAL = {"dyspnoea": 0.45, "weakness": 0.2, "epigastric": 0.2, "syncope": 0.15}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _draw_with_prevalence(rng, risk: np.ndarray, prevalence: float) -> np.ndarray:
    """Bernoulli draws with log-odds `risk + b`, b solved so the mean matches `prevalence`."""
    lo, hi = -20.0, 20.0
    for _ in range(50):  # bisection: the mean of sigmoid(risk + b) is monotone in b
        mid = 0.5 * (lo + hi)
        if _sigmoid(risk + mid).mean() < prevalence:
            lo = mid
        else:
            hi = mid
    return rng.random(risk.shape) < _sigmoid(risk + 0.5 * (lo + hi))


def _severity(rng, present: np.ndarray, a: float = 2.0, b: float = 2.5) -> np.ndarray:
    """Severity in [0, 1] for present conditions (Beta), 0 where absent."""
    return np.where(present, rng.beta(a, b, present.shape), 0.0)


def sample_patients(
    n: int, rng: np.random.Generator, config: CohortConfig, site: SiteProfile | None = None
) -> pd.DataFrame:
    """One row per patient: demographics, risk factors, conditions, rhythm (notebook 00).

    `site` applies the hospital's population shift (age, sex, comorbidity, prevalence);
    None is site A, the calibration site.
    """
    pop = (site or get_site("A")).population
    prev = {c: min(0.6, p * pop.prevalence_factor.get(c, 1.0)) for c, p in config.prevalence.items()}
    # --- demographics and risk factors, with their usual correlations
    age = 18 + 77 * rng.beta(2.2, 2.0, n) + pop.age_shift_years  # ED adults, median ~58
    age = np.clip(np.round(age), 18, 95).astype(int)
    female = rng.random(n) < pop.female_share
    bmi = np.clip(np.exp(rng.normal(np.log(27.0), 0.18, n)), 16, 55)
    a = (age - 55) / 10.0  # age in decades around 55
    smoking = rng.choice(["never", "former", "current"], n, p=[0.52, 0.28, 0.20])
    ever_smoker = smoking != "never"
    current = smoking == "current"
    c = pop.comorbidity_logodds
    hypertension = rng.random(n) < _sigmoid(-1.0 + c + 0.7 * a + 0.09 * (bmi - 27))
    diabetes = rng.random(n) < _sigmoid(-2.0 + c + 0.45 * a + 0.12 * (bmi - 27))
    copd = rng.random(n) < _sigmoid(-4.6 + c + 0.5 * a + 2.2 * ever_smoker + 0.5 * current)
    asthma = (rng.random(n) < _sigmoid(-2.6 - 0.2 * a)) & ~copd
    prior_mi = rng.random(n) < _sigmoid(
        -3.6 + 0.6 * a + 0.6 * hypertension + 0.6 * diabetes + 0.6 * ever_smoker + 0.5 * ~female
    )

    # --- acute conditions (several may coexist), in causal order
    pneumonia = _draw_with_prevalence(
        rng, 0.25 * a + 0.6 * copd + 0.4 * current + 0.3 * diabetes, prev["pneumonia"]
    )
    acute_mi = _draw_with_prevalence(
        rng,
        0.4 * a
        + 0.5 * ~female
        + 0.5 * hypertension
        + 0.6 * diabetes
        + 0.6 * current
        + 0.8 * prior_mi,
        prev["acute_mi"],
    )
    heart_failure = _draw_with_prevalence(
        rng,
        0.5 * a + 1.0 * prior_mi + 0.5 * hypertension + 0.4 * diabetes + 0.9 * acute_mi,
        prev["heart_failure"],
    )
    copd_asthma = _draw_with_prevalence(
        rng, 3.2 * copd + 3.0 * asthma + 0.5 * pneumonia + 0.4 * current, prev["copd_asthma"]
    )
    sepsis = _draw_with_prevalence(rng, 2.0 * pneumonia + 0.3 * a + 0.4 * diabetes, prev["sepsis"])
    atrial_fibrillation = _draw_with_prevalence(
        rng,
        0.6 * a + 1.2 * heart_failure + 0.5 * hypertension + 0.5 * sepsis + 0.3 * copd,
        prev["atrial_fibrillation"],
    )
    present = {
        "pneumonia": pneumonia,
        "acute_mi": acute_mi,
        "heart_failure": heart_failure,
        "copd_asthma": copd_asthma,
        "sepsis": sepsis,
        "atrial_fibrillation": atrial_fibrillation,
    }
    severity = {name: _severity(rng, present[name]) for name in CONDITIONS}
    severity["sepsis"] = np.where(sepsis, rng.beta(2.5, 2.0, n), 0.0)  # sepsis skews severe

    # --- condition details that later generators need
    lobe = np.where(pneumonia, rng.choice(LOBES, n, p=LOBE_WEIGHTS), "")
    second_lobe = rng.choice(LOBES, n, p=LOBE_WEIGHTS)
    multilobar = pneumonia & (severity["pneumonia"] > 0.6) & (rng.random(n) < 0.3)
    multilobar &= second_lobe != lobe
    lobe2 = np.where(multilobar, second_lobe, "")
    atypical = pneumonia & (rng.random(n) < config.atypical_pneumonia_fraction)
    stemi = acute_mi & (rng.random(n) < config.stemi_fraction)
    mi_type = np.select([stemi, acute_mi], ["STEMI", "NSTEMI"], "")
    territory = np.where(stemi, rng.choice(STEMI_TERRITORIES, n, p=TERRITORY_WEIGHTS), "")
    sepsis_source = np.where(
        sepsis & pneumonia, "pneumonia", np.where(sepsis, rng.choice(SEPSIS_SOURCES, n), "")
    )
    any_condition = np.any([present[c] for c in CONDITIONS], axis=0)
    other_rate = min(0.95, config.other_infection_rate * pop.other_infection_factor)
    other_inf = ~pneumonia & ~sepsis & (rng.random(n) < other_rate)
    other_infection = np.where(other_inf, rng.choice(OTHER_INFECTIONS, n), "")
    minor = np.array(list(MINOR_PRESENTATIONS))
    presentation = np.where(any_condition, "", rng.choice(minor, n, p=MINOR_WEIGHTS))
    presentation = np.where(
        ~any_condition & np.isin(other_infection, ["viral_uri", "acute_bronchitis"]),
        "uri_symptoms",
        presentation,
    )

    # Host inflammatory response: shared by fever, WBC, CRP, PCT (lognormal around 1).
    host_response = np.exp(rng.normal(0.0, 0.9, n))
    infection_burden = np.maximum.reduce(
        [
            # Even a mild pneumonia inflames: a floor of 0.3 for present pneumonia.
            (0.3 * pneumonia + 0.6 * severity["pneumonia"]) * np.where(atypical, 0.5, 1.0),
            severity["sepsis"] * 1.2,
            other_inf * rng.uniform(0.3, 1.1, n),
        ]
    )
    inflammation = np.clip(infection_burden * host_response, 0, 2)

    # --- cardiac rhythm and true heart rate
    s = severity
    hr = (
        rng.normal(76, 9, n)
        + 12 * inflammation
        + 22 * s["sepsis"]
        + 4 * s["pneumonia"]
        + 12 * s["heart_failure"]
        + 12 * s["copd_asthma"]
        + 8 * s["acute_mi"]
        + 14 * rng.random(n) * ~any_condition  # pain
    )
    vt = stemi & (rng.random(n) < config.vt_fraction_stemi)
    af_rate = rng.normal(112, 18, n) + 25 * s["atrial_fibrillation"] + 10 * s["sepsis"]
    hr = np.where(atrial_fibrillation, af_rate, hr)
    hr = np.where(vt, rng.uniform(150, 210, n), hr)
    hr = np.clip(hr, 40, 215)
    rhythm = np.select(
        [vt, atrial_fibrillation, hr > 100], ["VT", "AF", "sinus_tachycardia"], "sinus"
    )

    # --- lung sounds (what auscultation would find)
    focal_crackles = pneumonia & (rng.random(n) < 0.45 + 0.5 * s["pneumonia"])
    basal_crackles = heart_failure & (rng.random(n) < 0.5 + 0.5 * s["heart_failure"])
    crackles = np.select(
        [focal_crackles, basal_crackles], [lobe, "bilateral_bases"], "none"
    ).astype(object)
    wheezes = (copd_asthma & (rng.random(n) < 0.85)) | (heart_failure & (rng.random(n) < 0.15))
    pleural_rub = pneumonia & (rng.random(n) < 0.08 + 0.1 * s["pneumonia"])

    overall = np.max([s[c] for c in CONDITIONS], axis=0)
    state = pd.DataFrame(
        {
            "patient_id": [f"ED{i:05d}" for i in range(n)],
            "age": age,
            "sex": np.where(female, "F", "M"),
            "bmi": np.round(bmi, 1),
            "smoking": smoking,
            "hypertension": hypertension,
            "diabetes": diabetes,
            "copd_history": copd,
            "asthma_history": asthma,
            "prior_mi": prior_mi,
            **{c: present[c] for c in CONDITIONS},
            **{f"{c}_severity": np.round(s[c], 4) for c in CONDITIONS},
            "severity": np.round(overall, 4),
            "pneumonia_lobe": lobe,
            "pneumonia_lobe2": lobe2,
            "pneumonia_atypical": atypical,
            "mi_type": mi_type,
            "stemi_territory": territory,
            "sepsis_source": sepsis_source,
            "copd_asthma_type": np.where(copd_asthma, np.where(copd, "COPD", "asthma"), ""),
            "other_infection": other_infection,
            "presentation": presentation,
            "inflammation": np.round(inflammation, 4),
            "rhythm": rhythm,
            "heart_rate_true": np.round(hr, 1),
            "crackles": crackles.astype(str),
            "wheezes": wheezes,
            "pleural_rub": pleural_rub,
        }
    )
    return state


def presenting_problem(state: pd.DataFrame) -> np.ndarray:
    """(n,) the problem that brings each patient in: the most dramatic condition wins (notebook 00)."""
    g = {k: state[k].to_numpy() for k in ("sepsis", "pneumonia", "heart_failure", "copd_asthma")}
    sev = {k: state[f"{k}_severity"].to_numpy() for k in ("sepsis", "pneumonia", "heart_failure")}
    mi = state["mi_type"].to_numpy()
    minor = state["presentation"].to_numpy()
    return np.select(
        [
            mi == "STEMI",
            g["sepsis"] & (~g["pneumonia"] | (sev["sepsis"] > sev["pneumonia"])),
            mi == "NSTEMI",
            g["heart_failure"] & (sev["heart_failure"] >= sev["pneumonia"]),
            g["pneumonia"],
            g["copd_asthma"] & (state["copd_asthma_type"].to_numpy() == "COPD"),
            g["copd_asthma"],
            state["atrial_fibrillation"].to_numpy(),
            minor == "",
        ],
        ["stemi", "sepsis", "nstemi", "heart_failure", "pneumonia", "copd", "asthma",
         "atrial_fibrillation", "uri_symptoms"],
        minor,
    ).astype(str)


def _onset_kind(problem: np.ndarray, other_infection: np.ndarray) -> np.ndarray:
    """Map each presenting problem to its row of ONSET_HOURS."""
    kind = np.where(np.isin(problem, list(ONSET_HOURS)), problem, "minor")
    kind = np.where(np.isin(problem, ["minor_injury", "laceration"]), "injury", kind)
    infected = (other_infection != "") & (kind == "minor") | (problem == "uri_symptoms")
    return np.where(infected, "infection", kind)


def sample_presentation(
    state: pd.DataFrame, rng: np.random.Generator, config: CohortConfig, site: SiteProfile | None = None
) -> pd.DataFrame:
    """Presenting problem, chief symptom and hours since symptom onset, per patient (notebook 00).

    Columns: problem, chief_symptom (what the note is about: shared across diseases),
    onset_hours (symptom onset to ED arrival; config.ONSET_HOURS gives the medians and sources).
    """
    n = len(state)
    problem = presenting_problem(state)
    u = rng.random((n, 2))  # chief symptom, atypical MI: one row of uniforms each
    z = rng.normal(0.0, 1.0, n)
    symptom = problem.astype(object).copy()  # minor presentations are their own symptom
    for name, table in SYMPTOMS.items():
        rows = problem == name
        cum = np.cumsum(list(table.values()))
        symptom[rows] = np.array(list(table))[np.searchsorted(cum, u[rows, 0] * cum[-1])]
    # Acute MI: chest pain, or an atypical symptom at the documented rates.
    mi = np.isin(problem, ["stemi", "nstemi"])
    base = np.log(config.mi_no_chest_pain_base / (1 - config.mi_no_chest_pain_base))
    logit = (
        base
        + 0.5 * (state["sex"].to_numpy() == "F")
        + 0.03 * (state["age"].to_numpy() - 65)
        + 0.4 * state["diabetes"].to_numpy()
    )
    atypical = mi & (u[:, 1] < _sigmoid(logit))
    cum = np.cumsum(list(MI_ATYPICAL.values()))
    pick = np.array(list(MI_ATYPICAL))[np.searchsorted(cum, u[:, 0] * cum[-1])]
    symptom = np.where(mi, np.where(atypical, pick, "chest_pain"), symptom)
    other = state["other_infection"].to_numpy()
    says = np.isin(problem, list(MINOR_PRESENTATIONS)) & (problem != "noncardiac_chest_pain")
    says &= u[:, 1] < 0.7
    for infection, name in INFECTION_SYMPTOMS.items():
        symptom = np.where(says & (other == infection), name, symptom)
    # Onset: lognormal by kind of problem; an atypical MI comes later (Canto 2000).
    kind = _onset_kind(problem, state["other_infection"].to_numpy())
    median = np.array([ONSET_HOURS[k][0] for k in kind]) * np.where(atypical, 1.6, 1.0)
    spread = np.array([ONSET_HOURS[k][1] for k in kind])
    median = median * (site or get_site("A")).population.onset_factor
    onset = np.clip(median * np.exp(spread * z), 0.25, 14 * 24.0)
    return pd.DataFrame(
        {"problem": problem, "chief_symptom": symptom.astype(str), "onset_hours": np.round(onset, 2)},
        index=state.index,
    )
