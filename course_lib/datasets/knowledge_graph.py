"""A small medical knowledge graph (diseases, symptoms, findings, tests) and patient evidence (notebook 11)."""

from __future__ import annotations

import re

import numpy as np
import torch

DISEASES = ("pneumonia", "acute_mi", "heart_failure", "copd_asthma", "sepsis", "atrial_fibrillation")
# symptom node -> regular expression on the chief complaint
SYMPTOMS = {
    "cough": r"cough", "fever": r"fever|temp|hot to touch|chills|rigors", "sputum": r"sputum",
    "chest pain": r"chest (pain|pressure|tightness|discomfort)|crushing|epigastric",
    "dyspnoea": r"\bsob\b|short(ness)? of breath|breathless|can't breathe|tight chest",
    "orthopnoea": r"lying flat|pillows|at night", "leg swelling": r"swell|swollen",
    "wheeze": r"wheez", "confusion": r"confus|drowsy", "palpitations": r"palpitation|racing|flutter",
}
FINDINGS = ("consolidation", "atelectasis", "oedema", "effusion", "cardiomegaly", "hyperinflation")
# test node -> (clinical column, direction): "abnormal" means high (+1) or low (-1)
TESTS = {
    "high WBC": ("log wbc", 1), "high CRP": ("log crp", 1), "high procalcitonin": ("log procalcitonin", 1),
    "high troponin": ("log troponin", 1), "high BNP": ("log bnp", 1), "high lactate": ("log lactate", 1),
    "high D-dimer": ("log d_dimer", 1), "fever (temp)": ("temperature", 1),
    "tachycardia": ("heart_rate", 1), "tachypnoea": ("resp_rate", 1), "low SpO2": ("spo2", -1),
    "hypotension": ("sbp", -1),
}
# (disease, evidence node, relation): textbook associations, not learned from the cohort
RELATIONS = [
    ("pneumonia", "cough", "presents with"), ("pneumonia", "fever", "presents with"),
    ("pneumonia", "sputum", "presents with"), ("pneumonia", "dyspnoea", "presents with"),
    ("pneumonia", "consolidation", "shows on X-ray"), ("pneumonia", "effusion", "shows on X-ray"),
    ("pneumonia", "high WBC", "raises"), ("pneumonia", "high CRP", "raises"),
    ("pneumonia", "high procalcitonin", "raises"), ("pneumonia", "fever (temp)", "raises"),
    ("pneumonia", "tachypnoea", "raises"), ("pneumonia", "low SpO2", "lowers"),
    ("acute_mi", "chest pain", "presents with"), ("acute_mi", "high troponin", "raises"),
    ("acute_mi", "tachycardia", "raises"),
    ("heart_failure", "dyspnoea", "presents with"), ("heart_failure", "orthopnoea", "presents with"),
    ("heart_failure", "leg swelling", "presents with"), ("heart_failure", "oedema", "shows on X-ray"),
    ("heart_failure", "cardiomegaly", "shows on X-ray"), ("heart_failure", "effusion", "shows on X-ray"),
    ("heart_failure", "high BNP", "raises"), ("heart_failure", "low SpO2", "lowers"),
    ("copd_asthma", "wheeze", "presents with"), ("copd_asthma", "dyspnoea", "presents with"),
    ("copd_asthma", "hyperinflation", "shows on X-ray"), ("copd_asthma", "tachypnoea", "raises"),
    ("copd_asthma", "low SpO2", "lowers"),
    ("sepsis", "fever", "presents with"), ("sepsis", "confusion", "presents with"),
    ("sepsis", "high lactate", "raises"), ("sepsis", "high procalcitonin", "raises"),
    ("sepsis", "hypotension", "lowers"), ("sepsis", "tachycardia", "raises"),
    ("sepsis", "high WBC", "raises"),
    ("atrial_fibrillation", "palpitations", "presents with"), ("atrial_fibrillation", "tachycardia", "raises"),
    ("atrial_fibrillation", "high BNP", "raises"),
]


def node_list() -> list[tuple[str, str]]:
    """All nodes as (name, type), types disease/symptom/finding/test (notebook 11)."""
    return ([(d, "disease") for d in DISEASES] + [(s, "symptom") for s in SYMPTOMS]
            + [(f, "finding") for f in FINDINGS] + [(t, "test") for t in TESTS])


def kg_edge_index() -> torch.Tensor:
    """(2, 2E) undirected edges of the knowledge graph, by node position in node_list() (notebook 11)."""
    index = {name: i for i, (name, _) in enumerate(node_list())}
    pairs = [(index[d], index[e]) for d, e, _ in RELATIONS]
    src = [a for a, b in pairs] + [b for a, b in pairs]
    dst = [b for a, b in pairs] + [a for a, b in pairs]
    return torch.tensor([src, dst])


def patient_evidence(complaints: list[str], report_labels, clinical: np.ndarray,
                     clinical_names: list[str]) -> np.ndarray:
    """(n, V) evidence per node: symptom mentioned, finding reported, test abnormal; diseases 0 (notebook 11).

    Symptoms come from the complaint text, findings from the report (1 present, 0.5 uncertain),
    tests from the standardised clinical matrix (positive in the abnormal direction).
    """
    n = len(complaints)
    sym = np.array([[bool(re.search(p, c, re.IGNORECASE)) for p in SYMPTOMS.values()] for c in complaints],
                   dtype=np.float32)
    rl = report_labels[list(FINDINGS)].to_numpy(dtype=float)
    find = np.where(rl == 1, 1.0, np.where(rl == -1, 0.5, 0.0)).astype(np.float32)
    cols = [clinical_names.index(col) for col, _ in TESTS.values()]
    sign = np.array([s for _, s in TESTS.values()], dtype=np.float32)
    tests = np.clip(clinical[:, cols] * sign, 0, None)  # only the abnormal direction is evidence
    return np.column_stack([np.zeros((n, len(DISEASES)), np.float32), sym, find, tests])
