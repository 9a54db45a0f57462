"""Triage rules a nurse applies at the door: ESI decision points, KTAS vitals modifiers, complaint words (notebook 15).

Sources (checked): ESI v4 Implementation Handbook (Gilboy et al., AHRQ 2012): decision point A
(needs an immediate life-saving intervention), B (high-risk situation, e.g. chest pain suspicious
for an acute coronary syndrome, new confusion), C (how many resources), D (danger-zone vitals for
adults: HR > 100, RR > 20, SpO2 < 92%: "consider" ESI 2). KTAS was built from the Canadian CTAS
(J Korean Med Sci 2019;34:e114) and keeps its adult first-order modifiers: SpO2 < 90% severe
respiratory distress (level 1), < 92% moderate (2), 92-94% mild (3); shock (1), hemodynamic
compromise (2); fever > 38 C that "looks septic" (3 SIRS criteria, 2) or "looks unwell" (3).
"""

from __future__ import annotations

import re

import numpy as np
from scipy import signal

# Column order of a triage vitals row (as course_lib.synth.vitals.VITAL_NAMES).
HR, SBP, DBP, RR, SPO2, TEMP = range(6)

# Words of a triage note that a nurse reads as one presenting problem (the cohort's shorthand included).
COMPLAINT_PATTERNS = {
    "chest_pain": r"chest|\bcp\b",
    "dyspnoea": r"\bsob\b|short(ness)? of breath|breathless|difficulty breathing|\bdib\b|wheez",
    "fever": r"fever|rigor|temp at home|hot and cold",
    "confusion": r"confus|drowsy",
    "syncope": r"collapse|syncope|faint|dizzy",
    "palpitations": r"palp|racing|flutter|irregular heart|fast heart",
    "weakness": r"unwell|weak|tired|fatigue|not feeling right|off legs|letharg|poor oral",
    "cough": r"cough|sputum|coryzal",
    "abdominal": r"abd|stomach|epigastric|indigestion|heartburn|vomit|\bd\+v\b|diarrh|\bn\+v\b|nause|rlq",
    "urinary": r"urin|dysuria|flank",
    "minor": r"ankle|wrist|knee|hip pain|laceration|cut |cut$|rash|itchy|sore throat|blocked nose|"
             r"prescription|tablets|headache|migraine|back pain",
}
_COMPILED = {k: re.compile(v, re.IGNORECASE) for k, v in COMPLAINT_PATTERNS.items()}
# ESI resources the nurse expects from the problem (labs, imaging, IV medication, procedure;
# an ECG is not a resource). Two or more: ESI 3 at least.
TWO_RESOURCES = ("chest_pain", "dyspnoea", "fever", "confusion", "syncope", "weakness", "cough",
                 "abdominal", "urinary")


def complaint_flags(complaints) -> dict[str, np.ndarray]:
    """{problem: (n,) bool} which presenting problems each triage note mentions (notebook 15)."""
    complaints = [str(c) for c in complaints]
    return {k: np.array([bool(p.search(c)) for c in complaints]) for k, p in _COMPILED.items()}


def decision_point_a(vitals: np.ndarray) -> np.ndarray:
    """(n,) bool: ESI decision point A from the vitals alone (SBP < 80, SpO2 < 85%, RR > 35 or < 8, HR > 180) (notebook 15)."""
    v = np.atleast_2d(np.asarray(vitals, dtype=float))
    return (v[:, SBP] < 80) | (v[:, SPO2] < 85) | (v[:, RR] > 35) | (v[:, RR] < 8) | (v[:, HR] > 180)


def danger_zone_count(vitals: np.ndarray) -> np.ndarray:
    """(n,) how many adult danger-zone vitals are exceeded: HR > 100, RR > 20, SpO2 < 92% (ESI decision point D) (notebook 15)."""
    v = np.atleast_2d(np.asarray(vitals, dtype=float))
    return (v[:, HR] > 100).astype(int) + (v[:, RR] > 20) + (v[:, SPO2] < 92)


def nurse_resources(complaints) -> np.ndarray:
    """(n,) resources a nurse expects from the note: 2 for a medical problem, 1 for a minor one with a test, 0 (notebook 15)."""
    f = complaint_flags(complaints)
    two = np.any([f[k] for k in TWO_RESOURCES], axis=0)
    one = f["palpitations"] | np.array([bool(re.search(r"ankle|wrist|knee|hip|laceration|cut|headache|"
                                                       r"migraine|back pain", str(c), re.IGNORECASE))
                                         for c in complaints])
    return np.select([two, one], [2, 1], 0)


