"""The ER triage assistant: four encoders, late fusion with a missing-X-ray flag, risk, level, actions (notebook 15)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from scipy import signal

from course_lib.datasets.cohort import xray_tensor
from course_lib.models.ecg import ECGCNN
from course_lib.models.fusion import MLP, SmallCNN
from course_lib.models.missing import block_slices, fill_missing
from course_lib.preprocess.triage import (
    decision_point_a,
    nurse_resources,
    st_deviation,
    territory_st,
)

# What every encoder and the fused model predict, in this order. "critical" is ESI 1-2.
TARGETS = ("critical", "stemi", "acute_mi", "pneumonia", "heart_failure", "sepsis", "copd_asthma",
           "atrial_fibrillation")
LABELS = {"critical": "critical (ESI 1-2)", "stemi": "STEMI", "acute_mi": "acute MI", "pneumonia": "pneumonia",
          "heart_failure": "acute heart failure", "sepsis": "sepsis", "copd_asthma": "COPD/asthma exacerbation",
          "atrial_fibrillation": "atrial fibrillation"}
MODALITIES = ("text", "vitals", "ecg", "xray")
# What each encoder hands the fusion: 8 logits over TARGETS, except the ECG: its reader's 5 findings
# (normal, AF, VT, STEMI, ST depression: course_lib.synth.ecg.LABELS, as in notebook 05) and the
# measured ST level of the inferior, anterior and lateral leads and the highest of them, in mm
# (preprocess.triage.territory_st): a linear fusion cannot take "the largest of three" itself.
DIMS = {"text": len(TARGETS), "vitals": len(TARGETS), "ecg": 5 + 4, "xray": len(TARGETS)}
WIDTH = sum(DIMS.values())  # 33 numbers; the fused input adds 4 availability flags
VT_LOGIT = len(TARGETS) * 2 + 2  # column of the ECG reader's VT logit in the fused input
ST_MAX = len(TARGETS) * 2 + 5 + 3  # column of the largest territory ST level (mm) in the fused input
# ST elevation >= 1 mm (0.1 mV) in contiguous leads: the STEMI criterion of the Fourth Universal
# Definition of MI (Thygesen et al. 2018) outside V2-V3, used as the second arm of the STEMI net.
ST_ELEVATION_MM = 1.0
ECG_FS, ECG_SECONDS = 100, 5.0  # a 5 s 12-lead strip at 100 Hz: (12, 500)

# Action rules: (target, probability cut-off, action, the rule and its source).
ACTION_RULES = (
    ("stemi", 0.5, "Activate the cath lab; immediate cardiology consult",
     "STEMI: primary PCI, first medical contact to device <= 90 min (ACC/AHA STEMI guideline, O'Gara 2013)"),
    ("sepsis", 0.3, "Sepsis hour-1 bundle: lactate, blood cultures, then broad-spectrum antibiotics",
     "suspected sepsis: Surviving Sepsis Campaign hour-1 bundle (Levy et al. 2018)"),
    ("acute_mi", 0.3, "Serial high-sensitivity troponin (0 h / 1-2 h); repeat ECG",
     "possible NSTE-ACS: ESC 0 h/1 h or 0 h/2 h algorithm (Collet et al. 2021)"),
    ("heart_failure", 0.5, "Review the film for oedema; natriuretic peptide; cardiology review",
     "suspected acute heart failure: BNP/NT-proBNP (ESC heart-failure guideline, McDonagh 2021)"),
    ("pneumonia", 0.5, "Chest X-ray read by a clinician; CRP; severity score (CURB-65)",
     "suspected pneumonia: CURB-65 severity (Lim et al., Thorax 2003)"),
    ("atrial_fibrillation", 0.5, "Rhythm strip review; rate control; stroke-risk score",
     "suspected AF: CHA2DS2-VASc (ESC AF guideline, Hindricks 2020)"),
)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, numerically safe."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def risk_score(p_critical) -> np.ndarray:
    """Risk 1-10 from the calibrated probability of a critical patient: k means p in ((k-1)/10, k/10] (notebook 15)."""
    return np.clip(np.ceil(10 * np.asarray(p_critical, dtype=float)), 1, 10).astype(int)


def ecg_inputs(signals: np.ndarray, fs: float = ECG_FS) -> torch.Tensor:
    """(n, T, 12) mV -> band-passed (0.5-40 Hz) float32 tensor (n, 12, T), as in notebook 05 (notebook 15)."""
    # The filter of preprocess.ecg.bandpass (4th-order Butterworth, zero phase), run along axis 1 here.
    sos = signal.butter(4, [0.5, 40.0], btype="bandpass", fs=fs, output="sos")
    x = signal.sosfiltfilt(sos, np.asarray(signals, np.float32), axis=1)  # (n, T, 12)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 2, 1), dtype=np.float32))


def vitals_inputs(vitals: np.ndarray, age, sex) -> np.ndarray:
    """(n, 8) raw inputs of the vitals encoder: six triage vitals, age, male (0/1) (notebook 15)."""
    v = np.atleast_2d(np.asarray(vitals, dtype=np.float32))
    age = np.broadcast_to(np.asarray(age, dtype=np.float32), (len(v),))
    male = (np.broadcast_to(np.asarray(sex), (len(v),)) == "M").astype(np.float32)
    return np.column_stack([v, age, male]).astype(np.float32)


def suggest_levels(p_critical, threshold: float, vitals, complaints, resus=None, urgent=None) -> np.ndarray:
    """(n,) ESI 1-5 from a risk model: 1 at decision point A (or `resus`), 2 at p >= threshold (or `urgent`),
    else 3-5 by the resources the note implies (the nurse's rule) (notebook 15)."""
    p = np.asarray(p_critical, dtype=float)
    res = nurse_resources(complaints)
    lower = np.select([res >= 2, res == 1], [3, 4], 5)
    resus = decision_point_a(vitals) | (False if resus is None else np.asarray(resus, bool))
    urgent = (p >= threshold) | (False if urgent is None else np.asarray(urgent, bool))
    return np.select([resus, urgent], [1, 2], lower).astype(np.int8)


@dataclass
class TriageCard:
    """What the assistant shows the clinician for one patient (notebook 15)."""

    patient_id: str
    probabilities: dict[str, float]
    risk: int  # 1-10
    level: int  # ESI 1-5 suggested
    actions: list[tuple[str, str]]  # (action, rule that triggered it)
    contributions: dict[str, float]  # per-modality share of the critical logit (vs the average patient)
    top_words: list[str] = field(default_factory=list)
    saliency: np.ndarray | None = None  # (32, 32) |d logit / d pixel| of the film, None without a film
    xray_available: bool = True
    seconds: float = 0.0

    def text(self) -> str:
        """The card as the lecture's slide shows it."""
        p = self.probabilities
        ranked = sorted(TARGETS[1:], key=lambda k: -p[k])
        label = "urgent" if self.risk >= 7 else "high" if self.risk >= 4 else "low"
        lines = [f"Patient {self.patient_id}",
                 f"Predicted diagnosis: {LABELS[ranked[0]]} ({100 * p[ranked[0]]:.0f}% probability); then "
                 + ", ".join(f"{LABELS[k]} {100 * p[k]:.0f}%" for k in ranked[1:4]),
                 f"Risk score: {self.risk}/10 ({label}); P(critical, ESI 1-2) = {p['critical']:.2f}",
                 f"Suggested triage level: ESI {self.level}"
                 + ("" if self.xray_available else "  (no chest film yet: X-ray left out)")]
        lines += [f"Action: {a}\n    because {r}" for a, r in self.actions] or ["Action: routine assessment"]
        lines.append("Why (share of the critical logit): " + ", ".join(
            f"{m} {v:+.2f}" for m, v in self.contributions.items()))
        if self.top_words:
            lines.append("Words that raised the risk: " + ", ".join(self.top_words))
        lines.append(f"Processing time: {1000 * self.seconds:.0f} ms")
        return "\n".join(lines)


def recommend_actions(probs: dict[str, float], level: int) -> list[tuple[str, str]]:
    """Actions whose rule fires, each with the rule and its source (notebook 15)."""
    out = []
    if level == 1:
        out.append(("Resuscitation bay, physician at the bedside now",
                    "ESI decision point A: needs an immediate life-saving intervention"))
    stemi = probs["stemi"] >= ACTION_RULES[0][1]
    for target, cut, action, rule in ACTION_RULES:
        if probs[target] >= cut and not (target == "acute_mi" and stemi):
            out.append((action, rule))
    return out


class TriageAssistant:
    """Complaint text, vitals, ECG and chest film of one arriving patient -> a TriageCard (notebook 15).

    Each modality has its own trained encoder giving 8 logits (TARGETS); late fusion by stacking
    (notebook 11) on the four logit blocks with an X-ray availability flag (notebook 12: zero-fill +
    flag, trained with X-ray dropout), so a patient without a film still gets a triage.
    """

    def __init__(self, tfidf, text_coef: np.ndarray, text_bias: np.ndarray, vitals_mlp: MLP,
                 vitals_mean: np.ndarray, vitals_std: np.ndarray, ecg_cnn: ECGCNN, xray_cnn: SmallCNN,
                 fusion_coef: np.ndarray, fusion_bias: np.ndarray, feature_mean: np.ndarray,
                 threshold: float = 0.5):
        self.tfidf, self.text_coef, self.text_bias = tfidf, text_coef, text_bias  # (V, 8), (8,)
        self.vitals_mlp, self.vitals_mean, self.vitals_std = vitals_mlp.eval(), vitals_mean, vitals_std
        self.ecg_cnn, self.xray_cnn = ecg_cnn.eval(), xray_cnn.eval()
        self.fusion_coef, self.fusion_bias = fusion_coef, fusion_bias  # (37, 8), (8,)
        self.feature_mean = feature_mean  # (37,) average fused input: the explanation's baseline
        self.threshold = threshold  # P(critical) at or above it -> ESI 2 (the operating point)
        self.stemi_cut = 0.5  # P(STEMI) at or above it -> ESI 2 at least (the STEMI safety net)
        self.stemi_st_mm = ST_ELEVATION_MM  # or a territory's mean ST at or above it (mm) -> ESI 2 at least

    # ---- encoders: raw inputs -> (n, 8) logits each
    def text_logits(self, complaints) -> np.ndarray:
        return np.asarray(self.tfidf.transform(list(complaints)) @ self.text_coef) + self.text_bias

    @torch.no_grad()
    def vitals_logits(self, raw: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(((raw - self.vitals_mean) / self.vitals_std).astype(np.float32))
        return self.vitals_mlp(x).numpy()

    @torch.no_grad()
    def ecg_logits(self, ecg: np.ndarray) -> np.ndarray:
        x = ecg_inputs(ecg)  # (n, 12, T) band-passed
        st = st_deviation(x.numpy().transpose(0, 2, 1), ECG_FS)  # (n, 12) mV
        return np.column_stack([self.ecg_cnn(x).numpy(), territory_st(st)])  # (n, 9)

    @torch.no_grad()
    def xray_logits(self, images: np.ndarray) -> np.ndarray:
        return self.xray_cnn(xray_tensor(images, 32)).numpy()

    def features(self, complaints, vitals_raw, ecg, images, xray_available) -> np.ndarray:
        """(n, 37) fused inputs: four encoder blocks (absent film zero-filled) + 4 availability flags."""
        n = len(vitals_raw)
        avail = np.ones((n, 4), bool)
        avail[:, 3] = np.broadcast_to(np.asarray(xray_available, bool), (n,))
        x_img = np.zeros((n, DIMS["xray"]), np.float32)
        if avail[:, 3].any():
            x_img[avail[:, 3]] = self.xray_logits(np.asarray(images)[avail[:, 3]])
        blocks = np.column_stack([self.text_logits(complaints), self.vitals_logits(vitals_raw),
                                  self.ecg_logits(ecg), x_img])
        return np.column_stack([fill_missing(blocks, avail, DIMS), avail]).astype(np.float32)

    @staticmethod
    def without_film(F: np.ndarray) -> np.ndarray:
        """Fused inputs as if no film had been taken yet: the X-ray block zero-filled, its flag 0."""
        avail = np.ones((len(F), len(DIMS)), bool)
        avail[:, 3] = False
        return np.column_stack([fill_missing(F[:, :WIDTH], avail, DIMS), avail]).astype(np.float32)

    def probabilities(self, F: np.ndarray) -> np.ndarray:
        """(n, 8) fused probabilities of TARGETS."""
        return sigmoid(F @ self.fusion_coef + self.fusion_bias)

    def levels(self, probs: np.ndarray, F: np.ndarray, vitals, complaints) -> np.ndarray:
        """ESI suggested from (n, 8) probabilities and (n, 37) fused inputs: suggest_levels with the VT rule
        (ESI 1) and the STEMI safety net (ESI 2): P(STEMI) >= stemi_cut or measured ST >= stemi_st_mm."""
        probs, F = np.atleast_2d(probs), np.atleast_2d(F)
        return suggest_levels(probs[:, 0], self.threshold, vitals, complaints, resus=F[:, VT_LOGIT] >= 0,
                              urgent=self.stemi_net(probs, F))

    def stemi_net(self, probs: np.ndarray, F: np.ndarray) -> np.ndarray:
        """(n,) bool: the STEMI safety net fires (P(STEMI) at its cut-off, or ST elevation in any territory)."""
        probs, F = np.atleast_2d(probs), np.atleast_2d(F)
        return (probs[:, 1] >= self.stemi_cut) | (F[:, ST_MAX] >= self.stemi_st_mm)

    def contributions(self, F: np.ndarray) -> np.ndarray:
        """(n, 4) each modality's part of the critical logit, relative to the average patient.

        The fused model is linear in its inputs, so the logit splits exactly into one sum per
        modality block (the X-ray's availability flag counts to the X-ray).
        """
        d = (F - self.feature_mean) * self.fusion_coef[:, 0]  # (n, 37)
        parts = [d[:, sl].sum(1) + d[:, WIDTH + m] for m, sl in enumerate(block_slices(DIMS).values())]
        return np.column_stack(parts)

    def top_words(self, complaint: str, n: int = 3) -> list[str]:
        """The note's n-grams that raise the text encoder's critical logit most."""
        x = self.tfidf.transform([complaint])
        scores = x.multiply(self.text_coef[:, 0]).toarray()[0]
        vocab = self.tfidf.get_feature_names_out()
        order = np.argsort(scores)[::-1]
        return [vocab[i] for i in order[:n] if scores[i] > 0]

    def saliency(self, image: np.ndarray) -> np.ndarray:
        """(32, 32) |gradient| of the film encoder's critical logit w.r.t. the 32x32 input."""
        x = xray_tensor(image[None], 32).requires_grad_(True)
        self.xray_cnn(x)[0, 0].backward()
        return x.grad[0, 0].abs().numpy()

    def assess(self, patient: dict) -> TriageCard:
        """One patient dict (complaint, vitals (6,), age, sex, ecg (T, 12) , image (H, W) or None) -> card."""
        missing = {"complaint", "vitals", "age", "sex", "ecg"} - set(patient)
        if missing:
            raise ValueError(f"patient is missing {sorted(missing)}; give complaint, vitals (6,), age, sex, "
                             "ecg (T, 12) and image (H, W) or None")
        start = time.perf_counter()
        has_film = patient.get("image") is not None
        image = np.asarray(patient["image"], np.float32)[None] if has_film else np.zeros((1, 32, 32), np.float32)
        raw = vitals_inputs(patient["vitals"], patient["age"], patient["sex"])
        F = self.features([patient["complaint"]], raw, np.asarray(patient["ecg"])[None], image, has_film)
        p = self.probabilities(F)[0]
        probs = dict(zip(TARGETS, p.tolist(), strict=True))
        level = int(self.levels(p[None], F, raw[:, :6], [patient["complaint"]])[0])
        card = TriageCard(
            patient_id=str(patient.get("patient_id", "new")), probabilities=probs, risk=int(risk_score(p[0])),
            level=level, actions=recommend_actions(probs, level),
            contributions=dict(zip(MODALITIES, self.contributions(F)[0].round(3).tolist(), strict=True)),
            top_words=self.top_words(patient["complaint"]),
            saliency=self.saliency(image[0]) if has_film else None, xray_available=has_film)
        card.seconds = time.perf_counter() - start
        return card
