"""Chief-complaint triage notes: a symptom, its duration, history, meds, shorthand (notebook 00).

A triage note says what the patient complains of, not what they have. The note is built
from the patient's chief symptom (state["chief_symptom"], drawn in patients.py: the same
symptom is shared by several diseases, and a third of MIs present without chest pain), a
few modifiers whose rates differ by disease (radiation and sweating are commoner in an MI,
pleuritic or reproducible pain in non-cardiac chest pain, orthopnoea in heart failure), the
time since onset (state["onset_hours"]: "for 2 hours", "x3d", "3/7"), then history and
medications. Abbreviations and typos come at a per-site rate (SiteProfile.practice).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.sites import SiteProfile, get_site

# Phrasings of each chief symptom, shared by every disease that presents with it.
_SYMPTOM_TEXT = {
    "chest_pain": ["chest pain", "central chest pain", "chest tightness", "chest discomfort",
                   "pressure in chest", "left sided chest pain", "sharp chest pain", "chest pain"],
    "dyspnoea": ["short of breath", "shortness of breath", "breathless", "difficulty breathing",
                 "SOB", "increasing SOB"],
    "cough_fever": ["cough", "productive cough", "cough and fever", "chesty cough",
                    "cough with green sputum", "coryzal, cough"],
    "fever": ["fever", "fevers", "temp at home", "hot and cold", "rigors", "feverish"],
    "weakness": ["generally unwell", "weakness", "tired", "fatigue", "not feeling right",
                 "off legs", "lethargic"],
    "confusion": ["confused", "found drowsy", "acute confusion", "more confused than usual"],
    "epigastric": ["epigastric pain", "indigestion", "upper abdominal pain", "nausea and vomiting",
                   "heartburn"],
    "syncope": ["collapse", "syncope", "fainted", "dizzy spell", "dizzy"],
    "palpitations": ["palpitations", "heart racing", "fluttering in chest", "irregular heartbeat",
                     "fast heart rate"],
    "wheeze": ["wheeze", "wheezy", "tight chest and wheeze", "wheeze, inhalers not helping"],
    "leg_swelling": ["leg swelling", "swollen leg", "red swollen leg", "swollen legs"],
    "urinary": ["burning urine", "dysuria and fever", "urinary symptoms", "flank pain, fever"],
    "vomiting": ["vomiting and diarrhoea", "D+V", "vomiting", "diarrhoea and fever"],
    "sore_throat": ["sore throat", "runny nose and sore throat", "coryzal", "blocked nose"],
    "abdominal_pain": ["abdominal pain", "RLQ pain", "stomach pain", "lower abdominal pain",
                       "abdominal pain and vomiting"],
    "headache": ["headache", "migraine, usual type", "headache and photophobia"],
    "back_pain": ["low back pain", "back pain after lifting", "back pain"],
    "minor_injury": ["twisted ankle", "fell on outstretched hand, wrist pain", "knee injury",
                     "fall, hip pain"],
    "laceration": ["laceration to hand", "cut finger with kitchen knife", "scalp cut after fall"],
    "rash": ["itchy rash", "red rash on arms", "rash"],
    "medication_refill": ["ran out of blood pressure tablets", "needs repeat prescription"],
}
# Modifiers: (text, {problem: probability}, default probability). The same words occur in
# several diseases at different rates, so a bag of words sees a tendency, not a label.
_MODIFIERS = {
    "chest_pain": [
        ("radiating to left arm", {"stemi": 0.13, "nstemi": 0.12}, 0.1),
        ("radiating to jaw", {"stemi": 0.05, "nstemi": 0.05}, 0.03),
        ("sweaty", {"stemi": 0.11, "nstemi": 0.09}, 0.07),
        ("nauseous", {"stemi": 0.1, "nstemi": 0.1}, 0.08),
        ("worse on deep breath", {"pneumonia": 0.5, "noncardiac_chest_pain": 0.15}, 0.07),
        ("worse with movement", {"noncardiac_chest_pain": 0.1}, 0.05),
        ("tender to touch", {"noncardiac_chest_pain": 0.07}, 0.03),
        ("SOB", {"heart_failure": 0.4, "pneumonia": 0.3, "stemi": 0.15, "nstemi": 0.15}, 0.1),
        ("comes and goes", {}, 0.15),
        ("palpitations", {"atrial_fibrillation": 0.4, "anxiety_palpitations": 0.4}, 0.03),
    ],
    "dyspnoea": [
        ("worse lying flat", {"heart_failure": 0.18}, 0.04),
        ("ankle swelling", {"heart_failure": 0.18}, 0.04),
        ("wheezy", {"copd": 0.22, "asthma": 0.25, "heart_failure": 0.12, "pneumonia": 0.08}, 0.06),
        ("cough", {"pneumonia": 0.45, "copd": 0.35, "heart_failure": 0.15, "asthma": 0.2}, 0.06),
        ("fever", {"pneumonia": 0.35, "sepsis": 0.3}, 0.04),
        ("on exertion", {}, 0.2),
        ("tired", {"stemi": 0.1, "nstemi": 0.1}, 0.06),
        ("chest tightness", {"asthma": 0.2, "stemi": 0.15, "nstemi": 0.15}, 0.06),
    ],
    "cough_fever": [
        ("fevers", {"pneumonia": 0.4, "sepsis": 0.5}, 0.3),
        ("SOB", {"pneumonia": 0.4, "copd": 0.4, "asthma": 0.3, "heart_failure": 0.3}, 0.12),
        ("pain on deep breath", {"pneumonia": 0.15}, 0.03),
        ("sore throat", {"uri_symptoms": 0.3}, 0.05),
        ("wheezy", {"copd": 0.2, "asthma": 0.25}, 0.07),
    ],
    "fever": [
        ("confused", {"sepsis": 0.25}, 0.04),
        ("vomiting", {"sepsis": 0.15}, 0.08),
        ("cough", {"pneumonia": 0.4}, 0.1),
        ("burning urine", {"sepsis": 0.1}, 0.05),
    ],
    "weakness": [
        ("sweaty", {"stemi": 0.1, "nstemi": 0.1}, 0.05),
        ("SOB", {"stemi": 0.15, "nstemi": 0.15, "heart_failure": 0.3}, 0.08),
        ("poor oral intake", {"sepsis": 0.3, "pneumonia": 0.2}, 0.08),
        ("fever", {"sepsis": 0.3, "pneumonia": 0.3}, 0.03),
    ],
    "epigastric": [("sweaty", {"stemi": 0.1, "nstemi": 0.1}, 0.05)],
    "palpitations": [("lightheaded", {}, 0.2), ("SOB", {"atrial_fibrillation": 0.2}, 0.1)],
    "leg_swelling": [("SOB", {"heart_failure": 0.5}, 0.05), ("fever", {}, 0.2)],
}
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
    "copd_history": ["COPD", "chronic lung disease"],
    "asthma_history": ["asthma"],
    "prior_mi": ["prior MI", "IHD", "previous heart attack"],
}
# Shorthand of ED triage notes (applied at the site's abbreviation rate, per phrase).
_ABBREVIATIONS = {
    "shortness of breath": "SOB", "short of breath": "SOB", "chest pain": "CP",
    "difficulty breathing": "DIB", "nausea and vomiting": "N+V", "abdominal": "abdo",
    "left": "L", "radiating to": "rad to", "palpitations": "palps", "temperature": "temp",
    "with": "w/", "generally unwell": "gen unwell", "hypertension": "HTN",
}
_DEFAULT_ABBREVIATION_RATE = 0.3
_DEFAULT_TYPO_RATE = 0.02  # share of longer words with a slip of the keyboard (a choice)


def _duration(hours: float, u: float) -> str:
    """How a triage nurse writes the time since onset."""
    if hours < 1:
        return ["for 30 min", "since 30 mins", "just now"][int(u * 3)]
    if hours < 20:
        h = max(1, int(round(hours)))
        return [f"for {h} hours", f"{h}h", f"x{h}h", f"onset {h}h ago", f"since {h} hrs"][int(u * 5)]
    if hours < 36:
        return ["since yesterday", "x1d", "for 1 day", "1/7"][int(u * 4)]
    d = int(round(hours / 24))
    if d >= 10:
        return ["for 2 weeks", "x2wk", "for over a week"][int(u * 3)]
    return [f"for {d} days", f"x{d}d", f"{d}/7", f"{d} days"][int(u * 4)]


def _typo(word: str, u: float) -> str:
    """Swap two adjacent letters or drop one: the usual slips of a hurried keyboard."""
    k = 1 + int(u * (len(word) - 2))
    if u < 0.5:
        return word[:k - 1] + word[k] + word[k - 1] + word[k + 1:]
    return word[:k] + word[k + 1:]


def _shorthand(text: str, rng, abbreviation_rate: float, typo_rate: float) -> str:
    for long, short in _ABBREVIATIONS.items():
        if long in text and rng.random() < abbreviation_rate:
            text = text.replace(long, short)
    words = text.split(" ")
    for j, w in enumerate(words):
        if len(w) >= 5 and w.isalpha() and rng.random() < typo_rate:
            words[j] = _typo(w, rng.random())
    return " ".join(words)


def make_complaints(
    state: pd.DataFrame, rng: np.random.Generator, site: SiteProfile | None = None
) -> list[str]:
    """One triage note per patient: symptom, duration, PMH and meds, shorthand (notebook 00)."""
    practice = (site or get_site("A")).practice
    terse = practice.note_style == "terse"
    abbreviation_rate = practice.abbreviation_rate
    if abbreviation_rate is None:
        abbreviation_rate = 0.75 if terse else _DEFAULT_ABBREVIATION_RATE
    typo_rate = _DEFAULT_TYPO_RATE if practice.typo_rate is None else practice.typo_rate
    n = len(state)
    u = rng.random((n, 10))  # the main choices up front: one row of uniforms per patient
    notes = []
    for i, row in enumerate(state.itertuples(index=False)):
        symptom, problem = row.chief_symptom, row.problem
        options = _SYMPTOM_TEXT[symptom]
        parts = [options[int(u[i, 0] * len(options))]]
        keep = 0.5 if terse else 1.0  # a terse note drops half the modifiers
        for text, rates, default in _MODIFIERS.get(symptom, []):
            if rng.random() < rates.get(problem, default) * keep:
                parts.append(text)
        if getattr(row, "other_infection", "") not in ("", "viral_uri") and u[i, 1] < 0.3:
            parts.append("fever")  # a UTI or cellulitis is often febrile too
        text = ", ".join(dict.fromkeys(parts))
        if u[i, 2] < (0.4 if terse else 0.5):
            text += " " + _duration(row.onset_hours, u[i, 3])
        history = [k for k in _PMH_WORDS if getattr(row, k)]
        if history and u[i, 4] < (0.3 if terse else 0.4):  # history not always written
            words = [_PMH_WORDS[k][int(u[i, 5] * len(_PMH_WORDS[k]))] for k in history]
            text += ". PMH: " + ", ".join(words)
            meds = [_MEDS[k][int(u[i, 6] * len(_MEDS[k]))] for k in history]
            if u[i, 7] < (0.3 if terse else 0.6):
                text += ". Meds: " + ", ".join(dict.fromkeys(meds))
        elif not history and not terse and u[i, 8] < 0.5:
            text += ". No PMH" if u[i, 9] < 0.5 else ". Nil past history"
        if row.smoking == "current" and u[i, 8] < 0.3:
            text += ". Smoker"
        text = _shorthand(text, rng, abbreviation_rate, typo_rate)
        if terse:
            notes.append(("c/o " if u[i, 9] < 0.4 else "") + text.replace(". ", "; "))
        else:
            notes.append(text[0].upper() + text[1:] + ".")
    return notes