def nurse_esi(vitals: np.ndarray, complaints, age) -> np.ndarray:
    """(n,) ESI 1-5 a rule-following triage nurse assigns from vitals + complaint + age (notebook 15).

    A: decision_point_a. B (ESI 2): chest pain at age >= 30 (suspicious for ACS), confusion,
    SpO2 < 90%, SBP < 90, temperature >= 40 C. C: resources from the note. D: two or more
    resources and >= 2 danger-zone vitals -> ESI 2.
    """
    v = np.atleast_2d(np.asarray(vitals, dtype=float))
    f = complaint_flags(complaints)
    age = np.broadcast_to(np.asarray(age, dtype=float), (len(v),))
    resources = nurse_resources(complaints)
    high_risk = ((f["chest_pain"] & (age >= 30)) | f["confusion"] | (v[:, SPO2] < 90) | (v[:, SBP] < 90)
                 | (v[:, TEMP] >= 40) | ((resources >= 2) & (danger_zone_count(v) >= 2)))
    by_resources = np.select([resources >= 2, resources == 1], [3, 4], 5)
    return np.select([decision_point_a(v), high_risk], [1, 2], by_resources).astype(np.int8)


def sirs_vitals(vitals: np.ndarray) -> np.ndarray:
    """(n,) SIRS criteria visible at triage: T > 38 or < 36 C, HR > 90, RR > 20 (WBC needs a lab) (notebook 15)."""
    v = np.atleast_2d(np.asarray(vitals, dtype=float))
    return ((v[:, TEMP] > 38) | (v[:, TEMP] < 36)).astype(int) + (v[:, HR] > 90) + (v[:, RR] > 20)


def ktas_vitals_level(vitals) -> int:
    """The most urgent KTAS level that one adult's vitals call for by the first-order modifiers; 5 if none (notebook 15).

    vitals: one row (6,) heart_rate /min, sbp mmHg, dbp mmHg, resp_rate /min, spo2 %, temperature C.
    Level 1: SpO2 < 90% or SBP < 80 (shock). Level 2: SpO2 < 92%, SBP < 90 (hemodynamic compromise),
    or temperature >= 38 C with all 3 vital-sign SIRS criteria (looks septic). Level 3: SpO2 92-94%
    or temperature >= 38 C (looks unwell). The final KTAS level is the more urgent of this and the
    complaint's own level.
    """
    v = np.asarray(vitals, dtype=float).ravel()
    if v.shape != (6,) or np.isnan(v).any():
        raise ValueError("vitals must be one row of 6 numbers: heart_rate, sbp, dbp, resp_rate, spo2, "
                         f"temperature; got shape {v.shape}")
    if v[SPO2] < 90 or v[SBP] < 80:
        return 1
    if v[SPO2] < 92 or v[SBP] < 90 or (v[TEMP] >= 38 and sirs_vitals(v)[0] == 3):
        return 2
    if v[SPO2] <= 94 or v[TEMP] >= 38:
        return 3
    return 5


def st_deviation(signals: np.ndarray, fs: float = 100.0) -> np.ndarray:
    """(n, 12) median ST level per lead, mV: 60-100 ms after each QRS minus the PR segment 60-100 ms before (notebook 15).

    signals: (n, T, 12) band-passed mV. QRS complexes are found as peaks of the summed absolute slope
    of all leads (>= 250 ms apart). ST elevation of >= 0.1 mV in two contiguous leads is the classic
    STEMI sign (Fourth Universal Definition of MI, Thygesen et al. 2018); 0 where no beat is found.
    """
    x = np.asarray(signals, dtype=np.float32)
    if x.ndim != 3 or x.shape[2] != 12:
        raise ValueError(f"signals must be (n, T, 12) in mV, got shape {x.shape}")
    n, T, _ = x.shape
    energy = np.abs(np.diff(x, axis=1)).sum(2)  # (n, T-1): large on every QRS
    a, b = int(round(0.06 * fs)), int(round(0.10 * fs))
    out = np.zeros((n, 12), np.float32)
    for i in range(n):
        peaks, _ = signal.find_peaks(energy[i], distance=int(0.25 * fs), height=0.5 * np.quantile(energy[i], 0.99))
        peaks = peaks[(peaks > b + 1) & (peaks < T - b - 1)]
        if len(peaks):
            st = x[i, peaks[:, None] + np.arange(a, b)].mean(1) - x[i, peaks[:, None] - np.arange(a, b)].mean(1)
            out[i] = np.median(st, axis=0)  # (12,): robust to one ectopic beat
    return out


# Contiguous leads facing each wall (inferior: RCA; anterior: LAD; lateral: LCx/diagonal).
LEADS_12 = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
TERRITORY_LEADS = {"inferior": ("II", "III", "aVF"), "anterior": ("V1", "V2", "V3", "V4"),
                   "lateral": ("I", "aVL", "V5", "V6")}


def territory_st(st: np.ndarray) -> np.ndarray:
    """(n, 4) mean ST level (mm at 10 mm/mV) of the leads facing each wall, and the largest of the three (notebook 15)."""
    st = np.atleast_2d(np.asarray(st, dtype=np.float32))
    walls = np.column_stack([10 * st[:, [LEADS_12.index(lead) for lead in leads]].mean(1)
                             for leads in TERRITORY_LEADS.values()])
    return np.column_stack([walls, walls.max(1)])
