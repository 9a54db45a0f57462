"""Radiology reports written from each film's ground truth, with their labels (notebook 02)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from course_lib.synth.config import CohortConfig
from course_lib.synth.xray import FINDINGS

LOBE_NAMES = {
    "RUL": "right upper lobe",
    "RML": "right middle lobe",
    "RLL": "right lower lobe",
    "LUL": "left upper lobe",
    "LLL": "left lower lobe",
}
# Report labels follow the CheXpert convention: 1 positive, 0 negated, -1 uncertain,
# NaN not mentioned.
POSITIVE, NEGATIVE, UNCERTAIN = 1.0, 0.0, -1.0

_CONSOLIDATION = [
    "There is airspace consolidation in the {lobe}.",
    "Focal opacity in the {lobe}, consistent with consolidation.",
    "Dense consolidation of the {lobe} with air bronchograms.",
    "Patchy airspace opacification in the {lobe}.",
]
_CONSOLIDATION_SUBTLE = [
    "Possible early consolidation in the {lobe}.",
    "Subtle patchy opacity in the {lobe}, which may represent early pneumonia.",
    "Questionable faint opacity projecting over the {lobe}.",
]
_NO_CONSOLIDATION = ["No focal consolidation.", "No focal airspace opacity.", "No consolidation."]
_ATELECTASIS = [
    "Linear opacity at the {side} base, likely subsegmental atelectasis.",
    "Plate-like atelectasis in the {lobe}.",
    "Minor {side} basal atelectasis.",
]
_ATELECTASIS_SUBTLE = ["Possible minor atelectasis at the {side} base."]
_OEDEMA = [
    "Bilateral perihilar haziness and interstitial markings consistent with pulmonary oedema.",
    "Pulmonary vascular congestion with interstitial oedema and Kerley B lines.",
    "Upper lobe venous diversion, perihilar haze and septal (Kerley B) lines: pulmonary oedema.",
    "Bat-wing perihilar opacities in keeping with pulmonary oedema.",
]
_OEDEMA_SUBTLE = ["Possible mild interstitial oedema.", "Mild vascular congestion, ?early oedema."]
_NO_OEDEMA = ["No pulmonary oedema.", "No evidence of pulmonary oedema."]
_EFFUSION = [
    "{size} {side} pleural effusion{s}.",
    "{size} {side} pleural effusion{s} with meniscus.",
]
_EFFUSION_SUPINE = [
    "{size} {side} pleural effusion{s} layering posteriorly on this supine film (hazy veil-like opacity).",
]
_EFFUSION_SUBTLE = [
    "Blunting of the {side} costophrenic angle{s}, possibly a small effusion.",
    "Possible trace {side} pleural effusion{s}.",
]
_NO_EFFUSION = [
    "No pleural effusion.",
    "Costophrenic angles are sharp.",
    "No pleural effusion or pneumothorax.",
]
_CARDIOMEGALY = [
    "The heart is enlarged.",
    "Cardiomegaly (CTR approximately {ctr:.2f}).",
    "Enlarged cardiac silhouette.",
]
_CARDIOMEGALY_SUBTLE = ["Heart size at the upper limit of normal.", "Borderline cardiomegaly."]
_NORMAL_HEART = [
    "Heart size is normal.",
    "Cardiomediastinal silhouette within normal limits.",
    "Normal heart size.",
]
_HYPERINFLATION = [
    "The lungs are hyperinflated with flattened hemidiaphragms.",
    "Hyperexpanded lungs with flattening of the diaphragm, consistent with COPD.",
]
_HYPERINFLATION_SUBTLE = ["Possible mild hyperinflation."]
_NO_ACUTE = [
    "No acute cardiopulmonary process.",
    "No acute abnormality.",
    "Normal chest radiograph.",
]


def _pick(options, u: float) -> str:
    return options[int(u * len(options)) % len(options)]


def _side(right: float, left: float) -> tuple[str, str]:
    """('right'|'left'|'bilateral', plural 's' or '')."""
    if right > 0 and left > 0:
        return "bilateral", "s"
    return ("right" if right > 0 else "left"), ""


# The sign that localises a clear consolidation (the silhouette sign, notebook 00).
_SIGN = {
    "RML": " It obscures the right heart border (silhouette sign).",
    "RLL": " The right hemidiaphragm is obscured; the right heart border is preserved.",
    "LLL": " The left hemidiaphragm is obscured behind the heart.",
}


def write_reports(
    plan: pd.DataFrame, state: pd.DataFrame, rng: np.random.Generator, config: CohortConfig,
    site=None,
) -> tuple[list[str], pd.DataFrame]:
    """Reports (Comparison, Findings, Impression, Recommendation) and their labels (notebook 02).

    A finding with visibility below the subtle threshold (the site's readers' own,
    site.concept.subtle_threshold, else config.subtle_threshold) is hedged, and with
    probability config.subtle_miss_rate it is not mentioned at all (a missed finding).
    """
    n = len(plan)
    u = rng.random((n, 16))  # every random choice of the report, drawn up front
    labels = np.full((n, len(FINDINGS)), np.nan)
    reports = []
    thr = config.subtle_threshold
    if site is not None and site.concept.subtle_threshold is not None:
        thr = site.concept.subtle_threshold
    for i, row in enumerate(plan.itertuples(index=False)):
        vis = {f: getattr(row, f"{f}_visibility") for f in FINDINGS}
        vis["cardiomegaly"] = vis["cardiomegaly"] if row.ctr > 0.5 else 0.0
        seen = {}
        for j, f in enumerate(FINDINGS):
            subtle = 0 < vis[f] < thr
            missed = subtle and u[i, j] < config.subtle_miss_rate
            seen[f] = "" if vis[f] == 0 or missed else ("subtle" if subtle else "clear")
        lines, impression, negated = [], [], set()
        lobe = LOBE_NAMES.get(row.consolidation_lobe, "")
        if row.consolidation_lobe2:
            lobe += " and the " + LOBE_NAMES[row.consolidation_lobe2]
        lobar = row.consolidation_extent >= 0.6 and not row.consolidation_lobe2
        if seen["consolidation"] == "clear":
            lines.append(_pick(_CONSOLIDATION, u[i, 6]).format(lobe=lobe)
                         + (_SIGN.get(row.consolidation_lobe, "") if lobar else ""))
            impression.append(f"{lobe[0].upper() + lobe[1:]} pneumonia.")
        elif seen["consolidation"] == "subtle":
            lines.append(_pick(_CONSOLIDATION_SUBTLE, u[i, 6]).format(lobe=lobe))
            impression.append(
                f"Possible early {lobe} pneumonia in the appropriate clinical setting."
            )
        else:
            lines.append(_pick(_NO_CONSOLIDATION, u[i, 6]))
            negated.add("consolidation")
        if seen["atelectasis"]:
            side = "right" if row.atelectasis_lobe.startswith("R") else "left"
            options = _ATELECTASIS if seen["atelectasis"] == "clear" else _ATELECTASIS_SUBTLE
            text = _pick(options, u[i, 7]).format(side=side, lobe=LOBE_NAMES[row.atelectasis_lobe])
            if seen["atelectasis"] == "clear" and not row.atelectasis_plate:
                text += f" Volume loss with elevation of the {side} hemidiaphragm."
            lines.append(text)
        if seen["oedema"]:
            lines.append(_pick(_OEDEMA if seen["oedema"] == "clear" else _OEDEMA_SUBTLE, u[i, 8]))
        elif u[i, 9] < 0.6:
            lines.append(_pick(_NO_OEDEMA, u[i, 8]))
            negated.add("oedema")
        if seen["effusion"]:
            side, s = _side(row.effusion_right, row.effusion_left)
            big = max(row.effusion_right, row.effusion_left)
            size = "Large" if big > 0.35 else "Moderate" if big > 0.18 else "Small"
            options = _EFFUSION if seen["effusion"] == "clear" else _EFFUSION_SUBTLE
            if seen["effusion"] == "clear" and getattr(row, "supine", False):
                options = _EFFUSION_SUPINE  # layering fluid: a veil, no meniscus
            lines.append(_pick(options, u[i, 10]).format(side=side, s=s, size=size))
            if seen["effusion"] == "clear":
                impression.append(f"{size} {side} pleural effusion{s}.")
        else:
            lines.append(_pick(_NO_EFFUSION, u[i, 10]))
            negated.add("effusion")
        if seen["cardiomegaly"]:
            options = _CARDIOMEGALY if seen["cardiomegaly"] == "clear" else _CARDIOMEGALY_SUBTLE
            lines.append(_pick(options, u[i, 11]).format(ctr=row.ctr))
            if seen["cardiomegaly"] == "clear":
                impression.append(
                    "Cardiomegaly with pulmonary oedema, consistent with congestive heart failure."
                    if seen["oedema"] == "clear"
                    else "Cardiomegaly."
                )
        else:
            lines.append(_pick(_NORMAL_HEART, u[i, 11]))
            negated.add("cardiomegaly")
        if seen["oedema"] == "clear" and seen["cardiomegaly"] != "clear":
            impression.append("Pulmonary oedema.")
        if seen["hyperinflation"]:
            clear = seen["hyperinflation"] == "clear"
            lines.append(_pick(_HYPERINFLATION if clear else _HYPERINFLATION_SUBTLE, u[i, 12]))
            if clear:
                impression.append("Hyperinflation, consistent with COPD.")
        if row.view == "AP" and u[i, 13] < 0.5:
            lines.append("Portable AP projection limits assessment of heart size.")
        lines.append("No acute osseous abnormality.")
        if not impression:
            impression.append(_pick(_NO_ACUTE, u[i, 14]))

        labels[i] = [_label(seen[f], f in negated) for f in FINDINGS]
        had_prior = state["copd_history"].iat[i] or state["prior_mi"].iat[i] or u[i, 15] < 0.15
        comparison = "Chest radiograph from a previous visit." if had_prior else "None."
        view = "Portable AP chest radiograph" if row.view == "AP" else "Chest radiograph, PA view"
        text = f"EXAMINATION: {view}.\nCOMPARISON: {comparison}\nFINDINGS: " + " ".join(lines)
        text += "\nIMPRESSION: " + " ".join(f"{k + 1}. {s}" for k, s in enumerate(impression))
        if seen["consolidation"] == "clear" and state["age"].iat[i] >= 50:
            text += "\nRECOMMENDATION: Follow-up radiograph in 6-8 weeks to document resolution."
        elif seen["consolidation"] == "subtle":
            text += "\nRECOMMENDATION: Clinical correlation; repeat radiograph if symptoms persist."
        reports.append(text)
    label_frame = pd.DataFrame(labels, columns=list(FINDINGS))
    return reports, label_frame


def _label(seen: str, negated: bool) -> float:
    """CheXpert-style label of one finding in one report."""
    if negated:
        return NEGATIVE
    if seen == "clear":
        return POSITIVE
    if seen == "subtle":
        return UNCERTAIN
    return np.nan
