"""Lung-sound preprocessing: spectrograms, mel, MFCC, HPSS, filters, cycles, augmentation, detectors (notebook 06).

librosa gives the mel filterbank; the STFT is torch.stft (batched, same numbers as librosa.stft
with centre padding, tested); power_to_db, MFCC and HPSS are the few lines librosa runs, written
out (tested equal to librosa) because librosa's versions first compile numba code (~15 s once).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from scipy import fft as sp_fft
from scipy import ndimage, signal

CRACKLE_BAND = (300.0, 1800.0)  # Hz: crackles are broadband pops; breath and heart sounds fade below
WHEEZE_BAND = (100.0, 1200.0)  # Hz: where wheeze fundamentals and first harmonics sit


def stft_power(x: np.ndarray, n_fft: int = 256, hop: int = 128) -> np.ndarray:
    """Power spectrogram |STFT|^2 of (T,) or (n, T) audio -> (F, frames) or (n, F, frames) (notebook 06).

    Hann window of n_fft samples, centre-padded with zeros: librosa.stft's defaults.
    """
    x = np.asarray(x, np.float32)
    if n_fft < 8 or hop < 1 or x.shape[-1] < n_fft // 2 + 1:
        raise ValueError(f"need n_fft >= 8, hop >= 1 and at least n_fft/2 + 1 samples; got n_fft={n_fft}, "
                         f"hop={hop}, {x.shape[-1]} samples")
    spec = torch.stft(torch.from_numpy(x.reshape(-1, x.shape[-1])), n_fft, hop_length=hop,
                      window=torch.hann_window(n_fft), center=True, pad_mode="constant",
                      return_complex=True)  # (n, F, frames)
    power = (spec.real ** 2 + spec.imag ** 2).numpy()
    return power.reshape(*x.shape[:-1], *power.shape[-2:])


def mel_filterbank(sr: int, n_fft: int, n_mels: int = 32, fmin: float = 50.0,
                   fmax: float | None = None) -> np.ndarray:
    """(n_mels, 1 + n_fft // 2) triangular mel filters (Slaney), from librosa (notebook 06)."""
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)


def power_to_db(S: np.ndarray, amin: float = 1e-10, top_db: float | None = 80.0) -> np.ndarray:
    """10 log10(S) with a floor, clipped `top_db` below each example's peak (librosa's power_to_db) (notebook 06)."""
    db = 10.0 * np.log10(np.maximum(S, amin))
    if top_db is not None:
        peak = db.max(axis=(-2, -1), keepdims=True)  # per spectrogram, not per batch
        db = np.maximum(db, peak - top_db)
    return db


def log_mel(power: np.ndarray, sr: int, n_mels: int = 32, fmin: float = 50.0,
            fmax: float | None = None, top_db: float | None = 80.0) -> np.ndarray:
    """Log-mel spectrogram in dB from a power spectrogram (..., F, frames) -> (..., n_mels, frames) (notebook 06)."""
    n_fft = 2 * (power.shape[-2] - 1)
    fb = mel_filterbank(sr, n_fft, n_mels, fmin, fmax).astype(power.dtype)
    mel = np.matmul(fb, power)  # (n_mels, F) @ (..., F, frames): each band sums its FFT bins
    return power_to_db(mel, top_db=top_db)


def mfcc(log_mel_db: np.ndarray, n_mfcc: int = 13) -> np.ndarray:
    """MFCCs: orthonormal DCT-II of a log-mel spectrogram along the mel axis (librosa's mfcc) (notebook 06)."""
    return sp_fft.dct(log_mel_db, type=2, norm="ortho", axis=-2)[..., :n_mfcc, :]


