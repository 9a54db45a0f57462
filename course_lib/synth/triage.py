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
