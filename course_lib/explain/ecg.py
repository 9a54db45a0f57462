"""ECG attributions scored against the generator's truth: ST-T windows in the infarct territory's leads (notebook 14)."""

from __future__ import annotations

import numpy as np
import torch
from captum.attr import IntegratedGradients, Saliency

from course_lib.synth.ecg import LEADS, ECGBatch

# The leads that face each wall, in the common textbook grouping of contiguous leads (a STEMI is ST
# elevation at the J point in two contiguous leads: Thygesen et al., Fourth Universal Definition of MI,
# 2018). The generator's injury vectors (course_lib.synth.ecg.TERRITORY_VECTORS) project most strongly
# on these leads; neighbours (V5 in anterior, V4 in lateral) also rise a little and count as outside.
TERRITORY_LEADS = {
    "anterior": ("V1", "V2", "V3", "V4"),
    "inferior": ("II", "III", "aVF"),
    "lateral": ("I", "aVL", "V5", "V6"),
}


def st_truth_mask(batch: ECGBatch, start_s: float = 0.04, end_s: float = 0.35) -> np.ndarray:
    """(n, T, 12) bool: the ST-T window of every beat in the territory's leads (notebook 14).

    The window runs from `start_s` after each true R peak (the J point, end of the QRS) to
    `end_s` after it, scaled by sqrt(RR) like the generator's repolarisation (Bazett): the ST
    segment and the T wave that an injury current lifts. Records without a STEMI get no truth.
    """
    n, T, _ = batch.signals.shape
    out = np.zeros((n, T, len(LEADS)), bool)
    for i in range(n):
        if batch.territory[i] == "":
            continue
        peaks = np.asarray(batch.r_peaks[i])
        rr = np.median(np.diff(peaks)) / batch.fs if len(peaks) > 1 else 0.8
        scale = np.sqrt(np.clip(rr, 0.3, 1.6))
        time_mask = np.zeros(T, bool)
        for p in peaks:
            a, b = p + int(start_s * batch.fs), p + int(end_s * scale * batch.fs)
            time_mask[max(a, 0):min(b, T)] = True
        leads = [LEADS.index(name) for name in TERRITORY_LEADS[batch.territory[i]]]
        out[i][np.ix_(time_mask, leads)] = True
    return out


def ecg_attributions(model: torch.nn.Module, X: torch.Tensor, target: int, method: str = "Integrated Gradients",
                     ) -> np.ndarray:
    """|attribution| of output `target` for ECGs X (B, 12, T) -> (B, T, 12) numpy (notebook 14).

    IG's baseline is a flat line (0 mV): "no electrical activity", the natural absence of an ECG.
    """
    model = model.eval()
    X = X.detach().clone().float().requires_grad_(method == "Saliency")
    if method == "Integrated Gradients":
        attr = IntegratedGradients(model).attribute(X, target=target, n_steps=32, internal_batch_size=128)
    elif method == "Saliency":
        attr = Saliency(model).attribute(X, target=target)
    else:
        raise ValueError(f"unknown method {method!r}; use 'Integrated Gradients' or 'Saliency'")
    return attr.detach().abs().numpy().transpose(0, 2, 1)  # (B, 12, T) -> (B, T, 12)


def mass_in_truth(attr: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per record: share of attribution mass inside the truth, and the truth's share of the signal (notebook 14).

    attr, truth: (n, T, 12). A map that ignores the truth puts mass = share; the ratio is the
    enrichment ("how many times more than chance").
    """
    attr = np.abs(attr)
    mass = (attr * truth).sum(axis=(1, 2)) / np.maximum(attr.sum(axis=(1, 2)), 1e-12)
    share = truth.mean(axis=(1, 2))
    return mass, share
