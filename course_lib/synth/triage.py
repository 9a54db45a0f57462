"""Ground-truth triage level (ESI 1-5) from conditions, severity and triage vitals (notebook 00)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.patients import MINOR_PRESENTATIONS


def expected_resources(state: pd.DataFrame) -> np.ndarray:
    """(n,) ESI resources the patient will need (labs, imaging, IV meds, procedures)."""
    minor = state["presentation"].map(MINOR_PRESENTATIONS).fillna(0).to_numpy(int)
    sick = state["severity"].to_numpy() > 0
    # Any of the six conditions: labs + imaging (X-ray) + IV or nebulised medication.
    resources = np.where(sick, 3, minor)
    mild_copd = state["copd_asthma"].to_numpy() & (state["copd_asthma_severity"].to_numpy() < 0.25)
    only_copd = mild_copd & (
        state["severity"].to_numpy() == state["copd_asthma_severity"].to_numpy()
    )
    return np.where(only_copd, 1, resources)  # a mild asthma attack: nebuliser only


def assign_esi(state: pd.DataFrame, triage_vitals: np.ndarray) -> np.ndarray:
    """ESI level 1-5 per patient, following the ESI v4 handbook's decision points (notebook 00).

    A (ESI 1) needs an immediate life-saving intervention: SBP < 80 mmHg, SpO2 < 85 %,
    RR > 35 or < 8 /min, HR > 180 /min, ventricular tachycardia, septic shock
    (sepsis severity >= 0.8 with SBP < 90) or a STEMI in cardiogenic shock (SBP < 90).
    B (ESI 2) is high risk: any STEMI or NSTEMI (chest pain suspicious for ACS), any
    sepsis, SpO2 < 90 %, SBP < 90, temperature >= 40 C, a severe condition
    (severity >= 0.7), or >= 2 resources with >= 2 danger-zone vitals
    (HR > 100, RR > 20, SpO2 < 92 %).
    C: otherwise the number of resources decides: >= 2 is ESI 3, one is ESI 4, none ESI 5.
    """
    hr, sbp, _, rr, spo2, temp = (triage_vitals[:, j] for j in range(6))
    sepsis = state["sepsis"].to_numpy()
    mi_type = state["mi_type"].to_numpy()
    severity = state["severity"].to_numpy()
    resources = expected_resources(state)

    esi1 = (
        (sbp < 80)
        | (spo2 < 85)
        | (rr > 35)
        | (rr < 8)
        | (hr > 180)
        | (state["rhythm"].to_numpy() == "VT")
        | (sepsis & (state["sepsis_severity"].to_numpy() >= 0.8) & (sbp < 90))
        | ((mi_type == "STEMI") & (sbp < 90))
    )
    danger_zone = (hr > 100).astype(int) + (rr > 20) + (spo2 < 92)
    esi2 = (
        (mi_type != "")
        | sepsis
        | (spo2 < 90)
        | (sbp < 90)
        | (temp >= 40)
        | (severity >= 0.7)
        | ((resources >= 2) & (danger_zone >= 2))
    )
    by_resources = np.select([resources >= 2, resources == 1], [3, 4], 5)
    return np.select([esi1, esi2], [1, 2], by_resources).astype(np.int8)


def slide_patient(seed: int = 0, image_size: int = 64) -> dict:
    """The lecture's ER patient rebuilt from a latent state, every modality rendered from it (notebook 15).

    Chest pain for 2 h, hypertension; anterior STEMI with acute heart failure (cardiomegaly and
    oedema on the film); sinus tachycardia 110/min, BP 160/95 at triage. The state is a cohort
    row with those conditions set; the film, note, vitals and ECG come from the cohort's own
    generators, so the patient is as noisy as any other; the note is the slide's ("chest pain for
    2 hours, history of hypertension", in the cohort's note style) and the triage snapshot is set to
    the slide's numbers (HR 110, BP 160/95). Returns the keys of Cohort.patient plus `ecg` (T, 12).
    """
    from course_lib.synth.config import CONDITIONS, CohortConfig
    from course_lib.synth.ecg import ecg_for_cohort
    from course_lib.synth.patients import sample_patients
    from course_lib.synth.vitals import VITAL_NAMES, make_vitals
    from course_lib.synth.xray import plan_xrays, render_xrays

    config, rng = CohortConfig(), np.random.default_rng([int(seed), 1515])
    state = sample_patients(1, rng, config).assign(
        patient_id="SLIDE", age=62, sex="M", hypertension=True, diabetes=False, smoking="former",
        prior_mi=False, copd_history=False, asthma_history=False, inflammation=0.0,
        acute_mi=True, mi_type="STEMI", stemi_territory="anterior", acute_mi_severity=0.8,
        heart_failure=True, heart_failure_severity=0.75, pneumonia=False, pneumonia_severity=0.0,
        pneumonia_lobe="", pneumonia_lobe2="", sepsis=False, sepsis_severity=0.0, copd_asthma=False,
        copd_asthma_severity=0.0, atrial_fibrillation=False, atrial_fibrillation_severity=0.0,
        other_infection="", presentation="", rhythm="sinus_tachycardia", heart_rate_true=110.0,
        crackles="bilateral_bases", problem="stemi", chief_symptom="chest_pain", onset_hours=2.0)
    state["severity"] = 0.8
    state["esi"] = 2
    plan = plan_xrays(state, rng, config).assign(
        view="PA", supine=False, ctr=0.6, cardiomegaly_visibility=1.0, oedema_visibility=0.55,
        consolidation_visibility=0.0, consolidation_lobe="", consolidation_lobe2="", atelectasis_visibility=0.0)
    images, masks = render_xrays(plan, state, image_size, rng, config)
    complaint = "Central chest pain for 2 hours. PMH: HTN."
    vitals, series = make_vitals(state, rng, config)
    vitals[0, :3] = (110.0, 160.0, 95.0)  # the slide's triage readings
    series.values[0, 0, :3] = vitals[0, :3]
    ecg = ecg_for_cohort(state, fs=100, seed=seed, duration=5.0)
    length = int(series.lengths[0])
    return {
        "patient_id": "SLIDE", "state": state.iloc[0].to_dict(), "xray_truth": plan.iloc[0].to_dict(),
        "image": images[0], "masks": {k: v[0] for k, v in masks.items()}, "complaint": complaint,
        "vitals": vitals[0], "vitals_named": dict(zip(VITAL_NAMES, vitals[0].tolist(), strict=True)),
        "vitals_times": series.times[0, :length], "vitals_series": series.values[0, :length],
        "age": 62, "sex": "M", "ecg": ecg.signals[0], "esi": 2,
        "conditions": [c for c in CONDITIONS if bool(state[c].iloc[0])],
    }
