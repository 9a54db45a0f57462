"""Wearable PPG processing with two field libraries, heartpy and neurokit2, and motion artefacts (notebook 17)."""

from __future__ import annotations

import warnings

import numpy as np


def ppg_rates(ppg: np.ndarray, fs: float) -> dict[str, dict[str, float]]:
    """Heart rate (bpm) and RMSSD (ms) of a PPG by heartpy and by neurokit2 (notebook 17)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import heartpy as hp
        import neurokit2 as nk

        _, m = hp.process(hp.filter_signal(ppg, [0.7, 3.5], fs, order=3, filtertype="bandpass"), fs)
        signals, info = nk.ppg_process(ppg, sampling_rate=fs)
        peaks = np.asarray(info["PPG_Peaks"])
        rr = np.diff(peaks) / fs * 1e3  # ms between beats
    return {"heartpy": {"heart rate (bpm)": float(m["bpm"]), "RMSSD (ms)": float(m["rmssd"]), "beats": len(rr) + 1},
            "neurokit2": {"heart rate (bpm)": float(60e3 / np.mean(rr)),
                          "RMSSD (ms)": float(np.sqrt(np.mean(np.diff(rr) ** 2))), "beats": len(peaks)},
            "_peaks": peaks}


def add_motion_artefact(ppg: np.ndarray, fs: float, strength: float = 1.0, seed: int = 0) -> np.ndarray:
    """The PPG with arm-swing motion: a 1.8 Hz sway plus large random jolts, scaled to the signal (notebook 17).

    Walking moves the sensor against the skin at the step rate (~1.5-2 Hz), inside the band of the
    heart rate itself, so a band-pass filter cannot remove it.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(len(ppg)) / fs
    scale = np.std(ppg)
    sway = np.sin(2 * np.pi * 1.8 * t + rng.uniform(0, 2 * np.pi))
    jolts = np.convolve(rng.standard_normal(len(ppg)) * (rng.random(len(ppg)) < 0.01), np.hanning(int(fs / 4)), "same")
    return ppg + strength * scale * (1.2 * sway + 1.5 * jolts)


def ecg_ppg_pair(heart_rate: float = 72, duration: int = 30, fs: int = 250, seed: int = 0):
    """A SIMULATED simultaneous ECG and PPG at one heart rate (neurokit2's simulators) (notebook 17)."""
    import neurokit2 as nk

    ecg = nk.ecg_simulate(duration=duration, sampling_rate=fs, heart_rate=heart_rate, random_state=seed)
    ppg = nk.ppg_simulate(duration=duration, sampling_rate=fs, heart_rate=heart_rate, random_state=seed)
    return np.asarray(ecg), np.asarray(ppg), fs


def ecg_rate(ecg: np.ndarray, fs: float) -> float:
    """Heart rate (bpm) from ECG R-peaks found by neurokit2 (notebook 17)."""
    import neurokit2 as nk

    _, info = nk.ecg_peaks(nk.ecg_clean(ecg, sampling_rate=fs), sampling_rate=fs)
    return float(60 * fs / np.mean(np.diff(info["ECG_R_Peaks"])))