def hpss(S: np.ndarray, kernel_size: int = 31, power: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic/percussive split of a magnitude spectrogram (F, frames) by median filtering (notebook 06).

    Tones (wheezes) are horizontal lines: a median along time keeps them. Pops (crackles) are
    vertical lines: a median along frequency keeps them. Soft masks share S between the two.
    """
    harm = ndimage.median_filter(S, size=(1, kernel_size), mode="reflect")
    perc = ndimage.median_filter(S, size=(kernel_size, 1), mode="reflect")
    h, p = harm ** power, perc ** power
    total = h + p
    zero = total < np.finfo(S.dtype).tiny
    mask_h = np.where(zero, 0.5, h / np.where(zero, 1, total))
    return S * mask_h, S * (1 - mask_h)


def bandpass(x: np.ndarray, fs: float, low: float, high: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass along the last axis (notebook 06)."""
    if not 0 < low < high < fs / 2:
        raise ValueError(f"need 0 < low < high < fs/2 = {fs / 2:g} Hz, got low={low}, high={high}")
    sos = signal.butter(order, [low, high], btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x, axis=-1).astype(np.float32)


def cycle_windows(audio: np.ndarray, cycles, fs: int, length_s: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Cut every annotated cycle into a fixed window: (n_cycles, L) float32 and the recording of each (notebook 06).

    A window starts at the cycle's start; shorter cycles are zero-padded, longer ones cropped
    (ICBHI models do the same with fixed-length inputs).
    """
    length = int(round(length_s * fs))
    rows, rec = [], []
    for i, cyc in enumerate(cycles):
        for start, end in cyc:
            w = np.zeros(length, np.float32)
            seg = audio[i, start:min(end, start + length)]
            w[:len(seg)] = seg
            rows.append(w)
            rec.append(i)
    return np.stack(rows) if rows else np.zeros((0, length), np.float32), np.asarray(rec, int)


def features(windows: np.ndarray, fs: int, n_fft: int = 256, hop: int = 128,
             n_mels: int = 32) -> torch.Tensor:
    """Windows (n, L) -> standardised log-mel tensors (n, 1, n_mels, frames), one scale per window (notebook 06)."""
    db = log_mel(stft_power(windows, n_fft, hop), fs, n_mels=n_mels)
    db = (db - db.mean(axis=(1, 2), keepdims=True)) / (db.std(axis=(1, 2), keepdims=True) + 1e-6)
    return torch.from_numpy(db.astype(np.float32))[:, None]


def spec_augment(X: torch.Tensor, freq_masks: int = 2, freq_width: int = 4, time_masks: int = 2,
                 time_width: int = 8, max_shift: int = 8, eq_db: float = 0.0,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """SpecAugment-style masks, a random circular time shift and an optional random EQ tilt (notebook 06).

    X: (B, 1, M, T) standardised log-mel. The EQ adds a random smooth curve across the mel bands
    (a filter is a product in frequency, so a sum in dB): a cheap stand-in for other stethoscopes.
    """
    B, _, M, T = X.shape
    X = X.clone()
    g = generator
    shift = torch.randint(-max_shift, max_shift + 1, (B,), generator=g) if max_shift else None
    if shift is not None:
        idx = (torch.arange(T)[None] - shift[:, None]) % T  # (B, T)
        X = torch.gather(X, 3, idx[:, None, None, :].expand(B, 1, M, T))
    for size, width, axis in [(M, freq_width, 2), (T, time_width, 3)]:
        for _ in range(freq_masks if axis == 2 else time_masks):
            w = torch.randint(0, width + 1, (B,), generator=g)
            start = (torch.rand(B, generator=g) * (size - w)).long()
            pos = torch.arange(size)[None]
            mask = (pos >= start[:, None]) & (pos < (start + w)[:, None])  # (B, size)
            mask = mask[:, None, :, None] if axis == 2 else mask[:, None, None, :]
            X = X.masked_fill(mask, 0.0)
    if eq_db:
        m = torch.linspace(0, 1, M)[None]  # position along the mel axis
        tilt = (torch.rand(B, 1, generator=g) * 2 - 1) * eq_db  # low/high emphasis (std units)
        knee = torch.rand(B, 1, generator=g) * 0.8 + 0.2
        roll = torch.rand(B, 1, generator=g) * eq_db * torch.relu(m - knee) / (1 - knee)
        X = X + (tilt * (m - 0.5) - roll)[:, None, :, None]
    return X


def detect_crackles(x: np.ndarray, fs: int, n_fft: int = 64, hop: int = 16, threshold_db: float = 8.0,
                    min_gap_s: float = 0.02) -> np.ndarray:
    """Crackle onsets (samples) in one recording: pops of band energy above the local background (notebook 06).

    Energy in CRACKLE_BAND per STFT frame (dB), minus its running median (the breath sound, floored
    at the recording's median so quiet expiration is not a tiny background); peaks more than
    `threshold_db` above it, at least `min_gap_s` apart.
    """
    x = bandpass(x, fs, *CRACKLE_BAND)  # heart sounds and most breath power lie below the band
    energy = 10 * np.log10(stft_power(x, n_fft, hop).sum(0) + 1e-12)  # (frames,) band energy, dB
    background = ndimage.median_filter(energy, size=max(3, int(0.25 * fs / hop)) | 1, mode="nearest")
    background = np.maximum(background, np.median(energy))
    peaks, _ = signal.find_peaks(energy - background, height=threshold_db,
                                 distance=max(1, int(min_gap_s * fs / hop)))
    return peaks * hop  # frame centres (centre-padded STFT): frame j is centred on sample j * hop


def detect_wheezes(x: np.ndarray, fs: int, n_fft: int = 512, hop: int = 128, peak_db: float = 12.0,
                   min_dur_s: float = 0.08) -> np.ndarray:
    """Wheeze intervals (m, 2) in samples: frames whose spectrum has a sharp peak, lasting >= 80 ms (notebook 06).

    A tone puts its power in one bin: it stands far above its neighbouring bins, whereas breath
    noise, however loud or steeply sloped, stays close to its local mean (in dB).
    """
    freqs = np.fft.rfftfreq(n_fft, 1 / fs)
    band = (freqs >= WHEEZE_BAND[0]) & (freqs <= WHEEZE_BAND[1])
    db = 10 * np.log10(stft_power(x, n_fft, hop) + 1e-12)  # (bins, frames)
    local = ndimage.uniform_filter1d(db, size=max(5, n_fft // 32) | 1, axis=0, mode="nearest")  # neighbours
    tonal = (db - local)[band].max(0) > peak_db
    tonal = ndimage.binary_closing(tonal, np.ones(3)) | tonal  # bridge one-frame dropouts
    intervals = []
    labels, count = ndimage.label(tonal)
    for j in range(1, count + 1):
        frames = np.flatnonzero(labels == j)
        start, end = frames[0] * hop, frames[-1] * hop + hop
        if end - start >= min_dur_s * fs:
            intervals.append((start, end))
    return np.asarray(intervals, np.int64).reshape(-1, 2)


def score_events(detected: np.ndarray, truth: np.ndarray, fs: int, tolerance_s: float = 0.02) -> dict:
    """Precision, recall, F1 of detected event times against true ones, one-to-one within a tolerance (notebook 06)."""
    from wfdb import processing

    detected, truth = np.asarray(detected, np.int64), np.asarray(truth, np.int64)
    tp = 0
    if len(detected) and len(truth):
        tp = processing.compare_annotations(truth, detected, int(tolerance_s * fs)).tp
    precision, recall = tp / max(len(detected), 1), tp / max(len(truth), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp,
            "fp": len(detected) - tp, "fn": len(truth) - tp}


def interval_f1(detected: np.ndarray, truth: np.ndarray, n_samples: int) -> dict:
    """Time-overlap precision, recall, F1 of detected vs true intervals (m, 2), sample by sample (notebook 06)."""
    def mask(iv):
        m = np.zeros(n_samples, bool)
        for a, b in np.asarray(iv, np.int64).reshape(-1, 2):
            m[max(a, 0):min(b, n_samples)] = True
        return m

    d, t = mask(detected), mask(truth)
    tp = float((d & t).sum())
    precision, recall = tp / max(d.sum(), 1), tp / max(t.sum(), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": float((d & ~t).sum()),
            "fn": float((~d & t).sum())}


def icbhi_score(confusion: np.ndarray) -> dict:
    """ICBHI challenge score from a 4x4 confusion matrix (rows true, columns predicted) (notebook 06).

    Classes in order normal, crackle, wheeze, both. Se = correctly classified abnormal cycles /
    abnormal cycles; Sp = correctly classified normal cycles / normal cycles; score = (Se + Sp) / 2.
    """
    c = np.asarray(confusion, float)
    if c.shape != (4, 4):
        raise ValueError(f"expected a 4x4 confusion matrix (normal, crackle, wheeze, both), got {c.shape}")
    se = np.trace(c[1:, 1:] * np.eye(3)) / max(c[1:].sum(), 1)
    sp = c[0, 0] / max(c[0].sum(), 1)
    return {"sensitivity": float(se), "specificity": float(sp), "score": float((se + sp) / 2)}


WINDOW_CANDIDATES = (32, 64, 128, 256, 512, 1024)  # STFT windows in samples (8-256 ms at 4 kHz)


def window_scores(batch, windows=WINDOW_CANDIDATES, tolerance_s: float = 0.02) -> pd.DataFrame:
    """Pooled crackle-detection F1 and wheeze time-overlap F1 for each STFT window (hop = window/4) (notebook 06).

    `batch` is a synth.audio.LungSoundBatch: its true crackle times and wheeze intervals score
    detect_crackles and detect_wheezes run at every window length.
    """
    rows = {}
    for n_fft in windows:
        c = np.zeros(3)  # tp, fp, fn
        w = np.zeros(3)
        for i in range(len(batch)):
            s = score_events(detect_crackles(batch.audio[i], batch.fs, n_fft, max(1, n_fft // 4)),
                             batch.crackles[i], batch.fs, tolerance_s)
            c += [s["tp"], s["fp"], s["fn"]]
            s = interval_f1(detect_wheezes(batch.audio[i], batch.fs, n_fft, max(1, n_fft // 4)),
                            batch.wheezes[i], batch.audio.shape[1])
            w += [s["tp"], s["fp"], s["fn"]]
        rows[n_fft] = {"window (ms)": 1000 * n_fft / batch.fs,
                       "crackle F1": 2 * c[0] / max(2 * c[0] + c[1] + c[2], 1),
                       "wheeze F1": 2 * w[0] / max(2 * w[0] + w[1] + w[2], 1)}
    return pd.DataFrame(rows).T.rename_axis("window (samples)")


def default_windows() -> dict:
    """The course's choice of STFT windows (samples at 4 kHz) for the two detectors (notebook 06)."""
    return {"crackle": 64, "wheeze": 256}  # 16 ms: a pop stays one pop; 64 ms: a tone stays sharp
