"""ECG preprocessing, R-peak detection and scoring, RR features (notebook 05).

Arrays are (T,) for one lead or (T, leads) for a record: filters run along axis 0.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage, signal


def bandpass(x: np.ndarray, fs: float, low: float = 0.5, high: float = 40.0,
             order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass along time (axis 0) (notebook 05)."""
    # Second-order sections are numerically stable at 0.5 Hz / 500 Hz where (b, a) is not;
    # forward-backward filtering cancels the phase shift, so waves stay where they were.
    sos = signal.butter(order, [low, high], btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x, axis=0)


# Mains (power-line) frequency: 220 V / 60 Hz in Korea, 60 Hz in the Americas, 50 Hz in Europe
# (IEC World Plugs; US Dept. of Commerce, Electric Current Abroad, 2002). The course is taught in Korea: 60 Hz is the default everywhere.
MAINS_HZ = {"Korea": 60.0, "Americas": 60.0, "Europe": 50.0}


def notch(x: np.ndarray, fs: float, f0: float = MAINS_HZ["Korea"], quality: float = 30.0) -> np.ndarray:
    """Zero-phase notch at the mains frequency f0: 60 Hz in Korea and the Americas, 50 Hz in Europe (notebook 05)."""
    b, a = signal.iirnotch(f0, quality, fs=fs)
    return signal.filtfilt(b, a, x, axis=0)


def remove_baseline(x: np.ndarray, fs: float) -> np.ndarray:
    """Subtract the baseline estimated by two median filters (200 ms, then 600 ms) (notebook 05)."""
    # The 200 ms median removes QRS and P, the 600 ms one the T wave: what is left is
    # the wander. Unlike a high-pass it does not tilt the ST segment at normal rates; at fast
    # rates (short RR) the 600 ms window spans ST and T and follows part of them.
    pad = (1,) * (x.ndim - 1)  # filter along time only, each lead on its own
    base = ndimage.median_filter(x, size=(int(0.2 * fs) | 1, *pad))
    base = ndimage.median_filter(base, size=(int(0.6 * fs) | 1, *pad))
    return x - base


def normalise(x: np.ndarray, method: str = "zscore") -> np.ndarray:
    """Per-lead scaling: 'zscore' (mean 0, sd 1) or 'minmax' (0-1, as on the slide) (notebook 05)."""
    if method == "zscore":
        return (x - x.mean(0)) / (x.std(0) + 1e-8)
    if method == "minmax":
        lo, hi = x.min(0), x.max(0)
        return (x - lo) / (hi - lo + 1e-8)
    raise ValueError(f"method must be 'zscore' or 'minmax', got {method!r}")


def detect_r_peaks(lead: np.ndarray, fs: float, method: str = "xqrs") -> np.ndarray:
    """R-peak sample indices of one lead with wfdb's XQRS or neurokit2 (notebook 05)."""
    if method == "xqrs":
        from wfdb import processing

        return np.asarray(processing.xqrs_detect(lead, fs=fs, verbose=False), dtype=np.int64)
    if method == "neurokit":
        import neurokit2 as nk

        clean = nk.ecg_clean(lead, sampling_rate=int(fs))
        _, info = nk.ecg_peaks(clean, sampling_rate=int(fs))
        return np.asarray(info["ECG_R_Peaks"], dtype=np.int64)
    raise ValueError(f"method must be 'xqrs' or 'neurokit', got {method!r}")


def score_r_peaks(detected: np.ndarray, truth: np.ndarray, fs: float, n_samples: int,
                  tolerance_s: float = 0.15, margin_s: float = 0.5) -> dict:
    """Sensitivity, PPV and F1 of detected R peaks against ground truth (wfdb's matcher) (notebook 05).

    Beats within `margin_s` of either end are not scored (truth or detection): every
    detector needs a little signal to start, and a QRS cut by the edge is not a beat.
    """
    from wfdb import processing

    def inner(p):
        p = np.asarray(p, np.int64)
        return p[(p >= margin_s * fs) & (p < n_samples - margin_s * fs)]

    detected, truth = inner(detected), inner(truth)
    if len(detected) == 0 or len(truth) == 0:
        tp = 0
    else:
        cmp = processing.compare_annotations(truth, detected, int(tolerance_s * fs))
        tp = cmp.tp
    sens = tp / max(len(truth), 1)
    ppv = tp / max(len(detected), 1)
    f1 = 2 * sens * ppv / (sens + ppv) if sens + ppv else 0.0
    return {"sensitivity": sens, "ppv": ppv, "f1": f1, "tp": tp,
            "fn": len(truth) - tp, "fp": len(detected) - tp}


def rr_intervals(r_peaks: np.ndarray, fs: float) -> np.ndarray:
    """RR intervals in seconds from R-peak sample indices (notebook 05)."""
    return np.diff(np.asarray(r_peaks)) / fs


def rr_irregularity(r_peaks: np.ndarray, fs: float) -> float:
    """Normalised RMSSD: RMS of successive RR differences / mean RR (unitless) (notebook 05)."""
    rr = rr_intervals(r_peaks, fs)
    return float(np.sqrt(np.mean(np.diff(rr) ** 2)) / np.mean(rr))


def hrv_summary(r_peaks: np.ndarray, fs: float) -> dict:
    """Heart rate and the usual RR-variability numbers of one record (notebook 05)."""
    rr = rr_intervals(r_peaks, fs)
    return {"heart_rate_bpm": 60 / rr.mean(), "sdnn_ms": 1000 * rr.std(),
            "rmssd_ms": 1000 * np.sqrt(np.mean(np.diff(rr) ** 2)),
            "rr_irregularity": rr_irregularity(r_peaks, fs)}
