"""A rule-based report labeller (CheXpert/NegBio style): findings, negation, uncertainty (notebook 03)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

FINDINGS = ("consolidation", "atelectasis", "oedema", "effusion", "cardiomegaly", "hyperinflation")
SECTIONS = ("EXAMINATION", "COMPARISON", "FINDINGS", "IMPRESSION", "RECOMMENDATION")
NEW, UNCHANGED = 1.0, 0.0  # interval change in the COMPARISON section
POSITIVE, NEGATIVE, UNCERTAIN = 1.0, 0.0, -1.0

# Mention patterns: the words a radiologist uses for each finding (CheXpert's labeller keeps such
# phrase lists per observation). "Perihilar opacities" are oedema, "linear opacity" atelectasis:
# a bare "opacity" is consolidation only with a word that makes it airspace, focal or patchy.
MENTIONS = {
    "consolidation": r"consolidation|pneumonia|airspace opaci|focal (?:airspace )?opacity|patchy|faint opacity",
    "atelectasis": r"atelecta",
    "oedema": r"oedema|edema|vascular congestion",
    "effusion": r"effusion|costophrenic",
    "cardiomegaly": r"cardiomegaly|heart is enlarged|enlarged cardiac|heart size|cardiomediastinal silhouette",
    "hyperinflation": r"hyperinflat|hyperexpan",
}
# A mention that says nothing about the finding (the projection, not the heart, is the subject).
IGNORE = r"limits assessment"
NEGATION = r"\bno\b|\bno evidence of\b|\bwithout\b|\bare sharp\b|\bis normal\b|^normal\b|within normal limits|\bnegative for\b"
UNCERTAINTY = (r"\bpossibl[ey]\b|\bmay represent\b|\bquestionable\b|\?|\bborderline\b|upper limit of normal"
               r"|\bprobable\b|\bcannot be excluded\b|\bsubtle\b|\bequivocal\b")


def split_sections(report: str) -> dict[str, str]:
    """{section name: text} for the headers present, e.g. FINDINGS, IMPRESSION (notebook 03)."""
    if not isinstance(report, str):
        raise TypeError(f"a report is a string, got {type(report).__name__}")
    pattern = r"(?m)^(" + "|".join(SECTIONS) + r"):\s*"
    parts = re.split(pattern, report)
    return {parts[k]: parts[k + 1].strip() for k in range(1, len(parts) - 1, 2)}


def sentences(text: str) -> list[str]:
    """Split on sentence ends and numbered impression items; lower case (notebook 03)."""
    text = re.sub(r"\b\d+\.\s", " ", text.lower())  # "1. Cardiomegaly." -> "cardiomegaly."
    return [s.strip() for s in re.split(r"(?<=[.;:])\s+|\n", text) if s.strip()]


def mention_label(sentence: str) -> float:
    """Label of a sentence that mentions a finding: 1 positive, 0 negated, -1 uncertain (notebook 03).

    Negation wins over uncertainty ("no evidence of possible ..." is negative), as in NegBio.
    """
    s = sentence.lower().strip()
    if re.search(NEGATION, s):
        return NEGATIVE
    if re.search(UNCERTAINTY, s):
        return UNCERTAIN
    return POSITIVE


def label_report(report: str, label_fn=mention_label) -> dict[str, float]:
    """CheXpert-style labels of one report's FINDINGS and IMPRESSION; NaN = not mentioned (notebook 03).

    A finding's mentions are aggregated as in CheXpert: any positive -> 1, else any uncertain -> -1,
    else 0. Text without section headers is read whole (a generated Findings paragraph).
    """
    parts = split_sections(report)
    text = " ".join(parts[s] for s in ("FINDINGS", "IMPRESSION") if s in parts) if parts else report
    found = {f: [] for f in FINDINGS}
    for s in sentences(text):
        if re.search(IGNORE, s):
            continue
        # "Cardiomegaly with pulmonary oedema": each finding is labelled from the same sentence.
        for f in FINDINGS:
            if re.search(MENTIONS[f], s):
                found[f].append(label_fn(s))
    out = {}
    for f, labels in found.items():
        out[f] = (np.nan if not labels else POSITIVE if POSITIVE in labels
                  else UNCERTAIN if UNCERTAIN in labels else NEGATIVE)
    return out


def label_reports(reports: list[str], label_fn=mention_label) -> pd.DataFrame:
    """(n, findings) CheXpert-style labels of many reports (notebook 03)."""
    return pd.DataFrame([label_report(r, label_fn) for r in reports], columns=list(FINDINGS))


def stated(labels: pd.DataFrame | np.ndarray) -> np.ndarray:
    """(n, findings) bool: the report asserts the finding, firmly or hedged (1 or -1) (notebook 03)."""
    values = np.asarray(labels, dtype=float)
    return (values == POSITIVE) | (values == UNCERTAIN)


def film_truth(xray_truth: pd.DataFrame) -> np.ndarray:
    """(n, findings) bool: what each film really shows, from the generator (notebook 03).

    A heart counts as enlarged only above a cardiothoracic ratio of 0.5, the usual PA threshold.
    """
    truth = np.column_stack([xray_truth[f"{f}_visibility"].to_numpy() > 0 for f in FINDINGS])
    truth[:, FINDINGS.index("cardiomegaly")] &= xray_truth["ctr"].to_numpy() > 0.5
    return truth


def label_comparison(report: str) -> dict[str, float]:
    """Interval change per finding from the COMPARISON section: 1 new, 0 unchanged, NaN not said (notebook 03)."""
    text = split_sections(report).get("COMPARISON", "")
    out = dict.fromkeys(FINDINGS, np.nan)
    for s in sentences(text):
        for f in FINDINGS:
            if re.search(MENTIONS[f], s):
                out[f] = NEW if re.search(r"\bnew\b", s) else UNCHANGED if re.search(r"unchanged|stable", s) else out[f]
    return out


def labeller_agreement(labels: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Per finding: F1 of 'stated' (1 or -1) and exact agreement of the four-way label vs a reference (notebook 03)."""
    got, want = stated(labels), stated(reference)
    same = labels.fillna(9).to_numpy() == reference.fillna(9).to_numpy()
    rows = {}
    for j, f in enumerate(FINDINGS):
        tp = (got[:, j] & want[:, j]).sum()
        rows[f] = {"F1 (stated)": 2 * tp / max(got[:, j].sum() + want[:, j].sum(), 1),
                   "exact agreement": same[:, j].mean()}
    return pd.DataFrame(rows).T
