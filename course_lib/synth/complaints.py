"""Chief-complaint triage notes: short free text plus history and medications (notebook 00)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Templates per presenting problem; {d} days, {h} hours. Several phrasings each.
_TEMPLATES = {
    # Pneumonia rarely announces itself: most notes read like any chest infection (the
    # shared pools below), so a text model cannot tell it from bronchitis or a cold.
    "pneumonia": [
        "fever, cough, pain on deep breath for {d} days",
        "rusty sputum and fevers x{d}d",
    ],
    "stemi": [
        "chest pain radiating to the left arm for {h} hours",
        "crushing central chest pressure, sweaty, {h}h",
        "severe chest tightness with nausea, onset {h} hours ago",
        "chest pain to jaw, diaphoretic, started {h}h ago",
    ],
    "nstemi": [
        "intermittent chest discomfort for {h} hours",
        "chest tightness on exertion, now at rest, {h}h",
        "epigastric discomfort and nausea since {h} hours",
        "pressure in chest, comes and goes, {h}h",
    ],
    "heart_failure": [
        "shortness of breath, worse lying flat",
        "breathless for {d} days, legs swollen",
        "can't breathe at night, sleeps on 3 pillows",
        "increasing SOB and ankle swelling x{d}d",
    ],
    "copd": [
        "wheezy and short of breath, using inhaler more",
        "COPD flare, more sputum, SOB {d} days",
        "breathless, inhalers not helping",
    ],
    "asthma": [
        "asthma attack, wheezing, inhaler not working",
        "tight chest and wheeze since {h} hours",
        "SOB and wheeze after a cold",
    ],
    "sepsis": [
        "fever and confusion",
        "weak, shaking chills, not eating",
        "found drowsy at home, hot to touch",
        "fever, rigors, feels very unwell",
    ],
    "atrial_fibrillation": [
        "palpitations for {h} hours",
        "heart racing and irregular since this morning",
        "fluttering in chest, lightheaded",
    ],
    "noncardiac_chest_pain": [
        "sharp chest pain, worse with movement",
        "chest wall pain after lifting",
        "chest pain when breathing in, tender to touch",
    ],
    "abdominal_pain": [
        "abdominal pain for {d} days",
        "RLQ pain and nausea",
        "stomach pain after eating",
    ],
    "headache": ["headache for {d} days", "migraine, usual type", "headache and photophobia"],
    "back_pain": ["low back pain after lifting", "back pain for {d} days"],
    "minor_injury": [
        "twisted ankle",
        "fell on outstretched hand, wrist pain",
        "knee injury playing football",
    ],
    "laceration": ["laceration to hand", "cut finger with kitchen knife", "scalp cut after fall"],
    "rash": ["itchy rash for {d} days", "red rash on arms"],
    "uri_symptoms": [
        "sore throat and runny nose",
        "cold symptoms for {d} days",
        "blocked nose and sore throat",
    ],
    "medication_refill": ["ran out of blood pressure tablets", "needs repeat prescription"],
    "anxiety_palpitations": ["feels anxious, heart pounding", "panic attack, tingling hands"],
}
# Pools shared by several problems: the same words, different diseases.
_CHEST_INFECTION = [
    "cough and fever for {d} days",
    "productive cough, fevers and chills x{d}d",
    "SOB and fever since {d} days, green sputum",
    "feels unwell, cough {d} days, temp at home",
    "chesty cough x{d}d, not improving",
    "cough and sore throat, feverish",
]
_BREATHLESS = [
    "short of breath for {d} days",
    "breathless, worse on exertion",
    "SOB and cough, worse at night",
]
# (problem, pool, probability of drawing the note from that pool instead of its own)
_SHARED = {
    "pneumonia": [(_CHEST_INFECTION, 0.55), (_BREATHLESS, 0.2)],
    "uri_symptoms": [(_CHEST_INFECTION, 0.7)],
    "copd": [(_CHEST_INFECTION, 0.25), (_BREATHLESS, 0.25)],
    "asthma": [(_BREATHLESS, 0.3)],
    "heart_failure": [(_BREATHLESS, 0.4)],
    "sepsis": [(_CHEST_INFECTION, 0.15)],
}
_NONSPECIFIC = [
    "generally unwell",
    "weakness",
    "dizzy",
    "tired and short of breath",
    "not feeling right",
]
_NONSPECIFIC_RATE = 0.15  # share of sick patients whose note says nothing specific
_MEDS = {
    "hypertension": ["lisinopril", "amlodipine", "ramipril", "losartan"],
    "diabetes": ["metformin", "insulin glargine", "gliclazide"],
    "copd_history": ["tiotropium inhaler", "salbutamol inhaler"],
    "asthma_history": ["salbutamol inhaler", "budesonide inhaler"],
    "prior_mi": ["aspirin", "atorvastatin", "bisoprolol"],
}
_PMH_WORDS = {
    "hypertension": ["HTN", "hypertension", "high BP"],
    "diabetes": ["DM2", "T2DM", "diabetes"],
    "copd_history": ["COPD"],
    "asthma_history": ["asthma"],
    "prior_mi": ["prior MI", "previous MI", "IHD (MI)"],
}


def _problem(row) -> str:
    """The problem that brings the patient in (the most dramatic condition wins)."""
    if row.mi_type == "STEMI":
        return "stemi"
    if row.sepsis and (not row.pneumonia or row.sepsis_severity > row.pneumonia_severity):
        return "sepsis"
    if row.mi_type == "NSTEMI":
        return "nstemi"
    if row.heart_failure and row.heart_failure_severity >= row.pneumonia_severity:
        return "heart_failure"
    if row.pneumonia:
        return "pneumonia"
    if row.copd_asthma:
        return "copd" if row.copd_asthma_type == "COPD" else "asthma"
    if row.atrial_fibrillation:
        return "atrial_fibrillation"
    return row.presentation or "uri_symptoms"


def make_complaints(state: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    """One triage note per patient: complaint, PMH and meds, varied phrasing (notebook 00)."""
    n = len(state)
    u = rng.random((n, 9))  # all the randomness up front: one row of uniforms per patient
    days = rng.integers(1, 6, n)
    hours = rng.integers(1, 9, n)
    notes = []
    for i, row in enumerate(state.itertuples(index=False)):
        problem = _problem(row)
        if row.severity > 0 and u[i, 0] < _NONSPECIFIC_RATE:
            options = _NONSPECIFIC
        else:
            options, start = _TEMPLATES[problem], 0.0
            for pool, share in _SHARED.get(problem, []):
                if start <= u[i, 8] < start + share:
                    options = pool
                start += share
        text = options[int(u[i, 1] * len(options))].format(d=days[i], h=hours[i])
        history = [k for k in _PMH_WORDS if getattr(row, k)]
        if history:
            words = [_PMH_WORDS[k][int(u[i, 2] * len(_PMH_WORDS[k]))] for k in history]
            text += ". PMH: " + ", ".join(words)
            meds = [_MEDS[k][int(u[i, 3] * len(_MEDS[k]))] for k in history]
            if u[i, 4] < 0.7:  # meds are not always written down at triage
                text += ". Meds: " + ", ".join(dict.fromkeys(meds))
        elif u[i, 5] < 0.5:
            text += ". No PMH" if u[i, 6] < 0.5 else ". Nil past history"
        if row.smoking == "current" and u[i, 7] < 0.5:
            text += ". Smoker"
        notes.append(text[0].upper() + text[1:] + ".")
    return notes
